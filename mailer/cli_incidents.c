/*
 * cli_incidents: the commands about incidents: listing and showing them, declaring one,
 * the post-mortem, statistics and the status page (who is on call: cli_oncall.c).
 */
#include "cli.h"
#include "daemon.h"
#include "intake.h"
#include "notify.h"
#include "publish.h"
#include "stats.h"
#include "team.h"
#include "util.h"
#include "view.h"
#include <stdio.h>
#include <string.h>

static gboolean list_all = FALSE;

static const GOptionEntry list_options[] = {
    {"all", 0, 0, G_OPTION_ARG_NONE, &list_all, "also resolved and closed incidents", NULL},
    CLI_OPTION_JSON,
    {NULL}};

static void
cli_extra_clear(gpointer p)
{
	struct view_extra *x = p;

	g_clear_pointer(&x->alerts, g_ptr_array_unref);
	g_clear_pointer(&x->paged, g_ptr_array_unref);
}

/* The alerts of incident id and who was paged for it. 0, or -1 + err. */
static int
cli_extra_load(struct store *s, gint64 id, struct view_extra *x, GError **err)
{
	x->alerts = store_incident_alerts(s, id, err);
	x->paged = x->alerts != NULL ? store_participants_paged(s, id, err) : NULL;
	if (x->paged != NULL)
		return 0;
	cli_extra_clear(x);
	return -1;
}

/* cli_extra_load for each incident, in a parallel array. NULL + err. */
static GArray *
cli_extras(struct store *s, GPtrArray *incidents, GError **err)
{
	GArray *all = g_array_sized_new(FALSE, TRUE, sizeof(struct view_extra), incidents->len);

	g_array_set_clear_func(all, cli_extra_clear);
	for (guint i = 0; i < incidents->len; i++) {
		struct view_extra x = {0};

		if (cli_extra_load(s, ((struct incident *)incidents->pdata[i])->id, &x, err) != 0) {
			g_array_unref(all);
			return NULL;
		}
		g_array_append_val(all, x);
	}
	return all;
}

static int
cli_list(struct cli_ctx *ctx)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GArray) extras = NULL;
	g_autoptr(GError) e = NULL;

	if ((list = store_incident_list(ctx->store, list_all, &e)) == NULL)
		return cli_fail(e);
	if (cli_json) {
		g_autofree char *json = NULL;

		if ((extras = cli_extras(ctx->store, list, &e)) == NULL)
			return cli_fail(e);
		json = view_incidents_json(list, extras);
		printf("%s\n", json);
	}
	for (guint i = 0; !cli_json && i < list->len; i++) {
		g_autofree char *line = view_incident_text(list->pdata[i], NULL, NULL);

		fputs(line, stdout);
	}
	if (!cli_json && list->len == 0)
		printf(list_all ? "no incidents\n" : "no open incidents\n");
	return 0;
}

const struct cli_cmd cli_cmd_list = {
    .name = "list",
    .usage = "[--all] [--json]",
    .summary = "incidents (open ones by default)",
    .parameter = "- list incidents",
    .needs = CLI_STORE,
    .options = list_options,
    .run = cli_list,
};

/* "1" or "INC-1": the number, or 0. */
static gint64
cli_incident_id(const char *arg)
{
	char *end = NULL;
	gint64 id;

	if (g_ascii_strncasecmp(arg, "INC-", 4) == 0)
		arg += 4;
	id = g_ascii_strtoll(arg, &end, 10);
	return *arg != '\0' && *end == '\0' && id > 0 ? id : 0;
}

/* The check of show and postmortem: one incident number. */
static int
cli_incident_check(struct cli_ctx *ctx)
{
	if (ctx->argc != 2 || cli_incident_id(ctx->argv[1]) == 0)
		return cli_usage_error(ctx, "give one incident number, such as 1 or INC-1");
	return 0;
}

/* The incident named by argv[1], with its events: 0, or the exit code after saying
 * why (no such incident, or a failed read). */
static int
cli_incident_load(const struct cli_ctx *ctx, struct incident **inc, GPtrArray **events)
{
	gint64 id = cli_incident_id(ctx->argv[1]);
	g_autoptr(GError) e = NULL;
	int found = store_incident_get(ctx->store, id, inc, &e);

	if (found == 0) {
		fprintf(stderr, "sevmail: there is no incident INC-%" G_GINT64_FORMAT "\n", id);
		return EXIT_RUNTIME;
	}
	if (found < 0)
		return cli_fail(e);
	if ((*events = store_events(ctx->store, id, &e)) == NULL) {
		g_clear_pointer(inc, incident_free);
		return cli_fail(e);
	}
	return 0;
}

static const GOptionEntry show_options[] = {CLI_OPTION_JSON, {NULL}};

