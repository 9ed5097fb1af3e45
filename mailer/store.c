/*
 * store: the numbered migrations, opening and transactions, the statement helpers the other
 * store files share (each a call into the backend's table, store_int.h), and the inbound
 * messages, quarantine and mailbox checkpoints.
 */
#include "store_int.h"

#include <string.h>

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
    /* 9: a year of history stays instant: the incidents that can still change (list,
     * the timers) and those resolved lately (the status page) each by an index of their
     * own; an incident's mail of one kind, the latest of a kind and the answers of the
     * last hour counted by index; stats reads the incidents' columns it needs and
     * counts the events of two kinds from indexes that hold them */
    "CREATE INDEX incidents_timers ON incidents(id) WHERE status NOT IN ('resolved', 'closed')"
    "  OR (status = 'resolved' AND severity BETWEEN 1 AND 2);"
    "CREATE INDEX incidents_open ON incidents(id) WHERE status NOT IN ('resolved', 'closed');"
    "CREATE INDEX incidents_ended ON incidents((COALESCE(resolved_at, created_at)))"
    "  WHERE status IN ('resolved', 'closed');"
    "CREATE INDEX incidents_stats ON incidents(created_at, severity, status, acked_at,"
    "  resolved_at, team);"
    "CREATE INDEX events_kind ON events(kind, incident_id);"
    "CREATE INDEX outbox_incident ON outbox(incident_id, kind);"
    "CREATE INDEX outbox_kind_created ON outbox(kind, created_at);",
    /* 10: retention: when a message's raw bytes were dropped ([general] keep_raw, `sevmail
     * prune`), and the messages still whole by age, so that a prune finds them without
     * reading the rows' raw bytes */
    "ALTER TABLE messages ADD COLUMN pruned_at INTEGER;"
    "CREATE INDEX messages_unpruned ON messages(received_at) WHERE pruned_at IS NULL;",
};

int
store_fail(struct store *s, GError **err, const char *what)
{
	int code = STORE_ERROR_FAILED;
	g_autofree char *detail = s->be->last_error(s, &code);
	g_autofree char *msg = g_strdup_printf("database: %s: %s", what, detail);

	g_set_error_literal(err, STORE_ERROR, code, msg);
	if (s->failed == NULL && s->txn) {
		s->failed = g_steal_pointer(&msg);
		s->failed_code = code;
	}
	return -1;
}

guint
store_sql_hash(gconstpointer key)
{
	const unsigned char *sql = key;
	gsize n = strlen(key);
	guint h = (guint)n * 2654435761u;

	for (gsize i = 0; i < MIN(n, 32); i++)
		h = h * 31 + sql[i];
	for (gsize i = n > 64 ? n - 32 : MIN(n, 32); i < n; i++)
		h = h * 31 + sql[i];
	return h;
}

struct store_stmt *
store_prepare(struct store *s, const char *sql, const char *types, ...)
{
	g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(struct store_value));
	va_list ap;

	va_start(ap, types);
	for (const char *t = types; *t != '\0'; t++) {
		struct store_value x = {STORE_INT, 0, NULL, 0};

		if (*t == 's') {
			x.type = STORE_TEXT; /* a NULL one too: the column is text */
			x.p = va_arg(ap, const char *);
		} else if (*t == 'i') {
			x.i = va_arg(ap, gint64);
		} else {
			x.type = STORE_BLOB;
			x.p = va_arg(ap, const void *);
			x.n = va_arg(ap, gsize);
		}
		g_array_append_val(v, x);
	}
	va_end(ap);
	return s->be->prepare(s, sql, (const struct store_value *)(void *)v->data, (int)v->len);
}

enum store_step
store_step(struct store_stmt *st)
{
	return st->store->be->step(st);
}

void
store_finalize(struct store_stmt *st)
{
	if (st != NULL)
		st->store->be->finalize(st);
}

gint64
store_col_int64(struct store_stmt *st, int col)
{
	return st->store->be->col_int64(st, col);
}

int
store_col_int(struct store_stmt *st, int col)
{
	return (int)store_col_int64(st, col);
}

char *
store_col_text(struct store_stmt *st, int col)
{
	return g_strdup(st->store->be->col_text(st, col));
}

