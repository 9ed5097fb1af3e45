/*
 * store_noise: noise control's tables: maintenance windows, the alert mails they held back,
 * and what is known of each heartbeat monitor; all read and written by the timers and the
 * intake inside their transactions.
 */
#include "store_int.h"

#include <string.h>

/* --- maintenance windows --- */

static const char window_columns[] =
    "id, match, starts_at, ends_at, COALESCE(ended_at, 0), reason, created_by";

static struct window *
window_from_row(struct store_stmt *st)
{
	struct window *w = g_new0(struct window, 1);

	w->id = store_col_int64(st, 0);
	w->match = store_col_text(st, 1);
	w->starts_at = store_col_int64(st, 2);
	w->ends_at = store_col_int64(st, 3);
	w->ended_at = store_col_int64(st, 4);
	w->reason = store_col_text(st, 5);
	w->by = store_col_text(st, 6);
	return w;
}

/* The windows a query with one time parameter (?1) selects after "WHERE". */
static GPtrArray *
windows_where(struct store *s, const char *where, gint64 t, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM maintenance WHERE %s", window_columns, where);
	struct store_stmt *st = store_prepare(s, sql, "i", t);
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)route_window_free);
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the maintenance windows");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(list, window_from_row(st));
	return store_list_finish(s, st, rc, list, err, "cannot read the maintenance windows");
}

/* Where a window stops holding, in SQL: route_window_end. */
#define WINDOW_END "CASE WHEN ended_at < ends_at THEN ended_at ELSE ends_at END"

int
store_window_add(struct store *s, struct window *w, gint64 now, GError **err)
{
	w->id = store_query_id(s,
	                       store_prepare(s,
	                                     "INSERT INTO maintenance (match, starts_at, ends_at,"
	                                     " reason, created_by, created_at)"
	                                     " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	                                     "siissi", w->match, w->starts_at, w->ends_at,
	                                     w->reason, w->by, now),
	                       err, "cannot store the maintenance window");
	return w->id < 0 ? -1 : 0;
}

GPtrArray *
store_windows(struct store *s, gint64 now, GError **err)
{
	return windows_where(s, WINDOW_END " > ?1 ORDER BY starts_at, id", now, err);
}

GPtrArray *
store_windows_to_release(struct store *s, gint64 now, GError **err)
{
	return windows_where(s, WINDOW_END " <= ?1 AND released_at IS NULL ORDER BY id", now, err);
}

int
store_window_get(struct store *s, gint64 id, struct window **out, GError **err)
{
	g_autoptr(GPtrArray) one = windows_where(s, "id = ?1", id, err);

	*out = NULL;
	if (one == NULL)
		return -1;
	if (one->len == 0)
		return 0;
	*out = g_ptr_array_steal_index(one, 0);
	return 1;
}

int
store_window_end(struct store *s, gint64 id, gint64 now, GError **err)
{
	return store_run(
	    s, store_prepare(s, "UPDATE maintenance SET ended_at = ? WHERE id = ?", "ii", now, id),
	    err, "cannot end the maintenance window");
}

int
store_window_released(struct store *s, gint64 id, gint64 now, GError **err)
{
	if (store_run(s,
	              store_prepare(s,
	                            "UPDATE maintenance SET released_at = ? WHERE id = ?"
	                            " AND released_at IS NULL",
	                            "ii", now, id),
	              err, "cannot record the end of the maintenance window") != 0)
		return -1;
	return store_changes(s) > 0;
}

/* --- what the windows held back --- */

void
suppressed_free(struct suppressed *r)
{
	if (r == NULL)
		return;
	g_free(r->message_id);
	g_free(r->sender);
	g_free(r->subject);
	g_free(r->source);
	g_free(r->fingerprint);
	g_free(r->title);
	g_free(r->severity_label);
	g_free(r->details);
	g_free(r->labels);
	g_free(r);
}

int
store_suppressed_add(struct store *s, const struct suppressed *r, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO suppressed (window_id, at, message_id, sender, subject,"
	                  " source, fingerprint, state, title, severity_label, details, labels,"
	                  " verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                  "iissssssssssi", r->window_id, r->at, r->message_id, r->sender,
	                  r->subject, r->source, r->fingerprint, alert_state_name(r->state),
	                  r->title, r->severity_label, r->details, r->labels, (gint64)r->verified),
	    err, "cannot record the alert the maintenance window held back");
}

