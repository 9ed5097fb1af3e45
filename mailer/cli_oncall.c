/*
 * cli_oncall: `sevmail oncall`, who is on call at a time (now by default): per
 * [schedule:NAME] with the stored overrides when there are schedules, else from [oncall]
 * and [responders] as escalation pages them; and `oncall --ics NAME`, a schedule's shifts as
 * a calendar feed.
 */
#include "cli.h"
#include "escalate.h"
#include "ical.h"
#include "schedule.h"
#include "util.h"
#include "view.h"
#include <stdio.h>
#include <string.h>

/* The feed covers this much from now: what a calendar shows ahead, refreshed often. */
#define ONCALL_ICS_SECONDS (8 * 7 * 24 * 3600)

static char *oncall_at = NULL;
static char *oncall_ics = NULL;

static const GOptionEntry oncall_options[] = {
    {"at", 0, 0, G_OPTION_ARG_STRING, &oncall_at, "ask about this time (UTC) instead of now",
     "\"YYYY-MM-DD HH:MM\""},
    CLI_OPTION_JSON,
    {"ics", 0, 0, G_OPTION_ARG_STRING, &oncall_ics,
     "print the schedule's shifts of the next 8 weeks as an iCalendar feed", "SCHEDULE"},
    {NULL}};

/* --at as unix time (now without it); FALSE when it is not "YYYY-MM-DD HH:MM". */
static gboolean
cli_oncall_at(gint64 *t)
{
	if (oncall_at == NULL) {
		*t = util_now();
		return TRUE;
	}
	return cli_utc_time(oncall_at, t);
}

static int
cli_oncall_check(struct cli_ctx *ctx)
{
	gint64 t;

	if (ctx->argc != 1)
		return cli_usage_error(ctx, "oncall takes no arguments");
	if (oncall_ics != NULL && (oncall_at != NULL || cli_json))
		return cli_usage_error(ctx, "--ics prints a calendar of the shifts from now on: "
		                            "it takes neither --at nor --json");
	if (!cli_oncall_at(&t))
		return cli_usage_error(
		    ctx, "--at '%s' is not a UTC time such as \"2026-03-29 08:00\"", oncall_at);
	return 0;
}

/* One schedule at t: who, for how long, and who comes after. */
static struct view_oncall
cli_oncall_schedule(const struct schedule *s, GPtrArray *overrides, gint64 t)
{
	struct view_oncall o = {.schedule = s->name,
	                        .time_zone = g_time_zone_get_identifier(s->tz)};

	o.oncall = schedule_oncall(s, overrides, t, &o.since, &o.until);
	if (o.until != G_MAXINT64)
		o.next = schedule_oncall(s, overrides, o.until, NULL, NULL);
	return o;
}

static void
cli_oncall_schedule_text(const struct schedule *s, const struct view_oncall *o)
{
	g_autofree char *since = schedule_format_local(s, o->since);
	g_autofree char *until = schedule_format_local(s, o->until);

	printf("%s (%s)\n", o->schedule, o->time_zone);
	if (o->since != G_MININT64)
		printf("  now:  %s since %s\n", o->oncall, since);
	else
		printf("  now:  %s\n", o->oncall);
	if (o->next != NULL)
		printf("  next: %s from %s\n", o->next, until);
	else
		printf("  next: nobody else (%s stays on call)\n", o->oncall);
}

static int
cli_oncall_schedules(struct cli_ctx *ctx, gint64 t)
{
	const struct config *cfg = ctx->cfg;
	g_autoptr(GArray) all = g_array_new(FALSE, TRUE, sizeof(struct view_oncall));
	g_autoptr(GPtrArray) overrides = NULL;
	g_autoptr(GError) e = NULL;
	int rc;

	/* every override, ended ones too: one that ended is where the present stretch began */
	if ((rc = cli_store_open(ctx)) != 0)
		return rc;
	if ((overrides = store_overrides(ctx->store, G_MININT64, &e)) == NULL)
		return cli_fail(e);
	for (guint i = 0; i < cfg->schedules->len; i++) {
		struct view_oncall o = cli_oncall_schedule(cfg->schedules->pdata[i], overrides, t);

		g_array_append_val(all, o);
		if (!cli_json)
			cli_oncall_schedule_text(cfg->schedules->pdata[i], &o);
	}
	if (cli_json) {
		g_autofree char *json = view_oncall_json(all);

		printf("%s\n", json);
	}
	return 0;
}

/* Without schedules, DESIGN.md's one team "default": the [oncall] rotation's turn, or the
 * responders with the role oncall (who never hand over). */
