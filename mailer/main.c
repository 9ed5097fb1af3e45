/*
 * main: the command line. One table of subcommands (cli.h); the dispatcher parses each
 * command's options with GOption, loads what the command needs, runs it and cleans up.
 * Exit codes: 0 success, 2 usage or configuration error, 1 runtime failure.
 */
#include "cli.h"
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#define CLI_DEFAULT_CONFIG "/etc/sevmail/sevmail.conf"

static char *opt_config = NULL;
static gboolean opt_verbose = FALSE, opt_quiet = FALSE;

static const GOptionEntry cli_common[] = {
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
     "configuration file (default /etc/sevmail/sevmail.conf)", "FILE"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "log more", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "log only warnings", NULL},
    {NULL}};

/* Loads what the command needs: 0, or the exit code after saying why. */
static int
cli_setup(const struct cli_cmd *cmd, struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;

	if (cmd->needs == CLI_NOTHING)
		return 0;
	if ((ctx->cfg = config_load(ctx->config_path, &e)) == NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_USAGE;
	}
	return cmd->needs == CLI_STORE ? cli_store_open(ctx) : 0;
}

/* Runs one command; argv[0] is its name. */
static int
cli_dispatch(const struct cli_cmd *cmd, int argc, char **argv)
{
	g_autoptr(GOptionContext) opts = g_option_context_new(cmd->parameter);
	g_autoptr(GError) e = NULL;
	struct cli_ctx ctx = {.argc = argc, .argv = argv, .opts = opts};
	int rc;

	g_option_context_add_main_entries(opts, cli_common, NULL);
	if (cmd->options != NULL)
		g_option_context_add_main_entries(opts, cmd->options, NULL);
	if (!cmd->verbatim && !g_option_context_parse(opts, &ctx.argc, &ctx.argv, &e))
		return cli_usage_error(&ctx, "%s", e->message);
	if (cmd->check != NULL && (rc = cmd->check(&ctx)) != 0)
		return rc;
	ctx.config_path = opt_config != NULL ? opt_config : CLI_DEFAULT_CONFIG;
	if ((rc = cli_setup(cmd, &ctx)) == 0)
		rc = cmd->run(&ctx);
	else if (cmd->mta_pipe && ctx.argc < 2)
		rc = EX_TEMPFAIL;
	if (ctx.store != NULL)
		store_close(ctx.store);
	config_free(ctx.cfg);
	return rc;
}

static int cli_help(struct cli_ctx *ctx);

static const struct cli_cmd cli_cmd_help = {
    .name = "help",
    .usage = "[COMMAND]",
    .summary = "this list, or one command's options",
    .needs = CLI_NOTHING,
    .run = cli_help,
    .verbatim = TRUE,
};

static const struct cli_cmd *const commands[] = {
    &cli_cmd_run,        &cli_cmd_ingest,     &cli_cmd_explain,   &cli_cmd_check,
    &cli_cmd_list,       &cli_cmd_show,       &cli_cmd_subscribe, &cli_cmd_unsubscribe,
    &cli_cmd_lists,      &cli_cmd_members,    &cli_cmd_oncall,    &cli_cmd_override,
    &cli_cmd_overrides,  &cli_cmd_postmortem, &cli_cmd_stats,     &cli_cmd_status_page,
    &cli_cmd_outbox,     &cli_cmd_quarantine, &cli_cmd_declare,   &cli_cmd_maintenance,
    &cli_cmd_heartbeats, &cli_cmd_store_copy, &cli_cmd_prune,     &cli_cmd_help,
};

static const struct cli_cmd *
cli_find(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	fprintf(stderr, "sevmail: unknown command '%s'\n", name);
	return NULL;
}

static int
usage(FILE *to)
{
	fprintf(to, "usage: sevmail [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autofree char *head =
		    g_strdup_printf("%s %s", commands[i]->name, commands[i]->usage);

		fprintf(to, "  %-30s %s\n", head, commands[i]->summary);
	}
	fprintf(to, "\n'sevmail COMMAND --help' shows a command's options.\n");
	return to == stdout ? 0 : EXIT_USAGE;
}

/* help [COMMAND]: the same as --help, for people who type the word. */
static int
cli_help(struct cli_ctx *ctx)
{
	const struct cli_cmd *cmd;
	char *help[] = {NULL, "--help", NULL};

	if (ctx->argc < 2)
		return usage(stdout);
	if ((cmd = cli_find(ctx->argv[1])) == NULL)
		return usage(stderr);
	help[0] = ctx->argv[1];
	return cli_dispatch(cmd, 2, help);
}

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer data)
{
	const char *message = NULL;

	if ((level & G_LOG_LEVEL_DEBUG) && !opt_verbose)
		return G_LOG_WRITER_HANDLED;
	if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) && opt_quiet)
		return G_LOG_WRITER_HANDLED;
	/* under systemd, structured fields to the journal; otherwise one line on stderr */
	if (g_log_writer_is_journald(fileno(stderr)) &&
	    g_log_writer_journald(level, fields, n, data) == G_LOG_WRITER_HANDLED)
		return G_LOG_WRITER_HANDLED;
	for (gsize i = 0; i < n; i++)
		if (strcmp(fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
	fprintf(stderr, "sevmail: %s%s\n",
	        level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)
	            ? "warning: "
	            : "",
	        message != NULL ? message : "");
	return G_LOG_WRITER_HANDLED;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int first = 1;

	setlocale(LC_ALL, "");
	g_log_set_writer_func(log_writer, NULL, NULL);
	/* Global options may come before the command: sevmail -c FILE run */
	while (first < argc && argv[first][0] == '-') {
		if ((strcmp(argv[first], "-c") == 0 || strcmp(argv[first], "--config") == 0) &&
		    first + 1 < argc) {
			opt_config = g_strdup(argv[first + 1]);
			first += 2;
		} else if (g_str_has_prefix(argv[first], "--config=")) {
			opt_config = g_strdup(argv[first] + strlen("--config="));
			first++;
		} else if (strcmp(argv[first], "-v") == 0 || strcmp(argv[first], "-q") == 0) {
			opt_verbose |= argv[first][1] == 'v';
			opt_quiet |= argv[first][1] == 'q';
			first++;
		} else if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
			return usage(stdout);
		} else {
			fprintf(stderr, "sevmail: unknown option %s\n", argv[first]);
			return usage(stderr);
		}
	}
	if (first >= argc)
		return usage(stderr);
	if ((cmd = cli_find(argv[first])) == NULL)
		return usage(stderr);
	return cli_dispatch(cmd, argc - first, argv + first);
}
