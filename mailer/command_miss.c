/*
 * command_miss: what a reply's only line meant when it is no command. A question to a
 * keyword ("Resolved?"), SEV without a severity of 1-3 ("SEV5", "sev"), a text keyword
 * alone, or one unknown word ("Akc") is answered with what was read and the closest
 * keyword; anything longer whose first word is no keyword is prose, kept as a note.
 */
#include <string.h>

#include "command_read.h"
#include "util.h"

#define COMMAND_WORD_MAX 40 /* longer words are compared with no keyword */

/* The first word of text, upper case, apostrophes as '\'', and where it ends; NULL when
 * text does not start with a letter or digit, or the word has no letter. */
static char *
command_first_word(const char *text, const char **end)
{
	GString *w = g_string_new(NULL);
	gboolean letter = FALSE;
	const char *p = text;

	while (*p != '\0') {
		gunichar c = g_utf8_get_char(p);
		const char *q = command_apostrophe(p);

		if (q != NULL && w->len > 0) {
			g_string_append_c(w, '\'');
			p = q;
			continue;
		}
		if (!g_unichar_isalnum(c))
			break;
		letter = letter || g_unichar_isalpha(c);
		g_string_append_unichar(w, g_unichar_toupper(c));
		p = g_utf8_next_char(p);
	}
	*end = p;
	if (!letter) {
		g_string_free(w, TRUE);
		return NULL;
	}
	return g_string_free(w, FALSE);
}

/* TRUE when word is one of v's one-word forms; for SEV also with digits ("SEV5"). */
static gboolean
command_word_is(const struct verb *v, const char *word)
{
	gsize wlen = strlen(word);
	const char *form;
	gsize len;

	if (v->syntax == SYN_SEV)
		while (wlen > 0 && g_ascii_isdigit(word[wlen - 1]))
			wlen--;
	for (guint i = 0; command_form(v, i, &form, &len); i++)
		if (len == wlen && strncmp(word, form, len) == 0)
			return TRUE;
	return FALSE;
}

static const struct verb *
command_verb_of(const char *word)
{
	gsize n;
	const struct verb *verbs = command_verbs_get(&n);

	for (gsize i = 0; i < n; i++)
		if (command_word_is(&verbs[i], word))
			return &verbs[i];
	return NULL;
}

/* Optimal string alignment distance: edits, a swap of neighbours counting as one ("Akc"). */
static guint
command_distance(const gunichar *a, gsize m, const char *b, gsize n)
{
	guint d[COMMAND_WORD_MAX + 1][COMMAND_WORD_MAX + 1];

	for (gsize i = 0; i <= m; i++)
		d[i][0] = (guint)i;
	for (gsize j = 0; j <= n; j++)
		d[0][j] = (guint)j;
	for (gsize i = 1; i <= m; i++) {
		for (gsize j = 1; j <= n; j++) {
			guint cost = a[i - 1] != (gunichar)(guchar)b[j - 1];

			d[i][j] =
			    MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == (guchar)b[j - 2] &&
			    a[i - 2] == (guchar)b[j - 1])
				d[i][j] = MIN(d[i][j], d[i - 2][j - 2] + 1);
		}
	}
	return d[m][n];
}

/* How far word is from a form: 1 when one starts with the other ("Acking", "Snoozed"). */
static guint
command_closeness(const char *word, const gunichar *u, gsize m, const char *form, gsize len)
{
	if (len >= 3 && strncmp(word, form, len) == 0)
		return 1;
	if (len > COMMAND_WORD_MAX || strchr(form, ' ') != NULL)
		return G_MAXUINT;
	return command_distance(u, m, form, len);
}

/* The canonical keyword closest to an unknown word, or NULL when none is close: one edit
 * for words of 3-5 letters, two for longer ones; text keywords are not offered, a lone
 * "Noted" is no NOTE: without its text. */
static const char *
command_suggest(const char *word)
{
	glong m = g_utf8_strlen(word, -1);
	g_autofree gunichar *u = NULL;
	const char *best = NULL, *form;
	guint limit = m <= 2 ? 0 : m <= 5 ? 1 : 2, best_d = G_MAXUINT;
	gsize n, len;
	const struct verb *verbs = command_verbs_get(&n);

	if (m > COMMAND_WORD_MAX)
		return NULL;
	u = g_utf8_to_ucs4_fast(word, -1, NULL);
	for (gsize i = 0; i < n; i++) {
		if (verbs[i].syntax == SYN_TEXT)
			continue;
		for (guint k = 0; command_form(&verbs[i], k, &form, &len); k++) {
			guint d = command_closeness(word, u, (gsize)m, form, len);

			if (d <= limit && d < best_d) {
				best = verbs[i].name;
				best_d = d;
			}
		}
	}
	return best;
}

