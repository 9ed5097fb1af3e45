/*
 * store_incidents: the incidents and their action items, their timeline of events, who
 * takes part in them and which lists were told of them.
 */
#include "store_int.h"

/* --- incidents --- */

#define INCIDENT_SELECT                                                                            \
	"SELECT id, title, severity, status, commander, acked_by, created_at, acked_at,"           \
	" resolved_at, impact, next_steps, root_cause, fingerprint, source, details,"              \
	" thread_id, unverified, latest_update, snooze_until, team, ladder_at, group_key,"         \
	" merged_into FROM incidents "

/* The statements of the paths that must not slow down as history grows, by name, so that
 * a test can check their query plans (store_hot_statements). Each WHERE that names the
 * open or the ended incidents repeats its partial index's condition word for word
 * (migration 9), which is what lets SQLite and PostgreSQL use that index. */
const char store_sql_incident_get[] = INCIDENT_SELECT "WHERE id = ?";
const char store_sql_action_items[] =
    "SELECT text FROM action_items WHERE incident_id = ? ORDER BY position";
const char store_sql_incidents_all[] = INCIDENT_SELECT "ORDER BY id DESC";
const char store_sql_incidents_open[] =
    INCIDENT_SELECT "WHERE status NOT IN ('resolved', 'closed') ORDER BY id DESC";
/* those a timer may act on (escalate_run): the open ones, and the resolved SEV 1 and 2
 * that are reminded of their post-mortem until it is written (which closes them) */
const char store_sql_incidents_timers[] =
    INCIDENT_SELECT "WHERE status NOT IN ('resolved', 'closed')"
                    " OR (status = 'resolved' AND severity BETWEEN 1 AND 2) ORDER BY id DESC";
/* the status page's ended incidents since ?1, latest first, at most ?2, and how many */
#define ENDED_WHERE                                                                                \
	"WHERE status IN ('resolved', 'closed') AND COALESCE(resolved_at, created_at) >= ?1"       \
	" AND unverified = 0 AND merged_into IS NULL"
const char store_sql_incidents_ended[] =
    INCIDENT_SELECT ENDED_WHERE " ORDER BY COALESCE(resolved_at, created_at) DESC, id DESC"
                                " LIMIT ?2";
const char store_sql_incidents_ended_count[] = "SELECT count(*) FROM incidents " ENDED_WHERE;
/* stats: only the columns it reads, all of them in one index (incidents_stats), so the
 * incidents' wide rows are never read; and the events it counts, from a covering index:
 * those of the incidents declared since ?, one look-up per incident, or with no since the
 * two kinds' stretches of the index, counted as they are */
const char store_sql_incidents_stats[] =
    "SELECT id, severity, status, created_at, acked_at, resolved_at, team FROM incidents"
    " WHERE created_at >= ?";
const char store_sql_event_counts[] =
    "SELECT e.kind, count(*) FROM incidents i CROSS JOIN events e"
    " WHERE e.incident_id = i.id AND i.created_at >= ? AND e.kind IN ('escalated',"
    " 'alert_repeat') GROUP BY e.kind";
const char store_sql_event_counts_all[] =
    "SELECT 'escalated', count(*) FROM events WHERE kind = 'escalated' UNION ALL"
    " SELECT 'alert_repeat', count(*) FROM events WHERE kind = 'alert_repeat'";
const char store_sql_events[] = "SELECT at, actor, kind, detail, field FROM events"
                                " WHERE incident_id = ? ORDER BY at, id";

