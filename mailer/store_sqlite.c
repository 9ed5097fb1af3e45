/*
 * store_sqlite: the SQLite file behind the store's backend table: WAL, a busy timeout, BEGIN
 * IMMEDIATE, PRAGMA user_version. The SQL is SQLite's own, so nothing is translated. A
 * statement is compiled once: finalizing one resets it and keeps it, by its SQL, for the
 * next prepare of the same SQL; one still in use (a query inside another's loop) is never
 * handed out twice, the second gets its own.
 */
#include "store_int.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

struct lite {
	sqlite3 *db;
	GHashTable *sqls; /* SQL -> struct lite_sql, while it has statements */
	GQueue lru;       /* every idle lite_stmt (by its link), the latest returned first */
};

/* One SQL text and its compiled statements. */
struct lite_sql {
	char *sql;
	GQueue idle; /* those not in use, the latest returned first */
	guint users; /* all of them, idle or in use */
};

struct lite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
	struct lite_sql *sql;
	GList link; /* in lru while idle */
};

#define LITE(s) ((struct lite *)(s)->db)
#define DB(s) (LITE(s)->db)
#define ST(x) (((struct lite_stmt *)(void *)(x))->st)

static void
lite_sql_free(void *data)
{
	struct lite_sql *c = data;

	g_free(c->sql);
	g_free(c);
}

static int lite_pragma(struct store *s, const char *sql, gint64 *v);

/* A database with no page yet: only then does auto_vacuum take effect without a VACUUM
 * (and setting it on an existing one would wait for its writers). */
static gboolean
lite_fresh(struct store *s)
{
	gint64 pages = -1;

	return lite_pragma(s, "PRAGMA page_count", &pages) == 0 && pages == 0;
}

