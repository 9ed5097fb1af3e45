/*
 * store: the SQLite file. Numbered migrations (PRAGMA user_version), WAL, a busy timeout,
 * BEGIN IMMEDIATE transactions, and every statement of the program with bound parameters.
 */
#include "store.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	/* The first failure inside the open transaction (fdm's one error rule): a caller that
	 * ignored it cannot commit the rest as if it had not happened. */
	char *failed;
	int failed_code;
};

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
    "  list TEXT NOT NULL, PRIMARY KEY (incident_id, list));",
};

static int
fail(struct store *s, GError **err, const char *what)
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

/* Prepares sql and binds the arguments described by types: 's' text (NULL allowed),
 * 'i' gint64, 'b' blob (pointer then gsize). NULL on error. */
static sqlite3_stmt *
prepare(struct store *s, const char *sql, const char *types, ...)
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

/* Runs a statement that returns no rows; finalizes it. */
static int
run(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	int rc;

	if (st == NULL)
		return fail(s, err, what);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, err, what);
	return 0;
}

static char *
column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

/* Runs a statement for its first row's first column; finalizes it. 1 and *v when there is
 * a row (a NULL reads as 0), 0 when there is none, -1 + err when the query fails: a failed
 * read is never "none". */
static int
query_int(struct store *s, sqlite3_stmt *st, gint64 *v, GError **err, const char *what)
{
	int rc;

	*v = 0;
	if (st == NULL)
		return fail(s, err, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, what);
	return rc == SQLITE_ROW;
}

