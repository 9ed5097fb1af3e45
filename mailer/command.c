/*
 * command: the reply command language of DESIGN.md. One table maps every keyword and synonym
 * to a kind and a syntax; a line is a command only when it fits that syntax exactly, so prose
 * that happens to start with a keyword ("Resolved the issue by ...", "Next week we ...") stays
 * a note.
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"

/* How a keyword takes its argument. */
enum syntax {
	SYN_WORD,       /* the keyword is the whole line, trailing punctuation allowed: "Ack." */
	SYN_SEV,        /* a severity digit follows, glued or after a blank/'-': "SEV1", "SEV 1" */
	SYN_IC,         /* nothing, "me", or one address: "IC", "IC me", "IC bob@example.com" */
	SYN_TEXT,       /* a colon, then free text to the end of the line: "IMPACT: ..." */
	SYN_POSTMORTEM, /* nothing, or "MEETING 2026-12-01 15:00" with an optional offset */
	SYN_DECLARE,    /* "SEVn title"; anything else after DECLARE is a malformed DECLARE */
};

struct keyword {
	const char *words; /* as typed, upper case; a space matches blanks or '-' ("ROOT-CAUSE") */
	enum command_kind kind;
	const char *name; /* the canonical keyword of DESIGN.md's table */
	enum syntax syntax;
};

/*
 * Text commands need their colon: without it too much ordinary English would match ("Next
 * week we ...", "Update on the rollout", "Note that ..."), and a stray UPDATE mails every
 * stakeholder list. Synonyms are the words the templates themselves show ("Next Steps").
 */
static const struct keyword command_table[] = {
    {"ACK", CMD_ACK, "ACK", SYN_WORD},
    {"SEV", CMD_SEV, "SEV", SYN_SEV},
    {"SEVERITY", CMD_SEV, "SEV", SYN_SEV},
    {"INVESTIGATING", CMD_INVESTIGATING, "INVESTIGATING", SYN_WORD},
    {"MITIGATING", CMD_MITIGATING, "MITIGATING", SYN_WORD},
    {"MITIGATED", CMD_MITIGATING, "MITIGATING", SYN_WORD},
    {"RESOLVED", CMD_RESOLVED, "RESOLVED", SYN_WORD},
    {"RESOLVE", CMD_RESOLVED, "RESOLVED", SYN_WORD},
    {"FIXED", CMD_RESOLVED, "RESOLVED", SYN_WORD},
    {"REOPEN", CMD_REOPEN, "REOPEN", SYN_WORD},
    {"IC", CMD_IC, "IC", SYN_IC},
    {"TITLE", CMD_TITLE, "TITLE", SYN_TEXT},
    {"IMPACT", CMD_IMPACT, "IMPACT", SYN_TEXT},
    {"NEXT", CMD_NEXT, "NEXT", SYN_TEXT},
    {"NEXT STEPS", CMD_NEXT, "NEXT", SYN_TEXT},
    {"NOTE", CMD_NOTE, "NOTE", SYN_TEXT},
    {"UPDATE", CMD_UPDATE, "UPDATE", SYN_TEXT},
    {"ROOT CAUSE", CMD_ROOT_CAUSE, "ROOT CAUSE", SYN_TEXT},
    {"ACTION", CMD_ACTION, "ACTION", SYN_TEXT},
    {"ACTION ITEM", CMD_ACTION, "ACTION", SYN_TEXT},
    {"HELP", CMD_HELP, "HELP", SYN_WORD},
    {"POSTMORTEM", CMD_POSTMORTEM, "POSTMORTEM", SYN_POSTMORTEM},
    {"POST MORTEM", CMD_POSTMORTEM, "POSTMORTEM", SYN_POSTMORTEM},
    {"DECLARE", CMD_DECLARE, "DECLARE", SYN_DECLARE},
};

/* Lines after which only the sign-off follows (compared without trailing punctuation). */
static const char *const command_stop_words[] = {
    "--", "THANKS", "THANK YOU", "THX", "DANKE", "CHEERS", NULL,
};

