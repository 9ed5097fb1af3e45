/*
 * view: text and JSON renderings of incidents and lists.
 */
#include "view.h"

#include "schedule.h"
#include "stats.h"
#include "util.h"
#include <json-glib/json-glib.h>

static void
member_time(JsonBuilder *b, const char *name, gint64 t)
{
	g_autofree char *iso = util_iso8601(t);

	json_builder_set_member_name(b, name);
	if (iso != NULL)
		json_builder_add_string_value(b, iso);
	else
		json_builder_add_null_value(b);
}

static void
member_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
member_extra(JsonBuilder *b, const struct view_extra *x)
{
	json_builder_set_member_name(b, "alerts");
	json_builder_begin_array(b);
	for (guint i = 0; i < x->alerts->len; i++) {
		const struct incident_alert *a = x->alerts->pdata[i];

		json_builder_begin_object(b);
		member_string(b, "fingerprint", a->fingerprint);
		member_string(b, "source", a->source);
		member_string(b, "title", a->title);
		member_string(b, "state", a->resolved ? "resolved" : "firing");
		member_time(b, "first_at", a->first_at);
		member_time(b, "last_at", a->last_at);
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, a->count);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "paged");
	json_builder_begin_array(b);
	for (guint i = 0; i < x->paged->len; i++)
		json_builder_add_string_value(b, x->paged->pdata[i]);
	json_builder_end_array(b);
}

static void
build_incident(JsonBuilder *b, const struct incident *inc, GPtrArray *events,
               const struct view_extra *extra)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, inc->id);
	member_string(b, "title", inc->title);
	json_builder_set_member_name(b, "severity");
	if (inc->severity >= 1 && inc->severity <= 3)
		json_builder_add_int_value(b, inc->severity);
	else
		json_builder_add_null_value(b);
	member_string(b, "status", incident_status_name(inc->status));
	member_string(b, "commander", inc->commander);
	member_string(b, "acked_by", inc->acked_by);
	member_time(b, "created_at", inc->created_at);
	member_time(b, "acked_at", inc->acked_at);
	member_time(b, "resolved_at", inc->resolved_at);
	member_string(b, "impact", inc->impact);
	member_string(b, "next_steps", inc->next_steps);
	member_string(b, "root_cause", inc->root_cause);
	json_builder_set_member_name(b, "action_items");
	json_builder_begin_array(b);
	for (guint i = 0; i < inc->action_items->len; i++)
		json_builder_add_string_value(b, inc->action_items->pdata[i]);
	json_builder_end_array(b);
	member_string(b, "fingerprint", inc->fingerprint);
	member_string(b, "source", inc->source);
	member_string(b, "team", inc->team != NULL ? inc->team : "default");
	json_builder_set_member_name(b, "merged_into");
	if (inc->merged_into != 0)
		json_builder_add_int_value(b, inc->merged_into);
	else
		json_builder_add_null_value(b);
	if (extra != NULL)
		member_extra(b, extra);
	if (events != NULL) {
		json_builder_set_member_name(b, "events");
		json_builder_begin_array(b);
		for (guint i = 0; i < events->len; i++) {
			const struct event *e = events->pdata[i];

			json_builder_begin_object(b);
			member_time(b, "at", e->at);
			member_string(b, "actor", e->actor);
			member_string(b, "kind", event_name(e));
			member_string(b, "detail", e->detail);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
}

static char *
finish(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

char *
view_incident_json(const struct incident *inc, GPtrArray *events, const struct view_extra *extra)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	build_incident(b, inc, events, extra);
	return finish(b);
}

char *
view_incidents_json(GPtrArray *incidents, GArray *extras)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < incidents->len; i++)
		build_incident(b, incidents->pdata[i], NULL,
		               extras != NULL ? &g_array_index(extras, struct view_extra, i)
		                              : NULL);
	json_builder_end_array(b);
	return finish(b);
}

