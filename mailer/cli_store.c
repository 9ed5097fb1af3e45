/*
 * cli_store: `store-copy --to CONNINFO`: the configured SQLite file into an empty PostgreSQL
 * database, for moving to more than one machine; `prune [--before DATE] [--vacuum]`: the
 * raw bytes of old inbound mail dropped, as the daemon does with [general] keep_raw.
 */
#include "cli.h"
#include "util.h"
#include "view.h"
#include <stdio.h>

static char *copy_to = NULL;

static const GOptionEntry store_copy_options[] = {
    {"to", 0, 0, G_OPTION_ARG_STRING, &copy_to,
     "the PostgreSQL database, as libpq's connection string", "CONNINFO"},
    {NULL}};

static int
cli_store_copy_check(struct cli_ctx *ctx)
{
	if (ctx->argc > 1)
		return cli_usage_error(ctx, "store-copy takes no arguments besides --to CONNINFO");
	if (copy_to == NULL || *copy_to == '\0')
		return cli_usage_error(ctx, "store-copy needs --to CONNINFO (e.g. --to 'host=db "
		                            "dbname=sevmail user=sevmail')");
	return 0;
}

static int
cli_store_copy(struct cli_ctx *ctx)
{
	const struct config *c = ctx->cfg;
	struct store_params to = {STORE_POSTGRESQL, NULL, copy_to, c->store.password,
	                          c->busy_timeout};
	g_autoptr(GError) e = NULL;
	g_autofree char *report = NULL;
	struct store *from, *into;
	int rc;

	if (!g_file_test(c->database, G_FILE_TEST_IS_REGULAR)) {
		fprintf(stderr, "sevmail: there is no SQLite database at %s ([general] database)\n",
		        c->database);
		return EXIT_RUNTIME;
	}
	if ((from = store_open(c->database, c->busy_timeout, &e)) == NULL)
		return cli_fail(e);
	if ((into = store_open_params(&to, &e)) == NULL) {
		store_close(from);
		return cli_fail(e);
	}
	rc = store_copy(from, into, &report, &e);
	if (rc == 0)
		printf("%scopied %s into %s; the row counts match.\nTo use it: [store] backend = "
		       "postgresql, conninfo = %s\n",
		       report, store_where(from), store_where(into), copy_to);
	store_close(into);
	store_close(from);
	return rc == 0 ? 0 : cli_fail(e);
}

const struct cli_cmd cli_cmd_store_copy = {
    .name = "store-copy",
    .usage = "--to CONNINFO",
    .summary = "copy the SQLite database into an empty PostgreSQL one",
    .parameter = "--to CONNINFO - copy the SQLite database into an empty PostgreSQL one",
    .needs = CLI_CONFIG,
    .options = store_copy_options,
    .check = cli_store_copy_check,
    .run = cli_store_copy,
};

static char *prune_before = NULL;
static gboolean prune_vacuum = FALSE;

static const GOptionEntry prune_options[] = {
    {"before", 0, 0, G_OPTION_ARG_STRING, &prune_before,
     "mail received before DATE (UTC: 2026-09-01 or \"2026-09-01 12:00\"); default: "
     "[general] keep_raw ago",
     "DATE"},
    {"vacuum", 0, 0, G_OPTION_ARG_NONE, &prune_vacuum,
     "then rewrite the database so that it gives freed space back to the file system", NULL},
    CLI_OPTION_JSON,
    {NULL}};

static int
cli_prune_check(struct cli_ctx *ctx)
{
	gint64 before;

	if (ctx->argc > 1)
		return cli_usage_error(ctx, "prune takes no arguments besides its options");
	if (prune_before == NULL)
		return 0;
	if (!cli_utc_date(prune_before, &before))
		return cli_usage_error(ctx,
		                       "--before '%s' is not a UTC date such as 2026-09-01 or "
		                       "\"2026-09-01 12:00\"",
		                       prune_before);
	/* 0 is "no date" to the rest of the prune, and no mail was received before it */
	if (before <= 0)
		return cli_usage_error(
		    ctx,
		    "--before '%s' is not after 1970-01-01: no mail was received "
		    "before it",
		    prune_before);
	if (before > util_now())
		return cli_usage_error(ctx,
		                       "--before '%s' is in the future: mail received since now "
		                       "would lose its raw bytes too",
		                       prune_before);
	return 0;
}

/* What the file looks like after the prune, as people read it. */
static void
cli_prune_say(const struct store *s, const struct view_prune *v)
{
	g_autofree char *when = util_human_time(v->before);

	if (v->before != 0)
		printf("pruned the raw bytes of %" G_GINT64_FORMAT " messages received before %s\n",
		       v->pruned, when);
	if (!v->file) {
		printf("%s: PostgreSQL's autovacuum makes the space of pruned mail reusable%s\n",
		       store_where(s), v->vacuumed ? " (and VACUUM just did)" : "");
		return;
	}
	printf("%s: %" G_GINT64_FORMAT " pages of %" G_GINT64_FORMAT " bytes, %" G_GINT64_FORMAT
	       " free; %s\n",
	       store_where(s), v->pages, v->page_size, v->free_pages,
	       v->incremental ? "free pages go back to the file system (auto_vacuum = incremental)"
	                      : "free pages are reused for new mail; `sevmail prune --vacuum` "
	                        "once makes the file give them back");
	if (v->given_back > 0)
		printf("%" G_GINT64_FORMAT " pages given back\n", v->given_back);
}

static int
cli_prune(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;
	struct view_prune v = {0};
	struct store_space sp;
	gint64 now = util_now();

	if (prune_before != NULL)
		cli_utc_date(prune_before, &v.before);
	else if (ctx->cfg->keep_raw > 0)
		v.before = now - ctx->cfg->keep_raw;
	else if (!prune_vacuum)
		return cli_usage_error(ctx, "[general] keep_raw is forever: say which mail with "
		                            "--before DATE");
	if (v.before != 0 && (v.pruned = store_prune_raw(ctx->store, v.before, now, 0, &e)) < 0)
		return cli_fail(e);
	if (prune_vacuum && store_compact(ctx->store, &e) != 0)
		return cli_fail(e);
	v.vacuumed = prune_vacuum;
	if ((v.given_back = store_reclaim(ctx->store, 0, &e)) < 0 ||
	    store_space(ctx->store, &sp, &e) != 0)
		return cli_fail(e);
	v.file = sp.known;
	v.incremental = sp.incremental;
	v.page_size = sp.page_size;
	v.pages = sp.pages;
	v.free_pages = sp.free_pages;
	if (cli_json) {
		g_autofree char *json = view_prune_json(&v);

		printf("%s\n", json);
	} else {
		cli_prune_say(ctx->store, &v);
	}
	return 0;
}

const struct cli_cmd cli_cmd_prune = {
    .name = "prune",
    .usage = "[--before DATE] [--vacuum] [--json]",
    .summary = "drop the raw bytes of old inbound mail (keep_raw)",
    .parameter = "- drop the raw bytes of old inbound mail; what they led to stays",
    .needs = CLI_STORE,
    .options = prune_options,
    .check = cli_prune_check,
    .run = cli_prune,
};