static int
cli_show(struct cli_ctx *ctx)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;
	struct view_extra extra = {0};
	int rc = cli_incident_load(ctx, &inc, &events);

	if (rc != 0)
		return rc;
	if (cli_extra_load(ctx->store, inc->id, &extra, &e) != 0)
		return cli_fail(e);
	out = cli_json ? view_incident_json(inc, events, &extra)
	               : view_incident_text(inc, events, &extra);
	cli_extra_clear(&extra);
	printf("%s%s", out, cli_json ? "\n" : "");
	return 0;
}

const struct cli_cmd cli_cmd_show = {
    .name = "show",
    .usage = "ID [--json]",
    .summary = "one incident with its timeline",
    .parameter = "ID - one incident and its timeline",
    .needs = CLI_STORE,
    .options = show_options,
    .check = cli_incident_check,
    .run = cli_show,
};

static gboolean postmortem_send_it = FALSE;

static const GOptionEntry postmortem_options[] = {{"send", 0, 0, G_OPTION_ARG_NONE,
                                                   &postmortem_send_it,
                                                   "queue it to the lists and responders", NULL},
                                                  {NULL}};

/* Queues the post-mortem of a resolved incident and closes it, in one transaction. */
static int
cli_postmortem_send(const struct config *cfg, struct store *s, struct incident *inc,
                    GPtrArray *events, GError **err)
{
	struct notify n = {cfg, s, util_now()};
	g_autoptr(incident_outcome) o = incident_outcome_new();
	int rc;

	if (inc->status != STATUS_RESOLVED) {
		g_set_error(err, g_quark_from_static_string("sevmail"), 0,
		            "INC-%" G_GINT64_FORMAT " is %s: a post-mortem is sent after it is "
		            "resolved, once",
		            inc->id, incident_status_name(inc->status));
		return EXIT_RUNTIME;
	}
	g_ptr_array_add(o->events, event_make(n.now, "sevmail", EVENT_POSTMORTEM,
	                                      "Post-mortem sent (sevmail postmortem)"));
	/* the one way a status changes, here resolved -> closed */
	incident_enter_status(inc, STATUS_CLOSED, "sevmail", n.now, o);
	rc = store_begin(s, err);
	if (rc == 0)
		rc = notify_postmortem(&n, inc, events, NULL, err);
	for (guint i = 0; rc == 0 && i < o->events->len; i++)
		rc = store_event_add(s, inc->id, o->events->pdata[i], NULL, err);
	if (rc == 0)
		rc = store_incident_update(s, inc, err);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	return rc == 0 ? 0 : EXIT_RUNTIME;
}

static int
cli_postmortem(struct cli_ctx *ctx)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	int rc = cli_incident_load(ctx, &inc, &events);

	if (rc != 0)
		return rc;
	if (postmortem_send_it)
		rc = cli_postmortem_send(ctx->cfg, ctx->store, inc, events, &e);
	else if ((text = notify_postmortem_text(ctx->cfg, inc, events, util_now(), &e)) != NULL)
		fputs(text, stdout);
	if (e != NULL)
		return cli_fail(e);
	if (postmortem_send_it)
		printf("post-mortem of INC-%" G_GINT64_FORMAT " queued; it is closed\n", inc->id);
	return rc;
}

const struct cli_cmd cli_cmd_postmortem = {
    .name = "postmortem",
    .usage = "ID [--send]",
    .summary = "the post-mortem: print it, or queue it",
    .parameter = "ID - the post-mortem of an incident",
    .needs = CLI_STORE,
    .options = postmortem_options,
    .check = cli_incident_check,
    .run = cli_postmortem,
};

static int declare_severity = 0;
static char *declare_title = NULL, *declare_impact = NULL, *declare_team = NULL;

static const GOptionEntry declare_options[] = {
    {"severity", 0, 0, G_OPTION_ARG_INT, &declare_severity, "1, 2 or 3", "N"},
    {"title", 0, 0, G_OPTION_ARG_STRING, &declare_title, "what is happening", "TEXT"},
    {"impact", 0, 0, G_OPTION_ARG_STRING, &declare_impact, "who or what is affected", "TEXT"},
    {"team", 0, 0, G_OPTION_ARG_STRING, &declare_team, "the [team:NAME] to page (default: default)",
     "NAME"},
    {NULL}};

static int
cli_declare_check(struct cli_ctx *ctx)
{
	if (declare_severity < 1 || declare_severity > 3 || declare_title == NULL ||
	    *g_strstrip(declare_title) == '\0' || ctx->argc > 1)
		return cli_usage_error(ctx, "use 'declare --severity 1|2|3 --title TEXT "
		                            "[--impact TEXT] [--team NAME]'");
	return 0;
}

