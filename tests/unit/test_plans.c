/* The query plans of the statements that must cost the same after a year of history as on
 * the first day (store_hot_statements: intake, the timers, list, show, stats, the status
 * page): SQLite's EXPLAIN QUERY PLAN of the very SQL the store runs, on a database of the
 * current schema, must read none of the tables that grow with history whole. A SCAN of
 * such a table fails, unless it goes through a partial index (those hold only what can
 * still change, as incidents_open does) or the statement is one whose job is to read that
 * table whole (list --all). SQLite plans these without statistics (sevmail never runs
 * ANALYZE), so the plan on an empty database is the plan on a full one. */
#include "store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* the tables that grow with every incident, mail and alert */
static const char *const growing[] = {"incidents",    "events",      "outbox",
                                      "outbox_rcpts", "messages",    "incident_alerts",
                                      "participants", "action_items"};

struct db {
	char *dir;
	sqlite3 *conn;
};

static void
db_open(struct db *d)
{
	g_autofree char *path = NULL;
	g_autoptr(GError) e = NULL;
	struct store *s;

	d->dir = g_dir_make_tmp("sevmail-plans-XXXXXX", NULL);
	path = g_build_filename(d->dir, "db", NULL);
	s = store_open(path, 1, &e); /* every migration */
	g_assert_no_error(e);
	store_close(s);
	g_assert_cmpint(sqlite3_open_v2(path, &d->conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
}

static void
db_close(struct db *d)
{
	g_autofree char *path = g_build_filename(d->dir, "db", NULL);

	sqlite3_close(d->conn);
	g_unlink(path);
	g_rmdir(d->dir);
	g_free(d->dir);
}

/* Whether index name has a WHERE (a partial index). */
static gboolean
is_partial(sqlite3 *conn, const char *name)
{
	sqlite3_stmt *st = NULL;
	gboolean partial = FALSE;

	g_assert_cmpint(sqlite3_prepare_v2(conn,
	                                   "SELECT sql FROM sqlite_master WHERE type = 'index'"
	                                   " AND name = ?",
	                                   -1, &st, NULL),
	                ==, SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		partial = strstr((const char *)sqlite3_column_text(st, 0), " WHERE ") != NULL;
	sqlite3_finalize(st);
	return partial;
}

/* The table a name in a plan stands for: itself, or the table it is an alias of in sql. */
static char *
table_of(const char *sql, const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(growing); i++) {
		g_autofree char *pattern =
		    g_strdup_printf("\\b%s\\s+(AS\\s+)?%s\\b", growing[i], name);

		if (strcmp(growing[i], name) == 0 ||
		    g_regex_match_simple(pattern, sql, G_REGEX_CASELESS, 0))
			return g_strdup(growing[i]);
	}
	return NULL;
}

/* The full scans of growing tables in sql's plan, one per line ("" when none). */
static char *
bad_scans(sqlite3 *conn, const char *sql, const char *may_scan)
{
	g_autofree char *explain = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	g_auto(GStrv) allowed = g_strsplit(may_scan, " ", -1);
	g_autoptr(GRegex) scan =
	    g_regex_new("^SCAN (\\w+)(?: USING (?:COVERING )?INDEX (\\w+))?", 0, 0, NULL);
	GString *out = g_string_new(NULL);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(conn, explain, -1, &st, NULL);

	if (rc != SQLITE_OK)
		g_error("cannot explain %s: %s", sql, sqlite3_errmsg(conn));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		g_autoptr(GMatchInfo) m = NULL;
		g_autofree char *name = NULL, *index = NULL, *table = NULL;

		g_test_message("  %s", detail);
		if (!g_regex_match(scan, detail, 0, &m))
			continue;
		name = g_match_info_fetch(m, 1);
		index = g_match_info_fetch(m, 2);
		if ((table = table_of(sql, name)) == NULL)
			continue; /* not a table that grows */
		if (index != NULL && *index != '\0' && is_partial(conn, index))
			continue;
		if (g_strv_contains((const char *const *)allowed, table))
			continue;
		g_string_append_printf(out, "%s\n", detail);
	}
	g_assert_cmpint(rc, ==, SQLITE_DONE);
	sqlite3_finalize(st);
	return g_string_free(out, FALSE);
}

static void
test_hot_statements_use_indexes(void)
{
	struct db d;
	guint n = 0;
	GString *failures = g_string_new(NULL);

	db_open(&d);
	for (const struct store_hot_sql *h = store_hot_statements; h->name != NULL; h++, n++) {
		g_autofree char *bad = NULL;

		g_test_message("%s: %s", h->name, h->sql());
		bad = bad_scans(d.conn, h->sql(), h->may_scan);

		if (*bad != '\0')
			g_string_append_printf(failures, "%s: %s\n  %s", h->name, h->sql(), bad);
	}
	db_close(&d);
	if (failures->len > 0)
		g_error("full table scans where an index should be used:\n%s", failures->str);
	g_string_free(failures, TRUE);
	g_assert_cmpuint(n, >=, 15);
}

/* The check itself: the statements sevmail ran before the indexes of schema version 9 are
 * caught, so a passing test means something. */
static void
test_scans_are_caught(void)
{
	struct db d;
	g_autofree char *old_count = NULL, *old_timers = NULL, *aliased = NULL, *ok = NULL;

	db_open(&d);
	old_count = bad_scans(d.conn, "SELECT count(*) FROM outbox WHERE sender = ?", "");
	g_assert_true(g_str_has_prefix(old_count, "SCAN outbox"));
	old_timers = bad_scans(d.conn,
	                       "SELECT id FROM incidents WHERE ? != 0 OR status NOT IN"
	                       " ('resolved', 'closed') ORDER BY id DESC",
	                       "");
	g_assert_true(g_str_has_prefix(old_timers, "SCAN incidents"));
	aliased = bad_scans(d.conn,
	                    "SELECT count(*) FROM outbox o JOIN outbox_rcpts r ON r.outbox_id ="
	                    " o.id WHERE r.last_error = ?",
	                    "");
	g_assert_cmpstr(aliased, !=, "");
	ok = bad_scans(d.conn, "SELECT id FROM incidents ORDER BY id", "incidents");
	g_assert_cmpstr(ok, ==, "");
	db_close(&d);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plans/hot-statements-use-indexes", test_hot_statements_use_indexes);
	g_test_add_func("/plans/scans-are-caught", test_scans_are_caught);
	return g_test_run();
}