static const char command_help_text[] =
    "ACK                    acknowledge: you take the incident and paging stops\n"
    "SEV1 | SEV2 | SEV3     set the severity (also SEV 1, SEV-1)\n"
    "INVESTIGATING          status Investigating\n"
    "MITIGATING             status Mitigating (also MITIGATED)\n"
    "RESOLVED               status Resolved (also RESOLVE, FIXED)\n"
    "REOPEN                 a resolved incident is investigated again\n"
    "IC [me | address]      set the incident commander\n"
    "TITLE: text            the incident's title\n"
    "IMPACT: text           who is affected and how\n"
    "NEXT: text             next steps, shown in status mails\n"
    "NOTE: text             a timeline note\n"
    "UPDATE: text           a timeline note and a status mail to the lists\n"
    "ROOT CAUSE: text       the post-mortem's root cause\n"
    "ACTION: text           one post-mortem action item per line\n"
    "POSTMORTEM             send the post-mortem (after RESOLVED)\n"
    "POSTMORTEM MEETING 2026-12-01 15:00 +01:00  ... and invite to the meeting (no offset: UTC)\n"
    "DECLARE SEV2 title     declare a new incident (as the subject of a new mail)\n"
    "HELP                   this list\n"
    "One command per line, any case; other lines are kept as notes.\n"
    "A line \"--\" or \"thanks\" ends the commands.\n";

const char *
command_help(void)
{
	return command_help_text;
}

/* Characters that are invisible in a phone's editor but break keyword matching. */
static gboolean
command_invisible(gunichar c)
{
	return c == 0xFEFF || c == 0x200B || c == 0x2060;
}

/* A copy of one line without invisible characters and without surrounding blanks (NBSP and
 * U+202F included: clients insert them where the user typed a space). */
static char *
command_clean_line(const char *raw)
{
	GString *s = g_string_new(NULL);
	const char *end;

	for (const char *p = raw; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (command_invisible(c) || (s->len == 0 && g_unichar_isspace(c)))
			continue;
		g_string_append_unichar(s, c);
	}
	end = s->str + s->len;
	while (end > s->str) {
		const char *prev = g_utf8_find_prev_char(s->str, end);

		if (!g_unichar_isspace(g_utf8_get_char(prev)))
			break;
		end = prev;
	}
	g_string_truncate(s, (gsize)(end - s->str));
	return g_string_free(s, FALSE);
}

static gboolean
command_is_trailing_punct(gunichar c)
{
	return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':' ||
	       c == 0x2026 || g_unichar_isspace(c);
}

/* Length of s without trailing punctuation and blanks ("Ack!!" -> 3). */
static gsize
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

static const char *
command_skip(const char *p, const char *chars)
{
	while (*p != '\0' && strchr(chars, *p) != NULL)
		p++;
	return p;
}

/* Where the rest of line starts when it begins with the keyword words, else NULL. The word
 * must end there: "ACKNOWLEDGE" is not "ACK", but "SEV1" is "SEV" followed by "1". */
static const char *
command_match_words(const char *line, const char *words)
{
	const char *p = line;

	for (const char *w = words; *w != '\0'; w++) {
		if (*w == ' ') {
			if (*p != ' ' && *p != '\t' && *p != '-')
				return NULL;
			p = command_skip(p, " \t-");
		} else if (g_ascii_toupper(*p++) != *w) {
			return NULL;
		}
	}
	return g_unichar_isalpha(g_utf8_get_char(p)) ? NULL : p;
}

/* The IC argument: "" (the sender), "me", an address, or a single name for incident.c to
 * resolve. Anything longer is prose ("IC is on the bridge"), so NULL. */
static char *
command_ic_argument(const char *rest)
{
	g_autofree char *arg = g_strndup(rest, command_unpunct_len(rest));
	g_auto(GStrv) tokens = g_strsplit_set(g_strstrip(arg), " \t", -1);
	guint n = 0;
	const char *address = NULL;

	for (char **t = tokens; *t != NULL; t++) {
		if (**t == '\0')
			continue;
		n++;
		if (strchr(*t, '@') != NULL)
			address = *t;
	}
	if (n == 0)
		return g_strdup("");
	if (address != NULL) {
		gsize len = strlen(address);

		if (address[0] == '<' && len >= 2 && address[len - 1] == '>')
			return g_strndup(address + 1, len - 2);
		return g_strdup(address);
	}
	if (n > 1)
		return NULL;
	if (g_ascii_strcasecmp(arg, "me") == 0)
		return g_strdup("me");
	return g_strdup(arg);
}

