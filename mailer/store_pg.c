/*
 * store_pg: a PostgreSQL database behind the store's backend table, through libpq, shared by
 * any number of machines. The statements are the store's SQLite ones, translated here and
 * only here; writers take turns through a transaction-level advisory lock (as SQLite's BEGIN
 * IMMEDIATE), and the active `sevmail run` holds a session-level one. A statement is
 * translated once, and prepared once per session under a name that later runs execute;
 * a new session (the connection made again) prepares anew.
 */
#include "store_int.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The type OIDs of the values sevmail binds and reads (catalog/pg_type.h). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

/* sevmail's advisory locks: (PG_LOCKS, PG_LOCK_ACTIVE) is held by the active instance for as
 * long as its session lives; (PG_LOCKS, PG_LOCK_WRITER) by a writing transaction. */
#define PG_LOCKS 24186
#define PG_LOCK_ACTIVE 1
#define PG_LOCK_WRITER 2
#define STR(x) #x
#define XSTR(x) STR(x)

struct pg {
	PGconn *conn;
	int busy_timeout;
	gint64 changes;
	char *error; /* the last failure, and its STORE_ERROR code */
	int code;
	gboolean wants_active; /* asked to be the active instance */
	gboolean active;       /* holds the lock, as far as this process knows */
	GHashTable *cache;     /* the store's SQL -> struct pg_sql */
	guint names;           /* named statements made so far, for the next name */
};

/* One statement of the store, translated, and its name in the current session (NULL until
 * prepared there) for the types of values it was prepared with. */
struct pg_sql {
	char *sql;
	char *name;
	int n;
	Oid *types;
};

struct pg_stmt {
	struct store_stmt base;
	struct pg_sql *cached; /* NULL when the cache was full: sql is then its own */
	char *sql;
	int n;
	char **values;
	int *lengths, *formats;
	Oid *types;
	PGresult *res;
	int row; /* the current row; -1 before the first step */
};

#define PG(s) ((struct pg *)(s)->db)
#define PST(x) ((struct pg_stmt *)(void *)(x))

static void
pg_quiet(void *data, const char *message)
{
	/* notices ("relation already exists, skipping") are not the user's business */
}

/* SQLSTATE → what the caller can do: a lost or refused connection, a lock not had in time,
 * a full disk are tried again later; anything else is the statement's own failure. */
static int
pg_class(const PGconn *conn, const char *sqlstate)
{
	if (PQstatus(conn) != CONNECTION_OK || sqlstate == NULL)
		return STORE_ERROR_CONNECTION;
	if (g_str_has_prefix(sqlstate, "08") || g_str_has_prefix(sqlstate, "57P"))
		return STORE_ERROR_CONNECTION;
	if (g_str_has_prefix(sqlstate, "40") || g_str_has_prefix(sqlstate, "53") ||
	    strcmp(sqlstate, "55P03") == 0 || strcmp(sqlstate, "57014") == 0)
		return STORE_ERROR_TRANSIENT;
	return STORE_ERROR_FAILED;
}

/* One line of libpq's message: it ends in a newline and may hold a DETAIL line. */
static char *
pg_one_line(const char *message)
{
	g_auto(GStrv) lines = g_strsplit(message != NULL ? message : "", "\n", -1);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l != NULL; l++)
		if (*g_strstrip(*l) != '\0')
			g_string_append_printf(out, "%s%s", out->len ? "; " : "", *l);
	return g_string_free(out, FALSE);
}

static void
pg_sql_free(void *data)
{
	struct pg_sql *c = data;

	g_free(c->sql);
	g_free(c->name);
	g_free(c->types);
	g_free(c);
}

/* A new session knows none of the old one's names. */
static void
pg_forget_names(struct pg *pg)
{
	GHashTableIter it;
	struct pg_sql *c;

	if (pg->cache == NULL)
		return;
	g_hash_table_iter_init(&it, pg->cache);
	while (g_hash_table_iter_next(&it, NULL, (void **)&c))
		g_clear_pointer(&c->name, g_free);
}

static void
pg_record(struct pg *pg, const PGresult *res)
{
	const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *sqlstate = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	g_free(pg->error);
	pg->code = pg_class(pg->conn, sqlstate);
	pg->error = pg_one_line(primary != NULL && pg->code != STORE_ERROR_CONNECTION
	                            ? primary
	                            : PQerrorMessage(pg->conn));
	if (pg->code == STORE_ERROR_CONNECTION) {
		pg->active = FALSE; /* the session, and the lock with it, may be gone */
		pg_forget_names(pg);
	}
}