GBytes *
store_col_bytes(struct store_stmt *st, int col)
{
	return st->store->be->col_bytes(st, col);
}

gint64
store_changes(struct store *s)
{
	return s->be->changes(s);
}

int
store_run(struct store *s, struct store_stmt *st, GError **err, const char *what)
{
	enum store_step rc;

	if (st == NULL)
		return store_fail(s, err, what);
	rc = store_step(st);
	if (rc == STORE_FAILED) {
		store_fail(s, err, what);
		store_finalize(st);
		return -1;
	}
	store_finalize(st);
	return 0;
}

int
store_query_int(struct store *s, struct store_stmt *st, gint64 *v, GError **err, const char *what)
{
	enum store_step rc;

	*v = 0;
	if (st == NULL)
		return store_fail(s, err, what);
	rc = store_step(st);
	if (rc == STORE_ROW)
		*v = store_col_int64(st, 0);
	if (rc == STORE_FAILED)
		store_fail(s, err, what);
	store_finalize(st);
	return rc == STORE_FAILED ? -1 : rc == STORE_ROW;
}

GPtrArray *
store_query_texts(struct store *s, struct store_stmt *st, GError **err, const char *what)
{
	GPtrArray *out;
	enum store_step rc;

	if (st == NULL) {
		store_fail(s, err, what);
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(g_free);
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(out, store_col_text(st, 0));
	return store_list_finish(s, st, rc, out, err, what);
}

gint64
store_query_id(struct store *s, struct store_stmt *st, GError **err, const char *what)
{
	gint64 id;

	return store_query_int(s, st, &id, err, what) < 0 ? -1 : id;
}

GPtrArray *
store_list_finish(struct store *s, struct store_stmt *st, enum store_step rc, GPtrArray *list,
                  GError **err, const char *what)
{
	if (rc == STORE_FAILED)
		store_fail(s, err, what);
	store_finalize(st);
	if (rc == STORE_DONE)
		return list;
	g_ptr_array_unref(list);
	return NULL;
}

/* One migration in its own transaction, unless another process applied it meanwhile (two
 * instances starting at once on a new PostgreSQL database). */
static int
migrate_one(struct store *s, int i, GError **err)
{
	g_autofree char *sql = s->be->schema_sql(migrations[i]);
	int version;

	if (store_begin(s, err) != 0)
		return -1;
	if (s->be->version_get(s, &version) != 0) {
		store_fail(s, err, "cannot read the schema version");
		store_rollback(s);
		return -1;
	}
	if (version > i) {
		store_rollback(s);
		return 0;
	}
	if (s->be->exec(s, sql) != 0 || s->be->version_set(s, i + 1) != 0) {
		store_fail(s, err, "migration failed");
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

static int
migrate(struct store *s, GError **err)
{
	int version = store_schema_version(s, err);

	if (version < 0)
		return -1;
	if (version > (int)G_N_ELEMENTS(migrations)) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_FAILED,
		            "database: schema version %d is newer than this sevmail knows (%d); "
		            "use a newer sevmail",
		            version, (int)G_N_ELEMENTS(migrations));
		return -1;
	}
	for (int i = version; i < (int)G_N_ELEMENTS(migrations); i++)
		if (migrate_one(s, i, err) != 0)
			return -1;
	return 0;
}

int
store_schema_version(struct store *s, GError **err)
{
	int version = 0;

	if (s->be->version_get(s, &version) != 0)
		return store_fail(s, err, "cannot read the schema version");
	return version;
}

struct store *
store_open_params(const struct store_params *p, GError **err)
{
	struct store *s = g_new0(struct store, 1);

	s->be = p->kind == STORE_POSTGRESQL ? &store_pg_backend : &store_sqlite_backend;
	if (s->be->open(s, p, err) != 0) {
		g_free(s->where);
		g_free(s);
		return NULL;
	}
	if (migrate(s, err) != 0) {
		g_prefix_error(err, "%s: ", s->where);
		store_close(s);
		return NULL;
	}
	return s;
}

struct store *
store_open(const char *path, int busy_timeout, GError **err)
{
	struct store_params p = {STORE_SQLITE, path, NULL, NULL, busy_timeout};

	return store_open_params(&p, err);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->be->close(s);
	g_free(s->where);
	g_free(s->failed);
	g_free(s);
}

const char *
store_backend_name(const struct store *s)
{
	return s->be->name;
}

const char *
store_where(const struct store *s)
{
	return s->where;
}

/* The savepoint of the one message an open batch is applying. */
#define SAVEPOINT "message"

/* Inside a batch the message's savepoint could not be rolled back: the transaction is gone
 * (a lost connection; SQLite rolls back the whole transaction itself on some errors, a full
 * disk among them). The batch is failed, with that error, unless it already is. */
static void
batch_lost(struct store *s)
{
	g_autoptr(GError) e = NULL;

	store_fail(s, &e, "the batch's transaction was lost");
}

static int
savepoint_begin(struct store *s, GError **err)
{
	if (s->savepoint) {
		g_set_error_literal(err, STORE_ERROR, STORE_ERROR_FAILED,
		                    "database: a message's savepoint is open already");
		return -1;
	}
	if (s->failed != NULL) {
		g_set_error(err, STORE_ERROR, s->failed_code,
		            "%s; the batch is rolled back and read again", s->failed);
		return -1;
	}
	if (s->be->exec(s, "SAVEPOINT " SAVEPOINT) != 0)
		return store_fail(s, err, "cannot start a savepoint");
	s->savepoint = TRUE;
	return 0;
}

static void
savepoint_rollback(struct store *s)
{
	/* the message's own failure goes with its savepoint */
	g_clear_pointer(&s->failed, g_free);
	s->savepoint = FALSE;
	if (s->be->exec(s, "ROLLBACK TO SAVEPOINT " SAVEPOINT) != 0 ||
	    s->be->exec(s, "RELEASE SAVEPOINT " SAVEPOINT) != 0)
		batch_lost(s);
}

static int
savepoint_commit(struct store *s, GError **err)
{
	if (s->failed != NULL) {
		g_set_error(err, STORE_ERROR, s->failed_code,
		            "%s; nothing of this message was committed", s->failed);
		savepoint_rollback(s);
		return -1;
	}
	if (s->be->exec(s, "RELEASE SAVEPOINT " SAVEPOINT) != 0) {
		store_fail(s, err, "cannot release a savepoint");
		savepoint_rollback(s);
		return -1;
	}
	s->savepoint = FALSE;
	return 0;
}

int
store_begin(struct store *s, GError **err)
{
	if (s->batch)
		return savepoint_begin(s, err);
	g_clear_pointer(&s->failed, g_free);
	if (s->be->exec(s, s->be->begin_sql) != 0) {
		store_fail(s, err, "cannot start a transaction");
		s->be->exec(s, "ROLLBACK");
		return -1;
	}
	s->txn = TRUE;
	return 0;
}

int
store_commit(struct store *s, GError **err)
{
	if (s->batch)
		return savepoint_commit(s, err);
	if (s->failed != NULL) {
		g_set_error(err, STORE_ERROR, s->failed_code,
		            "%s; nothing of this transaction was committed", s->failed);
		store_rollback(s);
		return -1;
	}
	if (s->be->exec(s, "COMMIT") != 0) {
		store_fail(s, err, "cannot commit");
		store_rollback(s);
		return -1;
	}
	s->txn = FALSE;
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s->batch) {
		if (s->savepoint)
			savepoint_rollback(s);
		return;
	}
	g_clear_pointer(&s->failed, g_free);
	if (s->txn)
		s->be->exec(s, "ROLLBACK");
	s->txn = FALSE;
}