static struct suppressed *
suppressed_from_row(struct store_stmt *st)
{
	struct suppressed *r = g_new0(struct suppressed, 1);
	g_autofree char *state = NULL;

	r->window_id = store_col_int64(st, 0);
	r->at = store_col_int64(st, 1);
	r->message_id = store_col_text(st, 2);
	r->sender = store_col_text(st, 3);
	r->subject = store_col_text(st, 4);
	r->source = store_col_text(st, 5);
	r->fingerprint = store_col_text(st, 6);
	state = store_col_text(st, 7);
	r->state = g_strcmp0(state, "firing") == 0 ? ALERT_FIRING : ALERT_RESOLVED;
	r->title = store_col_text(st, 8);
	r->severity_label = store_col_text(st, 9);
	r->details = store_col_text(st, 10);
	r->labels = store_col_text(st, 11);
	r->verified = store_col_int(st, 12) != 0;
	r->first_at = store_col_int64(st, 13);
	return r;
}

GPtrArray *
store_suppressed_last(struct store *s, gint64 window_id, GError **err)
{
	struct store_stmt *st = store_prepare(
	    s,
	    "SELECT window_id, at, message_id, sender, subject, source, fingerprint, state,"
	    " title, severity_label, details, labels, verified,"
	    " (SELECT MIN(f.at) FROM suppressed f WHERE f.window_id = r.window_id"
	    "  AND f.fingerprint = r.fingerprint)"
	    " FROM suppressed r WHERE r.window_id = ?1 AND r.id = (SELECT MAX(l.id)"
	    " FROM suppressed l WHERE l.window_id = r.window_id AND l.fingerprint = r.fingerprint)"
	    " ORDER BY r.id",
	    "i", window_id);
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)suppressed_free);
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read what the maintenance window held back");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(list, suppressed_from_row(st));
	return store_list_finish(s, st, rc, list, err,
	                         "cannot read what the maintenance window held back");
}

int
store_suppressed_move(struct store *s, gint64 from, gint64 to, const char *fingerprint,
                      GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "UPDATE suppressed SET window_id = ? WHERE window_id = ?"
	                               " AND fingerprint = ?",
	                               "iis", to, from, fingerprint),
	                 err, "cannot hand the alert to the next maintenance window");
}

/* --- heartbeat monitors --- */

int
store_heartbeat_get(struct store *s, const char *name, struct heartbeat_seen *out, GError **err)
{
	struct store_stmt *st = store_prepare(s,
	                                      "SELECT first_seen, COALESCE(last_seen, 0),"
	                                      " COALESCE(declared_for, 0) FROM heartbeats"
	                                      " WHERE name = ?",
	                                      "s", name);
	int rc;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return store_fail(s, err, "cannot read the heartbeats");
	rc = store_step(st);
	if (rc == STORE_ROW) {
		out->first_seen = store_col_int64(st, 0);
		out->last_seen = store_col_int64(st, 1);
		out->declared_for = store_col_int64(st, 2);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the heartbeats");
	return rc == STORE_ROW;
}

int
store_heartbeat_first(struct store *s, const char *name, gint64 now, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO heartbeats (name, first_seen)"
	                               " VALUES (?, ?) ON CONFLICT DO NOTHING",
	                               "si", name, now),
	                 err, "cannot store the heartbeat");
}

int
store_heartbeat_beat(struct store *s, const char *name, gint64 now, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO heartbeats (name, first_seen, last_seen)"
	                               " VALUES (?1, ?2, ?2) ON CONFLICT (name) DO UPDATE SET"
	                               " last_seen = CASE WHEN heartbeats.last_seen > ?2 THEN"
	                               " heartbeats.last_seen ELSE ?2 END",
	                               "si", name, now),
	                 err, "cannot store the heartbeat");
}

int
store_heartbeat_declared(struct store *s, const char *name, gint64 since, GError **err)
{
	return store_run(s,
	                 store_prepare(s, "UPDATE heartbeats SET declared_for = ? WHERE name = ?",
	                               "is", since, name),
	                 err, "cannot store the heartbeat");
}