/* Runs sql, which returns nothing worth reading: 0, or -1 with the failure recorded. */
static int
pg_exec(struct store *s, const char *sql)
{
	struct pg *pg = PG(s);
	PGresult *res = PQexec(pg->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st == PGRES_COMMAND_OK)
		pg->changes = g_ascii_strtoll(PQcmdTuples(res), NULL, 10);
	else if (st != PGRES_TUPLES_OK) {
		pg_record(pg, res);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* The first column of the first row of sql, as a new string (NULL for none); -1 on failure. */
static int
pg_value(struct store *s, const char *sql, char **out)
{
	struct pg *pg = PG(s);
	PGresult *res = PQexec(pg->conn, sql);

	*out = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_record(pg, res);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		*out = g_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* What every session sets: how long to wait for another writer, and quiet notices. */
static int
pg_session(struct store *s)
{
	g_autofree char *sql = g_strdup_printf(
	    "SET lock_timeout = '%ds'; SET client_min_messages = warning", PG(s)->busy_timeout);

	PQsetNoticeProcessor(PG(s)->conn, pg_quiet, NULL);
	return pg_exec(s, sql);
}

/* "sevmail on HOST pid PID": how `check` names the instance that holds a lock. */
static char *
pg_application_name(void)
{
	return g_strdup_printf("sevmail on %.30s pid %ld", g_get_host_name(), (long)getpid());
}

static int
pg_open(struct store *s, const struct store_params *p, GError **err)
{
	/* keepalives: a machine that vanishes from the network loses its session (and the
	 * active lock) within a minute, not after the kernel's two hours; libpq's own values in
	 * the connection string win over these */
	g_autofree char *app = pg_application_name();
	const char *keys[] = {"connect_timeout",
	                      "keepalives_idle",
	                      "keepalives_interval",
	                      "keepalives_count",
	                      "dbname",
	                      "application_name",
	                      "password",
	                      NULL};
	const char *values[] = {"10", "15", "5", "3", p->conninfo, app, p->password, NULL};
	struct pg *pg = g_new0(struct pg, 1);

	if (p->password == NULL)
		keys[6] = NULL;
	pg->busy_timeout = p->busy_timeout;
	pg->conn = PQconnectdbParams(keys, values, 1);
	s->db = pg;
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		g_autofree char *why = pg_one_line(pg->conn ? PQerrorMessage(pg->conn) : NULL);

		/* named by its parts: the connection string may hold a password */
		g_set_error(err, STORE_ERROR, STORE_ERROR_CONNECTION,
		            "cannot connect to the PostgreSQL database %s as %s on %s port %s: %s",
		            pg->conn ? PQdb(pg->conn) : "?", pg->conn ? PQuser(pg->conn) : "?",
		            pg->conn ? PQhost(pg->conn) : "?", pg->conn ? PQport(pg->conn) : "?",
		            pg->conn != NULL ? why : "out of memory");
		PQfinish(pg->conn);
		g_free(pg);
		return -1;
	}
	pg->cache = g_hash_table_new_full(store_sql_hash, g_str_equal, g_free, pg_sql_free);
	s->where = g_strdup_printf("PostgreSQL database %s on %s port %s", PQdb(pg->conn),
	                           PQhost(pg->conn), PQport(pg->conn));
	if (pg_session(s) != 0) {
		g_set_error(err, STORE_ERROR, pg->code, "%s: cannot use it: %s", s->where,
		            pg->error);
		PQfinish(pg->conn);
		g_hash_table_destroy(pg->cache);
		g_free(pg->error);
		g_free(pg);
		return -1;
	}
	return 0;
}

static void
pg_close(struct store *s)
{
	PQfinish(PG(s)->conn);
	g_hash_table_destroy(PG(s)->cache);
	g_free(PG(s)->error);
	g_free(PG(s));
}

/* One value as libpq takes it: text for numbers and strings (valid UTF-8, as a UTF8
 * database insists on), bytes for blobs. */
static void
pg_bind(struct pg_stmt *x, int i, const struct store_value *v)
{
	switch (v->type) {
	case STORE_NULL:
		x->types[i] = 0; /* the column says what it is */
		break;
	case STORE_INT:
		x->types[i] = OID_INT8;
		x->values[i] = g_strdup_printf("%" G_GINT64_FORMAT, v->i);
		break;
	case STORE_TEXT:
		x->types[i] = OID_TEXT;
		if (v->p != NULL)
			x->values[i] = g_utf8_make_valid(v->p, -1);
		break;
	case STORE_BLOB:
		x->types[i] = OID_BYTEA;
		x->values[i] = g_malloc(v->n + 1); /* never NULL, which would be SQL's NULL */
		if (v->n > 0)
			memcpy(x->values[i], v->p, v->n);
		x->lengths[i] = (int)v->n;
		x->formats[i] = 1;
		break;
	}
}

static struct store_stmt *
pg_prepare(struct store *s, const char *sql, const struct store_value *v, int n)
{
	struct pg *pg = PG(s);
	struct pg_stmt *x = g_new0(struct pg_stmt, 1);

	x->base.store = s;
	x->cached = g_hash_table_lookup(pg->cache, sql);
	if (x->cached == NULL && g_hash_table_size(pg->cache) < STORE_CACHE_MAX) {
		x->cached = g_new0(struct pg_sql, 1);
		x->cached->sql = store_pg_sql(sql);
		g_hash_table_insert(pg->cache, g_strdup(sql), x->cached);
	}
	x->sql = x->cached != NULL ? x->cached->sql : store_pg_sql(sql);
	x->n = n;
	x->values = g_new0(char *, n + 1);
	x->lengths = g_new0(int, n + 1);
	x->formats = g_new0(int, n + 1);
	x->types = g_new0(Oid, n + 1);
	x->row = -1;
	for (int i = 0; i < n; i++)
		pg_bind(x, i, &v[i]);
	return &x->base;
}

/* The name st's statement has in this session, prepared now if it has none yet: 1 and
 * *name, 0 when it runs unnamed (the cache was full, or the values are of other types than
 * those it was prepared for), -1 when preparing failed (recorded, and in st's result). */
static int
pg_named(struct pg_stmt *x, const char **name)
{
	struct pg *pg = PG(x->base.store);
	struct pg_sql *c = x->cached;
	char *made;

	if (c == NULL)
		return 0;
	if (c->name != NULL) {
		if (c->n != x->n || memcmp(c->types, x->types, sizeof(Oid) * (gsize)x->n) != 0)
			return 0;
		x->base.store->reused++;
		*name = c->name;
		return 1;
	}
	made = g_strdup_printf("sevmail_%u", ++pg->names);
	x->res = PQprepare(pg->conn, made, x->sql, x->n, x->types);
	if (PQresultStatus(x->res) != PGRES_COMMAND_OK) {
		pg_record(pg, x->res);
		g_free(made);
		return -1;
	}
	g_clear_pointer(&x->res, PQclear);
	g_free(c->types);
	c->types = g_memdup2(x->types, sizeof(Oid) * (gsize)(x->n + 1));
	c->n = x->n;
	c->name = made;
	x->base.store->compiled++;
	*name = made;
	return 1;
}

static enum store_step
pg_step(struct store_stmt *st)
{
	struct pg_stmt *x = PST(st);
	struct pg *pg = PG(st->store);
	ExecStatusType status;

	if (x->res == NULL) {
		const char *name = NULL;
		int named = pg_named(x, &name);

		if (named < 0)
			return STORE_FAILED;
		if (named)
			x->res =
			    PQexecPrepared(pg->conn, name, x->n, (const char *const *)x->values,
			                   x->lengths, x->formats, 0);
		else
			x->res =
			    PQexecParams(pg->conn, x->sql, x->n, x->types,
			                 (const char *const *)x->values, x->lengths, x->formats, 0);
		status = PQresultStatus(x->res);
		if (status == PGRES_COMMAND_OK) {
			pg->changes = g_ascii_strtoll(PQcmdTuples(x->res), NULL, 10);
			return STORE_DONE;
		}
		if (status != PGRES_TUPLES_OK) {
			const char *sqlstate = PQresultErrorField(x->res, PG_DIAG_SQLSTATE);

			pg_record(pg, x->res);
			/* the name is gone (DISCARD ALL), or its plan no longer fits the tables
			 * ("cached plan must not change result type"): prepared anew next time */
			if (named && x->cached->name != NULL &&
			    (g_strcmp0(sqlstate, "26000") == 0 ||
			     g_strcmp0(sqlstate, "0A000") == 0))
				g_clear_pointer(&x->cached->name, g_free);
			return STORE_FAILED;
		}
		if (PQcmdTuples(x->res)[0] != '\0') /* INSERT ... RETURNING */
			pg->changes = g_ascii_strtoll(PQcmdTuples(x->res), NULL, 10);
	}
	if (PQresultStatus(x->res) != PGRES_TUPLES_OK || x->row + 1 >= PQntuples(x->res))
		return STORE_DONE;
	x->row++;
	return STORE_ROW;
}

static int
pg_col_count(struct store_stmt *st)
{
	return PQnfields(PST(st)->res);
}

static const char *
pg_col_name(struct store_stmt *st, int col)
{
	return PQfname(PST(st)->res, col);
}

static enum store_type
pg_col_type(struct store_stmt *st, int col)
{
	struct pg_stmt *x = PST(st);
	Oid t = PQftype(x->res, col);

	if (PQgetisnull(x->res, x->row, col))
		return STORE_NULL;
	if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2 || t == OID_BOOL)
		return STORE_INT;
	return t == OID_BYTEA ? STORE_BLOB : STORE_TEXT;
}

static const char *
pg_col_text(struct store_stmt *st, int col)
{
	struct pg_stmt *x = PST(st);

	return PQgetisnull(x->res, x->row, col) ? NULL : PQgetvalue(x->res, x->row, col);
}

static gint64
pg_col_int64(struct store_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);

	if (v == NULL)
		return 0;
	if (PQftype(PST(st)->res, col) == OID_BOOL) /* SQLite's comparisons are 0 or 1 */
		return v[0] == 't';
	return g_ascii_strtoll(v, NULL, 10);
}