/* "MEETING <date> <time> [offset]" after POSTMORTEM: a date and a 24-hour time, then an
 * optional UTC offset ("+01:00", "+0100", "Z", "UTC"). */
static const char command_meeting_pattern[] =
    "^meeting\\s*:?\\s+(\\d{4})-(\\d{2})-(\\d{2})(?:\\s+|T)(\\d{1,2}):(\\d{2})"
    "(?:\\s*(z|utc|gmt|([+-])(\\d{2}):?(\\d{2})))?$";

static const GRegex *
command_meeting_re(void)
{
	static GRegex *re;
	static gsize done;

	if (g_once_init_enter(&done)) {
		GError *err = NULL;

		re = g_regex_new(command_meeting_pattern, G_REGEX_CASELESS, 0, &err);
		/* a constant: failing to compile it is a bug, not an input error */
		if (re == NULL)
			g_error("command: bad pattern: %s", err->message);
		g_once_init_leave(&done, 1);
	}
	return re;
}

static int
command_group_int(GMatchInfo *m, int n)
{
	g_autofree char *s = g_match_info_fetch(m, n);

	return s != NULL && *s != '\0' ? atoi(s) : 0;
}

/* The normalised "MEETING 2026-12-01 15:00[ +01:00]" of a meeting text, or NULL when it is
 * not one or names no real date and time (2026-02-30, 25:00, offsets beyond 14 hours). */
static char *
command_meeting(const char *text)
{
	GMatchInfo *m = NULL;
	g_autofree char *zone = NULL, *sign = NULL;
	g_autoptr(GDateTime) check = NULL;
	int f[10] = {0}; /* the pattern's numeric groups: 1-5 date and time, 8-9 offset */

	if (!g_regex_match(command_meeting_re(), text, 0, &m)) {
		g_match_info_free(m);
		return NULL;
	}
	for (int i = 1; i < 10; i++)
		f[i] = command_group_int(m, i);
	zone = g_match_info_fetch(m, 6);
	sign = g_match_info_fetch(m, 7);
	g_match_info_free(m);
	check = g_date_time_new_utc(f[1], f[2], f[3], f[4], f[5], 0);
	if (check == NULL || f[8] > 14 || f[9] > 59)
		return NULL;
	if (zone == NULL || *zone == '\0')
		return g_strdup_printf("MEETING %04d-%02d-%02d %02d:%02d", f[1], f[2], f[3], f[4],
		                       f[5]);
	return g_strdup_printf("MEETING %04d-%02d-%02d %02d:%02d %s%02d:%02d", f[1], f[2], f[3],
	                       f[4], f[5], sign != NULL && *sign == '-' ? "-" : "+", f[8], f[9]);
}

/* POSTMORTEM alone ("" ), or with a meeting; other text after it is prose ("Postmortem is
 * on Friday") and stays a note, listed as such in the confirmation. */
static char *
command_postmortem_argument(const char *rest)
{
	g_autofree char *text = NULL;

	if (command_unpunct_len(rest) == 0)
		return g_strdup("");
	rest = command_skip(rest, " \t:-");
	text = g_strndup(rest, command_unpunct_len(rest));
	return command_meeting(text);
}

/*
 * DECLARE's argument: "n title" (severity digit, one space, title) for "DECLARE SEVn title"
 * (also "SEV n", "SEV-n", "SEVERITY n", a ':' or '-' before the title). Any other text after
 * the word DECLARE gives "" — a malformed DECLARE, which the caller refuses with the syntax
 * rather than ignoring: the sender clearly meant to declare, and for a new mail nothing else
 * would answer them.
 */
static char *
command_declare_argument(const char *rest)
{
	const char *p = command_skip(rest, " \t:");
	const char *sev = command_match_words(p, "SEVERITY");
	g_autofree char *title = NULL;
	char digit;

	if (sev == NULL)
		sev = command_match_words(p, "SEV");
	if (sev == NULL)
		return g_strdup("");
	sev = command_skip(sev, " \t-:");
	digit = sev[0];
	if (digit < '1' || digit > '3' || g_unichar_isalnum(g_utf8_get_char(sev + 1)))
		return g_strdup("");
	title = g_strdup(command_skip(sev + 1, " \t:-"));
	g_strstrip(title);
	if (*title == '\0')
		return g_strdup("");
	return g_strdup_printf("%c %s", digit, title);
}