char *
view_lists_json(GPtrArray *lists, GPtrArray *subscribers)
{
	static const char *const policies[] = {"open", "confirm", "closed"};
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < lists->len; i++) {
		const struct list_config *l = lists->pdata[i];
		GPtrArray *subs = subscribers->pdata[i];

		json_builder_begin_object(b);
		member_string(b, "name", l->name);
		member_string(b, "address", l->address);
		json_builder_set_member_name(b, "severities");
		json_builder_begin_array(b);
		for (int s = 1; s <= 3; s++)
			if (l->severities & (1u << s))
				json_builder_add_int_value(b, s);
		json_builder_end_array(b);
		member_string(b, "policy", policies[l->policy]);
		json_builder_set_member_name(b, "subscribers");
		json_builder_begin_array(b);
		for (guint j = 0; j < subs->len; j++)
			json_builder_add_string_value(b, subs->pdata[j]);
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

/* "never" (the G_MININT64 / G_MAXINT64 of schedule.h) is null, not a year-1 date. */
static void
member_bound(JsonBuilder *b, const char *name, gint64 t)
{
	if (t == G_MININT64 || t == G_MAXINT64) {
		json_builder_set_member_name(b, name);
		json_builder_add_null_value(b);
	} else
		member_time(b, name, t);
}

char *
view_oncall_json(GArray *entries)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < entries->len; i++) {
		const struct view_oncall *o = &g_array_index(entries, struct view_oncall, i);

		json_builder_begin_object(b);
		member_string(b, "schedule", o->schedule);
		member_string(b, "time_zone", o->time_zone);
		member_string(b, "oncall", o->oncall);
		member_bound(b, "since", o->since);
		member_bound(b, "until", o->until);
		member_string(b, "next", o->next);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

char *
view_overrides_json(GPtrArray *overrides)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < overrides->len; i++) {
		const struct schedule_override *o = overrides->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, o->id);
		member_string(b, "schedule", o->schedule);
		member_string(b, "person", o->person);
		member_time(b, "from", o->from);
		member_time(b, "until", o->until);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

static void
field(GString *out, const char *label, const char *value)
{
	if (value != NULL)
		g_string_append_printf(out, "  %-12s %s\n", label, value);
}

/* The alerts of an incident that holds more than the one that declared it. */
static void
text_alerts(GString *out, const struct view_extra *x)
{
	if (x == NULL || x->alerts->len < 2)
		return;
	g_string_append_printf(out, "\nAlerts (%u):\n", x->alerts->len);
	for (guint i = 0; i < x->alerts->len; i++) {
		const struct incident_alert *a = x->alerts->pdata[i];

		g_string_append_printf(out, "  %-8s %4dx  %-12s %s\n",
		                       a->resolved ? "resolved" : "firing", a->count, a->source,
		                       a->title);
	}
}

char *
view_incident_text(const struct incident *inc, GPtrArray *events, const struct view_extra *extra)
{
	GString *out = g_string_new(NULL);
	g_autofree char *sev = incident_severity_label(inc);
	g_autofree char *created = util_human_time(inc->created_at);

	g_string_append_printf(out, "INC-%" G_GINT64_FORMAT "  [%s] %s  (%s)\n", inc->id, sev,
	                       inc->title, incident_status_name(inc->status));
	if (events == NULL)
		return g_string_free(out, FALSE);
	field(out, "Declared:", created);
	field(out, "Commander:", inc->commander);
	field(out, "Impact:", inc->impact);
	field(out, "Next steps:", inc->next_steps);
	field(out, "Root cause:", inc->root_cause);
	for (guint i = 0; i < inc->action_items->len; i++)
		field(out, "Action item:", inc->action_items->pdata[i]);
	if (inc->merged_into != 0) {
		g_autofree char *into = g_strdup_printf("INC-%" G_GINT64_FORMAT, inc->merged_into);

		field(out, "Merged into:", into);
	}
	text_alerts(out, extra);
	g_string_append(out, "\nTimeline (UTC):\n");
	for (guint i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(e->at);
		g_autofree char *when = g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");

		g_string_append_printf(out, "  %s  %-14s %-26s %s\n", when, event_name(e), e->actor,
		                       e->detail);
	}
	return g_string_free(out, FALSE);
}

char *
view_explain_json(const struct intake_result *r, const struct intake_explain *x)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	member_string(b, "route", r->route);
	member_string(b, "reason", r->reason);
	json_builder_set_member_name(b, "already_processed");
	json_builder_add_boolean_value(b, x->already_processed);
	json_builder_set_member_name(b, "alert");
	if (x->has_alert) {
		json_builder_begin_object(b);
		member_string(b, "source", x->alert_source);
		member_string(b, "state", x->alert_state);
		member_string(b, "fingerprint", x->alert_fingerprint);
		member_string(b, "title", x->alert_title);
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "incident");
	if (x->incident != 0)
		json_builder_add_int_value(b, x->incident);
	else
		json_builder_add_null_value(b);
	member_string(b, "matched_by", x->matched_by);
	member_string(b, "new_text", x->new_text);
	json_builder_set_member_name(b, "commands");
	json_builder_begin_array(b);
	for (guint i = 0; x->commands != NULL && i < x->commands->len; i++) {
		const struct command *cmd = x->commands->pdata[i];

		json_builder_begin_object(b);
		member_string(b, "keyword", cmd->keyword);
		member_string(b, "argument", cmd->argument);
		member_string(b, "note", cmd->note);
		if (cmd->kind == CMD_UNKNOWN) {
			member_string(b, "understood", cmd->understood);
			member_string(b, "suggestion", cmd->suggestion);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "authorized");
	json_builder_add_boolean_value(b, x->authorized);
	member_string(b, "auth_reason", x->auth_reason);
	json_builder_end_object(b);
	return finish(b);
}

