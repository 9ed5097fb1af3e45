/*
 * command_args: what follows a keyword, read by the verb's syntax (command_read.h, enum
 * syntax): a severity, a person, free text, a duration, a meeting time, a declaration, an
 * override, an incident number, a maintenance window. Each reader returns NULL when the line
 * is prose after all, and "" when the command is there but malformed (refused with its
 * syntax).
 */
#include <stdlib.h>
#include <string.h>

#include "command_read.h"
#include "util.h"

/* SEV's digit in "SEV1", "SEV 1", "SEV-1", "sev:1", "severity 1", and the note after it;
 * NULL when no single digit 1-3 follows ("SEV4", "SEV12", "sev 2.5", "Severity is low"). */
static char *
command_sev_argument(const char *rest, char **note)
{
	const char *p = command_skip(rest, command_is_gap);
	const char *after;

	if (*p < '1' || *p > '3')
		return NULL;
	after = p + 1;
	if (g_ascii_isdigit(*after) ||
	    ((*after == '.' || *after == ',') && g_ascii_isdigit(after[1])))
		return NULL;
	if (!command_at_separator(after))
		return NULL;
	*note = command_note(after);
	return g_strndup(p, 1);
}

/* Where the argument of IC or PAGE ends: where a note starts (", ", "; ", "! ", ". ", ": ",
 * " - ", an emoji) or at the end. The dots of an address do not end it. */
static const char *
command_who_end(const char *p)
{
	for (; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);

		if (command_is_emoji(c) || c == 0x2013 || c == 0x2014)
			return p;
		if (c < 0x80 && strchr(",;!.:", (int)c) != NULL && (*next == '\0' || *next == ' '))
			return p;
		if (c == ' ' && *next == '-')
			return p;
	}
	return p;
}

/* "me", one name, or an address (also written "Name <address>"); "" for nothing; NULL for
 * more words without an address, which are prose ("IC is on the bridge now"). */
static char *
command_who(char **tokens)
{
	const char *address = NULL, *one = NULL;
	guint n = 0;

	for (char **t = tokens; *t != NULL; t++) {
		if (**t == '\0')
			continue;
		n++;
		one = *t;
		if (strchr(*t, '@') != NULL)
			address = *t;
	}
	if (address != NULL) {
		gsize len = strlen(address);

		if (address[0] == '<' && len >= 2 && address[len - 1] == '>')
			return g_strndup(address + 1, len - 2);
		return g_strdup(address);
	}
	if (n > 1)
		return NULL;
	if (n == 0)
		return g_strdup("");
	return g_strdup(g_ascii_strcasecmp(one, "me") == 0 ? "me" : one);
}

/* IC and PAGE: who, then a note ("IC me - on the bridge"). */
static char *
command_who_argument(const char *rest, char **note)
{
	const char *p, *end;
	g_autofree char *segment = NULL;
	g_auto(GStrv) tokens = NULL;
	char *who;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_separator);
	end = command_who_end(p);
	segment = g_strndup(p, (gsize)(end - p));
	tokens = g_strsplit(segment, " ", -1);
	who = command_who(tokens);
	if (who != NULL)
		*note = command_note(end);
	return who;
}

/* Text commands: ':' or a dash and a blank after the keyword, then the text (possibly ""). */
static char *
command_text_argument(const char *rest)
{
	const char *p = command_skip(rest, command_is_blank);
	const char *next;
	gunichar c;

	if (*p == '\0')
		return NULL;
	c = g_utf8_get_char(p);
	next = g_utf8_next_char(p);
	if (c != ':' && c != 0xFF1A && !(command_is_dash(c) && (*next == '\0' || *next == ' ')))
		return NULL;
	return g_strdup(command_skip(next, command_is_gap));
}