static GBytes *
pg_col_bytes(struct store_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	size_t n = 0;
	unsigned char *raw;
	GBytes *b;

	if (v == NULL)
		return g_bytes_new(NULL, 0);
	if (PQftype(PST(st)->res, col) != OID_BYTEA)
		return g_bytes_new(v, strlen(v));
	raw = PQunescapeBytea((const unsigned char *)v, &n);
	b = g_bytes_new(raw, n);
	PQfreemem(raw);
	return b;
}

static void
pg_finalize(struct store_stmt *st)
{
	struct pg_stmt *x = PST(st);

	PQclear(x->res);
	for (int i = 0; i < x->n; i++)
		g_free(x->values[i]);
	g_free(x->values);
	g_free(x->lengths);
	g_free(x->formats);
	g_free(x->types);
	if (x->cached == NULL)
		g_free(x->sql);
	g_free(x);
}

static gint64
pg_changes(struct store *s)
{
	return PG(s)->changes;
}

static char *
pg_last_error(struct store *s, int *code)
{
	*code = PG(s)->code;
	return g_strdup(PG(s)->error != NULL ? PG(s)->error : "unknown error");
}

/* The version is a one-row table: PostgreSQL has no user_version. */
static int
pg_version_get(struct store *s, int *version)
{
	g_autofree char *exists = NULL, *v = NULL;

	*version = 0;
	if (pg_value(s, "SELECT to_regclass('sevmail_schema') IS NOT NULL", &exists) != 0)
		return -1;
	if (g_strcmp0(exists, "t") != 0)
		return 0;
	if (pg_value(s, "SELECT max(version) FROM sevmail_schema", &v) != 0)
		return -1;
	*version = v != NULL ? (int)g_ascii_strtoll(v, NULL, 10) : 0;
	return 0;
}

