/*
 * command_read: reading one line of a reply against the verb table. Private to command.c
 * (the table, help and the parse loop) and command_read.c (keywords, arguments, notes, and
 * what a failed command meant).
 */
#ifndef SEVMAIL_COMMAND_READ_H
#define SEVMAIL_COMMAND_READ_H

#include "command.h"

/* How a keyword takes what follows it. */
enum syntax {
	SYN_WORD,   /* nothing, or a note: "Ack", "ack - looking now", "Resolved, thanks!" */
	SYN_BARE,   /* nothing but punctuation or emoji: "Help!" ("Help is on the way" is prose) */
	SYN_SEV,    /* a severity digit, glued or after a blank, '-' or ':', then a note */
	SYN_WHO,    /* nothing, "me", one name or an address, then a note: IC, PAGE */
	SYN_TEXT,   /* ':' or ' - ', then free text to the end of the line: "IMPACT: ..." */
	SYN_SNOOZE, /* a duration ("30m", "1h30m", "2 h"), then a note */
	SYN_POSTMORTEM,  /* nothing, or "MEETING 2026-12-01 15:00" with an optional offset */
	SYN_DECLARE,     /* "SEVn title"; anything else after DECLARE is a malformed DECLARE */
	SYN_OVERRIDE,    /* the rest of the line, when it holds a date ("2026-12-03") */
	SYN_INCIDENT,    /* "INC-4", "INC 4", "#4" or "4", then a note; nothing: a malformed one */
	SYN_MAINTENANCE, /* "MATCH DURATION [reason]": the first word key=glob or a duration */
};

struct verb {
	enum command_kind kind;
	const char *name;     /* canonical, upper case; a space matches blanks or '-' */
	const char *synonyms; /* more forms like name, '|'-separated, or NULL */
	enum syntax syntax;
	const char *usage; /* the help's left column */
	const char *help;  /* the help's right column */
	const char *page;  /* the page's short line, NULL when the page does not show the verb */
};

/* The verb table (command.c). */
const struct verb *command_verbs_get(gsize *n);
/* A command of kind with its keyword; takes argument and note (may be NULL). */
struct command *command_new(enum command_kind kind, char *argument, char *note);

/* The command a cleaned line holds, or NULL when it is none (a note). */
struct command *command_read(const char *line);
/* The CMD_UNKNOWN a reply's only line stands for when it looks like a failed command, or
 * NULL when it is a note. */
struct command *command_miss(const char *line);

/* Helpers both share (command_read.c). */
/* TRUE for a thank-you line with at most one more word ("Thanks!", "thank you all"). */
gboolean command_is_thanks(const char *line);
/* Length of s without trailing punctuation and blanks ("Ack!!" -> 3). */
gsize command_unpunct_len(const char *s);
/* Past a list bullet ("- ", "* ", "• ") at the start of a line. */
const char *command_unbullet(const char *line);
/* TRUE when the line ends with '?' (blanks, '!' and emoji after it aside). */
gboolean command_is_question(const char *line);
gboolean command_has_alnum(const char *s);
/* Past one apostrophe as phones type it (', ’, ‘, ʼ), or NULL. */
const char *command_apostrophe(const char *p);
/* Past blanks, ':' and dashes. */
const char *command_skip_gap(const char *p);

/* What command_args.c reads arguments with (command_read.c). */
/* Emoji, with their skin tones, variation selectors, joiners and keycaps. */
gboolean command_is_emoji(gunichar c);
/* '-' and the dashes phones put for it. */
gboolean command_is_dash(gunichar c);
/* A note that adds nothing: a short thank-you, "now", "ok". */
gboolean command_is_filler(const char *text);
/* Past form (len bytes; a space in it matches blanks or '-') at the start of line, case
 * ignored, or NULL; where the word may end is said above its definition. */
const char *command_match_form(const char *line, const char *form, gsize len);
/* Separators after a keyword: blanks, punctuation, dashes, emoji. */
gboolean command_is_separator(gunichar c);
/* Spaces and tabs. */
gboolean command_is_blank(gunichar c);
/* Blanks, ':' and dashes. */
gboolean command_is_gap(gunichar c);
/* Past every character skip holds for. */
const char *command_skip(const char *p, gboolean (*skip)(gunichar));
/* TRUE at the end of the line or a separator: a keyword ended here. */
gboolean command_at_separator(const char *p);
/* A case-insensitive regex of a constant pattern (a bad one is a bug: g_error). */
GRegex *command_regex_new(const char *pattern);
/* The note after a keyword, NULL when it adds nothing (punctuation, a thank-you, "now"). */
char *command_note(const char *rest);

/* The command of verb v whose keyword ended at rest, or NULL when what follows does not fit
 * the verb's syntax (command_args.c). */
struct command *command_syntax(const struct verb *v, const char *rest);
/* The i-th form of a verb (0 = its name, then its synonyms); FALSE past the last. */
gboolean command_form(const struct verb *v, guint i, const char **form, gsize *len);

#endif