static const struct {
	const char *word;
	gint64 seconds;
} command_units[] = {
    {"S", 1},     {"SEC", 1},     {"SECS", 1},     {"SECOND", 1},  {"SECONDS", 1},
    {"M", 60},    {"MIN", 60},    {"MINS", 60},    {"MINUTE", 60}, {"MINUTES", 60},
    {"H", 3600},  {"HR", 3600},   {"HRS", 3600},   {"HOUR", 3600}, {"HOURS", 3600},
    {"D", 86400}, {"DAY", 86400}, {"DAYS", 86400},
};

/* One "30m", "30 min" or "2 h" of a duration: its seconds, and where it ends; NULL when p
 * holds none. Numbers saturate at nine digits rather than overflow. */
static const char *
command_duration_part(const char *p, gint64 *seconds)
{
	gint64 n = 0;
	char unit[8];
	gsize len = 0;

	if (!g_ascii_isdigit(*p))
		return NULL;
	for (; g_ascii_isdigit(*p); p++)
		n = MIN(n * 10 + (*p - '0'), 999999999);
	p = command_skip(p, command_is_blank);
	for (; g_ascii_isalpha(*p); p++, len++)
		if (len < sizeof unit - 1)
			unit[len] = g_ascii_toupper(*p);
	if (len == 0 || len >= sizeof unit || g_unichar_isalpha(g_utf8_get_char(p)))
		return NULL;
	unit[len] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(command_units); i++) {
		if (strcmp(unit, command_units[i].word) == 0) {
			*seconds = n * command_units[i].seconds;
			return p;
		}
	}
	return NULL;
}

/* SNOOZE's duration in seconds as a decimal string ("30m", "1h30m", "for 2 h"), and the
 * note after it; "" when there is none or it cannot be read ("snooze for a bit"): the
 * lifecycle refuses that with the syntax. */
static char *
command_snooze_argument(const char *rest, char **note)
{
	const char *p, *end = NULL;
	gint64 total = 0, part = 0;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_separator);
	if (g_ascii_strncasecmp(p, "for ", 4) == 0)
		p = command_skip(p + 4, command_is_blank);
	while ((p = command_duration_part(p, &part)) != NULL) {
		total = MIN(total + part, G_MAXINT32);
		end = p;
		p = command_skip(p, command_is_blank);
	}
	if (end == NULL || !command_at_separator(end))
		return g_strdup("");
	*note = command_note(end);
	return g_strdup_printf("%" G_GINT64_FORMAT, total);
}

/* "MEETING <date> <time> [offset]" after POSTMORTEM: a date and a 24-hour time, then an
 * optional UTC offset ("+01:00", "+0100", "Z", "UTC"). */
static const char command_meeting_pattern[] =
    "^meeting\\s*:?\\s+(\\d{4})-(\\d{2})-(\\d{2})(?:\\s+|T)(\\d{1,2}):(\\d{2})"
    "(?:\\s*(z|utc|gmt|([+-])(\\d{2}):?(\\d{2})))?$";

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
	static GRegex *re;
	GMatchInfo *m = NULL;
	g_autofree char *zone = NULL, *sign = NULL;
	g_autoptr(GDateTime) check = NULL;
	int f[10] = {0}; /* the pattern's numeric groups: 1-5 date and time, 8-9 offset */

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, command_regex_new(command_meeting_pattern));
	if (!g_regex_match(re, text, 0, &m)) {
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

/* POSTMORTEM alone (""), or with a meeting. It mails every list and closes the incident,
 * so it takes no note: other text after it is prose ("Postmortem is on Friday"). */
static char *
command_postmortem_argument(const char *rest)
{
	const char *p;
	g_autofree char *text = NULL;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_separator);
	if (!command_has_alnum(p) || command_is_filler(p))
		return g_strdup("");
	text = g_strndup(p, command_unpunct_len(p));
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
	const char *p, *sev;
	g_autofree char *title = NULL;
	char digit;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_gap);
	sev = command_match_form(p, "SEVERITY", 8);
	if (sev == NULL)
		sev = command_match_form(p, "SEV", 3);
	if (sev == NULL)
		return g_strdup("");
	sev = command_skip(sev, command_is_gap);
	digit = sev[0];
	if (digit < '1' || digit > '3' || g_unichar_isalnum(g_utf8_get_char(sev + 1)))
		return g_strdup("");
	title = g_strdup(command_skip(sev + 1, command_is_gap));
	g_strstrip(title);
	if (*title == '\0')
		return g_strdup("");
	return g_strdup_printf("%c %s", digit, title);
}