static int
cli_declare(struct cli_ctx *ctx)
{
	g_autofree char *by = g_strdup_printf("%s (command line)", g_get_user_name());
	g_autoptr(GError) e = NULL;
	struct pass_stats st = {0};
	gint64 id = 0;
	const struct team *t = team_find(ctx->cfg, declare_team);

	/* the configuration is read only after cli_declare_check */
	if (declare_team != NULL && g_ascii_strcasecmp(declare_team, "default") != 0 &&
	    team_find(ctx->cfg, declare_team) == NULL) {
		g_autoptr(GString) known = g_string_new("default");

		for (guint i = 0; i < ctx->cfg->teams->len; i++)
			g_string_append_printf(
			    known, ", %s", ((const struct team *)ctx->cfg->teams->pdata[i])->name);
		return cli_usage_error(ctx, "--team: no team is called that (the teams: %s)",
		                       known->str);
	}
	if (intake_declare(ctx->cfg, ctx->store, declare_severity, declare_title, declare_impact,
	                   t != NULL ? t->name : NULL, by, &id, &e) != 0) {
		fprintf(stderr, "sevmail: nothing was declared: %s\n", e->message);
		return EXIT_RUNTIME;
	}
	printf("INC-%" G_GINT64_FORMAT " declared\n", id);
	if (daemon_send(ctx->cfg, ctx->store, &st, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	return 0;
}

const struct cli_cmd cli_cmd_declare = {
    .name = "declare",
    .usage = "--severity N --title T [--impact I] [--team NAME]",
    .summary = "declare an incident by hand",
    .parameter = "- declare an incident: page the on-call, tell the lists",
    .needs = CLI_STORE,
    .options = declare_options,
    .check = cli_declare_check,
    .run = cli_declare,
};

static char *stats_since_text = NULL;

static const GOptionEntry stats_options[] = {{"since", 0, 0, G_OPTION_ARG_STRING, &stats_since_text,
                                              "only incidents declared since", "DATE"},
                                             CLI_OPTION_JSON,
                                             {NULL}};

/* --since as a time, where a date is its midnight UTC (0 when not given); FALSE when it
 * is not a date. */
static gboolean
cli_stats_since(gint64 *since)
{
	g_autofree char *iso = NULL;
	g_autoptr(GDateTime) t = NULL;

	*since = 0;
	if (stats_since_text == NULL)
		return TRUE;
	iso = strchr(stats_since_text, 'T') != NULL
	          ? g_strdup(stats_since_text)
	          : g_strconcat(stats_since_text, "T00:00:00Z", NULL);
	if ((t = g_date_time_new_from_iso8601(iso, NULL)) == NULL)
		return FALSE;
	*since = g_date_time_to_unix(t);
	return TRUE;
}

static int
cli_stats_check(struct cli_ctx *ctx)
{
	gint64 since;

	if (!cli_stats_since(&since))
		return cli_usage_error(ctx, "'%s' is not a date such as 2026-11-01",
		                       stats_since_text);
	return 0;
}

static int
cli_stats(struct cli_ctx *ctx)
{
	g_autoptr(GPtrArray) incidents = NULL;
	g_autoptr(stats) st = NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *out = NULL;
	gint64 since, escalations, repeats;

	cli_stats_since(&since); /* checked before */
	/* the incidents' columns stats reads, and its event counts from an index */
	incidents = store_incidents_for_stats(ctx->store, since, &escalations, &repeats, &e);
	if (incidents == NULL)
		return cli_fail(e);
	st = stats_compute(incidents, NULL, since);
	st->escalations = (guint)escalations;
	st->alerts_deduplicated = (guint)repeats;
	out = cli_json ? view_stats_json(st) : stats_text(st);
	printf("%s%s", out, cli_json ? "\n" : "");
	return 0;
}

const struct cli_cmd cli_cmd_stats = {
    .name = "stats",
    .usage = "[--since DATE] [--json]",
    .summary = "counts, MTTA and MTTR by severity and team",
    .parameter = "- counts, MTTA and MTTR",
    .needs = CLI_STORE,
    .options = stats_options,
    .check = cli_stats_check,
    .run = cli_stats,
};

static char *status_page_output = NULL;

static const GOptionEntry status_page_options[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &status_page_output,
     "directory to write index.html and inc-N.html into", "DIR"},
    {NULL}};

/* The arguments are checked after loading: [status_page] output stands in for --output. */
static int
cli_status_page(struct cli_ctx *ctx)
{
	const char *dir =
	    status_page_output != NULL ? status_page_output : ctx->cfg->status_page_output;
	g_autoptr(GError) e = NULL;

	if (ctx->argc != 1 || dir == NULL)
		return cli_usage_error(ctx,
		                       "status-page needs --output DIR (or [status_page] output)");
	if (publish_status_page(ctx->cfg, ctx->store, dir, &e) != 0)
		return cli_fail(e);
	return 0;
}

const struct cli_cmd cli_cmd_status_page = {
    .name = "status-page",
    .usage = "--output DIR",
    .summary = "write the static HTML status page",
    .parameter = "- write the static HTML status page",
    .needs = CLI_STORE,
    .options = status_page_options,
    .run = cli_status_page,
};
