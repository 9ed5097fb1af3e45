/*
 * command: the reply command language of DESIGN.md. One verb table holds every keyword with
 * its synonyms, argument syntax and help lines. A line is a command when its first word is a
 * keyword followed by nothing, a blank, punctuation or an emoji; what follows is the argument
 * of text commands and otherwise a note kept with the command ("ack - looking now").
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "command_read.h"
#include "util.h"

/*
 * The verbs, in the order HELP lists them (the page's few first). Text commands need ':' or
 * ' - ' after the keyword: without it too much ordinary English would match ("Next week we
 * ...", "Update on the rollout"), and a stray UPDATE mails every stakeholder list. Adding a
 * command is one row here, and a handler in incident.c when it changes state.
 */
static const struct verb command_verbs[] = {
    {CMD_ACK, "ACK", "ACKED|ACK'D|ACKNOWLEDGE|ACKNOWLEDGED", SYN_WORD, "ACK",
     "acknowledge: you take the incident and paging stops", "you are on it"},
    {CMD_SEV, "SEV", "SEVERITY", SYN_SEV, "SEV1, SEV2 or SEV3",
     "set the severity, 1 the worst (SEV 1, SEV-1 too)", "how bad it is"},
    {CMD_IMPACT, "IMPACT", NULL, SYN_TEXT, "IMPACT: text", "who or what is affected, and how",
     "who or what is affected"},
    {CMD_NEXT, "NEXT", "NEXT STEPS", SYN_TEXT, "NEXT: text", "next steps, shown in status mails",
     "what happens next"},
    {CMD_MITIGATING, "MITIGATING", "MITIGATE|MITIGATED", SYN_WORD, "MITIGATING",
     "status Mitigating: a fix is being applied", "a fix is being applied"},
    {CMD_RESOLVED, "RESOLVED", "RESOLVE|FIXED", SYN_WORD, "RESOLVED", "status Resolved",
     "it is over"},
    {CMD_INVESTIGATING, "INVESTIGATING", NULL, SYN_WORD, "INVESTIGATING", "status Investigating",
     NULL},
    {CMD_REOPEN, "REOPEN", NULL, SYN_WORD, "REOPEN", "a resolved incident is investigated again",
     NULL},
    {CMD_IC, "IC", NULL, SYN_WHO, "IC [me | address]",
     "set the incident commander (or a responder's name)", NULL},
    {CMD_TITLE, "TITLE", NULL, SYN_TEXT, "TITLE: text", "the incident's title", NULL},
    {CMD_NOTE, "NOTE", NULL, SYN_TEXT, "NOTE: text", "a timeline note", NULL},
    {CMD_UPDATE, "UPDATE", NULL, SYN_TEXT, "UPDATE: text",
     "a timeline note and a status mail to the lists", NULL},
    {CMD_ESCALATE, "ESCALATE", NULL, SYN_WORD, "ESCALATE", "page the next escalation step now",
     NULL},
    {CMD_PAGE, "PAGE", NULL, SYN_WHO, "PAGE name | address",
     "page one more responder about this incident", NULL},
    {CMD_SNOOZE, "SNOOZE", NULL, SYN_SNOOZE, "SNOOZE 30m",
     "paged again after 30m (or 1h, 2h ..., at most 24h)\nunless resolved", NULL},
    {CMD_UNACK, "UNACK", NULL, SYN_WORD, "UNACK",
     "not acknowledged any more: paging starts again now", NULL},
    {CMD_MERGE, "MERGE", NULL, SYN_INCIDENT, "MERGE INC-n",
     "incident n joins this one: its alerts come here,\nit is closed and its people are told",
     NULL},
    {CMD_ROOT_CAUSE, "ROOT CAUSE", NULL, SYN_TEXT, "ROOT CAUSE: text",
     "the post-mortem's root cause", NULL},
    {CMD_ACTION, "ACTION", "ACTION ITEM", SYN_TEXT, "ACTION: text",
     "one post-mortem action item per line", NULL},
    {CMD_POSTMORTEM, "POSTMORTEM", "POST MORTEM", SYN_POSTMORTEM,
     "POSTMORTEM [MEETING 2026-12-01 15:00 +01:00]",
     "send the post-mortem (after RESOLVED), with an invitation\nwhen a meeting is given (no "
     "offset: UTC)",
     NULL},
    {CMD_OVERRIDE, "OVERRIDE", NULL, SYN_OVERRIDE, "OVERRIDE schedule who FROM UNTIL",
     "who (me, a name or an address) is on call for the\nschedule from FROM until UNTIL, "
     "YYYY-MM-DD HH:MM in its\ntime zone (at most 90 days)",
     NULL},
    {CMD_MAINTENANCE, "MAINTENANCE", NULL, SYN_MAINTENANCE, "MAINTENANCE host=db-1 2h why",
     "no incidents from alerts that match, for that long (at\nmost 7d): a reply, or a new "
     "mail",
     NULL},
    {CMD_DECLARE, "DECLARE", NULL, SYN_DECLARE, "DECLARE SEV2 title",
     "declare a new incident (as the subject of a new mail)", NULL},
    {CMD_HELP, "HELP", NULL, SYN_BARE, "HELP", "this list", NULL},
};

#define COMMAND_COLUMN 22 /* width of the help's left column */

