/*
 * store: the SQLite file. Numbered migrations (PRAGMA user_version), WAL, a busy timeout,
 * BEGIN IMMEDIATE transactions, the statement helpers the other store files share, and the
 * inbound messages, quarantine and mailbox checkpoints.
 */
#include "store_int.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(sevmail_store_error, store_error)

/* Each entry is one schema version; never edit a released entry, append a new one. */
static const char *const migrations[] = {
    /* 1: the walking skeleton */
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY, message_id TEXT, hash TEXT NOT NULL UNIQUE,"
    "  mailbox TEXT NOT NULL, uid INTEGER NOT NULL, received_at INTEGER NOT NULL,"
    "  route TEXT NOT NULL DEFAULT 'other', reason TEXT NOT NULL DEFAULT '',"
    "  incident_id INTEGER REFERENCES incidents(id), raw BLOB NOT NULL);"
    "CREATE INDEX messages_message_id ON messages(message_id);"
    "CREATE TABLE checkpoints (mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,"
    "  last_uid INTEGER NOT NULL);"
    "CREATE TABLE incidents ("
    "  id INTEGER PRIMARY KEY, title TEXT NOT NULL, severity INTEGER, status TEXT NOT NULL,"
    "  commander TEXT, acked_by TEXT, created_at INTEGER NOT NULL, acked_at INTEGER,"
    "  resolved_at INTEGER, impact TEXT, next_steps TEXT, root_cause TEXT,"
    "  fingerprint TEXT, source TEXT NOT NULL, details TEXT, thread_id TEXT);"
    "CREATE INDEX incidents_fingerprint ON incidents(fingerprint);"
    "CREATE TABLE action_items (incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  position INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (incident_id, position));"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  at INTEGER NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,"
    "  message_id TEXT);"
    "CREATE INDEX events_incident ON events(incident_id);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, incident_id INTEGER,"
    "  message_id TEXT NOT NULL UNIQUE, sender TEXT NOT NULL, raw BLOB NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt INTEGER NOT NULL, created_at INTEGER NOT NULL, last_error TEXT);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt);"
    "CREATE TABLE outbox_rcpts (outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
    "  address TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'queued', last_error TEXT,"
    "  PRIMARY KEY (outbox_id, address));"
    "CREATE TABLE subscriptions (list TEXT NOT NULL, address TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL, PRIMARY KEY (list, address));",
    /* 2: subscriptions by mail, and who takes part in an incident */
    "CREATE TABLE list_tokens (token TEXT PRIMARY KEY, list TEXT NOT NULL,"
    "  address TEXT NOT NULL, action TEXT NOT NULL, created_at INTEGER NOT NULL,"
    "  used_at INTEGER);"
    "CREATE TABLE participants (incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  address TEXT NOT NULL, PRIMARY KEY (incident_id, address));",
    /* 3: unverified alerts, Message-ID reuse told by content, quarantined messages */
    "ALTER TABLE incidents ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE messages ADD COLUMN content_hash TEXT;"
    "CREATE TABLE quarantine (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL,"
    "  message_id TEXT, hash TEXT NOT NULL, mailbox TEXT NOT NULL, uid INTEGER NOT NULL,"
    "  error TEXT NOT NULL, tries INTEGER NOT NULL, raw BLOB NOT NULL);"
    /* the latest UPDATE for the stakeholders, snoozes, and the lists told of an incident */
    "ALTER TABLE incidents ADD COLUMN latest_update TEXT;"
    "ALTER TABLE incidents ADD COLUMN snooze_until INTEGER;"
    "CREATE TABLE incident_lists (incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  list TEXT NOT NULL, PRIMARY KEY (incident_id, list));"
    /* which field an "updated" event changed */
    "ALTER TABLE events ADD COLUMN field TEXT;",
    /* 4: teams (the incident's team, when its escalation ladder started) and handoff
     * notices, one per schedule and shift start */
    "ALTER TABLE incidents ADD COLUMN team TEXT;"
    "ALTER TABLE incidents ADD COLUMN ladder_at INTEGER;"
    "UPDATE incidents SET ladder_at = created_at;"
    "CREATE TABLE handoffs (schedule TEXT NOT NULL, since INTEGER NOT NULL,"
    "  person TEXT NOT NULL, noticed_at INTEGER NOT NULL, sent INTEGER NOT NULL,"
    "  PRIMARY KEY (schedule, since, person));",
    /* 5: schedule overrides; removed ones are kept, so ids only grow (the higher wins) */
    "CREATE TABLE overrides (id INTEGER PRIMARY KEY, schedule TEXT NOT NULL,"
    "  person TEXT NOT NULL, from_at INTEGER NOT NULL, until_at INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, removed_at INTEGER);"
    "CREATE INDEX overrides_until ON overrides(until_at);",
    /* 6: bounces: when a recipient's mail came back, and the subscribers suspended for it */
    "ALTER TABLE outbox_rcpts ADD COLUMN bounced_at INTEGER;"
    "CREATE INDEX outbox_rcpts_bounced ON outbox_rcpts(address, bounced_at)"
    "  WHERE state = 'bounced';"
    "ALTER TABLE subscriptions ADD COLUMN suspended_at INTEGER;"
    "ALTER TABLE subscriptions ADD COLUMN suspended_reason TEXT;",
    /* 7: noise control: every alert of an incident (those before: the one that declared
     * it, counted from its events), the alert group an incident takes, MERGE, and which
     * participants were paged (those before: the ones a page or escalation event names) */
    "CREATE TABLE incident_alerts (incident_id INTEGER NOT NULL REFERENCES incidents(id),"
    "  fingerprint TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,"
    "  state TEXT NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL,"
    "  count INTEGER NOT NULL, told_at INTEGER, PRIMARY KEY (incident_id, fingerprint));"
    "CREATE INDEX incident_alerts_fingerprint ON incident_alerts(fingerprint);"
    "CREATE INDEX incident_alerts_untold ON incident_alerts(incident_id)"
    "  WHERE told_at IS NULL;"
    "CREATE INDEX incidents_created ON incidents(created_at);"
    "INSERT INTO incident_alerts SELECT i.id, i.fingerprint, i.source, i.title,"
    "  CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.incident_id = i.id"
    "   AND e.kind = 'alert_resolved') THEN 'resolved' ELSE 'firing' END, i.created_at,"
    "  COALESCE((SELECT MAX(e.at) FROM events e WHERE e.incident_id = i.id"
    "   AND e.kind = 'alert_repeat'), i.created_at),"
    "  1 + (SELECT COUNT(*) FROM events e WHERE e.incident_id = i.id"
    "   AND e.kind = 'alert_repeat'), i.created_at"
    "  FROM incidents i WHERE i.fingerprint IS NOT NULL;"
    "ALTER TABLE incidents ADD COLUMN group_key TEXT;"
    "ALTER TABLE incidents ADD COLUMN merged_into INTEGER REFERENCES incidents(id);"
    "ALTER TABLE participants ADD COLUMN paged INTEGER NOT NULL DEFAULT 0;"
    "UPDATE participants SET paged = 1 WHERE EXISTS (SELECT 1 FROM events e"
    "  WHERE e.incident_id = participants.incident_id AND e.kind IN ('paged', 'escalated')"
    "  AND instr(e.detail, participants.address) > 0);",
    /* 8: noise control: maintenance windows, the alerts they held back (the last mail of
     * an identity decides whether it declares when the window ends), heartbeat monitors */
    "CREATE TABLE maintenance (id INTEGER PRIMARY KEY, match TEXT NOT NULL,"
    "  starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, reason TEXT,"
    "  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, ended_at INTEGER,"
    "  released_at INTEGER);"
    "CREATE TABLE suppressed (id INTEGER PRIMARY KEY,"
    "  window_id INTEGER NOT NULL REFERENCES maintenance(id), at INTEGER NOT NULL,"
    "  message_id TEXT, sender TEXT, subject TEXT, source TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL,"
    "  severity_label TEXT, details TEXT, labels TEXT, verified INTEGER NOT NULL);"
    "CREATE INDEX suppressed_window ON suppressed(window_id, fingerprint);"
    "CREATE TABLE heartbeats (name TEXT PRIMARY KEY, first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER, declared_for INTEGER);",
};