static int
pg_version_set(struct store *s, int version)
{
	g_autofree char *sql = g_strdup_printf(
	    "CREATE TABLE IF NOT EXISTS sevmail_schema (version BIGINT NOT NULL);"
	    " DELETE FROM sevmail_schema; INSERT INTO sevmail_schema (version) VALUES (%d)",
	    version);

	return pg_exec(s, sql);
}

/* After rows came with their rowids: the table's sequence goes on after the largest. */
static int
pg_copied(struct store *s, const char *table)
{
	struct pg *pg = PG(s);
	char *lit = PQescapeLiteral(pg->conn, table, strlen(table));
	char *ident = PQescapeIdentifier(pg->conn, table, strlen(table));
	g_autofree char *sql = g_strdup_printf(
	    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
	    " current_schema() AND table_name = %s AND column_default LIKE 'nextval%%'",
	    lit);
	PGresult *res = PQexec(pg->conn, sql);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;

	if (rc != 0)
		pg_record(pg, res);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		const char *col = PQgetvalue(res, i, 0); /* rowid or id: plain names */
		g_autofree char *bump = g_strdup_printf(
		    "SELECT setval(pg_get_serial_sequence(%s, '%s'), max(%s)) FROM %s"
		    " HAVING count(*) > 0",
		    lit, col, col, ident);

		rc = pg_exec(s, bump);
	}
	PQclear(res);
	PQfreemem(lit);
	PQfreemem(ident);
	return rc;
}