/* NULL + err when its action items cannot be read. */
static struct incident *
incident_from_row(struct store *s, struct store_stmt *st, GError **err)
{
	struct incident *inc = incident_new(NULL, NULL, 0);
	g_autofree char *status = store_col_text(st, 3);
	GPtrArray *items;

	inc->id = store_col_int64(st, 0);
	inc->title = store_col_text(st, 1);
	inc->severity = store_col_int(st, 2);
	if (!incident_status_parse(status, &inc->status))
		inc->status = STATUS_TRIGGERED;
	inc->commander = store_col_text(st, 4);
	inc->acked_by = store_col_text(st, 5);
	inc->created_at = store_col_int64(st, 6);
	inc->acked_at = store_col_int64(st, 7);
	inc->resolved_at = store_col_int64(st, 8);
	inc->impact = store_col_text(st, 9);
	inc->next_steps = store_col_text(st, 10);
	inc->root_cause = store_col_text(st, 11);
	inc->fingerprint = store_col_text(st, 12);
	inc->source = store_col_text(st, 13);
	inc->details = store_col_text(st, 14);
	inc->thread_id = store_col_text(st, 15);
	inc->unverified = store_col_int(st, 16) != 0;
	inc->latest_update = store_col_text(st, 17);
	inc->snooze_until = store_col_int64(st, 18);
	inc->team = store_col_text(st, 19);
	inc->ladder_at = store_col_int64(st, 20);
	inc->group_key = store_col_text(st, 21);
	inc->merged_into = store_col_int64(st, 22);
	items = store_query_texts(s, store_prepare(s, store_sql_action_items, "i", inc->id), err,
	                          "cannot read the action items");
	if (items == NULL) {
		incident_free(inc);
		return NULL;
	}
	for (guint i = 0; i < items->len; i++)
		g_ptr_array_add(inc->action_items, g_steal_pointer(&items->pdata[i]));
	g_ptr_array_unref(items);
	return inc;
}

static int
save_action_items(struct store *s, const struct incident *inc, GError **err)
{
	if (store_run(
	        s, store_prepare(s, "DELETE FROM action_items WHERE incident_id = ?", "i", inc->id),
	        err, "cannot store action items") != 0)
		return -1;
	for (guint i = 0; i < inc->action_items->len; i++) {
		if (store_run(s,
		              store_prepare(s,
		                            "INSERT INTO action_items (incident_id, position, text)"
		                            " VALUES (?, ?, ?)",
		                            "iis", inc->id, (gint64)i,
		                            (const char *)inc->action_items->pdata[i]),
		              err, "cannot store action items") != 0)
			return -1;
	}
	return 0;
}

int
store_incident_insert(struct store *s, struct incident *inc, GError **err)
{
	inc->id =
	    store_query_id(s,
	                   store_prepare(s,
	                                 "INSERT INTO incidents (title, status, created_at,"
	                                 " source) VALUES (?, ?, ?, ?) RETURNING id",
	                                 "ssis", inc->title, incident_status_name(inc->status),
	                                 inc->created_at, inc->source),
	                   err, "cannot store the incident");
	if (inc->id < 0)
		return -1;
	return store_incident_update(s, inc, err);
}

int
store_incident_update(struct store *s, const struct incident *inc, GError **err)
{
	struct store_stmt *st = store_prepare(
	    s,
	    "UPDATE incidents SET title = ?, severity = NULLIF(?, 0), status = ?, commander = ?,"
	    " acked_by = ?, acked_at = NULLIF(?, 0), resolved_at = NULLIF(?, 0), impact = ?,"
	    " next_steps = ?, root_cause = ?, fingerprint = ?, source = ?, details = ?,"
	    " thread_id = ?, unverified = ?, latest_update = ?, snooze_until = NULLIF(?, 0),"
	    " team = ?, ladder_at = ?, group_key = ?, merged_into = NULLIF(?, 0) WHERE id = ?",
	    "sisssiisssssssisisisii", inc->title, (gint64)inc->severity,
	    incident_status_name(inc->status), inc->commander, inc->acked_by, inc->acked_at,
	    inc->resolved_at, inc->impact, inc->next_steps, inc->root_cause, inc->fingerprint,
	    inc->source, inc->details, inc->thread_id, (gint64)inc->unverified, inc->latest_update,
	    inc->snooze_until, inc->team, inc->ladder_at, inc->group_key, inc->merged_into,
	    inc->id);

	if (store_run(s, st, err, "cannot update the incident") != 0)
		return -1;
	return save_action_items(s, inc, err);
}

