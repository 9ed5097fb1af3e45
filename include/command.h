/*
 * command: the command language of DESIGN.md, text to a list of commands. Pure; one
 * dispatch table of keywords.
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
	CMD_IC, /* argument "me", an address, or "" (= me) */
	CMD_TITLE,
	CMD_IMPACT,
	CMD_NEXT,
	CMD_NOTE,
	CMD_UPDATE,
	CMD_ROOT_CAUSE,
	CMD_ACTION,
	CMD_HELP,
	CMD_UNKNOWN,    /* an unknown keyword as the whole one-line body */
	CMD_POSTMORTEM, /* argument "" or "MEETING 2026-12-01 15:00[ +01:00]" (normalised:
	                 * zero-padded, offset as +HH:MM, none = UTC) */
	CMD_DECLARE,    /* "DECLARE SEVn title" (a new mail, subject or body): argument "n title",
	                 * the severity digit, one space, the title; "" when the text after DECLARE
	                 * is not that (no or a bad severity, no title): refuse it with the syntax */
};

struct command {
	enum command_kind kind;
	char *keyword;  /* upper-case as in DESIGN.md's table: "ACK", "SEV", "ROOT CAUSE" */
	char *argument; /* "" when none; for CMD_UNKNOWN the word that was not understood */
};

struct command_list {
	GPtrArray *commands; /* struct command *, in the order written */
	GPtrArray *notes;    /* char *, lines that were not commands (kept as timeline notes) */
};

/* Parses the new text of a reply. Never fails; an empty text gives empty lists. */
struct command_list *command_parse(const char *new_text);
void command_list_free(struct command_list *l);
typedef struct command_list command_list; /* for g_autoptr(command_list) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(command_list, command_list_free)

/* The help text: one line per command. Static storage. */
const char *command_help(void);

#endif