int
store_batch_begin(struct store *s, GError **err)
{
	g_return_val_if_fail(!s->batch && !s->txn, -1);
	if (store_begin(s, err) != 0)
		return -1;
	s->batch = TRUE;
	return 0;
}

int
store_batch_end(struct store *s, GError **err)
{
	g_return_val_if_fail(s->batch, -1);
	if (s->savepoint)
		savepoint_rollback(s); /* a message left half done is not committed */
	s->batch = FALSE;
	return store_commit(s, err);
}

void
store_batch_abort(struct store *s)
{
	s->batch = FALSE;
	s->savepoint = FALSE;
	store_rollback(s);
}

gboolean
store_batch_open(const struct store *s)
{
	return s->batch;
}

/* --- the active instance --- */

gboolean
store_shared(const struct store *s)
{
	return s->be->shared;
}

int
store_active_take(struct store *s, GError **err)
{
	return s->be->active_take != NULL ? s->be->active_take(s, err) : 1;
}

gboolean
store_active_held(struct store *s)
{
	return s->be->active_held != NULL ? s->be->active_held(s) : TRUE;
}

int
store_active_holder(struct store *s, char **who, GError **err)
{
	*who = NULL;
	return s->be->active_holder != NULL ? s->be->active_holder(s, who, err) : 0;
}