int
store_incident_get(struct store *s, gint64 id, struct incident **out, GError **err)
{
	struct store_stmt *st = store_prepare(s, store_sql_incident_get, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return store_fail(s, err, "cannot read the incident");
	rc = store_step(st);
	if (rc == STORE_ROW && (*out = incident_from_row(s, st, err)) == NULL) {
		store_finalize(st);
		return -1;
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the incident");
	return *out != NULL;
}

const char store_sql_open_by_fingerprint[] =
    "SELECT i.id FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id"
    " WHERE a.fingerprint = ? AND i.status NOT IN ('resolved', 'closed')"
    " ORDER BY i.id DESC LIMIT 1";

gint64
store_incident_open_by_fingerprint(struct store *s, const char *fingerprint, GError **err)
{
	/* the incident the alert declared, joined, or was merged into */
	return store_query_id(s, store_prepare(s, store_sql_open_by_fingerprint, "s", fingerprint),
	                      err, "cannot look up the open incident of an alert");
}

const char store_sql_by_message_id[] =
    "SELECT incident_id FROM outbox WHERE message_id = ?1 AND incident_id IS NOT NULL"
    " UNION ALL SELECT incident_id FROM messages WHERE message_id = ?1"
    " AND incident_id IS NOT NULL LIMIT 1";

gint64
store_incident_by_message_id(struct store *s, const char *message_id, GError **err)
{
	return store_query_id(s, store_prepare(s, store_sql_by_message_id, "s", message_id), err,
	                      "cannot look up the incident of a Message-ID");
}

/* The incidents statement st gives, in its order. */
static GPtrArray *
incidents_from(struct store *s, struct store_stmt *st, GError **err)
{
	GPtrArray *list;
	struct incident *inc;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot list the incidents");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		if ((inc = incident_from_row(s, st, err)) == NULL)
			break;
		g_ptr_array_add(list, inc);
	}
	return store_list_finish(s, st, rc, list, err, "cannot list the incidents");
}

GPtrArray *
store_incident_list(struct store *s, gboolean all, GError **err)
{
	return incidents_from(
	    s, store_prepare(s, all ? store_sql_incidents_all : store_sql_incidents_open, ""), err);
}

GPtrArray *
store_incidents_for_timers(struct store *s, GError **err)
{
	return incidents_from(s, store_prepare(s, store_sql_incidents_timers, ""), err);
}

GPtrArray *
store_incidents_ended(struct store *s, gint64 since, guint limit, guint *more, GError **err)
{
	GPtrArray *list = incidents_from(
	    s, store_prepare(s, store_sql_incidents_ended, "ii", since, (gint64)limit), err);
	gint64 n = 0;

	*more = 0;
	if (list == NULL)
		return NULL;
	if (list->len == limit &&
	    store_query_int(s, store_prepare(s, store_sql_incidents_ended_count, "i", since), &n,
	                    err, "cannot count the incidents") < 0) {
		g_ptr_array_unref(list);
		return NULL;
	}
	*more = n > (gint64)list->len ? (guint)MIN(n - list->len, G_MAXUINT) : 0;
	return list;
}

GPtrArray *
store_incidents_for_stats(struct store *s, gint64 since, gint64 *escalations, gint64 *repeats,
                          GError **err)
{
	struct store_stmt *st = store_prepare(s, store_sql_incidents_stats, "i", since);
	GPtrArray *list;
	int rc;

	*escalations = *repeats = 0;
	if (st == NULL) {
		store_fail(s, err, "cannot list the incidents");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct incident *inc = incident_new(NULL, NULL, 0);
		g_autofree char *status = store_col_text(st, 2);

		inc->id = store_col_int64(st, 0);
		inc->severity = store_col_int(st, 1);
		if (!incident_status_parse(status, &inc->status))
			inc->status = STATUS_TRIGGERED;
		inc->created_at = store_col_int64(st, 3);
		inc->acked_at = store_col_int64(st, 4);
		inc->resolved_at = store_col_int64(st, 5);
		inc->team = store_col_text(st, 6);
		g_ptr_array_add(list, inc);
	}
	if ((list = store_list_finish(s, st, rc, list, err, "cannot list the incidents")) == NULL)
		return NULL;
	st = since > 0 ? store_prepare(s, store_sql_event_counts, "i", since)
	               : store_prepare(s, store_sql_event_counts_all, "");
	if (st == NULL) {
		store_fail(s, err, "cannot count the events");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = store_step(st)) == STORE_ROW) {
		g_autofree char *kind = store_col_text(st, 0);

		if (g_strcmp0(kind, "escalated") == 0)
			*escalations = store_col_int64(st, 1);
		else
			*repeats = store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc != STORE_DONE) {
		store_fail(s, err, "cannot count the events");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

/* --- events --- */

int
store_event_add(struct store *s, gint64 incident_id, const struct event *e, const char *message_id,
                GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO events (incident_id, at, actor, kind, detail, message_id,"
	                  " field) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                  "iisssss", incident_id, e->at, e->actor, event_name(e), e->detail,
	                  message_id, event_field_name(e->field)),
	    err, "cannot store the event");
}

/* The field of an "updated" row stored before events had one, from its label: the one
 * place that reads detail text, for old rows only. */
static enum event_field
event_row_old_field(const char *detail)
{
	static const struct {
		const char *label;
		enum event_field field;
	} labels[] = {{"Title:", FIELD_TITLE},
	              {"Impact:", FIELD_IMPACT},
	              {"Next steps:", FIELD_NEXT_STEPS},
	              {"Root cause:", FIELD_ROOT_CAUSE},
	              {"Action item:", FIELD_ACTION_ITEM}};

	for (gsize i = 0; i < G_N_ELEMENTS(labels); i++)
		if (g_str_has_prefix(detail, labels[i].label))
			return labels[i].field;
	return FIELD_NONE;
}

/* One events row (at, actor, kind, detail, field): the kind through the table. */
static struct event *
event_row(struct store_stmt *st)
{
	g_autofree char *actor = store_col_text(st, 1), *name = store_col_text(st, 2);
	g_autofree char *detail = store_col_text(st, 3), *field = store_col_text(st, 4);
	struct event *e = event_new(store_col_int64(st, 0), actor, name, detail);

	/* older versions stored post-mortem reminders as "reminded" with this detail */
	if (e->kind == EVENT_REMINDED && g_str_has_prefix(e->detail, "Post-mortem"))
		e->kind = EVENT_POSTMORTEM_REMINDED;
	e->field = event_field_parse(field);
	if (e->kind == EVENT_UPDATED && field == NULL)
		e->field = event_row_old_field(e->detail);
	return e;
}

GPtrArray *
store_events(struct store *s, gint64 incident_id, GError **err)
{
	struct store_stmt *st = store_prepare(s, store_sql_events, "i", incident_id);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the events");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		g_ptr_array_add(list, event_row(st));
	}
	return store_list_finish(s, st, rc, list, err, "cannot read the events");
}

