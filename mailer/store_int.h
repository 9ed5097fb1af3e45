/*
 * store_int: what the store's files share and nothing else sees: the handle, the helpers that
 * prepare, run and read statements and record the first failure, and the backend table
 * behind which SQLite (store_sqlite.c) and PostgreSQL (store_pg.c) differ.
 */
#ifndef SEVMAIL_STORE_INT_H
#define SEVMAIL_STORE_INT_H

#include "store.h"

/* A statement, its bound values and, once stepped, its rows. Every backend's own statement
 * begins with this. */
struct store_stmt {
	struct store *store;
};

/* What store_step says. */
enum store_step { STORE_ROW, STORE_DONE, STORE_FAILED };

/* A bound value, and what a column holds (store-copy moves values it does not know). */
enum store_type { STORE_NULL, STORE_INT, STORE_TEXT, STORE_BLOB };
struct store_value {
	enum store_type type;
	gint64 i;
	const char *p; /* text (NUL-terminated; NULL for SQL NULL) or blob */
	gsize n;       /* the blob's length */
};

/* One backend. Every statement handed to it is written once, in the SQL both understand,
 * with ? and ?N placeholders; the backend translates what it must (placeholders, types of
 * the schema, the few functions that differ) and nothing else does. */
struct store_backend {
	const char *name; /* "sqlite", "postgresql" */
	/* Several machines may share the database: one `run` is active, the others wait. */
	gboolean shared;
	int (*open)(struct store *s, const struct store_params *p, GError **err);
	void (*close)(struct store *s);
	/* NULL when the statement cannot be made (the error is the backend's last one). */
	struct store_stmt *(*prepare)(struct store *s, const char *sql, const struct store_value *v,
	                              int n);
	enum store_step (*step)(struct store_stmt *st);
	int (*col_count)(struct store_stmt *st);
	const char *(*col_name)(struct store_stmt *st, int col);
	enum store_type (*col_type)(struct store_stmt *st, int col);
	gint64 (*col_int64)(struct store_stmt *st, int col);
	const char *(*col_text)(struct store_stmt *st, int col); /* valid until the next step */
	GBytes *(*col_bytes)(struct store_stmt *st, int col);
	void (*finalize)(struct store_stmt *st);
	/* Rows changed by the last statement that changed any. */
	gint64 (*changes)(struct store *s);
	/* Runs a script of statements (a migration, BEGIN, COMMIT): 0, or -1 (see last_error). */
	int (*exec)(struct store *s, const char *sql);
	/* BEGIN: a transaction that writers take one at a time, as SQLite's BEGIN IMMEDIATE. */
	const char *begin_sql;
	/* The last failure: a sentence (caller frees) and its class, a STORE_ERROR code. */
	char *(*last_error)(struct store *s, int *code);
	/* The schema version: read outside a transaction, written inside the migration's. */
	int (*version_get)(struct store *s, int *version);
	int (*version_set)(struct store *s, int version);
	/* A migration as written (SQLite's types) in this backend's words; caller frees. */
	char *(*schema_sql)(const char *migration);
	/* SELECT of the names of sevmail's tables (store-copy's source). */
	const char *tables_sql;
	/* After rows were copied into table with their ids: later inserts go on from there. */
	int (*copied)(struct store *s, const char *table);
	/* How the file uses its pages, and giving free ones back (SQLite's incremental
	 * vacuum: up to pages of them); NULL where the server manages its space itself. */
	int (*space)(struct store *s, struct store_space *sp);
	int (*reclaim)(struct store *s, gint64 pages);
	/* Rewrites the database so that freed space goes back to the file system. */
	const char *compact_sql;
	/* The active instance (DESIGN.md, "Store backends"); NULL where not shared. */
	int (*active_take)(struct store *s, GError **err);
	gboolean (*active_held)(struct store *s);
	int (*active_holder)(struct store *s, char **who, GError **err);
};

extern const struct store_backend store_sqlite_backend, store_pg_backend;

/* store_pg_sql.c: a statement, and a migration, in PostgreSQL's words; caller frees. */
char *store_pg_sql(const char *sql);
char *store_pg_schema(const char *migration);