char *
view_explain_text(const struct intake_result *r, const struct intake_explain *x)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "route:      %s\nreason:     %s\n", r->route, r->reason);
	if (x->already_processed)
		g_string_append(out, "note:       this message was processed before; shown as "
		                     "it would be read now\n");
	if (x->has_alert)
		g_string_append_printf(out, "alert:      %s, %s, \"%s\"\nidentity:   %s\n",
		                       x->alert_source, x->alert_state, x->alert_title,
		                       x->alert_fingerprint);
	if (x->incident != 0)
		g_string_append_printf(out, "incident:   INC-%" G_GINT64_FORMAT "%s%s\n",
		                       x->incident, x->matched_by != NULL ? ", matched by " : "",
		                       x->matched_by != NULL ? x->matched_by : "");
	if (x->auth_reason != NULL)
		g_string_append_printf(out, "authorized: %s (%s)\n", x->authorized ? "yes" : "no",
		                       x->auth_reason);
	if (x->new_text != NULL) {
		g_auto(GStrv) lines = g_strsplit(x->new_text, "\n", -1);

		g_string_append(out, "new text:\n");
		for (char **l = lines; *l != NULL; l++)
			g_string_append_printf(out, "  | %s\n", *l);
	}
	for (guint i = 0; x->commands != NULL && i < x->commands->len; i++) {
		const struct command *cmd = x->commands->pdata[i];

		g_string_append_printf(
		    out, "command:    %s%s%s%s%s%s\n", cmd->keyword, *cmd->argument ? " " : "",
		    cmd->argument, cmd->note != NULL ? " (note: " : "",
		    cmd->note != NULL ? cmd->note : "", cmd->note != NULL ? ")" : "");
		if (cmd->kind == CMD_UNKNOWN && cmd->suggestion != NULL)
			g_string_append_printf(out, "            did you mean %s?\n",
			                       cmd->suggestion);
	}
	return g_string_free(out, FALSE);
}

char *
view_outbox_json(GPtrArray *rows)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = rows->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, r->id);
		member_string(b, "kind", r->kind);
		json_builder_set_member_name(b, "incident");
		if (r->incident_id != 0)
			json_builder_add_int_value(b, r->incident_id);
		else
			json_builder_add_null_value(b);
		member_string(b, "message_id", r->message_id);
		member_string(b, "state", r->state);
		json_builder_set_member_name(b, "attempts");
		json_builder_add_int_value(b, r->attempts);
		member_time(b, "created_at", r->created_at);
		member_time(b, "next_attempt", r->next_attempt);
		member_string(b, "last_error", r->last_error);
		json_builder_set_member_name(b, "recipients");
		json_builder_begin_array(b);
		for (guint j = 0; j < r->rcpts->len; j++) {
			const struct outbox_rcpt_row *rr = r->rcpts->pdata[j];

			json_builder_begin_object(b);
			member_string(b, "address", rr->address);
			member_string(b, "state", rr->state);
			member_string(b, "error", rr->error);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

char *
view_quarantine_json(GPtrArray *rows)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct quarantined *q = rows->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, q->id);
		member_time(b, "received_at", q->received_at);
		member_string(b, "message_id", q->message_id);
		member_string(b, "mailbox", q->mailbox);
		json_builder_set_member_name(b, "uid");
		json_builder_add_int_value(b, q->uid);
		member_string(b, "error", q->error);
		json_builder_set_member_name(b, "tries");
		json_builder_add_int_value(b, q->tries);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

char *
view_quarantine_text(GPtrArray *rows)
{
	GString *out = g_string_new(NULL);

	if (rows->len == 0)
		g_string_append(out, "the quarantine is empty: every message was processed\n");
	for (guint i = 0; i < rows->len; i++) {
		const struct quarantined *q = rows->pdata[i];
		g_autofree char *at = util_human_time(q->received_at);

		g_string_append_printf(out,
		                       "%" G_GINT64_FORMAT "  %s  <%s>  %s UID %u, %d tries\n"
		                       "    %s\n",
		                       q->id, at, q->message_id ? q->message_id : "no Message-ID",
		                       q->mailbox, q->uid, q->tries, q->error);
	}
	if (rows->len > 0)
		g_string_append(out, "fix the cause, then `sevmail quarantine retry ID`\n");
	return g_string_free(out, FALSE);
}