GPtrArray *
store_events_each(struct store *s, GPtrArray *incidents, GError **err)
{
	GPtrArray *per = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);

	for (guint i = 0; i < incidents->len; i++) {
		GPtrArray *events =
		    store_events(s, ((struct incident *)incidents->pdata[i])->id, err);

		if (events == NULL) {
			g_ptr_array_unref(per);
			return NULL;
		}
		g_ptr_array_add(per, events);
	}
	return per;
}

/* --- the lists told of an incident, and who takes part --- */

int
store_incident_list_told(struct store *s, gint64 incident_id, const char *list, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO incident_lists (incident_id, list) VALUES (?, ?)"
	                  " ON CONFLICT DO NOTHING",
	                  "is", incident_id, list),
	    err, "cannot record the list told of the incident");
}

int
store_incident_list_was_told(struct store *s, gint64 incident_id, const char *list, GError **err)
{
	struct store_stmt *st =
	    store_prepare(s, "SELECT 1 FROM incident_lists WHERE incident_id = ? AND list = ?",
	                  "is", incident_id, list);
	int rc;

	if (st == NULL)
		return store_fail(s, err, "cannot read the lists told of the incident");
	rc = store_step(st);
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the lists told of the incident");
	return rc == STORE_ROW;
}

int
store_participant_add(struct store *s, gint64 incident_id, const char *address, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO participants (incident_id, address) VALUES (?, ?)"
	                  " ON CONFLICT DO NOTHING",
	                  "is", incident_id, address),
	    err, "cannot record a participant");
}

GPtrArray *
store_participants(struct store *s, gint64 incident_id, GError **err)
{
	return store_query_texts(
	    s,
	    store_prepare(s,
	                  "SELECT address FROM participants WHERE incident_id = ? ORDER BY rowid",
	                  "i", incident_id),
	    err, "cannot read the incident's participants");
}
