/*
 * command_read: one line of a reply against the verb table. The first word decides: a
 * keyword or synonym followed by the end, a blank, punctuation or an emoji makes the line a
 * command, and the verb's syntax reads what follows. A line that ends with '?' never acts.
 * A reply's only line that meant a command but failed is read once more, to say why.
 */
#include <stdlib.h>
#include <string.h>

#include "command_read.h"
#include "util.h"

#define COMMAND_WORD_MAX 40 /* longer words are compared with no keyword */

/* Emoji, with their skin tones, variation selectors, joiners and keycaps. */
gboolean
command_is_emoji(gunichar c)
{
	return g_unichar_type(c) == G_UNICODE_OTHER_SYMBOL || (c >= 0x1F3FB && c <= 0x1F3FF) ||
	       c == 0xFE0F || c == 0xFE0E || c == 0x200D || c == 0x20E3;
}

gboolean
command_is_dash(gunichar c)
{
	return c == '-' || c == 0x2013 || c == 0x2014;
}

/* What may come between a keyword and its note: blanks, . , ! : ; dashes, … and emoji. */
gboolean
command_is_separator(gunichar c)
{
	return c == ' ' || c == '.' || c == ',' || c == '!' || c == ':' || c == ';' ||
	       c == 0x2026 || command_is_dash(c) || command_is_emoji(c);
}

gboolean
command_is_blank(gunichar c)
{
	return c == ' ';
}

/* Between SEV and its digit, DECLARE and SEV, a text keyword's colon and its text. */
gboolean
command_is_gap(gunichar c)
{
	return c == ' ' || c == ':' || command_is_dash(c);
}

const char *
command_skip(const char *p, gboolean (*skip)(gunichar))
{
	while (*p != '\0' && skip(g_utf8_get_char(p)))
		p = g_utf8_next_char(p);
	return p;
}

const char *
command_skip_gap(const char *p)
{
	return command_skip(p, command_is_gap);
}

/* TRUE when a keyword may end at p: the line ends there or a separator follows. */
gboolean
command_at_separator(const char *p)
{
	return *p == '\0' || command_is_separator(g_utf8_get_char(p));
}

gboolean
command_has_alnum(const char *s)
{
	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p))
		if (g_unichar_isalnum(g_utf8_get_char(p)))
			return TRUE;
	return FALSE;
}

static gboolean
command_is_trailing_punct(gunichar c)
{
	return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':' ||
	       c == 0x2026 || g_unichar_isspace(c);
}

gsize
command_unpunct_len(const char *s)
{
	const char *end = s + strlen(s);

	while (end > s) {
		const char *prev = g_utf8_find_prev_char(s, end);

		if (!command_is_trailing_punct(g_utf8_get_char(prev)))
			break;
		end = prev;
	}
	return (gsize)(end - s);
}

/* A list bullet before a command ("- ack", "* SEV1", "• resolved") is not part of it. */
const char *
command_unbullet(const char *line)
{
	gunichar c = g_utf8_get_char(line);
	const char *p;

	if (c != '-' && c != '*' && c != 0x2022)
		return line;
	p = g_utf8_next_char(line);
	return *p == ' ' ? command_skip(p, command_is_blank) : line;
}

/* A question never acts: the line ends with '?' (blanks, '!' and emoji after it aside). */
gboolean
command_is_question(const char *line)
{
	const char *end = line + strlen(line);

	while (end > line) {
		const char *prev = g_utf8_find_prev_char(line, end);
		gunichar c = g_utf8_get_char(prev);

		if (c == '?' || c == 0xFF1F)
			return TRUE;
		if (c != ' ' && c != '!' && !command_is_emoji(c))
			return FALSE;
		end = prev;
	}
	return FALSE;
}

/* Past one apostrophe as phones type it (', ’, ‘, ʼ), or NULL. */
const char *
command_apostrophe(const char *p)
{
	gunichar c = g_utf8_get_char(p);

	if (c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC)
		return g_utf8_next_char(p);
	return NULL;
}

/*
 * Where line continues after a keyword form of len bytes, or NULL. Case-insensitive; a space
 * in the form matches blanks or '-' ("Root-Cause"), an apostrophe the ones phones type
 * ("ack’d"). The word must end there: "ACK" is not in "Ackerman", but "SEV" is in "SEV1",
 * whose syntax reads the digit.
 */
