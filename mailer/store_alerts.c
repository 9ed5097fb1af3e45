/*
 * store_alerts: noise control in the store: every alert of an incident, what the storm
 * guard counts, merged incidents (their alerts and people, and where a reply to them goes),
 * and which participants were paged.
 */
#include "store_int.h"

/* --- the alerts of an incident --- */

int
store_incident_alert_add(struct store *s, gint64 incident_id, const struct incident_alert *a,
                         GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO incident_alerts (incident_id, fingerprint, source, title,"
	                  " state, first_at, last_at, count, told_at)"
	                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))"
	                  " ON CONFLICT (incident_id, fingerprint) DO UPDATE SET"
	                  " count = incident_alerts.count + 1, last_at = excluded.last_at,"
	                  " state = 'firing'",
	                  "issssiiii", incident_id, a->fingerprint, a->source, a->title,
	                  a->resolved ? "resolved" : "firing", a->first_at, a->last_at,
	                  (gint64)a->count, a->told_at),
	    err, "cannot store the alert of the incident");
}

int
store_incident_alert_seen(struct store *s, gint64 incident_id, const char *fingerprint,
                          gboolean resolved, gint64 now, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "UPDATE incident_alerts SET last_at = ?1,"
	                               " count = count + CASE WHEN ?2 != 0 THEN 0 ELSE 1 END,"
	                               " state = CASE WHEN ?2 != 0 THEN 'resolved' ELSE"
	                               " 'firing' END"
	                               " WHERE incident_id = ?3 AND fingerprint = ?4",
	                               "iiis", now, (gint64)resolved, incident_id, fingerprint),
	                 err, "cannot record the alert's mail");
}

static struct incident_alert *
alert_row(struct store_stmt *st)
{
	g_autofree char *fp = store_col_text(st, 0), *source = store_col_text(st, 1);
	g_autofree char *title = store_col_text(st, 2), *state = store_col_text(st, 3);
	struct incident_alert *a = incident_alert_new(fp, source, title, 0);

	a->resolved = g_strcmp0(state, "resolved") == 0;
	a->first_at = store_col_int64(st, 4);
	a->last_at = store_col_int64(st, 5);
	a->count = store_col_int(st, 6);
	a->told_at = store_col_int64(st, 7);
	return a;
}

GPtrArray *
store_incident_alerts(struct store *s, gint64 incident_id, GError **err)
{
	struct store_stmt *st = store_prepare(s,
	                                      "SELECT fingerprint, source, title, state, first_at,"
	                                      " last_at, count, told_at FROM incident_alerts"
	                                      " WHERE incident_id = ? ORDER BY first_at, rowid",
	                                      "i", incident_id);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the alerts of the incident");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)incident_alert_free);
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(list, alert_row(st));
	return store_list_finish(s, st, rc, list, err, "cannot read the alerts of the incident");
}

int
store_incident_alerts_told(struct store *s, gint64 incident_id, gint64 now, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "UPDATE incident_alerts SET told_at = ? WHERE"
	                               " incident_id = ? AND told_at IS NULL",
	                               "ii", now, incident_id),
	                 err, "cannot record the alerts told");
}

const char store_sql_incidents_untold[] =
    "SELECT DISTINCT a.incident_id FROM incident_alerts a JOIN incidents i"
    " ON i.id = a.incident_id WHERE a.told_at IS NULL"
    " AND i.status NOT IN ('resolved', 'closed') ORDER BY a.incident_id";

GArray *
store_incidents_untold(struct store *s, GError **err)
{
	g_autoptr(GPtrArray) ids =
	    store_query_texts(s, store_prepare(s, store_sql_incidents_untold, ""), err,
	                      "cannot read the incidents with alerts not told");
	GArray *out;

	if (ids == NULL)
		return NULL;
	out = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_ascii_strtoll(ids->pdata[i], NULL, 10);

		g_array_append_val(out, id);
	}
	return out;
}

const char store_sql_alert_incidents_since[] =
    "SELECT COUNT(*) FROM incidents WHERE created_at > ? AND fingerprint IS NOT NULL"
    " AND unverified = 0";

int
store_alert_incidents_since(struct store *s, gint64 since, GError **err)
{
	gint64 n = 0;

	if (store_query_int(s, store_prepare(s, store_sql_alert_incidents_since, "i", since), &n,
	                    err, "cannot count the incidents declared by alerts") < 0)
		return -1;
	return (int)MIN(n, G_MAXINT);
}

