/*
 * store_incidents: the incidents and their action items, their timeline of events, who
 * takes part in them and which lists were told of them.
 */
#include "store_int.h"

/* --- incidents --- */

static const char incident_columns[] =
    "id, title, severity, status, commander, acked_by, created_at, acked_at, resolved_at,"
    " impact, next_steps, root_cause, fingerprint, source, details, thread_id, unverified,"
    " latest_update, snooze_until, team, ladder_at, group_key, merged_into";

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
	items =
	    store_query_texts(s,
	                      store_prepare(s,
	                                    "SELECT text FROM action_items WHERE incident_id = ?"
	                                    " ORDER BY position",
	                                    "i", inc->id),
	                      err, "cannot read the action items");
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
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM incidents WHERE id = ?", incident_columns);
	struct store_stmt *st = store_prepare(s, sql, "i", id);
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

gint64
store_incident_open_by_fingerprint(struct store *s, const char *fingerprint, GError **err)
{
	/* the incident the alert declared, joined, or was merged into */
	return store_query_id(
	    s,
	    store_prepare(s,
	                  "SELECT i.id FROM incident_alerts a JOIN incidents i"
	                  " ON i.id = a.incident_id WHERE a.fingerprint = ? AND i.status NOT IN"
	                  " ('resolved', 'closed') ORDER BY i.id DESC LIMIT 1",
	                  "s", fingerprint),
	    err, "cannot look up the open incident of an alert");
}

gint64
store_incident_by_message_id(struct store *s, const char *message_id, GError **err)
{
	return store_query_id(
	    s,
	    store_prepare(s,
	                  "SELECT incident_id FROM outbox WHERE message_id = ?1"
	                  " AND incident_id IS NOT NULL UNION ALL"
	                  " SELECT incident_id FROM messages WHERE message_id = ?1"
	                  " AND incident_id IS NOT NULL LIMIT 1",
	                  "s", message_id),
	    err, "cannot look up the incident of a Message-ID");
}

GPtrArray *
store_incident_list(struct store *s, gboolean all, GError **err)
{
	g_autofree char *sql = g_strdup_printf(
	    "SELECT %s FROM incidents WHERE ? != 0 OR status NOT IN ('resolved', 'closed')"
	    " ORDER BY id DESC",
	    incident_columns);
	struct store_stmt *st = store_prepare(s, sql, "i", (gint64)all);
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
	struct store_stmt *st =
	    store_prepare(s,
	                  "SELECT at, actor, kind, detail, field FROM events WHERE incident_id = ?"
	                  " ORDER BY at, id",
	                  "i", incident_id);
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
