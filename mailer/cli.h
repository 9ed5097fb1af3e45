/*
 * cli: the subcommands, one declarative entry each (what it needs set up, its options, its
 * work). main.c parses the options, loads the configuration and opens the store once for
 * all of them, so a command's run function does only its own work.
 */
#ifndef SEVMAIL_CLI_H
#define SEVMAIL_CLI_H

#include "config.h"
#include "store.h"
#include <glib.h>

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1

/* What the dispatcher sets up before run, and how it fails. */
enum cli_needs {
	CLI_NOTHING,
	CLI_CONFIG, /* the configuration; one that cannot be loaded exits EXIT_USAGE */
	CLI_STORE,  /* the configuration and the store; a store that cannot be opened exits
	               EXIT_RUNTIME */
};

/* What a command runs with. */
struct cli_ctx {
	struct config *cfg;      /* freed by the dispatcher unless run takes it (sets NULL) */
	struct store *store;     /* closed by the dispatcher after run */
	int argc;                /* the positional arguments; argv[0] is the command's name */
	char **argv;             /* (options are parsed out already) */
	GOptionContext *opts;    /* the command's options, for cli_usage_error's help text */
	const char *config_path; /* -c FILE, or the default */
};

struct cli_cmd {
	const char *name;
	const char *usage;     /* its arguments, in `sevmail help`'s list */
	const char *summary;   /* one line, in `sevmail help`'s list */
	const char *parameter; /* the "ARGS - what it does" line of `COMMAND --help` */
	enum cli_needs needs;
	const GOptionEntry *options; /* its own; the common -c, -v and -q are added */
	/* Checks the arguments before anything is loaded, so that a usage error is reported
	 * whatever the configuration: 0, or the exit code after saying why. NULL: none. */
	int (*check)(struct cli_ctx *ctx);
	/* The command's work: its exit code. */
	int (*run)(struct cli_ctx *ctx);
	/* Without arguments it is an MTA's pipe (ingest): a configuration or store that
	 * cannot be had exits EX_TEMPFAIL, so the MTA keeps the mail queued instead of
	 * bouncing an alert while an administrator fixes things. */
	gboolean mta_pipe;
	/* Its arguments are not options: `help --help` asks about a command named --help. */
	gboolean verbatim;
};

/* --json, shared by the commands that print JSON. */
extern gboolean cli_json;
/* One line, as written in the tables it stands in. */
/* clang-format off */
#define CLI_OPTION_JSON {"json", 0, 0, G_OPTION_ARG_NONE, &cli_json, "print JSON", NULL}
/* clang-format on */

/* Prints "sevmail: MESSAGE" and the command's help on stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Prints why e failed; returns EXIT_RUNTIME. A failed read never prints as "nothing
 * there". */
int cli_fail(const GError *e);

/* Opens ctx->store for a command that checks its configuration first: 0, or
 * EXIT_RUNTIME after saying why. */
int cli_store_open(struct cli_ctx *ctx);

/* "YYYY-MM-DD HH:MM" (UTC) of a real date as unix time in *t; FALSE for anything else. */
gboolean cli_utc_time(const char *text, gint64 *t);
/* The same, or a day alone ("YYYY-MM-DD", its midnight UTC). */
gboolean cli_utc_date(const char *text, gint64 *t);

/* The entries, by topic: cli_mail.c, cli_incidents.c, cli_lists.c, cli_oncall.c,
 * cli_override.c, cli_noise.c, cli_store.c. */
extern const struct cli_cmd cli_cmd_run, cli_cmd_ingest, cli_cmd_explain, cli_cmd_check,
    cli_cmd_outbox, cli_cmd_quarantine;
extern const struct cli_cmd cli_cmd_list, cli_cmd_show, cli_cmd_declare, cli_cmd_postmortem,
    cli_cmd_stats, cli_cmd_status_page, cli_cmd_oncall, cli_cmd_override, cli_cmd_overrides;
extern const struct cli_cmd cli_cmd_subscribe, cli_cmd_unsubscribe, cli_cmd_lists, cli_cmd_members;
extern const struct cli_cmd cli_cmd_maintenance, cli_cmd_heartbeats;
extern const struct cli_cmd cli_cmd_store_copy, cli_cmd_prune;

#endif
