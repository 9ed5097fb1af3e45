/*
 * cli_store: `store-copy --to CONNINFO`: the configured SQLite file into an empty PostgreSQL
 * database, for moving to more than one machine.
 */
#include "cli.h"
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