static int
lite_open(struct store *s, const struct store_params *p, GError **err)
{
	/* before the first table: pages freed by a prune can go back to the file system
	 * (store_retention.c); an older database keeps its mode until `sevmail prune
	 * --vacuum` */
	static const char *const fresh = "PRAGMA auto_vacuum = INCREMENTAL";
	static const char *const pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = "
	                                   "FULL; PRAGMA foreign_keys = ON;";
	sqlite3 *db = NULL;
	struct lite *l;

	s->where = g_strdup(p->path);
	/* a new database is the owner's alone (it holds mail and addresses); SQLite gives its
	 * -wal and -shm files the same mode */
	if (*p->path != ':' && !g_file_test(p->path, G_FILE_TEST_EXISTS)) {
		int fd = g_open(p->path, O_WRONLY | O_CREAT | O_EXCL, 0600);

		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(p->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_FAILED, "cannot open database %s: %s",
		            p->path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	l = g_new0(struct lite, 1);
	l->db = db;
	l->sqls = g_hash_table_new_full(store_sql_hash, g_str_equal, NULL, lite_sql_free);
	g_queue_init(&l->lru);
	s->db = l;
	sqlite3_busy_timeout(db, p->busy_timeout * 1000);
	if ((lite_fresh(s) && sqlite3_exec(db, fresh, NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(s, err, "cannot use it");
		g_prefix_error(err, "%s: ", p->path);
		sqlite3_close(db);
		g_hash_table_destroy(l->sqls);
		g_free(l);
		s->db = NULL;
		return -1;
	}
	return 0;
}

static void
lite_free(struct lite *l, struct lite_stmt *x)
{
	sqlite3_finalize(x->st);
	if (--x->sql->users == 0)
		g_hash_table_remove(l->sqls, x->sql->sql); /* frees x->sql */
	g_free(x);
}

/* The least recently returned idle statement, out of the cache and freed. */
static void
lite_evict(struct lite *l)
{
	struct lite_stmt *x = g_queue_pop_tail_link(&l->lru)->data;

	/* the oldest idle statement of the cache is the oldest of its SQL too */
	g_queue_pop_tail(&x->sql->idle);
	lite_free(l, x);
}

static void
lite_close(struct store *s)
{
	struct lite *l = LITE(s);

	while (!g_queue_is_empty(&l->lru))
		lite_evict(l);
	g_hash_table_destroy(l->sqls);
	sqlite3_close(l->db);
	g_free(l);
}

static int
lite_bind(sqlite3_stmt *st, int i, const struct store_value *v)
{
	switch (v->type) {
	case STORE_NULL:
		return sqlite3_bind_null(st, i);
	case STORE_INT:
		return sqlite3_bind_int64(st, i, v->i);
	case STORE_TEXT:
		return sqlite3_bind_text(st, i, v->p, -1, SQLITE_TRANSIENT);
	case STORE_BLOB:
		return sqlite3_bind_blob64(st, i, v->p, v->n, SQLITE_TRANSIENT);
	}
	return SQLITE_MISUSE;
}

static void lite_finalize(struct store_stmt *x);

static struct store_stmt *
lite_prepare(struct store *s, const char *sql, const struct store_value *v, int n)
{
	struct lite *l = LITE(s);
	struct lite_sql *c = g_hash_table_lookup(l->sqls, sql);
	struct lite_stmt *x = c != NULL ? g_queue_pop_head(&c->idle) : NULL;
	int rc = SQLITE_OK;

	if (x != NULL) {
		g_queue_unlink(&l->lru, &x->link);
		s->reused++;
	} else {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
		    SQLITE_OK) {
			g_warning("database: cannot prepare \"%s\": %s", sql,
			          sqlite3_errmsg(l->db));
			return NULL;
		}
		s->compiled++;
		if (c == NULL) {
			c = g_new0(struct lite_sql, 1);
			c->sql = g_strdup(sql);
			g_hash_table_insert(l->sqls, c->sql, c);
		}
		c->users++;
		x = g_new0(struct lite_stmt, 1);
		x->base.store = s;
		x->st = st;
		x->sql = c;
		x->link.data = x;
	}
	for (int i = 0; i < n && rc == SQLITE_OK; i++)
		rc = lite_bind(x->st, i + 1, &v[i]);
	if (rc != SQLITE_OK) {
		/* the bind's error stays the connection's last one, for store_fail */
		lite_finalize(&x->base);
		return NULL;
	}
	return &x->base;
}

static enum store_step
lite_step(struct store_stmt *x)
{
	int rc = sqlite3_step(ST(x));

	return rc == SQLITE_ROW ? STORE_ROW : rc == SQLITE_DONE ? STORE_DONE : STORE_FAILED;
}

static int
lite_col_count(struct store_stmt *x)
{
	return sqlite3_column_count(ST(x));
}

static const char *
lite_col_name(struct store_stmt *x, int col)
{
	return sqlite3_column_name(ST(x), col);
}

static enum store_type
lite_col_type(struct store_stmt *x, int col)
{
	switch (sqlite3_column_type(ST(x), col)) {
	case SQLITE_NULL:
		return STORE_NULL;
	case SQLITE_INTEGER:
		return STORE_INT;
	case SQLITE_BLOB:
		return STORE_BLOB;
	default:
		return STORE_TEXT;
	}
}

static gint64
lite_col_int64(struct store_stmt *x, int col)
{
	return sqlite3_column_int64(ST(x), col);
}

static const char *
lite_col_text(struct store_stmt *x, int col)
{
	return (const char *)sqlite3_column_text(ST(x), col);
}

static GBytes *
lite_col_bytes(struct store_stmt *x, int col)
{
	const void *p = sqlite3_column_blob(ST(x), col);

	return g_bytes_new(p, (gsize)sqlite3_column_bytes(ST(x), col));
}

/* Back into the cache, reset. sqlite3_reset, like sqlite3_finalize, leaves the failure of
 * the last step as the connection's error, so store_fail reads the same after either. */
static void
lite_finalize(struct store_stmt *st)
{
	struct lite_stmt *x = (struct lite_stmt *)(void *)st;
	struct lite *l = LITE(st->store);

	sqlite3_reset(x->st);
	sqlite3_clear_bindings(x->st);
	g_queue_push_head(&x->sql->idle, x);
	g_queue_push_head_link(&l->lru, &x->link);
	if (l->lru.length > STORE_CACHE_MAX)
		lite_evict(l);
}

static gint64
lite_changes(struct store *s)
{
	return sqlite3_changes(DB(s));
}

/* A script of statements (a migration) runs through sqlite3_exec; one statement (BEGIN,
 * COMMIT) is compiled once, as prepared ones are. A semicolon in a string counts as the end
 * of a statement here, which only costs a compilation. */
static int
lite_exec(struct store *s, const char *sql)
{
	const char *semi = strchr(sql, ';');
	struct store_stmt *st;
	int rc;

	if (semi != NULL && semi[1 + strspn(semi + 1, " \t\r\n")] != '\0')
		return sqlite3_exec(DB(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	st = lite_prepare(s, sql, NULL, 0);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(ST(st))) == SQLITE_ROW)
		;
	lite_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* What the caller can do about a result code: a busy, full or unwritable database is the
 * machine's problem, to try again later. */
static int
lite_class(int code)
{
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return STORE_ERROR_TRANSIENT;
	default:
		return STORE_ERROR_FAILED;
	}
}

static char *
lite_last_error(struct store *s, int *code)
{
	int sys = sqlite3_system_errno(DB(s));

	*code = lite_class(sqlite3_extended_errcode(DB(s)));
	/* "disk I/O error" alone does not tell an operator that the disk is full */
	return g_strdup_printf("%s%s%s%s", sqlite3_errmsg(DB(s)), sys != 0 ? " (" : "",
	                       sys != 0 ? g_strerror(sys) : "", sys != 0 ? ")" : "");
}

static int
lite_version_get(struct store *s, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(DB(s), "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
lite_version_set(struct store *s, int version)
{
	g_autofree char *sql = g_strdup_printf("PRAGMA user_version = %d", version);

	return lite_exec(s, sql);
}

/* The first column of a PRAGMA that returns one number. */
static int
lite_pragma(struct store *s, const char *sql, gint64 *v)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(DB(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
lite_space(struct store *s, struct store_space *sp)
{
	gint64 mode = 0;

	sp->known = TRUE;
	if (lite_pragma(s, "PRAGMA auto_vacuum", &mode) != 0 ||
	    lite_pragma(s, "PRAGMA page_size", &sp->page_size) != 0 ||
	    lite_pragma(s, "PRAGMA page_count", &sp->pages) != 0 ||
	    lite_pragma(s, "PRAGMA freelist_count", &sp->free_pages) != 0)
		return -1;
	sp->incremental = mode == 2;
	return 0;
}

static int
lite_reclaim(struct store *s, gint64 pages)
{
	g_autofree char *sql =
	    g_strdup_printf("PRAGMA incremental_vacuum(%" G_GINT64_FORMAT ")", pages);

	return lite_exec(s, sql);
}

static char *
lite_schema_sql(const char *migration)
{
	return g_strdup(migration);
}

const struct store_backend store_sqlite_backend = {
    .name = "sqlite",
    .shared = FALSE,
    .open = lite_open,
    .close = lite_close,
    .prepare = lite_prepare,
    .step = lite_step,
    .col_count = lite_col_count,
    .col_name = lite_col_name,
    .col_type = lite_col_type,
    .col_int64 = lite_col_int64,
    .col_text = lite_col_text,
    .col_bytes = lite_col_bytes,
    .finalize = lite_finalize,
    .changes = lite_changes,
    .exec = lite_exec,
    .begin_sql = "BEGIN IMMEDIATE",
    .last_error = lite_last_error,
    .version_get = lite_version_get,
    .version_set = lite_version_set,
    .schema_sql = lite_schema_sql,
    .space = lite_space,
    .reclaim = lite_reclaim,
    .compact_sql = "PRAGMA auto_vacuum = INCREMENTAL; VACUUM",
    .tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                  " 'sqlite%' ORDER BY name",
};
