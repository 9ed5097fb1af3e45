/*
 * store_retention: the raw bytes of inbound mail dropped once they are old ([general]
 * keep_raw, `sevmail prune`), a batch of rows per transaction so that intake never waits for
 * a large prune, and the pages they held reused or given back to the file system.
 */
#include "store_int.h"

#include "util.h"

/* Batches per timer pass: a first prune of a large database is spread over passes. */
#define RETENTION_PASS_BATCHES 4
/* Seconds between two prunes that found less than their batches' worth: passes come as
 * often as mail does, the prune need not. */
#define RETENTION_EVERY 60
/* Pages given back per incremental vacuum: each is one short write transaction. */
#define RECLAIM_STEP 2048

/* One batch in its own transaction: the number pruned, -1 + err. A zero-length blob, not
 * NULL: the column is NOT NULL since the first migration (a bound blob with a pointer is
 * a blob on both backends, even empty). */
static gint64
prune_batch(struct store *s, gint64 before, gint64 now, GError **err)
{
	static const char empty[1] = "";
	gint64 n;

	if (store_begin(s, err) != 0)
		return -1;
	if (store_run(s,
	              store_prepare(s,
	                            "UPDATE messages SET raw = ?, pruned_at = ? WHERE id IN"
	                            " (SELECT id FROM messages WHERE pruned_at IS NULL AND"
	                            " received_at < ? ORDER BY received_at LIMIT ?)",
	                            "biii", (const void *)empty, (gsize)0, now, before,
	                            (gint64)STORE_PRUNE_BATCH),
	              err, "cannot prune raw messages") != 0) {
		store_rollback(s);
		return -1;
	}
	n = store_changes(s);
	return store_commit(s, err) == 0 ? n : -1;
}

gint64
store_prune_raw(struct store *s, gint64 before, gint64 now, int max_batches, GError **err)
{
	gint64 total = 0, n = STORE_PRUNE_BATCH;

	for (int i = 0; n == STORE_PRUNE_BATCH && (max_batches == 0 || i < max_batches); i++) {
		if ((n = prune_batch(s, before, now, err)) < 0)
			return -1;
		total += n;
	}
	return total;
}

int
store_space(struct store *s, struct store_space *sp, GError **err)
{
	*sp = (struct store_space){0};
	if (s->be->space == NULL)
		return 0;
	if (s->be->space(s, sp) != 0)
		return store_fail(s, err, "cannot read how the file uses its pages");
	return 0;
}

gint64
store_reclaim(struct store *s, gint64 pages, GError **err)
{
	struct store_space before, after;
	gint64 left;

	if (s->be->reclaim == NULL)
		return 0;
	if (store_space(s, &before, err) != 0)
		return -1;
	if (!before.incremental)
		return 0;
	left = pages > 0 ? MIN(pages, before.free_pages) : before.free_pages;
	for (gint64 step; left > 0; left -= step) {
		step = MIN(left, RECLAIM_STEP);
		if (s->be->reclaim(s, step) != 0)
			return store_fail(s, err, "cannot give free pages back");
	}
	if (store_space(s, &after, err) != 0)
		return -1;
	return before.free_pages - after.free_pages;
}

int
store_compact(struct store *s, GError **err)
{
	if (s->be->exec(s, s->be->compact_sql) != 0)
		return store_fail(s, err, "cannot vacuum");
	return 0;
}

/* Said once per process: the file reuses the pages pruned rows freed, but cannot shrink. */
static void
retention_note_space(struct store *s)
{
	static gboolean told = FALSE;
	struct store_space sp;
	g_autoptr(GError) e = NULL;

	if (told || store_space(s, &sp, &e) != 0 || !sp.known || sp.incremental)
		return;
	told = TRUE;
	g_message("%s: the pages of pruned mail are reused for new mail, but this database "
	          "(made before sevmail set auto_vacuum = incremental) gives none back to the "
	          "file system; `sevmail prune --vacuum` once makes it do so",
	          s->where);
}

void
store_retention_run(struct store *s, int keep, gint64 now)
{
	static gint64 next_at = 0; /* monotonic microseconds */
	g_autoptr(GError) e = NULL;
	g_autofree char *when = NULL;
	gint64 n, pages = 0, full = (gint64)RETENTION_PASS_BATCHES * STORE_PRUNE_BATCH;

	if (keep <= 0 || g_get_monotonic_time() < next_at)
		return;
	n = store_prune_raw(s, now - keep, now, RETENTION_PASS_BATCHES, &e);
	if (n > 0)
		pages = store_reclaim(s, 0, &e);
	if (n < 0 || pages < 0) {
		g_warning("keep_raw: %s; tried again on the next pass", e->message);
		return;
	}
	if (n < full)
		next_at = g_get_monotonic_time() + RETENTION_EVERY * G_USEC_PER_SEC;
	if (n == 0)
		return;
	when = util_human_time(now - keep);
	g_message("keep_raw: pruned the raw bytes of %" G_GINT64_FORMAT
	          " messages received before %s%s",
	          n, when, n == full ? "; more on the next pass" : "");
	retention_note_space(s);
}
