/*
 * cli_noise: noise control on the command line: `maintenance` lists the windows in force
 * and to come, `maintenance add` makes one, `maintenance end` ends one early (what it held
 * back and still fires declares at once); `heartbeats` says how each monitor stands.
 */
#include "cli.h"
#include "daemon.h"
#include "noise.h"
#include "route.h"
#include "util.h"
#include "view.h"
#include <stdio.h>
#include <string.h>

static char *maint_for = NULL, *maint_reason = NULL, *maint_from = NULL;

static const GOptionEntry maintenance_options[] = {
    {"for", 0, 0, G_OPTION_ARG_STRING, &maint_for, "add: how long (at most 7d)", "DURATION"},
    {"reason", 0, 0, G_OPTION_ARG_STRING, &maint_reason, "add: why, for the list and the page",
     "TEXT"},
    {"from", 0, 0, G_OPTION_ARG_STRING, &maint_from, "add: start then (UTC) instead of now",
     "\"YYYY-MM-DD HH:MM\""},
    CLI_OPTION_JSON,
    {NULL}};

/* `maintenance end ID`: the ID, or 0 when argv is not that. */
static gint64
cli_maintenance_end_id(const struct cli_ctx *ctx)
{
	char *end = NULL;
	gint64 id;

	if (ctx->argc != 3 || strcmp(ctx->argv[1], "end") != 0)
		return 0;
	id = g_ascii_strtoll(ctx->argv[2], &end, 10);
	return *end == '\0' && id > 0 ? id : 0;
}

static int
cli_maintenance_check(struct cli_ctx *ctx)
{
	gint64 seconds, from;
	gboolean add = ctx->argc >= 3 && strcmp(ctx->argv[1], "add") == 0;

	if (ctx->argc > 1 && !add && cli_maintenance_end_id(ctx) == 0)
		return cli_usage_error(ctx, "use 'maintenance [--json]', 'maintenance add MATCH "
		                            "--for DURATION [--reason TEXT] [--from TIME]' or "
		                            "'maintenance end ID'");
	if (!add && (maint_for != NULL || maint_reason != NULL || maint_from != NULL))
		return cli_usage_error(ctx, "--for, --reason and --from are for 'maintenance add'");
	if (add && (maint_for == NULL || !util_parse_duration(maint_for, &seconds)))
		return cli_usage_error(ctx, "add needs --for DURATION, such as --for 2h");
	if (add && maint_from != NULL && !cli_utc_time(maint_from, &from))
		return cli_usage_error(
		    ctx, "--from '%s' is not a UTC time such as \"2026-12-05 22:00\"", maint_from);
	return 0;
}

static void
cli_window_text(const struct window *w, gint64 now)
{
	g_autofree char *from = util_human_time(w->starts_at);
	g_autofree char *until = util_human_time(route_window_end(w));

	printf("%" G_GINT64_FORMAT "  %s  %s\n", w->id, w->match,
	       route_window_active(w, now) ? "in force" : "to come");
	printf("   from %s until %s, by %s\n", from, until, w->by);
	if (w->reason != NULL)
		printf("   %s\n", w->reason);
}

static int
cli_maintenance_list(struct cli_ctx *ctx, gint64 now)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) windows = store_windows(ctx->store, now, &e);

	if (windows == NULL)
		return cli_fail(e);
	if (cli_json) {
		g_autofree char *json = view_windows_json(windows);

		printf("%s\n", json);
		return 0;
	}
	for (guint i = 0; i < windows->len; i++)
		cli_window_text(windows->pdata[i], now);
	if (windows->len == 0)
		printf("no maintenance windows in force or to come\n");
	return 0;
}

static int
cli_maintenance_add(struct cli_ctx *ctx, gint64 now)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *asked = g_strjoinv(" ", ctx->argv + 2);
	struct window w = {0};
	gint64 seconds = 0, from = now;
	int rc;

	util_parse_duration(maint_for, &seconds); /* checked before */
	if (maint_from != NULL)
		cli_utc_time(maint_from, &from);
	if (route_window_check(asked, seconds, &w.match, &e) != 0)
		return cli_usage_error(ctx, "%s", e->message);
	w.starts_at = from;
	w.ends_at = from + seconds;
	w.reason = maint_reason != NULL && *g_strstrip(maint_reason) != '\0'
	               ? util_one_line(maint_reason, 500)
	               : NULL;
	w.by = g_strdup_printf("%s (command line)", g_get_user_name());
	rc = store_window_add(ctx->store, &w, now, &e);
	if (rc == 0)
		cli_window_text(&w, now);
	g_free(w.match);
	g_free(w.reason);
	g_free(w.by);
	return rc == 0 ? 0 : cli_fail(e);
}