int
store_fail(struct store *s, GError **err, const char *what)
{
	int sys = sqlite3_system_errno(s->db);

	g_autofree char *msg = g_strdup_printf(
	    "database: %s: %s%s%s%s", what, sqlite3_errmsg(s->db), sys != 0 ? " (" : "",
	    sys != 0 ? g_strerror(sys) : "", sys != 0 ? ")" : "");
	int code = sqlite3_extended_errcode(s->db);

	/* "disk I/O error" alone does not tell an operator that the disk is full */
	g_set_error_literal(err, STORE_ERROR, code, msg);
	if (s->failed == NULL && !sqlite3_get_autocommit(s->db)) {
		s->failed = g_steal_pointer(&msg);
		s->failed_code = code;
	}
	return -1;
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		g_warning("database: cannot prepare \"%s\": %s", sql, sqlite3_errmsg(s->db));
		return NULL;
	}
	va_start(ap, types);
	for (int i = 1; types[i - 1] != '\0' && rc == SQLITE_OK; i++) {
		if (types[i - 1] == 's') {
			rc = sqlite3_bind_text(st, i, va_arg(ap, const char *), -1,
			                       SQLITE_TRANSIENT);
		} else if (types[i - 1] == 'i') {
			rc = sqlite3_bind_int64(st, i, va_arg(ap, gint64));
		} else {
			const void *p = va_arg(ap, const void *);
			gsize n = va_arg(ap, gsize);

			rc = sqlite3_bind_blob64(st, i, p, n, SQLITE_TRANSIENT);
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int
store_run(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	int rc;

	if (st == NULL)
		return store_fail(s, err, what);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, what);
	return 0;
}

char *
store_column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

int
store_query_int(struct store *s, sqlite3_stmt *st, gint64 *v, GError **err, const char *what)
{
	int rc;

	*v = 0;
	if (st == NULL)
		return store_fail(s, err, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, what);
	return rc == SQLITE_ROW;
}

GPtrArray *
store_query_texts(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	GPtrArray *out;
	int rc;

	if (st == NULL) {
		store_fail(s, err, what);
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(g_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(out, store_column_text(st, 0));
	return store_list_finish(s, st, rc, out, err, what);
}

gint64
store_query_id(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	gint64 id;

	return store_query_int(s, st, &id, err, what) < 0 ? -1 : id;
}

static int
migrate(struct store *s, GError **err)
{
	gint64 v;
	int version;

	if (store_query_int(s, store_prepare(s, "PRAGMA user_version", ""), &v, err,
	                    "cannot read the schema version") < 0)
		return -1;
	version = (int)v;
	if (version > (int)G_N_ELEMENTS(migrations)) {
		g_set_error(err, STORE_ERROR, 0,
		            "database: schema version %d is newer than this sevmail knows (%d); "
		            "use a newer sevmail",
		            version, (int)G_N_ELEMENTS(migrations));
		return -1;
	}
	for (int i = version; i < (int)G_N_ELEMENTS(migrations); i++) {
		g_autofree char *bump = g_strdup_printf("PRAGMA user_version = %d", i + 1);

		if (store_begin(s, err) != 0)
			return -1;
		if (sqlite3_exec(s->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, bump, NULL, NULL, NULL) != SQLITE_OK) {
			store_fail(s, err, "migration failed");
			store_rollback(s);
			return -1;
		}
		if (store_commit(s, err) != 0)
			return -1;
	}
	return 0;
}

struct store *
store_open(const char *path, int busy_timeout, GError **err)
{
	struct store *s = g_new0(struct store, 1);
	static const char *const pragmas =
	    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

	/* a new database is the owner's alone (it holds mail and addresses); SQLite gives its
	 * -wal and -shm files the same mode */
	if (*path != ':' && !g_file_test(path, G_FILE_TEST_EXISTS)) {
		int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		g_set_error(err, STORE_ERROR, 0, "cannot open database %s: %s", path,
		            s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, busy_timeout * 1000);
	if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(s, err, "cannot use it");
		g_prefix_error(err, "%s: ", path);
		store_close(s);
		return NULL;
	}
	if (migrate(s, err) != 0) {
		g_prefix_error(err, "%s: ", path);
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	g_free(s->failed);
	g_free(s);
}

int
store_begin(struct store *s, GError **err)
{
	g_clear_pointer(&s->failed, g_free);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, "cannot start a transaction");
	return 0;
}

int
store_commit(struct store *s, GError **err)
{
	if (s->failed != NULL) {
		g_set_error(err, STORE_ERROR, s->failed_code,
		            "%s; nothing of this transaction was committed", s->failed);
		store_rollback(s);
		return -1;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(s, err, "cannot commit");
		store_rollback(s);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	g_clear_pointer(&s->failed, g_free);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

GPtrArray *
store_list_finish(struct store *s, sqlite3_stmt *st, int rc, GPtrArray *list, GError **err,
                  const char *what)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return list;
	if (rc != SQLITE_ROW)
		store_fail(s, err, what);
	g_ptr_array_unref(list);
	return NULL;
}

/* --- inbound messages --- */

int
store_message_known(struct store *s, const char *message_id, const char *hash,
                    const char *content_hash, GError **err)
{
	/* the same bytes; else the same Message-ID with the same content (a row stored
	 * before contents were compared counts as the same) */
	sqlite3_stmt *st =
	    store_prepare(s,
	                  "SELECT hash = ?1, content_hash IS NULL OR content_hash = ?3"
	                  " FROM messages WHERE hash = ?1 OR"
	                  " (?2 IS NOT NULL AND message_id = ?2)",
	                  "sss", hash, message_id, content_hash);
	int known = STORE_MESSAGE_NEW, rc;

	if (st == NULL)
		return store_fail(s, err, "cannot look up the message");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && known != STORE_MESSAGE_KNOWN)
		known = sqlite3_column_int(st, 0) || sqlite3_column_int(st, 1)
		            ? STORE_MESSAGE_KNOWN
		            : STORE_MESSAGE_REUSED_ID;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot look up the message");
	return known;
}

gint64
store_message_add(struct store *s, const struct stored_message *m, GError **err)
{
	sqlite3_stmt *st =
	    store_prepare(s,
	                  "INSERT INTO messages (message_id, hash, content_hash, mailbox,"
	                  " uid, received_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                  "ssssiib", m->message_id, m->hash, m->content_hash, m->mailbox,
	                  (gint64)m->uid, m->received_at, (const void *)m->raw, m->len);

	if (store_run(s, st, err, "cannot store the message") != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int
store_message_outcome(struct store *s, gint64 id, const char *route, const char *reason,
                      gint64 incident_id, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "UPDATE messages SET route = ?, reason = ?, incident_id = NULLIF(?, 0)"
	                  " WHERE id = ?",
	                  "ssii", route, reason, incident_id, id),
	    err, "cannot record the message's outcome");
}

gboolean
store_error_transient(const GError *err)
{
	int primary = err != NULL && err->domain == STORE_ERROR ? err->code & 0xff : -1;

	return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
	       primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_NOMEM ||
	       primary == SQLITE_CANTOPEN || primary == SQLITE_PROTOCOL;
}

/* --- quarantine --- */

void
quarantined_free(struct quarantined *q)
{
	if (q == NULL)
		return;
	g_free(q->message_id);
	g_free(q->mailbox);
	g_free(q->error);
	if (q->raw != NULL)
		g_bytes_unref(q->raw);
	g_free(q);
}

int
store_quarantine_add(struct store *s, const struct stored_message *m, const char *error, int tries,
                     GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO quarantine (received_at, message_id, hash, mailbox, uid,"
	                  " error, tries, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                  "isssisib", m->received_at, m->message_id, m->hash, m->mailbox,
	                  (gint64)m->uid, error, (gint64)tries, (const void *)m->raw, m->len),
	    err, "cannot quarantine the message");
}

static const char quarantine_columns[] = "id, received_at, message_id, mailbox, uid, error, tries";

static struct quarantined *
quarantined_from_row(sqlite3_stmt *st)
{
	struct quarantined *q = g_new0(struct quarantined, 1);

	q->id = sqlite3_column_int64(st, 0);
	q->received_at = sqlite3_column_int64(st, 1);
	q->message_id = store_column_text(st, 2);
	q->mailbox = store_column_text(st, 3);
	q->uid = (guint32)sqlite3_column_int64(st, 4);
	q->error = store_column_text(st, 5);
	q->tries = sqlite3_column_int(st, 6);
	return q;
}

GPtrArray *
store_quarantine_list(struct store *s, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM quarantine ORDER BY id", quarantine_columns);
	sqlite3_stmt *st = store_prepare(s, sql, "");
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)quarantined_free);
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the quarantine");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, quarantined_from_row(st));
	return store_list_finish(s, st, rc, list, err, "cannot read the quarantine");
}