/* The first column of every row as char *; finalizes st. NULL + err on failure. */
static GPtrArray *
query_texts(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	GPtrArray *out;
	int rc;

	if (st == NULL) {
		fail(s, err, what);
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(g_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(out, column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(s, err, what);
		g_ptr_array_unref(out);
		return NULL;
	}
	return out;
}

static int
migrate(struct store *s, GError **err)
{
	gint64 v;
	int version;

	if (query_int(s, prepare(s, "PRAGMA user_version", ""), &v, err,
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
			fail(s, err, "migration failed");
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
		fail(s, err, "cannot use it");
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
		return fail(s, err, "cannot start a transaction");
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
		fail(s, err, "cannot commit");
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

/* --- inbound messages --- */

int
store_message_known(struct store *s, const char *message_id, const char *hash,
                    const char *content_hash, GError **err)
{
	/* the same bytes; else the same Message-ID with the same content (a row stored
	 * before contents were compared counts as the same) */
	sqlite3_stmt *st = prepare(s,
	                           "SELECT hash = ?1, content_hash IS NULL OR content_hash = ?3"
	                           " FROM messages WHERE hash = ?1 OR"
	                           " (?2 IS NOT NULL AND message_id = ?2)",
	                           "sss", hash, message_id, content_hash);
	int known = STORE_MESSAGE_NEW, rc;

	if (st == NULL)
		return fail(s, err, "cannot look up the message");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && known != STORE_MESSAGE_KNOWN)
		known = sqlite3_column_int(st, 0) || sqlite3_column_int(st, 1)
		            ? STORE_MESSAGE_KNOWN
		            : STORE_MESSAGE_REUSED_ID;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot look up the message");
	return known;
}

gint64
store_message_add(struct store *s, const struct stored_message *m, GError **err)
{
	sqlite3_stmt *st = prepare(s,
	                           "INSERT INTO messages (message_id, hash, content_hash, mailbox,"
	                           " uid, received_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                           "ssssiib", m->message_id, m->hash, m->content_hash, m->mailbox,
	                           (gint64)m->uid, m->received_at, (const void *)m->raw, m->len);

	if (run(s, st, err, "cannot store the message") != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int
store_message_outcome(struct store *s, gint64 id, const char *route, const char *reason,
                      gint64 incident_id, GError **err)
{
	return run(s,
	           prepare(s,
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
	return run(s,
	           prepare(s,
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
	q->message_id = column_text(st, 2);
	q->mailbox = column_text(st, 3);
	q->uid = (guint32)sqlite3_column_int64(st, 4);
	q->error = column_text(st, 5);
	q->tries = sqlite3_column_int(st, 6);
	return q;
}

GPtrArray *
store_quarantine_list(struct store *s, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM quarantine ORDER BY id", quarantine_columns);
	sqlite3_stmt *st = prepare(s, sql, "");
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)quarantined_free);
	int rc;

	if (st == NULL) {
		fail(s, err, "cannot read the quarantine");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, quarantined_from_row(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(s, err, "cannot read the quarantine");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

int
store_quarantine_get(struct store *s, gint64 id, struct quarantined **out, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s, raw FROM quarantine WHERE id = ?", quarantine_columns);
	sqlite3_stmt *st = prepare(s, sql, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return fail(s, err, "cannot read the quarantine");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = quarantined_from_row(st);
		(*out)->raw =
		    g_bytes_new(sqlite3_column_blob(st, 7), (gsize)sqlite3_column_bytes(st, 7));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot read the quarantine");
	return *out != NULL;
}

int
store_quarantine_remove(struct store *s, gint64 id, GError **err)
{
	return run(s, prepare(s, "DELETE FROM quarantine WHERE id = ?", "i", id), err,
	           "cannot remove the message from the quarantine");
}

int
store_incident_list_told(struct store *s, gint64 incident_id, const char *list, GError **err)
{
	return run(s,
	           prepare(s,
	                   "INSERT INTO incident_lists (incident_id, list) VALUES (?, ?)"
	                   " ON CONFLICT DO NOTHING",
	                   "is", incident_id, list),
	           err, "cannot record the list told of the incident");
}

int
store_incident_list_was_told(struct store *s, gint64 incident_id, const char *list, GError **err)
{
	sqlite3_stmt *st =
	    prepare(s, "SELECT 1 FROM incident_lists WHERE incident_id = ? AND list = ?", "is",
	            incident_id, list);
	int rc;

	if (st == NULL)
		return fail(s, err, "cannot read the lists told of the incident");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot read the lists told of the incident");
	return rc == SQLITE_ROW;
}

/* --- checkpoints --- */

int
store_checkpoint_get(struct store *s, const char *mailbox, guint32 *uidvalidity, guint32 *last_uid,
                     GError **err)
{
	sqlite3_stmt *st = prepare(
	    s, "SELECT uidvalidity, last_uid FROM checkpoints WHERE mailbox = ?", "s", mailbox);
	int rc;

	if (st == NULL)
		return fail(s, err, "cannot read the mailbox checkpoint");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (guint32)sqlite3_column_int64(st, 0);
		*last_uid = (guint32)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot read the mailbox checkpoint");
	return rc == SQLITE_ROW;
}

int
store_checkpoint_set(struct store *s, const char *mailbox, guint32 uidvalidity, guint32 last_uid,
                     GError **err)
{
	return run(s,
	           prepare(s,
	                   "INSERT INTO checkpoints (mailbox, uidvalidity, last_uid)"
	                   " VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE SET"
	                   " uidvalidity = ?2, last_uid = ?3",
	                   "sii", mailbox, (gint64)uidvalidity, (gint64)last_uid),
	           err, "cannot store the mailbox checkpoint");
}

/* --- incidents --- */

static const char incident_columns[] =
    "id, title, severity, status, commander, acked_by, created_at, acked_at, resolved_at,"
    " impact, next_steps, root_cause, fingerprint, source, details, thread_id, unverified,"
    " latest_update, snooze_until";

/* NULL + err when its action items cannot be read. */
static struct incident *
incident_from_row(struct store *s, sqlite3_stmt *st, GError **err)
{
	struct incident *inc = incident_new(NULL, NULL, 0);
	g_autofree char *status = column_text(st, 3);
	GPtrArray *items;

	inc->id = sqlite3_column_int64(st, 0);
	inc->title = column_text(st, 1);
	inc->severity = sqlite3_column_int(st, 2);
	if (!incident_status_parse(status, &inc->status))
		inc->status = STATUS_TRIGGERED;
	inc->commander = column_text(st, 4);
	inc->acked_by = column_text(st, 5);
	inc->created_at = sqlite3_column_int64(st, 6);
	inc->acked_at = sqlite3_column_int64(st, 7);
	inc->resolved_at = sqlite3_column_int64(st, 8);
	inc->impact = column_text(st, 9);
	inc->next_steps = column_text(st, 10);
	inc->root_cause = column_text(st, 11);
	inc->fingerprint = column_text(st, 12);
	inc->source = column_text(st, 13);
	inc->details = column_text(st, 14);
	inc->thread_id = column_text(st, 15);
	inc->unverified = sqlite3_column_int(st, 16) != 0;
	inc->latest_update = column_text(st, 17);
	inc->snooze_until = sqlite3_column_int64(st, 18);
	items = query_texts(s,
	                    prepare(s,
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
	if (run(s, prepare(s, "DELETE FROM action_items WHERE incident_id = ?", "i", inc->id), err,
	        "cannot store action items") != 0)
		return -1;
	for (guint i = 0; i < inc->action_items->len; i++) {
		if (run(s,
		        prepare(s,
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
	if (run(s,
	        prepare(
	            s,
	            "INSERT INTO incidents (title, status, created_at, source) VALUES (?, ?, ?, ?)",
	            "ssis", inc->title, incident_status_name(inc->status), inc->created_at,
	            inc->source),
	        err, "cannot store the incident") != 0)
		return -1;
	inc->id = sqlite3_last_insert_rowid(s->db);
	return store_incident_update(s, inc, err);
}

int
store_incident_update(struct store *s, const struct incident *inc, GError **err)
{
	sqlite3_stmt *st = prepare(
	    s,
	    "UPDATE incidents SET title = ?, severity = NULLIF(?, 0), status = ?, commander = ?,"
	    " acked_by = ?, acked_at = NULLIF(?, 0), resolved_at = NULLIF(?, 0), impact = ?,"
	    " next_steps = ?, root_cause = ?, fingerprint = ?, source = ?, details = ?,"
	    " thread_id = ?, unverified = ?, latest_update = ?, snooze_until = NULLIF(?, 0)"
	    " WHERE id = ?",
	    "sisssiisssssssisii", inc->title, (gint64)inc->severity,
	    incident_status_name(inc->status), inc->commander, inc->acked_by, inc->acked_at,
	    inc->resolved_at, inc->impact, inc->next_steps, inc->root_cause, inc->fingerprint,
	    inc->source, inc->details, inc->thread_id, (gint64)inc->unverified, inc->latest_update,
	    inc->snooze_until, inc->id);

	if (run(s, st, err, "cannot update the incident") != 0)
		return -1;
	return save_action_items(s, inc, err);
}

int
store_incident_get(struct store *s, gint64 id, struct incident **out, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM incidents WHERE id = ?", incident_columns);
	sqlite3_stmt *st = prepare(s, sql, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return fail(s, err, "cannot read the incident");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (*out = incident_from_row(s, st, err)) == NULL) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot read the incident");
	return *out != NULL;
}

/* The id query_int found, 0 for none, -1 when it failed. */
static gint64
query_id(struct store *s, sqlite3_stmt *st, GError **err, const char *what)
{
	gint64 id;

	return query_int(s, st, &id, err, what) < 0 ? -1 : id;
}

gint64
store_incident_open_by_fingerprint(struct store *s, const char *fingerprint, GError **err)
{
	return query_id(s,
	                prepare(s,
	                        "SELECT id FROM incidents WHERE fingerprint = ? AND status NOT IN"
	                        " ('resolved', 'closed') ORDER BY id DESC LIMIT 1",
	                        "s", fingerprint),
	                err, "cannot look up the open incident of an alert");
}

gint64
store_incident_by_message_id(struct store *s, const char *message_id, GError **err)
{
	return query_id(s,
	                prepare(s,
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
	    "SELECT %s FROM incidents WHERE ? OR status NOT IN ('resolved', 'closed')"
	    " ORDER BY id DESC",
	    incident_columns);
	sqlite3_stmt *st = prepare(s, sql, "i", (gint64)all);
	GPtrArray *list;
	struct incident *inc;
	int rc;

	if (st == NULL) {
		fail(s, err, "cannot list the incidents");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((inc = incident_from_row(s, st, err)) == NULL)
			break;
		g_ptr_array_add(list, inc);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		g_ptr_array_unref(list);
		return NULL;
	}
	if (rc != SQLITE_DONE) {
		fail(s, err, "cannot list the incidents");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

int
store_event_add(struct store *s, gint64 incident_id, const struct event *e, const char *message_id,
                GError **err)
{
	return run(s,
	           prepare(s,
	                   "INSERT INTO events (incident_id, at, actor, kind, detail, message_id)"
	                   " VALUES (?, ?, ?, ?, ?, ?)",
	                   "iissss", incident_id, e->at, e->actor, event_name(e), e->detail,
	                   message_id),
	           err, "cannot store the event");
}

/* One events row (at, actor, kind, detail): the kind through the table. */
static struct event *
event_row(sqlite3_stmt *st)
{
	g_autofree char *actor = column_text(st, 1), *name = column_text(st, 2);
	g_autofree char *detail = column_text(st, 3);
	struct event *e = event_new(sqlite3_column_int64(st, 0), actor, name, detail);

	/* older versions stored post-mortem reminders as "reminded" with this detail */
	if (e->kind == EVENT_REMINDED && g_str_has_prefix(e->detail, "Post-mortem"))
		e->kind = EVENT_POSTMORTEM_REMINDED;
	return e;
}

GPtrArray *
store_events(struct store *s, gint64 incident_id, GError **err)
{
	sqlite3_stmt *st =
	    prepare(s,
	            "SELECT at, actor, kind, detail FROM events WHERE incident_id = ?"
	            " ORDER BY at, id",
	            "i", incident_id);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		fail(s, err, "cannot read the events");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_ptr_array_add(list, event_row(st));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fail(s, err, "cannot read the events");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
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

/* --- outbox --- */

/* Every outbox kind and how it is delivered and counted. The names go into SQL as they
 * are (kind_list): lower-case words, as the kinds test checks. */
static const struct outbox_kind_info outbox_kinds[OUTBOX_KIND_COUNT] = {
    /* ordered like every kind before there was this table */
    [OUTBOX_UNKNOWN] = {.name = "unknown", .ordered = TRUE},
    /* a page is never late for an older one that waits */
    [OUTBOX_PAGE] = {.name = "page", .reply_token = TRUE},
    [OUTBOX_REPAGE] = {.name = "repage", .reply_token = TRUE},
    [OUTBOX_CONFIRM] = {.name = "confirm", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_ERROR] = {.name = "error", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_HELP] = {.name = "help", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_NOTICE] = {.name = "notice", .ordered = TRUE, .reply_token = TRUE},
    [OUTBOX_RELAY] = {.name = "relay", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_STATUS] = {.name = "status", .ordered = TRUE},
    [OUTBOX_POSTMORTEM] = {.name = "postmortem", .ordered = TRUE},
    [OUTBOX_SUBSCRIPTION] = {.name = "subscription", .ordered = TRUE},
};

const struct outbox_kind_info *
outbox_kind_info(enum outbox_kind k)
{
	g_return_val_if_fail(k < OUTBOX_KIND_COUNT, &outbox_kinds[OUTBOX_UNKNOWN]);
	return &outbox_kinds[k];
}

const char *
outbox_kind_name(enum outbox_kind k)
{
	return outbox_kind_info(k)->name;
}

enum outbox_kind
outbox_kind_parse(const char *name)
{
	for (int k = OUTBOX_UNKNOWN + 1; k < OUTBOX_KIND_COUNT; k++)
		if (g_strcmp0(name, outbox_kinds[k].name) == 0)
			return (enum outbox_kind)k;
	return OUTBOX_UNKNOWN;
}

static gboolean
never_waits(const struct outbox_kind_info *k)
{
	return !k->ordered;
}

static gboolean
is_answer(const struct outbox_kind_info *k)
{
	return k->answer;
}

/* "'page', 'repage'": the stored names of the known kinds pick says yes to, for SQL. */
static char *
kind_list(gboolean (*pick)(const struct outbox_kind_info *))
{
	GString *list = g_string_new(NULL);

	for (int k = OUTBOX_UNKNOWN + 1; k < OUTBOX_KIND_COUNT; k++)
		if (pick(&outbox_kinds[k]))
			g_string_append_printf(list, "%s'%s'", list->len ? ", " : "",
			                       outbox_kinds[k].name);
	return g_string_free(list, FALSE);
}

/* The outbox statements that depend on the kinds, built once from the table. */
static const char *
due_sql(void)
{
	static char *sql;

	if (g_once_init_enter(&sql)) {
		g_autofree char *never = kind_list(never_waits);

		g_once_init_leave(
		    &sql, g_strdup_printf(
		              "SELECT id, kind, message_id, sender, raw, attempts, created_at,"
		              " coalesce(incident_id, 0) FROM outbox o WHERE state = 'queued'"
		              " AND next_attempt <= ?1 AND NOT (o.kind NOT IN (%s)"
		              " AND EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id ="
		              " o.incident_id AND e.kind = o.kind AND e.id < o.id AND"
		              " e.state = 'queued' AND e.next_attempt > ?1)) ORDER BY id",
		              never));
	}
	return sql;
}

static const char *
answers_sql(void)
{
	static char *sql;

	if (g_once_init_enter(&sql)) {
		g_autofree char *answers = kind_list(is_answer);

		g_once_init_leave(
		    &sql, g_strdup_printf("SELECT count(*) FROM outbox o JOIN outbox_rcpts r ON"
		                          " r.outbox_id = o.id WHERE r.address = ? AND"
		                          " o.created_at >= ? AND o.kind IN (%s)",
		                          answers));
	}
	return sql;
}

void
outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	g_free(it->message_id);
	g_free(it->sender);
	g_bytes_unref(it->raw);
	if (it->rcpts != NULL)
		g_ptr_array_unref(it->rcpts);
	g_free(it);
}

int
store_outbox_add(struct store *s, enum outbox_kind kind, gint64 incident_id, const char *message_id,
                 const char *sender, GPtrArray *rcpts, const char *raw, gsize len, gint64 now,
                 GError **err)
{
	gint64 id;

	if (run(s,
	        prepare(s,
	                "INSERT INTO outbox (kind, incident_id, message_id, sender, raw,"
	                " next_attempt, created_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?)",
	                "sissbii", outbox_kind_name(kind), incident_id, message_id, sender,
	                (const void *)raw, len, now, now),
	        err, "cannot queue the message") != 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	for (guint i = 0; i < rcpts->len; i++) {
		if (run(s,
		        prepare(
		            s,
		            "INSERT OR IGNORE INTO outbox_rcpts (outbox_id, address) VALUES (?, ?)",
		            "is", id, (const char *)rcpts->pdata[i]),
		        err, "cannot queue the message") != 0)
			return -1;
	}
	return 0;
}

int
store_outbox_count(struct store *s, gint64 incident_id, enum outbox_kind kind, GError **err)
{
	return (int)query_id(
	    s,
	    prepare(s, "SELECT count(*) FROM outbox WHERE incident_id = ? AND kind = ?", "is",
	            incident_id, outbox_kind_name(kind)),
	    err, "cannot count the messages queued for the incident");
}

GPtrArray *
store_outbox_due(struct store *s, gint64 now, GError **err)
{
	sqlite3_stmt *st = prepare(s, due_sql(), "i", now);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		fail(s, err, "cannot read the outbox");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_item *it = g_new0(struct outbox_item, 1);

		it->id = sqlite3_column_int64(st, 0);
		it->kind = outbox_kind_parse((const char *)sqlite3_column_text(st, 1));
		it->message_id = column_text(st, 2);
		it->sender = column_text(st, 3);
		it->raw = g_bytes_new(sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
		it->attempts = sqlite3_column_int(st, 5);
		it->created_at = sqlite3_column_int64(st, 6);
		it->incident_id = sqlite3_column_int64(st, 7);
		g_ptr_array_add(list, it);
		it->rcpts =
		    query_texts(s,
		                prepare(s,
		                        "SELECT address FROM outbox_rcpts WHERE outbox_id = ?"
		                        " AND state = 'queued' ORDER BY rowid",
		                        "i", it->id),
		                err, "cannot read the outbox");
		if (it->rcpts == NULL)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		g_ptr_array_unref(list);
		return NULL;
	}
	if (rc != SQLITE_DONE) {
		fail(s, err, "cannot read the outbox");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

int
store_outbox_rcpt(struct store *s, gint64 id, const char *address, const char *state,
                  const char *error, GError **err)
{
	return run(s,
	           prepare(s,
	                   "UPDATE outbox_rcpts SET state = ?, last_error = ? WHERE outbox_id = ?"
	                   " AND address = ?",
	                   "ssis", state, error, id, address),
	           err, "cannot record a delivery");
}

int
store_outbox_attempt(struct store *s, gint64 id, gint64 next_attempt, const char *error,
                     GError **err)
{
	return run(s,
	           prepare(s,
	                   "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2,"
	                   " last_error = ?3, state = CASE"
	                   "  WHEN EXISTS (SELECT 1 FROM outbox_rcpts WHERE outbox_id = ?1"
	                   "   AND state = 'queued') THEN 'queued'"
	                   "  WHEN EXISTS (SELECT 1 FROM outbox_rcpts WHERE outbox_id = ?1"
	                   "   AND state = 'failed') THEN 'failed'"
	                   "  ELSE 'sent' END WHERE id = ?1",
	                   "iis", id, next_attempt, error),
	           err, "cannot record a delivery attempt");
}

static void
outbox_rcpt_row_free(struct outbox_rcpt_row *r)
{
	g_free(r->address);
	g_free(r->state);
	g_free(r->error);
	g_free(r);
}

void
outbox_row_free(struct outbox_row *r)
{
	if (r == NULL)
		return;
	g_free(r->kind);
	g_free(r->message_id);
	g_free(r->state);
	g_free(r->last_error);
	if (r->rcpts != NULL)
		g_ptr_array_unref(r->rcpts);
	g_free(r);
}

/* The recipients of outbox row r, into r->rcpts; -1 + err on failure. */
static int
outbox_row_rcpts(struct store *s, struct outbox_row *r, GError **err)
{
	sqlite3_stmt *q = prepare(s,
	                          "SELECT address, state, last_error FROM outbox_rcpts WHERE"
	                          " outbox_id = ? ORDER BY rowid",
	                          "i", r->id);
	int rc;

	if (q == NULL)
		return fail(s, err, "cannot read the outbox");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_rcpt_row *rr = g_new0(struct outbox_rcpt_row, 1);

		rr->address = column_text(q, 0);
		rr->state = column_text(q, 1);
		rr->error = column_text(q, 2);
		g_ptr_array_add(r->rcpts, rr);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return fail(s, err, "cannot read the outbox");
	return 0;
}

GPtrArray *
store_outbox_list(struct store *s, gboolean all, GError **err)
{
	sqlite3_stmt *st = prepare(s,
	                           "SELECT id, coalesce(incident_id, 0), created_at, next_attempt,"
	                           " kind, message_id, state, last_error, attempts FROM outbox"
	                           " WHERE ? OR state != 'sent' ORDER BY id",
	                           "i", (gint64)all);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		fail(s, err, "cannot read the outbox");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_row_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_row *r = g_new0(struct outbox_row, 1);

		r->id = sqlite3_column_int64(st, 0);
		r->incident_id = sqlite3_column_int64(st, 1);
		r->created_at = sqlite3_column_int64(st, 2);
		r->next_attempt = sqlite3_column_int64(st, 3);
		r->kind = column_text(st, 4);
		r->message_id = column_text(st, 5);
		r->state = column_text(st, 6);
		r->last_error = column_text(st, 7);
		r->attempts = sqlite3_column_int(st, 8);
		r->rcpts = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_row_free);
		g_ptr_array_add(list, r);
		if (outbox_row_rcpts(s, r, err) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW) {
		g_ptr_array_unref(list);
		return NULL;
	}
	if (rc != SQLITE_DONE) {
		fail(s, err, "cannot read the outbox");
		g_ptr_array_unref(list);
		return NULL;
	}
	return list;
}

int
store_outbox_retry(struct store *s, gint64 id, gint64 now, GError **err)
{
	gint64 one;
	int found = query_int(s, prepare(s, "SELECT 1 FROM outbox WHERE id = ?", "i", id), &one,
	                      err, "cannot read the outbox");

	if (found <= 0)
		return found;
	if (store_begin(s, err) != 0)
		return -1;
	if (run(s,
	        prepare(s,
	                "UPDATE outbox_rcpts SET state = 'queued' WHERE outbox_id = ? AND"
	                " state = 'failed'",
	                "i", id),
	        err, "cannot requeue") != 0 ||
	    run(s,
	        prepare(s,
	                "UPDATE outbox SET state = CASE WHEN EXISTS (SELECT 1 FROM outbox_rcpts"
	                " WHERE outbox_id = ?1 AND state = 'queued') THEN 'queued' ELSE state END,"
	                " next_attempt = ?2, created_at = ?2 WHERE id = ?1",
	                "ii", id, now),
	        err, "cannot requeue") != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err) == 0 ? 1 : -1;
}

int
store_answers_since(struct store *s, const char *address, gint64 t, GError **err)
{
	/* a failed count must not read as "none sent": that would lift the limit */
	return (int)query_id(s, prepare(s, answers_sql(), "si", address, t), err,
	                     "cannot count the answers sent to an address");
}

/* --- lists --- */

int
store_subscription_mails_since(struct store *s, const char *mailbox, gint64 t, GError **err)
{
	/* local+detail@domain counts as local@domain: one mailbox, many addresses */
	sqlite3_stmt *st =
	    prepare(s,
	            "SELECT count(*) FROM outbox o JOIN outbox_rcpts r ON r.outbox_id = o.id"
	            " WHERE o.kind = ?3 AND o.created_at >= ?2 AND (r.address = ?1 OR"
	            " (instr(r.address, '+') BETWEEN 2 AND instr(r.address, '@') - 1 AND"
	            " substr(r.address, 1, instr(r.address, '+') - 1) ||"
	            " substr(r.address, instr(r.address, '@')) = ?1))",
	            "sis", mailbox, t, outbox_kind_name(OUTBOX_SUBSCRIPTION));
	int n = -1;

	/* a failed count must not read as "none sent": that would lift the limit */
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	if (n < 0)
		fail(s, err, "cannot count the subscription mail sent to an address");
	sqlite3_finalize(st);
	return n;
}

int
store_subscribe(struct store *s, const char *list, const char *address, gint64 now, GError **err)
{
	return run(s,
	           prepare(s,
	                   "INSERT OR IGNORE INTO subscriptions (list, address, created_at)"
	                   " VALUES (?, ?, ?)",
	                   "ssi", list, address, now),
	           err, "cannot store the subscription");
}

int
store_unsubscribe(struct store *s, const char *list, const char *address, GError **err)
{
	if (run(s,
	        prepare(s, "DELETE FROM subscriptions WHERE list = ? AND address = ?", "ss", list,
	                address),
	        err, "cannot remove the subscription") != 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int
store_subscribed(struct store *s, const char *list, const char *address, GError **err)
{
	gint64 one;

	return query_int(s,
	                 prepare(s, "SELECT 1 FROM subscriptions WHERE list = ? AND address = ?",
	                         "ss", list, address),
	                 &one, err, "cannot read the subscriptions");
}

int
store_list_token_add(struct store *s, const char *token, const char *list, const char *address,
                     const char *action, gint64 now, GError **err)
{
	return run(s,
	           prepare(s,
	                   "INSERT INTO list_tokens (token, list, address, action, created_at)"
	                   " VALUES (?, ?, ?, ?, ?)",
	                   "ssssi", token, list, address, action, now),
	           err, "cannot store the confirmation token");
}

int
store_list_token_use(struct store *s, const char *token, const char *address, char **list,
                     char **action, gint64 now, GError **err)
{
	sqlite3_stmt *st = prepare(s,
	                           "SELECT list, action FROM list_tokens WHERE token = ?"
	                           " AND address = ? AND used_at IS NULL AND created_at >= ?",
	                           "ssi", token, address, now - STORE_TOKEN_LIFETIME);
	int rc;

	if (st == NULL)
		return fail(s, err, "cannot read the confirmation token");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*list = column_text(st, 0);
		*action = column_text(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "cannot read the confirmation token");
	if (rc == SQLITE_DONE)
		return 0;
	if (run(s,
	        prepare(s, "UPDATE list_tokens SET used_at = ? WHERE token = ?", "is", now, token),
	        err, "cannot use the confirmation token") != 0)
		return -1;
	return 1;
}

int
store_participant_add(struct store *s, gint64 incident_id, const char *address, GError **err)
{
	return run(
	    s,
	    prepare(s, "INSERT OR IGNORE INTO participants (incident_id, address) VALUES (?, ?)",
	            "is", incident_id, address),
	    err, "cannot record a participant");
}

GPtrArray *
store_participants(struct store *s, gint64 incident_id, GError **err)
{
	return query_texts(
	    s,
	    prepare(s, "SELECT address FROM participants WHERE incident_id = ? ORDER BY rowid", "i",
	            incident_id),
	    err, "cannot read the incident's participants");
}

GPtrArray *
store_subscribers(struct store *s, const char *list, GError **err)
{
	return query_texts(
	    s,
	    prepare(s, "SELECT address FROM subscriptions WHERE list = ? ORDER BY address", "s",
	            list),
	    err, "cannot read the list's subscribers");
}