/* --- inbound messages --- */

const char store_sql_message_known[] =
    "SELECT hash = ?1, content_hash IS NULL OR content_hash = ?3 FROM messages"
    " WHERE hash = ?1 OR (?2 IS NOT NULL AND message_id = ?2)";

int
store_message_known(struct store *s, const char *message_id, const char *hash,
                    const char *content_hash, GError **err)
{
	/* the same bytes; else the same Message-ID with the same content (a row stored
	 * before contents were compared counts as the same) */
	struct store_stmt *st =
	    store_prepare(s, store_sql_message_known, "sss", hash, message_id, content_hash);
	int known = STORE_MESSAGE_NEW, rc;

	if (st == NULL)
		return store_fail(s, err, "cannot look up the message");
	while ((rc = store_step(st)) == STORE_ROW && known != STORE_MESSAGE_KNOWN)
		known = store_col_int(st, 0) || store_col_int(st, 1) ? STORE_MESSAGE_KNOWN
		                                                     : STORE_MESSAGE_REUSED_ID;
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot look up the message");
	return known;
}

gint64
store_message_add(struct store *s, const struct stored_message *m, GError **err)
{
	return store_query_id(
	    s,
	    store_prepare(s,
	                  "INSERT INTO messages (message_id, hash, content_hash, mailbox,"
	                  " uid, received_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                  "ssssiib", m->message_id, m->hash, m->content_hash, m->mailbox,
	                  (gint64)m->uid, m->received_at, (const void *)m->raw, m->len),
	    err, "cannot store the message");
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
	return err != NULL && err->domain == STORE_ERROR &&
	       (err->code == STORE_ERROR_TRANSIENT || err->code == STORE_ERROR_CONNECTION);
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
quarantined_from_row(struct store_stmt *st)
{
	struct quarantined *q = g_new0(struct quarantined, 1);

	q->id = store_col_int64(st, 0);
	q->received_at = store_col_int64(st, 1);
	q->message_id = store_col_text(st, 2);
	q->mailbox = store_col_text(st, 3);
	q->uid = (guint32)store_col_int64(st, 4);
	q->error = store_col_text(st, 5);
	q->tries = store_col_int(st, 6);
	return q;
}

GPtrArray *
store_quarantine_list(struct store *s, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s FROM quarantine ORDER BY id", quarantine_columns);
	struct store_stmt *st = store_prepare(s, sql, "");
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)quarantined_free);
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the quarantine");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(list, quarantined_from_row(st));
	return store_list_finish(s, st, rc, list, err, "cannot read the quarantine");
}

int
store_quarantine_get(struct store *s, gint64 id, struct quarantined **out, GError **err)
{
	g_autofree char *sql =
	    g_strdup_printf("SELECT %s, raw FROM quarantine WHERE id = ?", quarantine_columns);
	struct store_stmt *st = store_prepare(s, sql, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return store_fail(s, err, "cannot read the quarantine");
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*out = quarantined_from_row(st);
		(*out)->raw = store_col_bytes(st, 7);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
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
	struct store_stmt *st = store_prepare(
	    s, "SELECT uidvalidity, last_uid FROM checkpoints WHERE mailbox = ?", "s", mailbox);
	int rc;

	if (st == NULL)
		return store_fail(s, err, "cannot read the mailbox checkpoint");
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*uidvalidity = (guint32)store_col_int64(st, 0);
		*last_uid = (guint32)store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the mailbox checkpoint");
	return rc == STORE_ROW;
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
