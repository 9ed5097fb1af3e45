/*
 * cli: what the command entries share: --json, and saying what went wrong. Apart from
 * main.c so that the entries link into the unit tests as the rest of the program does.
 */
#include "cli.h"
#include <stdarg.h>
#include <stdio.h>

gboolean cli_json = FALSE;

int
cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "sevmail: %s\n", msg);
	if (ctx->opts != NULL) {
		g_autofree char *help = g_option_context_get_help(ctx->opts, TRUE, NULL);

		fprintf(stderr, "%s", help);
	}
	return EXIT_USAGE;
}

int
cli_fail(const GError *e)
{
	fprintf(stderr, "sevmail: %s\n", e->message);
	return EXIT_RUNTIME;
}

int
cli_store_open(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;
	const struct config *c = ctx->cfg;
	struct store_params p = {c->store.postgresql ? STORE_POSTGRESQL : STORE_SQLITE, c->database,
	                         c->store.conninfo, c->store.password, c->busy_timeout};

	ctx->store = store_open_params(&p, &e);
	return ctx->store != NULL ? 0 : cli_fail(e);
}
