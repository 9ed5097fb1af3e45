/*
 * command: the command language of DESIGN.md, text to a list of commands. Pure; one verb
 * table (keyword, synonyms, argument kind, help line) from which HELP is generated.
 */
#ifndef SEVMAIL_COMMAND_H
#define SEVMAIL_COMMAND_H

#include <glib.h>

enum command_kind {
	CMD_ACK,
	CMD_SEV, /* argument "1", "2" or "3" */
	CMD_INVESTIGATING,
	CMD_MITIGATING,
	CMD_RESOLVED,
	CMD_REOPEN,
	CMD_IC, /* argument "me", an address, a responder's name ("carol"), or "" (= me) */
	CMD_TITLE,
	CMD_IMPACT,
	CMD_NEXT,
	CMD_NOTE,
	CMD_UPDATE,
	CMD_ROOT_CAUSE,
	CMD_ACTION,
	CMD_HELP,
	CMD_UNKNOWN,    /* a one-line reply that looks like a failed command: argument, suggestion
	                 * and understood say what was written, meant and read */
	CMD_POSTMORTEM, /* argument "" or "MEETING 2026-12-01 15:00[ +01:00]" (normalised:
	                 * zero-padded, offset as +HH:MM, none = UTC) */
	CMD_DECLARE,    /* "DECLARE SEVn title" (a new mail, subject or body): argument "n title",
	                 * the severity digit, one space, the title; "" when the text after DECLARE
	                 * is not that (no or a bad severity, no title): refuse it with the syntax */
	CMD_ESCALATE,   /* no argument: page the next escalation step now */
	CMD_PAGE,       /* argument: the name or address as written ("bob", "bob@example.com"),
	                 * unresolved, or "" when none was given */
	CMD_SNOOZE,     /* argument: the duration in seconds as a decimal string ("1800" for
	                 * "SNOOZE 30m"); "" when absent or unreadable */
	CMD_UNACK,
	CMD_OVERRIDE, /* argument: the rest of the line after OVERRIDE ("payments-primary me
	               * 2026-12-03 18:00 2026-12-04 09:00"), read against the configuration by
	               * override.h; a line without a date after the word is prose, not this */
	CMD_MERGE,    /* argument: the other incident's number ("4" for "MERGE INC-4"), or "" when
	               * none could be read */
	CMD_MAINTENANCE, /* argument: "MATCH DURATION [reason]" as written, on one line
	                  * ("host=db-1 2h kernel upgrade"), unchecked; "" when nothing
	                  * follows: refuse it with the syntax */
};

struct command {
	enum command_kind kind;
	char *keyword;    /* upper-case as in DESIGN.md's table: "ACK", "SEV", "ROOT CAUSE" */
	char *argument;   /* "" when none; for CMD_UNKNOWN what was written ("Akc", "Resolved?",
	                   * without trailing . , ; : ! and at most 80 characters) */
	char *note;       /* text attached after the keyword ("looking now" of "ack - looking now"),
	                   * or NULL; a bare emoji, punctuation, "thanks" or "now" attach nothing */
	char *suggestion; /* for CMD_UNKNOWN: the closest canonical keyword ("ACK" for "Akc",
	                   * "SEV" for "SEV5", "RESOLVED" for "Resolved?"), or NULL */
	char *understood; /* for CMD_UNKNOWN: what was read, one short sentence for the answer
	                   * ("a question (it ends with ?)", "SEV5 is not a severity (1, 2 or 3)",
	                   * "\"Akc\" is not a command"); NULL otherwise */
};

struct command_list {
	GPtrArray *commands; /* struct command *, in the order written */
	GPtrArray *notes;    /* char *, lines that were not commands (kept as timeline notes) */
};

/* Parses the new text of a reply. Never fails; an empty text gives empty lists. A line is a
 * command when its first word is a keyword or synonym; a line ending with '?' never is. */
struct command_list *command_parse(const char *new_text);
void command_list_free(struct command_list *l);
typedef struct command_list command_list; /* for g_autoptr(command_list) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(command_list, command_list_free)

/* The help text, generated from the verb table: one line per command (and an indented line
 * of synonyms), then how replies are read. Static storage. */
const char *command_help(void);
/* The few lines a page shows ("  ACK                   you are on it", SEVn, IMPACT:, NEXT:,
 * MITIGATING, RESOLVED), a blank line and "HELP lists every command.". Static storage. */
const char *command_help_short(void);
/* The canonical keyword of a kind ("ACK", "ROOT CAUSE"; "UNKNOWN"). Static storage. */
const char *command_name(enum command_kind k);

#endif
