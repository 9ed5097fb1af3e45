/*
 * cli_mail: the commands about mail itself: the daemon, ingesting and explaining
 * messages, checking the setup, the outbox and the quarantine.
 */
#include "cli.h"
#include "daemon.h"
#include "intake.h"
#include "notify.h"
#include "publish.h"
#include "util.h"
#include "view.h"
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static gboolean run_once = FALSE;

static const GOptionEntry run_options[] = {
    {"once", 0, 0, G_OPTION_ARG_NONE, &run_once, "one full pass, then exit", NULL}, {NULL}};

static int
cli_run_check(struct cli_ctx *ctx)
{
	return ctx->argc > 1 ? cli_usage_error(ctx, "run takes no arguments") : 0;
}

static int
cli_run(struct cli_ctx *ctx)
{
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;
	g_autofree char *who = NULL;
	int rc;

	if (!run_once) {
		struct config *cfg = g_steal_pointer(&ctx->cfg); /* daemon_run owns it */

		return daemon_run(ctx->config_path, cfg, ctx->store);
	}
	/* one pass is an active instance's pass: never beside another one */
	if ((rc = store_active_take(ctx->store, &e)) < 0)
		return cli_fail(e);
	if (rc == 0) {
		store_active_holder(ctx->store, &who, NULL);
		fprintf(stderr,
		        "sevmail: %s is the active instance; run --once does nothing "
		        "while it runs\n",
		        who != NULL ? who : "another sevmail");
		return EXIT_RUNTIME;
	}
	rc = 0;
	if (daemon_pass(ctx->cfg, ctx->store, &st, &e) != 0)
		rc = cli_fail(e);
	g_message("pass done: %d message(s) read (%d already processed), %d recipient(s) "
	          "sent, %d to retry, %d failed",
	          st.fetched, st.duplicates, st.sent, st.deferred, st.failed);
	return rc;
}

const struct cli_cmd cli_cmd_run = {
    .name = "run",
    .usage = "[--once]",
    .summary = "fetch and process mail, send what is due; repeat",
    .parameter = "- fetch, process and send mail",
    .needs = CLI_STORE,
    .options = run_options,
    .check = cli_run_check,
    .run = cli_run,
};

static gboolean ingest_no_send = FALSE;

static const GOptionEntry ingest_options[] = {
    {"no-send", 0, 0, G_OPTION_ARG_NONE, &ingest_no_send,
     "only queue the mail it causes; `run` sends it later", NULL},
    {NULL}};

static int
cli_ingest_one(const struct cli_ctx *ctx, const char *name, const char *raw, gsize len)
{
	struct intake_source src = {"ingest", 0, 0, FALSE, 0, TRUE};
	struct intake_result res;
	g_autoptr(GError) e = NULL;

	if (intake_message(ctx->cfg, ctx->store, raw, len, &src, &res, &e) != 0) {
		fprintf(stderr, "sevmail: %s: not processed, nothing was changed: %s\n", name,
		        e->message);
		return -1;
	}
	daemon_log_result(name, &res);
	intake_result_clear(&res);
	return 0;
}

static int
cli_ingest_files(const struct cli_ctx *ctx)
{
	int rc = 0;

	for (int i = 1; i < ctx->argc; i++) {
		g_autofree char *raw = NULL;
		gsize len = 0;
		g_autoptr(GError) e = NULL;

		if (!g_file_get_contents(ctx->argv[i], &raw, &len, &e))
			rc = cli_fail(e);
		else if (cli_ingest_one(ctx, ctx->argv[i], raw, len) != 0)
			rc = EXIT_RUNTIME;
	}
	return rc;
}

/* One message from standard input, as an MTA's pipe delivers it. The exit codes are the
 * ones MTAs understand (sysexits.h): EX_TEMPFAIL whenever trying again later can help
 * (database busy or full; see mta_pipe for the configuration), so the MTA keeps the mail
 * queued instead of bouncing an alert while an administrator fixes things. */
static int
cli_ingest_stdin(const struct cli_ctx *ctx)
{
	g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);
	g_autofree char *raw = NULL;
	g_autoptr(GError) e = NULL;
	gsize len = 0;

	g_io_channel_set_encoding(in, NULL, NULL);
	if (g_io_channel_read_to_end(in, &raw, &len, &e) != G_IO_STATUS_NORMAL) {
		fprintf(stderr, "sevmail: cannot read standard input: %s\n", e->message);
		return EX_TEMPFAIL; /* the MTA keeps the message and tries again */
	}
	return cli_ingest_one(ctx, "stdin", raw, len) == 0 ? 0 : EX_TEMPFAIL;
}