static void
cli_oncall_default_json(const struct config *cfg, GPtrArray *order, gint64 t)
{
	struct view_oncall o = {"default", "UTC", order->pdata[0], G_MININT64, G_MAXINT64, NULL};
	g_autoptr(GArray) all = g_array_new(FALSE, TRUE, sizeof(struct view_oncall));
	g_autofree char *json = NULL;

	if (cfg->rotation != NULL && cfg->rotation[0] != NULL) {
		gint64 turn =
		    t > cfg->rotation_start ? (t - cfg->rotation_start) / cfg->rotation_length : 0;
		g_autoptr(GPtrArray) next = NULL;

		/* before the start the first person holds the first turn (escalate.c) */
		o.since = t >= cfg->rotation_start
		              ? cfg->rotation_start + turn * cfg->rotation_length
		              : G_MININT64;
		o.until = cfg->rotation_start + (turn + 1) * cfg->rotation_length;
		next = escalate_oncall_order(cfg, o.until);
		o.next = next->pdata[0];
	}
	g_array_append_val(all, o);
	json = view_oncall_json(all);
	printf("%s\n", json);
}

/* The schedules' names, "a, b", for a message. */
static char *
cli_oncall_names(const struct config *cfg)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < cfg->schedules->len; i++)
		g_string_append_printf(out, "%s%s", i > 0 ? ", " : "",
		                       ((const struct schedule *)cfg->schedules->pdata[i])->name);
	return g_string_free(out, FALSE);
}

/* The feed counts the stored overrides, as paging does. */
static int
cli_oncall_ics(struct cli_ctx *ctx, gint64 now)
{
	const struct config *cfg = ctx->cfg;
	g_autofree char *names = NULL, *ics = NULL;
	g_autoptr(GPtrArray) overrides = NULL;
	g_autoptr(GError) e = NULL;
	int rc;

	for (guint i = 0; i < cfg->schedules->len; i++) {
		const struct schedule *s = cfg->schedules->pdata[i];

		if (g_ascii_strcasecmp(s->name, oncall_ics) != 0)
			continue;
		if ((rc = cli_store_open(ctx)) != 0)
			return rc;
		if ((overrides = store_overrides(ctx->store, G_MININT64, &e)) == NULL)
			return cli_fail(e);
		ics = ical_shifts(s, overrides, now, now + ONCALL_ICS_SECONDS,
		                  util_domain(cfg->address));
		fputs(ics, stdout);
		return 0;
	}
	if (cfg->schedules->len == 0) {
		fprintf(
		    stderr,
		    "sevmail: --ics %s: there are no schedules; add a [schedule:NAME] section\n",
		    oncall_ics);
		return EXIT_USAGE;
	}
	names = cli_oncall_names(cfg);
	fprintf(stderr, "sevmail: --ics %s: no such schedule; the schedules are: %s\n", oncall_ics,
	        names);
	return EXIT_USAGE;
}

static int
cli_oncall(struct cli_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	gint64 now;
	g_autoptr(GPtrArray) now_order = NULL;

	cli_oncall_at(&now); /* checked before */
	if (oncall_ics != NULL)
		return cli_oncall_ics(ctx, now);
	if (cfg->schedules->len > 0)
		return cli_oncall_schedules(ctx, now);
	now_order = escalate_oncall_order(cfg, now);
	if (now_order->len == 0) {
		fprintf(stderr, "sevmail: nobody is on call: give a responder the role oncall, or "
		                "set [oncall] rotation\n");
		return EXIT_RUNTIME;
	}
	if (cli_json) {
		cli_oncall_default_json(cfg, now_order, now);
		return 0;
	}
	printf("now:  %s\n", (const char *)now_order->pdata[0]);
	if (cfg->rotation != NULL && cfg->rotation[0] != NULL) {
		gint64 turn = now >= cfg->rotation_start
		                  ? (now - cfg->rotation_start) / cfg->rotation_length + 1
		                  : 1;
		gint64 change = cfg->rotation_start + turn * cfg->rotation_length;
		g_autoptr(GPtrArray) next = escalate_oncall_order(cfg, change);
		g_autofree char *when = util_human_time(change);

		printf("next: %s from %s\n", (const char *)next->pdata[0], when);
	} else {
		for (guint i = 1; i < now_order->len; i++)
			printf("then: %s\n", (const char *)now_order->pdata[i]);
	}
	return 0;
}

const struct cli_cmd cli_cmd_oncall = {
    .name = "oncall",
    .usage = "[--at TIME] [--json] | --ics NAME",
    .summary = "who is on call now (or at a time) and next; shifts as iCalendar",
    .parameter = "- who is on call now and next, or a schedule's shifts as iCalendar",
    .needs = CLI_CONFIG,
    .options = oncall_options,
    .check = cli_oncall_check,
    .run = cli_oncall,
};