/* Ends the window now; what it held back and still fires declares at once. */
static int
cli_maintenance_end(struct cli_ctx *ctx, gint64 id, gint64 now)
{
	g_autoptr(GError) e = NULL;
	struct window *w = NULL;
	struct pass_stats st = {0};
	int found = store_window_get(ctx->store, id, &w, &e), declared;

	if (found < 0)
		return cli_fail(e);
	if (found == 0 || route_window_end(w) <= now) {
		fprintf(
		    stderr, "sevmail: %s %" G_GINT64_FORMAT "; `sevmail maintenance` lists them\n",
		    found == 0 ? "there is no maintenance window" : "it is over already: window",
		    id);
		route_window_free(w);
		return EXIT_RUNTIME;
	}
	route_window_free(w);
	if (store_window_end(ctx->store, id, now, &e) != 0)
		return cli_fail(e);
	declared = noise_release(ctx->cfg, ctx->store, now);
	if (declared > 0)
		printf("maintenance window %" G_GINT64_FORMAT " ended; %d alert(s) still firing "
		       "declared\n",
		       id, declared);
	else
		printf("maintenance window %" G_GINT64_FORMAT " ended\n", id);
	if (daemon_send(ctx->cfg, ctx->store, &st, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	return 0;
}

static int
cli_maintenance(struct cli_ctx *ctx)
{
	gint64 now = util_now();
	gint64 id = cli_maintenance_end_id(ctx);

	if (id > 0)
		return cli_maintenance_end(ctx, id, now);
	if (ctx->argc >= 3)
		return cli_maintenance_add(ctx, now);
	return cli_maintenance_list(ctx, now);
}

const struct cli_cmd cli_cmd_maintenance = {
    .name = "maintenance",
    .usage = "[--json] | add MATCH --for D [--reason T] | end ID",
    .summary = "maintenance windows: list, add, end",
    .parameter = "[add MATCH | end ID] - maintenance windows: alerts that match declare nothing",
    .needs = CLI_STORE,
    .options = maintenance_options,
    .check = cli_maintenance_check,
    .run = cli_maintenance,
};

static const GOptionEntry heartbeats_options[] = {CLI_OPTION_JSON, {NULL}};

static int
cli_heartbeats_check(struct cli_ctx *ctx)
{
	return ctx->argc > 1 ? cli_usage_error(ctx, "heartbeats takes no arguments") : 0;
}

/* One monitor now: since a sevmail that never ran watches from now on. */
static int
cli_heartbeat(struct cli_ctx *ctx, const struct heartbeat *h, gint64 now, struct view_heartbeat *v,
              GError **err)
{
	struct heartbeat_seen seen;

	if (store_heartbeat_get(ctx->store, h->name, &seen, err) < 0)
		return -1;
	v->name = h->name;
	v->last_seen = seen.last_seen;
	v->state = route_beat_name(route_heartbeat_state(h,
	                                                 seen.last_seen != 0    ? seen.last_seen
	                                                 : seen.first_seen != 0 ? seen.first_seen
	                                                                        : now,
	                                                 now, &v->due));
	return 0;
}

static int
cli_heartbeats(struct cli_ctx *ctx)
{
	g_autoptr(GArray) all = g_array_new(FALSE, TRUE, sizeof(struct view_heartbeat));
	g_autoptr(GError) e = NULL;
	gint64 now = util_now();

	for (guint i = 0; i < ctx->cfg->heartbeats->len; i++) {
		struct view_heartbeat v;

		if (cli_heartbeat(ctx, ctx->cfg->heartbeats->pdata[i], now, &v, &e) != 0)
			return cli_fail(e);
		g_array_append_val(all, v);
	}
	if (cli_json) {
		g_autofree char *json = view_heartbeats_json(all);

		printf("%s\n", json);
		return 0;
	}
	for (guint i = 0; i < all->len; i++) {
		const struct view_heartbeat *v = &g_array_index(all, struct view_heartbeat, i);
		g_autofree char *last = v->last_seen != 0 ? util_human_time(v->last_seen) : NULL;
		g_autofree char *due = util_human_time(v->due);

		printf("%-20s %-8s last %s, due %s\n", v->name, v->state,
		       last != NULL ? last : "never", due);
	}
	if (all->len == 0)
		printf("no heartbeats: add [heartbeat:NAME] sections to the configuration\n");
	return 0;
}

const struct cli_cmd cli_cmd_heartbeats = {
    .name = "heartbeats",
    .usage = "[--json]",
    .summary = "heartbeat monitors: when the last came, when the next is due",
    .parameter = "- the heartbeat monitors and how each stands",
    .needs = CLI_STORE,
    .options = heartbeats_options,
    .check = cli_heartbeats_check,
    .run = cli_heartbeats,
};