/* The argument of rest under a syntax, or NULL when the line does not fit it. */
static char *
command_argument(enum syntax syntax, const char *rest)
{
	switch (syntax) {
	case SYN_WORD:
		return command_unpunct_len(rest) == 0 ? g_strdup("") : NULL;
	case SYN_SEV:
		rest = command_skip(rest, " \t-:");
		if (rest[0] < '1' || rest[0] > '3' || command_unpunct_len(rest + 1) != 0)
			return NULL;
		return g_strndup(rest, 1);
	case SYN_IC:
		return command_ic_argument(command_skip(rest, " \t:-"));
	case SYN_TEXT:
		rest = command_skip(rest, " \t");
		if (*rest != ':')
			return NULL;
		return g_strdup(command_skip(rest, " \t:-"));
	case SYN_POSTMORTEM:
		return command_postmortem_argument(rest);
	case SYN_DECLARE:
		return command_declare_argument(rest);
	}
	return NULL;
}

static struct command *
command_new(enum command_kind kind, const char *keyword, char *argument)
{
	struct command *c = g_new0(struct command, 1);

	c->kind = kind;
	c->keyword = g_strdup(keyword);
	c->argument = argument;
	return c;
}

static void
command_free(gpointer p)
{
	struct command *c = p;

	g_free(c->keyword);
	g_free(c->argument);
	g_free(c);
}

/* The command a cleaned line holds, or NULL when it is not one. */
static struct command *
command_from_line(const char *line)
{
	for (gsize i = 0; i < G_N_ELEMENTS(command_table); i++) {
		const struct keyword *k = &command_table[i];
		const char *rest = command_match_words(line, k->words);
		char *arg;

		if (rest == NULL)
			continue;
		arg = command_argument(k->syntax, rest);
		if (arg != NULL)
			return command_new(k->kind, k->name, arg);
	}
	return NULL;
}

static gboolean
command_is_stop(const char *line)
{
	g_autofree char *word = NULL;

	if (strcmp(line, "--") == 0)
		return TRUE;
	word = g_ascii_strup(line, (gssize)command_unpunct_len(line));
	for (const char *const *s = command_stop_words; *s != NULL; s++)
		if (strcmp(word, *s) == 0)
			return TRUE;
	return FALSE;
}

/* A one-line body that is a single unknown word gets an error reply rather than a note: the
 * sender clearly meant a command ("Snooze"). */
static void
command_single_word(struct command_list *l)
{
	const char *line;
	gsize len;

	if (l->commands->len != 0 || l->notes->len != 1)
		return;
	line = g_ptr_array_index(l->notes, 0);
	len = command_unpunct_len(line);
	if (len == 0 || strpbrk(line, " \t") != NULL)
		return;
	g_ptr_array_add(l->commands, command_new(CMD_UNKNOWN, "UNKNOWN", g_strndup(line, len)));
	g_ptr_array_remove_index(l->notes, 0);
}

struct command_list *
command_parse(const char *new_text)
{
	struct command_list *l = g_new0(struct command_list, 1);
	g_autofree char *valid = g_utf8_make_valid(new_text != NULL ? new_text : "", -1);
	g_auto(GStrv) lines = g_strsplit(valid, "\n", -1);

	l->commands = g_ptr_array_new_with_free_func(command_free);
	l->notes = g_ptr_array_new_with_free_func(g_free);
	for (char **raw = lines; *raw != NULL; raw++) {
		g_autofree char *line = command_clean_line(*raw);
		struct command *c;

		if (*line == '\0')
			continue;
		if (command_is_stop(line))
			break;
		c = command_from_line(line);
		if (c != NULL)
			g_ptr_array_add(l->commands, c);
		else
			g_ptr_array_add(l->notes, g_steal_pointer(&line));
	}
	command_single_word(l);
	return l;
}

void
command_list_free(struct command_list *l)
{
	if (l == NULL)
		return;
	g_ptr_array_unref(l->commands);
	g_ptr_array_unref(l->notes);
	g_free(l);
}