static int
cli_ingest(struct cli_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;
	int rc = ctx->argc < 2 ? cli_ingest_stdin(ctx) : cli_ingest_files(ctx);

	if (cfg->status_page_output != NULL &&
	    publish_status_page(cfg, ctx->store, cfg->status_page_output, &e) != 0) {
		g_warning("status page not written: %s", e->message);
		g_clear_error(&e);
	}
	/* What was committed stays committed: a failed send is the outbox's to retry. */
	if (!ingest_no_send && daemon_send(cfg, ctx->store, &st, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	return rc;
}

const struct cli_cmd cli_cmd_ingest = {
    .name = "ingest",
    .usage = "[FILE...]",
    .summary = "process messages from files (or stdin) through the intake",
    .parameter = "[FILE...] - process messages from files, or one from stdin",
    .needs = CLI_STORE,
    .options = ingest_options,
    .run = cli_ingest,
    .mta_pipe = TRUE,
};

static const GOptionEntry explain_options[] = {CLI_OPTION_JSON, {NULL}};

/* The message, read before the configuration: an unreadable file is what explain
 * reports first. */
static char *explain_raw = NULL;
static gsize explain_len = 0;

static int
cli_explain_check(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;

	if (ctx->argc != 2)
		return cli_usage_error(ctx, "explain takes one file (a message as .eml)");
	if (!g_file_get_contents(ctx->argv[1], &explain_raw, &explain_len, &e))
		return cli_fail(e);
	return 0;
}

static int
cli_explain(struct cli_ctx *ctx)
{
	g_autofree char *raw = g_steal_pointer(&explain_raw), *out = NULL;
	g_autoptr(GError) e = NULL;
	struct intake_result res;
	struct intake_explain x;

	if (intake_explain(ctx->cfg, ctx->store, raw, explain_len, &res, &x, &e) != 0)
		return cli_fail(e);
	out = cli_json ? view_explain_json(&res, &x) : view_explain_text(&res, &x);
	printf("%s%s", out, cli_json ? "\n" : "");
	intake_result_clear(&res);
	intake_explain_clear(&x);
	return 0;
}

const struct cli_cmd cli_cmd_explain = {
    .name = "explain",
    .usage = "FILE [--json]",
    .summary = "how a message is read, changing nothing",
    .parameter = "FILE - how sevmail reads a message, changing nothing",
    .needs = CLI_STORE,
    .options = explain_options,
    .check = cli_explain_check,
    .run = cli_explain,
};

static gboolean check_connect = FALSE;

static const GOptionEntry check_options[] = {
    {"connect", 0, 0, G_OPTION_ARG_NONE, &check_connect,
     "also log in to the IMAP server and greet the SMTP server", NULL},
    {NULL}};

/* A shared database: which, its schema version, and the active instance. -1 + err. */
static int
cli_check_shared(struct store *s, GError **err)
{
	g_autofree char *who = NULL;
	int version = store_schema_version(s, err);

	if (!store_shared(s))
		return 0;
	if (version < 0 || store_active_holder(s, &who, err) != 0)
		return -1;
	printf("database: %s, schema version %d\n", store_where(s), version);
	printf("active instance: %s\n", who != NULL ? who : "none (no sevmail run holds the lock)");
	return 0;
}

/* Needs only the configuration: broken templates are a configuration error (2), reported
 * before the database is tried. */
static int
cli_check(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;
	g_auto(GStrv) warnings = NULL;
	int rc;

	if (notify_check_templates(ctx->cfg, &e) != 0) {
		fprintf(stderr, "sevmail: templates: %s\n", e->message);
		return EXIT_USAGE;
	}
	if ((rc = cli_store_open(ctx)) != 0)
		return rc;
	warnings = config_warnings(ctx->cfg);
	for (char **w = warnings; *w != NULL; w++)
		fprintf(stderr, "sevmail: warning: %s\n", *w);
	if (cli_check_shared(ctx->store, &e) != 0)
		return cli_fail(e);
	if (check_connect && daemon_check_connect(ctx->cfg, &e) != 0)
		return cli_fail(e);
	printf("configuration OK%s\n", check_connect ? "; the IMAP and SMTP servers answer" : "");
	return 0;
}

const struct cli_cmd cli_cmd_check = {
    .name = "check",
    .usage = "",
    .summary = "validate configuration, templates and database",
    .parameter = "- validate the configuration",
    .needs = CLI_CONFIG,
    .options = check_options,
    .run = cli_check,
};

/* `outbox retry ID` and `quarantine retry ID`: the ID, or 0 when argv is not that. */
static gint64
cli_retry_id(const struct cli_ctx *ctx)
{
	gint64 id;

	if (ctx->argc != 3 || strcmp(ctx->argv[1], "retry") != 0)
		return 0;
	id = g_ascii_strtoll(ctx->argv[2], NULL, 10);
	return id > 0 ? id : 0;
}

static gboolean outbox_all = FALSE;

static const GOptionEntry outbox_options[] = {
    {"all", 0, 0, G_OPTION_ARG_NONE, &outbox_all, "also mail that was delivered", NULL},
    CLI_OPTION_JSON,
    {NULL}};

static int
cli_outbox_check(struct cli_ctx *ctx)
{
	if (ctx->argc > 1 && cli_retry_id(ctx) == 0)
		return cli_usage_error(ctx, "use 'outbox' to list, or 'outbox retry ID'");
	return 0;
}

static int
cli_outbox_retry(struct cli_ctx *ctx, gint64 id)
{
	g_autoptr(GError) e = NULL;
	int rc = store_outbox_retry(ctx->store, id, util_now(), &e);

	if (rc < 0)
		fprintf(stderr, "sevmail: %s\n", e->message);
	else if (rc == 0)
		fprintf(stderr, "sevmail: the outbox has no message %" G_GINT64_FORMAT "\n", id);
	else
		printf("message %" G_GINT64_FORMAT " requeued; `run` sends it\n", id);
	return rc == 1 ? 0 : EXIT_RUNTIME;
}

static int
cli_outbox(struct cli_ctx *ctx)
{
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;

	if (ctx->argc > 1)
		return cli_outbox_retry(ctx, cli_retry_id(ctx));
	if ((rows = store_outbox_list(ctx->store, outbox_all, &e)) == NULL)
		return cli_fail(e);
	out = cli_json ? view_outbox_json(rows) : view_outbox_text(rows);
	printf("%s%s", out, cli_json ? "\n" : "");
	return 0;
}

const struct cli_cmd cli_cmd_outbox = {
    .name = "outbox",
    .usage = "[--all] [--json] | retry ID",
    .summary = "queued and failed mail; requeue",
    .parameter = "[retry ID] - queued and failed mail; requeue a failed one",
    .needs = CLI_STORE,
    .options = outbox_options,
    .check = cli_outbox_check,
    .run = cli_outbox,
};

static const GOptionEntry quarantine_options[] = {CLI_OPTION_JSON, {NULL}};

static int
cli_quarantine_check(struct cli_ctx *ctx)
{
	if (ctx->argc > 1 && cli_retry_id(ctx) == 0)
		return cli_usage_error(ctx, "use 'quarantine' to list, or 'quarantine retry ID'");
	return 0;
}

/* Tries a quarantined message again, as a new delivery: on success it leaves the
 * quarantine; when it fails again it stays there (and is not quarantined twice). */
static int
cli_quarantine_retry(const struct cli_ctx *ctx, gint64 id)
{
	struct intake_source src = {"quarantine", 0, 0, FALSE, 0, FALSE};
	g_autoptr(GError) e = NULL;
	struct quarantined *q = NULL;
	struct intake_result res;
	gsize len = 0;
	const char *raw;
	int found = store_quarantine_get(ctx->store, id, &q, &e), rc;

	if (found < 0)
		return cli_fail(e);
	if (found == 0) {
		fprintf(stderr,
		        "sevmail: the quarantine has no message %" G_GINT64_FORMAT
		        "; `sevmail quarantine` lists them\n",
		        id);
		return EXIT_RUNTIME;
	}
	raw = g_bytes_get_data(q->raw, &len);
	rc = intake_message(ctx->cfg, ctx->store, raw, len, &src, &res, &e);
	quarantined_free(q);
	if (rc != 0) {
		fprintf(stderr, "sevmail: message %" G_GINT64_FORMAT " still fails: %s\n", id,
		        e->message);
		return EXIT_RUNTIME;
	}
	daemon_log_result("quarantine", &res);
	intake_result_clear(&res);
	if (store_quarantine_remove(ctx->store, id, &e) != 0)
		return cli_fail(e);
	printf("message %" G_GINT64_FORMAT " processed and taken out of the quarantine\n", id);
	return 0;
}

static int
cli_quarantine(struct cli_ctx *ctx)
{
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;

	if (ctx->argc > 1)
		return cli_quarantine_retry(ctx, cli_retry_id(ctx));
	if ((rows = store_quarantine_list(ctx->store, &e)) == NULL)
		return cli_fail(e);
	out = cli_json ? view_quarantine_json(rows) : view_quarantine_text(rows);
	printf("%s%s", out, cli_json ? "\n" : "");
	return 0;
}

const struct cli_cmd cli_cmd_quarantine = {
    .name = "quarantine",
    .usage = "[--json] | retry ID",
    .summary = "messages that could not be processed; retry one",
    .parameter = "[retry ID] - messages that could not be processed; process one again",
    .needs = CLI_STORE,
    .options = quarantine_options,
    .check = cli_quarantine_check,
    .run = cli_quarantine,
};
