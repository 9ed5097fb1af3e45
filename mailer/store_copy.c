/*
 * store_copy: `sevmail store-copy`: every row of one database into another, empty one at the
 * same schema version (a SQLite file into PostgreSQL), with their ids, in one transaction,
 * and the row counts of both compared before it commits.
 */
#include "store_int.h"

/* The rows of table, read from from, written into to. -1 + err on failure. */
static int
copy_rows(struct store *from, struct store *to, const char *table, GError **err)
{
	g_autofree char *select = g_strdup_printf("SELECT rowid, * FROM %s", table);
	g_autofree char *insert = NULL;
	g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(struct store_value));
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct store_stmt *st = store_prepare(from, select, "");
	enum store_step rc;
	int n;

	if (st == NULL)
		return store_fail(from, err, "cannot read the table");
	n = from->be->col_count(st);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (insert == NULL) {
			GString *sql = g_string_new(NULL);

			g_string_append_printf(sql, "INSERT INTO %s (rowid", table);
			for (int i = 1; i < n; i++)
				g_string_append_printf(sql, ", %s", from->be->col_name(st, i));
			g_string_append(sql, ") VALUES (?");
			for (int i = 1; i < n; i++)
				g_string_append(sql, ", ?");
			g_string_append(sql, ")");
			insert = g_string_free(sql, FALSE);
		}
		g_array_set_size(v, 0);
		g_ptr_array_set_size(blobs, 0);
		for (int i = 0; i < n; i++) {
			struct store_value x = {from->be->col_type(st, i), 0, NULL, 0};

			if (x.type == STORE_INT)
				x.i = store_col_int64(st, i);
			else if (x.type == STORE_TEXT)
				x.p = from->be->col_text(st, i);
			else if (x.type == STORE_BLOB) {
				GBytes *b = store_col_bytes(st, i);

				g_ptr_array_add(blobs, b);
				x.p = g_bytes_get_data(b, &x.n);
			}
			g_array_append_val(v, x);
		}
		if (store_run(to,
		              to->be->prepare(to, insert, (struct store_value *)(void *)v->data,
		                              (int)v->len),
		              err, "cannot copy a row") != 0)
			break;
	}
	if (rc == STORE_FAILED)
		store_fail(from, err, "cannot read the table");
	store_finalize(st);
	if (rc != STORE_DONE)
		return -1;
	if (to->be->copied != NULL && to->be->copied(to, table) != 0)
		return store_fail(to, err, "cannot set the table's next id");
	return 0;
}

static gint64
copy_count(struct store *s, const char *table, GError **err)
{
	g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM %s", table);

	return store_query_id(s, store_prepare(s, sql, ""), err, "cannot count the rows");
}

/* Every table of from, in to: -1 + err when to lacks one or has rows in it already. */
static int
copy_check(struct store *from, struct store *to, GPtrArray *tables, GError **err)
{
	GError *e = NULL;
	int vf = store_schema_version(from, err), vt;

	if (vf < 0 || (vt = store_schema_version(to, err)) < 0)
		return -1;
	if (vf != vt) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_FAILED,
		            "%s has schema version %d, %s has %d; open both with the same sevmail",
		            from->where, vf, to->where, vt);
		return -1;
	}
	for (guint i = 0; i < tables->len; i++) {
		gint64 n = copy_count(to, tables->pdata[i], &e);

		if (n != 0) {
			if (n > 0)
				g_set_error(&e, STORE_ERROR, STORE_ERROR_FAILED,
				            "table %s has %" G_GINT64_FORMAT " rows already; "
				            "store-copy only fills an empty database",
				            (const char *)tables->pdata[i], n);
			g_prefix_error(&e, "%s: ", to->where);
			g_propagate_error(err, e);
			return -1;
		}
	}
	return 0;
}

/* The tables' row counts in both: equal, or -1 + err naming the first that differs. */
static int
copy_verify(struct store *from, struct store *to, GPtrArray *tables, GString *report, GError **err)
{
	for (guint i = 0; i < tables->len; i++) {
		const char *t = tables->pdata[i];
		gint64 a = copy_count(from, t, err), b;

		if (a < 0 || (b = copy_count(to, t, err)) < 0)
			return -1;
		if (a != b) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_FAILED,
			            "table %s: %" G_GINT64_FORMAT
			            " rows in %s but %" G_GINT64_FORMAT
			            " copied; nothing was committed",
			            t, a, from->where, b);
			return -1;
		}
		g_string_append_printf(report, "%-16s %" G_GINT64_FORMAT " rows\n", t, a);
	}
	return 0;
}

int
store_copy(struct store *from, struct store *to, char **report, GError **err)
{
	g_autoptr(GPtrArray) tables = store_query_texts(
	    from, store_prepare(from, from->be->tables_sql, ""), err, "cannot list the tables");
	g_autoptr(GString) out = g_string_new(NULL);

	*report = NULL;
	if (tables == NULL || copy_check(from, to, tables, err) != 0)
		return -1;
	if (store_begin(to, err) != 0)
		return -1;
	for (guint i = 0; i < tables->len; i++) {
		if (copy_rows(from, to, tables->pdata[i], err) != 0) {
			g_prefix_error(err, "table %s: ", (const char *)tables->pdata[i]);
			store_rollback(to);
			return -1;
		}
	}
	if (copy_verify(from, to, tables, out, err) != 0) {
		store_rollback(to);
		return -1;
	}
	if (store_commit(to, err) != 0)
		return -1;
	*report = g_string_free(g_steal_pointer(&out), FALSE);
	return 0;
}