const struct verb *
command_verbs_get(gsize *n)
{
	*n = G_N_ELEMENTS(command_verbs);
	return command_verbs;
}

const char *
command_name(enum command_kind k)
{
	for (gsize i = 0; i < G_N_ELEMENTS(command_verbs); i++)
		if (command_verbs[i].kind == k)
			return command_verbs[i].name;
	return "UNKNOWN";
}

/* "also: acked, ack'd" under a verb with synonyms, written as they are typed. */
static void
command_help_synonyms(GString *s, const struct verb *v)
{
	g_auto(GStrv) forms = NULL;

	if (v->synonyms == NULL)
		return;
	forms = g_strsplit(v->synonyms, "|", -1);
	g_string_append_printf(s, "%-*s also: ", COMMAND_COLUMN, "");
	for (char **f = forms; *f != NULL; f++) {
		g_autofree char *lower = g_ascii_strdown(*f, -1);

		g_string_append_printf(s, "%s%s%s%s", f == forms ? "" : ", ", lower,
		                       v->syntax == SYN_SEV ? " 1" : "",
		                       v->syntax == SYN_TEXT ? ":" : "");
	}
	g_string_append_c(s, '\n');
}

/* One verb's lines: usage and help (on a line of its own after a long usage; a '\n' in
 * the help continues it in the column), then its synonyms. */
static void
command_help_verb(GString *s, const struct verb *v)
{
	g_auto(GStrv) lines = g_strsplit(v->help, "\n", -1);

	if (strlen(v->usage) > COMMAND_COLUMN)
		g_string_append_printf(s, "%s\n", v->usage);
	for (char **l = lines; *l != NULL; l++)
		g_string_append_printf(
		    s, "%-*s %s\n", COMMAND_COLUMN,
		    l == lines && strlen(v->usage) <= COMMAND_COLUMN ? v->usage : "", *l);
	command_help_synonyms(s, v);
}

static char *
command_help_build(void)
{
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < G_N_ELEMENTS(command_verbs); i++)
		command_help_verb(s, &command_verbs[i]);
	g_string_append(s, "One command per line, any case. What follows a command is kept with\n"
	                   "it as a note (\"ack - looking now\"); other lines are notes too.\n"
	                   "A line that ends with ? is never a command.\n"
	                   "A line \"--\" or \"thanks\" ends the commands.\n");
	return g_string_free(s, FALSE);
}

static char *
command_help_short_build(void)
{
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < G_N_ELEMENTS(command_verbs); i++)
		if (command_verbs[i].page != NULL)
			g_string_append_printf(s, "  %-*s%s\n", COMMAND_COLUMN,
			                       command_verbs[i].usage, command_verbs[i].page);
	g_string_append(s, "\nHELP lists every command.\n");
	return g_string_free(s, FALSE);
}

const char *
command_help(void)
{
	static char *text;

	if (g_once_init_enter(&text))
		g_once_init_leave(&text, command_help_build());
	return text;
}

const char *
command_help_short(void)
{
	static char *text;

	if (g_once_init_enter(&text))
		g_once_init_leave(&text, command_help_short_build());
	return text;
}

/* Characters that are invisible in a phone's editor but break keyword matching. */
static gboolean
command_invisible(gunichar c)
{
	return c == 0xFEFF || c == 0x200B || c == 0x2060;
}

/* A copy of one line without invisible characters, with every blank (NBSP and U+202F
 * included: clients insert them where the user typed a space) a plain space, and without
 * surrounding blanks. */
static char *
command_clean_line(const char *raw)
{
	GString *s = g_string_new(NULL);

	for (const char *p = raw; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (command_invisible(c))
			continue;
		if (g_unichar_isspace(c)) {
			if (s->len > 0)
				g_string_append_c(s, ' ');
			continue;
		}
		g_string_append_unichar(s, c);
	}
	while (s->len > 0 && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

/* Lines after which only the sign-off follows: "--", or a thank-you ("Thanks!", "thank you
 * all"). */
static gboolean
command_is_stop(const char *line)
{
	return strcmp(line, "--") == 0 || command_is_thanks(line);
}

struct command *
command_new(enum command_kind kind, char *argument, char *note)
{
	struct command *c = g_new0(struct command, 1);

	c->kind = kind;
	c->keyword = g_strdup(command_name(kind));
	c->argument = argument;
	c->note = note;
	return c;
}

static void
command_free(gpointer p)
{
	struct command *c = p;

	g_free(c->keyword);
	g_free(c->argument);
	g_free(c->note);
	g_free(c->suggestion);
	g_free(c->understood);
	g_free(c);
}

/* A lone line that looks like a failed command is answered rather than kept as a note:
 * the sender clearly meant a command ("Akc", "SEV5", "Resolved?"). */
static void
command_lone_line(struct command_list *l)
{
	struct command *c;

	if (l->commands->len != 0 || l->notes->len != 1)
		return;
	c = command_miss(g_ptr_array_index(l->notes, 0));
	if (c == NULL)
		return;
	g_ptr_array_add(l->commands, c);
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
		c = command_read(line);
		if (c != NULL)
			g_ptr_array_add(l->commands, c);
		else
			g_ptr_array_add(l->notes, g_steal_pointer(&line));
	}
	command_lone_line(l);
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
