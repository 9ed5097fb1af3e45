/*
 * cli_override: `sevmail override SCHEDULE PERSON FROM UNTIL`, `override --remove ID` and
 * `overrides [--json]`. The request is read by override.c, as OVERRIDE by mail is, so the
 * two accept and refuse the same things.
 */
#include "cli.h"
#include "override.h"
#include "util.h"
#include "view.h"
#include <stdio.h>

static gint64 override_remove = 0;

static const GOptionEntry override_options[] = {
    {"remove", 0, 0, G_OPTION_ARG_INT64, &override_remove, "remove override ID", "ID"}, {NULL}};

static int
cli_override_check(struct cli_ctx *ctx)
{
	if (override_remove < 0 || (override_remove > 0 && ctx->argc != 1))
		return cli_usage_error(ctx, "--remove takes one override's ID and nothing else");
	if (override_remove == 0 && ctx->argc < 3)
		return cli_usage_error(ctx, "give a schedule, a person, FROM and UNTIL, such as "
		                            "payments-primary alice@example.com '2026-12-03 18:00' "
		                            "'2026-12-04 09:00'");
	return 0;
}

static int
cli_override_remove(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;
	int rc;

	if ((rc = cli_store_open(ctx)) != 0)
		return rc;
	if (store_override_remove(ctx->store, override_remove, util_now(), &e) != 0)
		return cli_fail(e);
	printf("override %" G_GINT64_FORMAT " removed\n", override_remove);
	return 0;
}

/* Stores o and says whom it displaces, in one transaction. */
static int
cli_override_add(struct cli_ctx *ctx, const struct schedule *s, struct schedule_override *o)
{
	g_autofree char *by = g_strdup_printf("%s (command line)", g_get_user_name());
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) others = NULL;
	g_autofree char *said = NULL;

	if (store_begin(ctx->store, &e) != 0)
		return cli_fail(e);
	if ((others = store_overrides(ctx->store, o->from, &e)) == NULL ||
	    store_override_add(ctx->store, o, by, util_now(), &e) != 0 ||
	    store_commit(ctx->store, &e) != 0) {
		store_rollback(ctx->store);
		return cli_fail(e);
	}
	said = override_describe(s, o, others);
	printf("override %" G_GINT64_FORMAT ": %s\n", o->id, said);
	return 0;
}

static int
cli_override(struct cli_ctx *ctx)
{
	g_autofree char *text = NULL;
	const struct schedule *s = NULL;
	g_autoptr(GError) e = NULL;
	struct schedule_override *o;
	int rc;

	if (override_remove > 0)
		return cli_override_remove(ctx);
	/* FROM and UNTIL quoted or not: "2026-12-03 18:00" is one argument or two */
	text = g_strjoinv(" ", ctx->argv + 1);
	if ((o = override_parse(ctx->cfg, text, NULL, util_now(), &s, &e)) == NULL) {
		fprintf(stderr, "sevmail: %s\n", e->message);
		return EXIT_USAGE;
	}
	rc = cli_store_open(ctx);
	if (rc == 0)
		rc = cli_override_add(ctx, s, o);
	schedule_override_free(o);
	return rc;
}

const struct cli_cmd cli_cmd_override = {
    .name = "override",
    .usage = "SCHEDULE PERSON FROM UNTIL | --remove ID",
    .summary = "put someone on call for a schedule for a while",
    .parameter = "SCHEDULE PERSON FROM UNTIL - put PERSON on call from FROM until UNTIL "
                 "(YYYY-MM-DD HH:MM in the schedule's time zone)",
    .needs = CLI_CONFIG,
    .options = override_options,
    .check = cli_override_check,
    .run = cli_override,
};

static const GOptionEntry overrides_options[] = {CLI_OPTION_JSON, {NULL}};

static const struct schedule *
cli_schedule_named(const struct config *cfg, const char *name)
{
	for (guint i = 0; i < cfg->schedules->len; i++)
		if (g_strcmp0(((const struct schedule *)cfg->schedules->pdata[i])->name, name) == 0)
			return cfg->schedules->pdata[i];
	return NULL;
}

/* One line per override, in its schedule's zone (UTC for a schedule no longer
 * configured). */
static void
cli_overrides_text(const struct config *cfg, GPtrArray *list)
{
	if (list->len == 0)
		printf("no current or future overrides\n");
	for (guint i = 0; i < list->len; i++) {
		const struct schedule_override *o = list->pdata[i];
		const struct schedule *s = cli_schedule_named(cfg, o->schedule);
		g_autofree char *from =
		    s != NULL ? schedule_format_local(s, o->from) : util_human_time(o->from);
		g_autofree char *until =
		    s != NULL ? schedule_format_local(s, o->until) : util_human_time(o->until);

		printf("%" G_GINT64_FORMAT "  %s  %s  from %s until %s%s\n", o->id, o->schedule,
		       o->person, from, until, s != NULL ? "" : " (no such schedule now)");
	}
}

static int
cli_overrides_check(struct cli_ctx *ctx)
{
	if (ctx->argc != 1)
		return cli_usage_error(ctx, "overrides takes no arguments");
	return 0;
}

static int
cli_overrides(struct cli_ctx *ctx)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) list = NULL;

	if ((list = store_overrides(ctx->store, util_now(), &e)) == NULL)
		return cli_fail(e);
	if (cli_json) {
		g_autofree char *json = view_overrides_json(list);

		printf("%s\n", json);
	} else
		cli_overrides_text(ctx->cfg, list);
	return 0;
}

const struct cli_cmd cli_cmd_overrides = {
    .name = "overrides",
    .usage = "[--json]",
    .summary = "the current and future schedule overrides",
    .parameter = "- the current and future schedule overrides",
    .needs = CLI_STORE,
    .options = overrides_options,
    .check = cli_overrides_check,
    .run = cli_overrides,
};
