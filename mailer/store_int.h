/*
 * store_int: what the store's files share and nothing else sees: the handle's contents and
 * the helpers that prepare, run and read statements and record the first failure.
 */
#ifndef SEVMAIL_STORE_INT_H
#define SEVMAIL_STORE_INT_H

#include "store.h"

#include <sqlite3.h>

struct store {
	sqlite3 *db;
	/* The first failure inside the open transaction (fdm's one error rule): a caller that
	 * ignored it cannot commit the rest as if it had not happened. */
	char *failed;
	int failed_code;
};

/* Records what failed in err (and, inside a transaction, as the transaction's first
 * failure); returns -1. */
int store_fail(struct store *s, GError **err, const char *what);
/* Prepares sql and binds the arguments described by types: 's' text (NULL allowed),
 * 'i' gint64, 'b' blob (pointer then gsize). NULL on error. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *types, ...);
/* Runs a statement that returns no rows; finalizes it. */
int store_run(struct store *s, sqlite3_stmt *st, GError **err, const char *what);
/* Column col as a new string, NULL for NULL. */
char *store_column_text(sqlite3_stmt *st, int col);
/* Runs a statement for its first row's first column; finalizes it. 1 and *v when there is
 * a row (a NULL reads as 0), 0 when there is none, -1 + err when the query fails: a failed
 * read is never "none". */
int store_query_int(struct store *s, sqlite3_stmt *st, gint64 *v, GError **err, const char *what);
/* The first column of every row as char *; finalizes st. NULL + err on failure. */
GPtrArray *store_query_texts(struct store *s, sqlite3_stmt *st, GError **err, const char *what);
/* The id store_query_int found, 0 for none, -1 when it failed. */
gint64 store_query_id(struct store *s, sqlite3_stmt *st, GError **err, const char *what);

/* The end of a loop that reads rows into list: finalizes st and returns list when the
 * last step was SQLITE_DONE; otherwise frees list and returns NULL with err (set here for a
 * failed step, or already set by a nested read that stopped the loop on a row). */
GPtrArray *store_list_finish(struct store *s, sqlite3_stmt *st, int rc, GPtrArray *list,
                             GError **err, const char *what);

#endif
