/*
 * cli: what the command entries share: --json, and saying what went wrong. Apart from
 * main.c so that the entries link into the unit tests as the rest of the program does.
 */
#include "cli.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

gboolean
cli_utc_time(const char *text, gint64 *t)
{
	static const char shape[] = "dddd-dd-dd dd:dd";
	int y, mo, d, h, mi;
	g_autoptr(GDateTime) dt = NULL;

	/* the shape is checked character by character: sscanf alone takes " 9" and "+9" */
	if (strlen(text) != strlen(shape))
		return FALSE;
	for (gsize i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !g_ascii_isdigit(text[i]) : text[i] != shape[i])
			return FALSE;
	if (sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5 ||
	    (dt = g_date_time_new_utc(y, mo, d, h, mi, 0)) == NULL)
		return FALSE;
	*t = g_date_time_to_unix(dt);
	return TRUE;
}

gboolean
cli_utc_date(const char *text, gint64 *t)
{
	g_autofree char *midnight = NULL;

	if (strlen(text) != strlen("dddd-dd-dd"))
		return cli_utc_time(text, t);
	midnight = g_strconcat(text, " 00:00", NULL);
	return cli_utc_time(midnight, t);
}