const char store_sql_open_by_source[] =
    "SELECT id, created_at FROM incidents WHERE source = ?"
    " AND status NOT IN ('resolved', 'closed') ORDER BY id DESC LIMIT 1";

gint64
store_incident_open_by_source(struct store *s, const char *source, gint64 *created_at, GError **err)
{
	struct store_stmt *st = store_prepare(s, store_sql_open_by_source, "s", source);
	gint64 id = 0;
	int rc;

	*created_at = 0;
	if (st == NULL)
		return store_fail(s, err, "cannot look up the open incident of a source");
	if ((rc = store_step(st)) == STORE_ROW) {
		id = store_col_int64(st, 0);
		*created_at = store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot look up the open incident of a source");
	return id;
}

/* --- merged incidents --- */

int
store_incident_alerts_copy(struct store *s, gint64 from, gint64 to, GError **err)
{
	/* an alert both hold stays one: its mails counted together, its state the latest */
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO incident_alerts (incident_id, fingerprint, source, title,"
	                  " state, first_at, last_at, count, told_at)"
	                  " SELECT ?1, fingerprint, source, title, state, first_at, last_at,"
	                  " count, told_at FROM incident_alerts WHERE incident_id = ?2 AND true"
	                  " ON CONFLICT (incident_id, fingerprint) DO UPDATE SET"
	                  " count = incident_alerts.count + excluded.count,"
	                  " first_at = CASE WHEN excluded.first_at < incident_alerts.first_at"
	                  " THEN excluded.first_at ELSE incident_alerts.first_at END,"
	                  " state = CASE WHEN excluded.last_at > incident_alerts.last_at THEN"
	                  " excluded.state ELSE incident_alerts.state END,"
	                  " last_at = CASE WHEN excluded.last_at > incident_alerts.last_at THEN"
	                  " excluded.last_at ELSE incident_alerts.last_at END",
	                  "ii", to, from),
	    err, "cannot link the alerts of the merged incident");
}

int
store_incident_people_copy(struct store *s, gint64 from, gint64 to, GError **err)
{
	if (store_run(s,
	              store_prepare(s,
	                            "INSERT INTO participants (incident_id, address)"
	                            " SELECT ?1, address FROM participants WHERE"
	                            " incident_id = ?2 ORDER BY rowid ON CONFLICT DO NOTHING",
	                            "ii", to, from),
	              err, "cannot add the people of the merged incident") != 0)
		return -1;
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO incident_lists (incident_id, list)"
	                               " SELECT ?1, list FROM incident_lists WHERE"
	                               " incident_id = ?2 ON CONFLICT DO NOTHING",
	                               "ii", to, from),
	                 err, "cannot add the lists told of the merged incident");
}

/* Merges never make a cycle (a merged incident is closed, and nothing merges into a closed
 * one); the bound only keeps a damaged database from looping. */
#define FOLLOW_MAX 64

gint64
store_incident_follow(struct store *s, gint64 id, GError **err)
{
	for (int i = 0; i < FOLLOW_MAX; i++) {
		gint64 next = 0;
		int rc = store_query_int(
		    s, store_prepare(s, "SELECT merged_into FROM incidents WHERE id = ?", "i", id),
		    &next, err, "cannot follow a merged incident");

		if (rc < 0)
			return -1;
		if (rc == 0 || next == 0)
			return id;
		id = next;
	}
	return id;
}

/* --- who was paged --- */

int
store_participant_paged(struct store *s, gint64 incident_id, const char *address, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO participants (incident_id, address, paged)"
	                               " VALUES (?, ?, 1) ON CONFLICT (incident_id, address)"
	                               " DO UPDATE SET paged = 1",
	                               "is", incident_id, address),
	                 err, "cannot record a participant");
}

GPtrArray *
store_participants_paged(struct store *s, gint64 incident_id, GError **err)
{
	return store_query_texts(s,
	                         store_prepare(s,
	                                       "SELECT address FROM participants WHERE"
	                                       " incident_id = ? AND paged != 0 ORDER BY rowid",
	                                       "i", incident_id),
	                         err, "cannot read who was paged");
}