const char *
command_match_form(const char *line, const char *form, gsize len)
{
	const char *p = line;

	for (gsize i = 0; i < len; i++) {
		if (form[i] == ' ') {
			if (*p != ' ' && *p != '-')
				return NULL;
			while (*p == ' ' || *p == '-')
				p++;
		} else if (form[i] == '\'') {
			if ((p = command_apostrophe(p)) == NULL)
				return NULL;
		} else if (*p == '\0' || g_ascii_toupper(*p++) != form[i]) {
			return NULL;
		}
	}
	return g_unichar_isalpha(g_utf8_get_char(p)) ? NULL : p;
}

/* The i-th form of a verb (0 = its name, then its synonyms); FALSE past the last. */
gboolean
command_form(const struct verb *v, guint i, const char **form, gsize *len)
{
	const char *s = v->synonyms;

	if (i == 0) {
		*form = v->name;
		*len = strlen(v->name);
		return TRUE;
	}
	for (guint k = 1; s != NULL; k++) {
		gsize n = strcspn(s, "|");

		if (k == i) {
			*form = s;
			*len = n;
			return TRUE;
		}
		s = s[n] == '|' ? s + n + 1 : NULL;
	}
	return FALSE;
}

/* --- notes ---------------------------------------------------------------------------- */

#define THANKS "(?:many thanks|thanks|thank you|thank u|thank|thx|ty|cheers|danke|merci)"
#define NOT_ALNUM "[^\\p{L}\\p{N}]"

/* A thank-you with at most one more word ("Thanks!", "thank you all", "cheers Bob"). */
static const char command_thanks_pattern[] = "^" THANKS "(?:" NOT_ALNUM "+\\p{L}+)?" NOT_ALNUM "*$";

/* A note that adds nothing: a thank-you of up to three words, "now", "ok". */
static const char command_filler_pattern[] =
    "^(?:" THANKS "(?!\\p{L}|\\p{N})" NOT_ALNUM "*(?:\\p{L}+" NOT_ALNUM "*){0,2}"
    "|(?:now|ok|okay)" NOT_ALNUM "*)$";

GRegex *
command_regex_new(const char *pattern)
{
	GError *err = NULL;
	GRegex *re = g_regex_new(pattern, G_REGEX_CASELESS, 0, &err);

	/* a constant: failing to compile it is a bug, not an input error */
	if (re == NULL)
		g_error("command: bad pattern: %s", err->message);
	return re;
}

gboolean
command_is_thanks(const char *line)
{
	static GRegex *re;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, command_regex_new(command_thanks_pattern));
	return g_regex_match(re, line, 0, NULL);
}

gboolean
command_is_filler(const char *text)
{
	static GRegex *re;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, command_regex_new(command_filler_pattern));
	return g_regex_match(re, text, 0, NULL);
}

/* The note after a keyword: NULL when it adds nothing (only punctuation or emoji, a
 * thank-you, "now"). The line is clean already: one line, trimmed. */
char *
command_note(const char *rest)
{
	const char *p = command_skip(rest, command_is_separator);

	if (!command_has_alnum(p) || command_is_filler(p))
		return NULL;
	return g_strdup(p);
}

/* --- lines ---------------------------------------------------------------------------- */

/* The first of v's forms that begins text and whose syntax fits. */
static struct command *
command_try_verb(const struct verb *v, const char *text)
{
	const char *form, *rest;
	gsize len;
	struct command *c = NULL;

	for (guint i = 0; c == NULL && command_form(v, i, &form, &len); i++)
		if ((rest = command_match_form(text, form, len)) != NULL)
			c = command_syntax(v, rest);
	return c;
}

/* "help?" asks for exactly what HELP sends: HELP alone may end with '?'. */
static gboolean
command_is_help_question(const char *text)
{
	const char *rest = command_match_form(text, "HELP", 4);

	return rest != NULL && !command_has_alnum(rest) && (*rest == '?' || *rest == ' ');
}

struct command *
command_read(const char *line)
{
	gsize n;
	const struct verb *verbs = command_verbs_get(&n);
	const char *text = command_unbullet(line);

	if (command_is_question(text))
		return command_is_help_question(text) ? command_new(CMD_HELP, g_strdup(""), NULL)
		                                      : NULL;
	for (gsize i = 0; i < n; i++) {
		struct command *c = command_try_verb(&verbs[i], text);

		if (c != NULL)
			return c;
	}
	return NULL;
}