struct store {
	const struct store_backend *be;
	void *db;    /* the backend's connection */
	char *where; /* the database, as messages name it */
	gboolean txn;
	gboolean batch;     /* the transaction is a batch of messages (store_batch_begin) */
	gboolean savepoint; /* inside the batch, one message's savepoint is open */
	/* The first failure inside the open transaction (fdm's one error rule): a caller that
	 * ignored it cannot commit the rest as if it had not happened. */
	char *failed;
	int failed_code;
	/* Statements the backend compiled, and those it took ready from its cache. */
	gint64 compiled, reused;
};

/* A hash of a statement's SQL for the backends' caches: its length and its ends, which tell
 * the store's statements apart for a fraction of a whole string's hash. */
guint store_sql_hash(gconstpointer sql);
/* How many idle statements a backend keeps compiled, the least recently used going first. */
#define STORE_CACHE_MAX 128

/* Records what failed in err (and, inside a transaction, as the transaction's first
 * failure); returns -1. */
int store_fail(struct store *s, GError **err, const char *what);
/* Prepares sql and binds the arguments described by types: 's' text (NULL allowed),
 * 'i' gint64, 'b' blob (pointer then gsize). NULL on error. */
struct store_stmt *store_prepare(struct store *s, const char *sql, const char *types, ...);
/* The next row: STORE_ROW, STORE_DONE, or STORE_FAILED (store_fail says why). */
enum store_step store_step(struct store_stmt *st);
void store_finalize(struct store_stmt *st);
gint64 store_col_int64(struct store_stmt *st, int col);
int store_col_int(struct store_stmt *st, int col);
/* Column col as a new string, NULL for NULL. */
char *store_col_text(struct store_stmt *st, int col);
/* Column col's bytes (empty for NULL); caller unrefs. */
GBytes *store_col_bytes(struct store_stmt *st, int col);
/* Runs a statement that returns no rows; finalizes it. */
int store_run(struct store *s, struct store_stmt *st, GError **err, const char *what);
/* Rows the last statement that changed any changed. */
gint64 store_changes(struct store *s);
/* Runs a statement for its first row's first column; finalizes it. 1 and *v when there is
 * a row (a NULL reads as 0), 0 when there is none, -1 + err when the query fails: a failed
 * read is never "none". */
int store_query_int(struct store *s, struct store_stmt *st, gint64 *v, GError **err,
                    const char *what);
/* The first column of every row as char *; finalizes st. NULL + err on failure. */
GPtrArray *store_query_texts(struct store *s, struct store_stmt *st, GError **err,
                             const char *what);
/* The id store_query_int found (an INSERT's RETURNING id), 0 for none, -1 when it failed. */
gint64 store_query_id(struct store *s, struct store_stmt *st, GError **err, const char *what);

/* The end of a loop that reads rows into list: finalizes st and returns list when the
 * last step was STORE_DONE; otherwise frees list and returns NULL with err (set here for a
 * failed step, or already set by a nested read that stopped the loop on a row). */
GPtrArray *store_list_finish(struct store *s, struct store_stmt *st, enum store_step rc,
                             GPtrArray *list, GError **err, const char *what);

/* The statements of the hot paths (store_hot_statements), in the files that run them. */
extern const char store_sql_incident_get[], store_sql_action_items[], store_sql_incidents_all[],
    store_sql_incidents_open[], store_sql_incidents_timers[], store_sql_incidents_ended[],
    store_sql_incidents_ended_count[], store_sql_incidents_stats[], store_sql_event_counts[],
    store_sql_event_counts_all[], store_sql_events[], store_sql_open_by_fingerprint[],
    store_sql_by_message_id[], store_sql_incidents_untold[], store_sql_alert_incidents_since[],
    store_sql_open_by_source[], store_sql_outbox_count[], store_sql_outbox_last[],
    store_sql_message_known[], store_sql_subscription_mails[];
const char *store_sql_outbox_due(void);
const char *store_sql_answers(void);

#endif