int
store_quarantine_get(struct store *s, gint64 id, struct quarantined **out, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s, raw FROM quarantine WHERE id = ?", quarantine_columns);
	sqlite3_stmt *st = store_prepare(s, sql, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return store_fail(s, err, "cannot read the quarantine");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = quarantined_from_row(st);
		(*out)->raw =
		    g_bytes_new(sqlite3_column_blob(st, 7), (gsize)sqlite3_column_bytes(st, 7));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the quarantine");
	return *out != NULL;
}

int
store_quarantine_remove(struct store *s, gint64 id, GError **err)
{
	return store_run(s, store_prepare(s, "DELETE FROM quarantine WHERE id = ?", "i", id), err,
	                 "cannot remove the message from the quarantine");
}

/* --- checkpoints --- */

int
store_checkpoint_get(struct store *s, const char *mailbox, guint32 *uidvalidity, guint32 *last_uid,
                     GError **err)
{
	sqlite3_stmt *st = store_prepare(
	    s, "SELECT uidvalidity, last_uid FROM checkpoints WHERE mailbox = ?", "s", mailbox);
	int rc;

	if (st == NULL)
		return store_fail(s, err, "cannot read the mailbox checkpoint");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (guint32)sqlite3_column_int64(st, 0);
		*last_uid = (guint32)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the mailbox checkpoint");
	return rc == SQLITE_ROW;
}

int
store_checkpoint_set(struct store *s, const char *mailbox, guint32 uidvalidity, guint32 last_uid,
                     GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO checkpoints (mailbox, uidvalidity, last_uid)"
	                               " VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE SET"
	                               " uidvalidity = ?2, last_uid = ?3",
	                               "sii", mailbox, (gint64)uidvalidity, (gint64)last_uid),
	                 err, "cannot store the mailbox checkpoint");
}