/* OVERRIDE's argument: the rest of the line, read against the configuration by its
 * handler. Only a line that holds a date is one: "Override the flag for EU users" is a
 * note, as people write such lines in a war room. */
static char *
command_override_argument(const char *rest)
{
	static GRegex *re;
	const char *p;

	if (!command_at_separator(rest))
		return NULL;
	if (g_once_init_enter(&re))
		g_once_init_leave(&re, command_regex_new("\\d{4}-\\d{1,2}-\\d{1,2}"));
	p = command_skip(rest, command_is_gap);
	return g_regex_match(re, p, 0, NULL) ? g_strdup(p) : NULL;
}

/* MERGE's incident: "INC-4", "inc 4", "#4" or "4", and the note after it; "" when nothing
 * follows (refused with the syntax); NULL for prose ("Merge the fix first"). */
static char *
command_incident_argument(const char *rest, char **note)
{
	const char *p;
	gsize n;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_gap);
	if (g_ascii_strncasecmp(p, "INC", 3) == 0)
		p = command_skip(p + 3, command_is_gap);
	else if (*p == '#')
		p++;
	n = strspn(p, "0123456789");
	if (n == 0 || n > 12 || !command_at_separator(p + n))
		return *p == '\0' ? g_strdup("") : NULL;
	*note = command_note(p + n);
	return g_strndup(p, n);
}

/* MAINTENANCE's "MATCH DURATION [reason]" as written: its first word names a label
 * (key=glob) or is a duration, which route_window_request reads; "" when nothing follows
 * (refused with the syntax); NULL for prose ("Maintenance is over for today"). */
static char *
command_maintenance_argument(const char *rest)
{
	const char *p;
	gsize first;

	if (!command_at_separator(rest))
		return NULL;
	p = command_skip(rest, command_is_separator);
	if (*p == '\0')
		return g_strdup("");
	first = strcspn(p, " ");
	if (memchr(p, '=', first) == NULL && !g_ascii_isdigit(*p))
		return NULL;
	return g_strdup(p);
}

struct command *
command_syntax(const struct verb *v, const char *rest)
{
	char *arg = NULL, *note = NULL;

	switch (v->syntax) {
	case SYN_WORD:
		if (command_at_separator(rest))
			return command_new(v->kind, g_strdup(""), command_note(rest));
		return NULL;
	case SYN_BARE:
		if (command_at_separator(rest) && !command_has_alnum(rest))
			return command_new(v->kind, g_strdup(""), NULL);
		return NULL;
	case SYN_SEV:
		arg = command_sev_argument(rest, &note);
		break;
	case SYN_WHO:
		arg = command_who_argument(rest, &note);
		break;
	case SYN_TEXT:
		arg = command_text_argument(rest);
		break;
	case SYN_SNOOZE:
		arg = command_snooze_argument(rest, &note);
		break;
	case SYN_POSTMORTEM:
		arg = command_postmortem_argument(rest);
		break;
	case SYN_DECLARE:
		arg = command_declare_argument(rest);
		break;
	case SYN_OVERRIDE:
		arg = command_override_argument(rest);
		break;
	case SYN_INCIDENT:
		arg = command_incident_argument(rest, &note);
		break;
	case SYN_MAINTENANCE:
		arg = command_maintenance_argument(rest);
		break;
	}
	return arg != NULL ? command_new(v->kind, arg, note) : NULL;
}