char *
view_outbox_text(GPtrArray *rows)
{
	GString *out = g_string_new(NULL);

	if (rows->len == 0)
		g_string_append(out, "the outbox is empty: everything was delivered\n");
	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = rows->pdata[i];
		g_autofree char *next = util_human_time(r->next_attempt);

		g_string_append_printf(out, "%" G_GINT64_FORMAT "  %-7s %-12s <%s>  %d attempt(s)",
		                       r->id, r->state, r->kind, r->message_id, r->attempts);
		if (g_strcmp0(r->state, "queued") == 0)
			g_string_append_printf(out, ", next %s", next);
		g_string_append_c(out, '\n');
		for (guint j = 0; j < r->rcpts->len; j++) {
			const struct outbox_rcpt_row *rr = r->rcpts->pdata[j];

			g_string_append_printf(out, "      %-7s %s%s%s\n", rr->state, rr->address,
			                       rr->error != NULL ? ": " : "",
			                       rr->error != NULL ? rr->error : "");
		}
	}
	return g_string_free(out, FALSE);
}

static void
member_durations(JsonBuilder *b, const char *name, const struct stats_durations *d)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "count");
	json_builder_add_int_value(b, d->count);
	json_builder_set_member_name(b, "median_seconds");
	if (d->count > 0)
		json_builder_add_int_value(b, d->median);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "p90_seconds");
	if (d->count > 0)
		json_builder_add_int_value(b, d->p90);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static void
member_row(JsonBuilder *b, const char *name, const struct stats_row *r)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "incidents");
	json_builder_add_int_value(b, r->incidents);
	member_durations(b, "mtta", &r->mtta);
	member_durations(b, "mttr", &r->mttr);
	json_builder_end_object(b);
}

char *
view_stats_json(const struct stats *st)
{
	static const char *const names[] = {"unassessed", "1", "2", "3"};
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	member_time(b, "since", st->since);
	json_builder_set_member_name(b, "incidents");
	json_builder_add_int_value(b, st->incidents);
	json_builder_set_member_name(b, "open");
	json_builder_add_int_value(b, st->open);
	json_builder_set_member_name(b, "by_severity");
	json_builder_begin_object(b);
	for (int i = 1; i <= 3; i++)
		member_row(b, names[i], &st->by_severity[i]);
	member_row(b, names[0], &st->by_severity[0]);
	json_builder_end_object(b);
	member_row(b, "all", &st->all);
	json_builder_set_member_name(b, "by_team");
	json_builder_begin_object(b);
	for (guint i = 0; st->by_team != NULL && i < st->by_team->len; i++) {
		const struct stats_team *t = st->by_team->pdata[i];

		member_row(b, t->team, &t->row);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "escalations");
	json_builder_add_int_value(b, st->escalations);
	json_builder_set_member_name(b, "alerts_deduplicated");
	json_builder_add_int_value(b, st->alerts_deduplicated);
	json_builder_end_object(b);
	return finish(b);
}

char *
view_windows_json(GPtrArray *windows)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < windows->len; i++) {
		const struct window *w = windows->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, w->id);
		member_string(b, "match", w->match);
		member_time(b, "from", w->starts_at);
		member_time(b, "until", route_window_end(w));
		member_string(b, "reason", w->reason);
		member_string(b, "by", w->by);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

char *
view_heartbeats_json(GArray *entries)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < entries->len; i++) {
		const struct view_heartbeat *h = &g_array_index(entries, struct view_heartbeat, i);

		json_builder_begin_object(b);
		member_string(b, "name", h->name);
		member_time(b, "last_seen", h->last_seen);
		member_time(b, "due", h->due);
		member_string(b, "state", h->state);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return finish(b);
}

static void
member_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

char *
view_prune_json(const struct view_prune *p)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	member_int(b, "pruned", p->pruned);
	member_time(b, "before", p->before);
	json_builder_set_member_name(b, "vacuumed");
	json_builder_add_boolean_value(b, p->vacuumed);
	json_builder_set_member_name(b, "file");
	if (!p->file) {
		json_builder_add_null_value(b);
	} else {
		json_builder_begin_object(b);
		member_int(b, "page_size", p->page_size);
		member_int(b, "pages", p->pages);
		member_int(b, "free_pages", p->free_pages);
		member_int(b, "given_back", p->given_back);
		json_builder_set_member_name(b, "incremental");
		json_builder_add_boolean_value(b, p->incremental);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	return finish(b);
}