/* What was written, for the answer: without trailing . , ; : ! and at most 80 characters. */
static char *
command_written(const char *text)
{
	gsize len = strlen(text);
	g_autofree char *cut = NULL;

	while (len > 0 && strchr(" .,;:!", text[len - 1]) != NULL)
		len--;
	cut = g_strndup(text, len);
	return util_one_line(cut, 80);
}

static char *
command_not_a_command(const char *text)
{
	g_autofree char *written = command_written(text);

	return g_strdup_printf("\"%s\" is not a command", written);
}

static struct command *
command_unknown(const char *text, const char *suggestion, char *understood)
{
	struct command *c = command_new(CMD_UNKNOWN, command_written(text), NULL);

	c->suggestion = g_strdup(suggestion);
	c->understood = understood;
	return c;
}

/* One word that is no command: a text keyword without its text, or an unknown word. */
static struct command *
command_word_miss(const char *text, const char *word, const struct verb *v)
{
	if (v != NULL && v->syntax == SYN_TEXT)
		return command_unknown(
		    text, v->name,
		    g_strdup_printf("%s needs a text after a colon (%s: text)", v->name, v->name));
	return command_unknown(text, v != NULL ? v->name : command_suggest(word),
	                       command_not_a_command(text));
}

/* SEV with a severity that is not 1-3, or none, as the whole line: "SEV5", "sev", "sev 12",
 * "Severity: 0". NULL for anything longer ("Severity is low, EU only"): prose. */
static struct command *
command_sev_miss(const char *text, const char *word, const char *end)
{
	const char *digits = word + strcspn(word, "0123456789");
	gsize n = strlen(digits);

	if (n == 0) {
		digits = command_skip_gap(end);
		n = strspn(digits, "0123456789");
		end = digits + n;
	}
	if (command_has_alnum(end))
		return NULL;
	if (n == 0)
		return command_unknown(text, "SEV",
		                       g_strdup("SEV needs a severity: SEV1, SEV2 or SEV3"));
	if (n == 1 && *digits >= '1' && *digits <= '3') /* "SEV2)": an odd character after it */
		return command_unknown(text, "SEV", command_not_a_command(text));
	return command_unknown(
	    text, "SEV",
	    g_strdup_printf("SEV%.*s is not a severity (1, 2 or 3)", (int)MIN(n, 12), digits));
}

struct command *
command_miss(const char *line)
{
	const char *text = command_unbullet(line), *end = NULL;
	g_autofree char *word = command_first_word(text, &end);
	const struct verb *v = word != NULL ? command_verb_of(word) : NULL;

	if (word == NULL)
		return NULL; /* "👍", "...", "+1": a note at most */
	if (command_is_question(text) || *end == '?') {
		if (v == NULL || v->syntax == SYN_TEXT)
			return NULL; /* "Is this resolved?", "NOTE: anyone seen this before?" */
		return command_unknown(text, v->name,
		                       g_strdup(command_is_question(text)
		                                    ? "a question (it ends with ?)"
		                                    : "a question (a ? follows the keyword)"));
	}
	if (v != NULL && v->syntax == SYN_SEV)
		return command_sev_miss(text, word, end);
	/* alone with nothing or a time after it, it meant one ("override me tomorrow 18:00");
	 * other words after it are a note ("Override the feature flag for EU users") */
	if (v != NULL && v->syntax == SYN_OVERRIDE &&
	    (!command_has_alnum(end) || strpbrk(end, "0123456789") != NULL))
		return command_unknown(
		    text, v->name,
		    g_strdup("OVERRIDE needs a schedule, who, and FROM and UNTIL "
		             "written YYYY-MM-DD HH:MM (OVERRIDE schedule me "
		             "FROM UNTIL)"));
	/* prose ("Will ack in 5 min", "not resolved yet"), or too long for a mistyped keyword */
	if (command_has_alnum(end) || g_utf8_strlen(word, -1) > COMMAND_WORD_MAX)
		return NULL;
	return command_word_miss(text, word, v);
}