/* The connection, made again when it was lost; a new session holds no lock. */
static int
pg_reconnect(struct store *s, GError **err)
{
	struct pg *pg = PG(s);

	if (PQstatus(pg->conn) == CONNECTION_OK)
		return 0;
	pg->active = FALSE;
	pg_forget_names(pg);
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK || pg_session(s) != 0) {
		g_autofree char *why = pg_one_line(PQerrorMessage(pg->conn));

		g_set_error(err, STORE_ERROR, STORE_ERROR_CONNECTION, "%s: cannot connect: %s",
		            s->where, why);
		return -1;
	}
	return 0;
}

static gboolean
pg_alive(struct store *s)
{
	g_autofree char *one = NULL;

	return PQstatus(PG(s)->conn) == CONNECTION_OK && pg_value(s, "SELECT 1", &one) == 0;
}

static int
pg_active_take(struct store *s, GError **err)
{
	struct pg *pg = PG(s);
	g_autofree char *got = NULL;

	pg->wants_active = TRUE;
	if (pg->active && pg_alive(s))
		return 1;
	/* a connection that died while idle shows only when used: then once more, anew */
	for (int tries = 0; tries < 2; tries++) {
		if (pg_reconnect(s, err) != 0)
			return -1;
		g_clear_pointer(&got, g_free);
		if (pg_value(
		        s,
		        "SELECT pg_try_advisory_lock(" XSTR(PG_LOCKS) ", " XSTR(PG_LOCK_ACTIVE) ")",
		        &got) == 0 ||
		    PQstatus(pg->conn) == CONNECTION_OK)
			break;
	}
	if (got == NULL) {
		g_set_error(err, STORE_ERROR, pg->code, "%s: cannot take the lock: %s", s->where,
		            pg->error);
		return -1;
	}
	pg->active = g_strcmp0(got, "t") == 0;
	return pg->active ? 1 : 0;
}

static gboolean
pg_active_held(struct store *s)
{
	struct pg *pg = PG(s);

	if (!pg->wants_active)
		return TRUE;
	if (pg->active && !pg_alive(s))
		pg->active = FALSE;
	return pg->active;
}

static int
pg_active_holder(struct store *s, char **who, GError **err)
{
	static const char sql[] =
	    "SELECT coalesce(nullif(a.application_name, ''), 'server process ' || l.pid)"
	    " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE"
	    " l.locktype = 'advisory' AND l.granted AND l.classid = " XSTR(
	        PG_LOCKS) " AND l.objid = " XSTR(PG_LOCK_ACTIVE) " AND l.objsubid = 2 AND "
	                                                         "l.database ="
	                                                         " (SELECT oid FROM pg_database "
	                                                         "WHERE datname ="
	                                                         " current_database())";
	char *name = NULL;

	if (pg_value(s, sql, &name) != 0) {
		g_set_error(err, STORE_ERROR, PG(s)->code,
		            "%s: cannot tell which instance is active: %s", s->where, PG(s)->error);
		return -1;
	}
	*who = name != NULL && g_str_has_prefix(name, "sevmail on ")
	           ? g_strdup(name + strlen("sevmail on "))
	           : g_strdup(name);
	g_free(name);
	return 0;
}

const struct store_backend store_pg_backend = {
    .name = "postgresql",
    .shared = TRUE,
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_type = pg_col_type,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .finalize = pg_finalize,
    .changes = pg_changes,
    .exec = pg_exec,
    .begin_sql =
        "BEGIN; SELECT pg_advisory_xact_lock(" XSTR(PG_LOCKS) ", " XSTR(PG_LOCK_WRITER) ")",
    .last_error = pg_last_error,
    .version_get = pg_version_get,
    .version_set = pg_version_set,
    .schema_sql = store_pg_schema,
    /* autovacuum makes the space of pruned rows reusable; this only does it now */
    .compact_sql = "VACUUM messages",
    .tables_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                  " AND tablename <> 'sevmail_schema' ORDER BY tablename",
    .copied = pg_copied,
    .active_take = pg_active_take,
    .active_held = pg_active_held,
    .active_holder = pg_active_holder,
};
