/*
 * store_overrides: the schedule overrides (DESIGN.md, "Teams, schedules and escalation
 * policies"). A removed override keeps its row, so ids only grow and the later one always
 * has the higher id, which schedule.c lets win.
 */
#include "store_int.h"

#include "schedule.h"

static struct schedule_override *
override_from_row(struct store_stmt *st)
{
	struct schedule_override *o = g_new0(struct schedule_override, 1);

	o->id = store_col_int64(st, 0);
	o->schedule = store_col_text(st, 1);
	o->person = store_col_text(st, 2);
	o->from = store_col_int64(st, 3);
	o->until = store_col_int64(st, 4);
	return o;
}

GPtrArray *
store_overrides(struct store *s, gint64 ending_after, GError **err)
{
	struct store_stmt *st = store_prepare(s,
	                                      "SELECT id, schedule, person, from_at, until_at FROM"
	                                      " overrides WHERE removed_at IS NULL AND until_at > ?"
	                                      " ORDER BY id",
	                                      "i", ending_after);
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)schedule_override_free);
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the schedule overrides");
		g_ptr_array_unref(list);
		return NULL;
	}
	while ((rc = store_step(st)) == STORE_ROW)
		g_ptr_array_add(list, override_from_row(st));
	return store_list_finish(s, st, rc, list, err, "cannot read the schedule overrides");
}

int
store_override_add(struct store *s, struct schedule_override *o, const char *by, gint64 now,
                   GError **err)
{
	o->id = store_query_id(s,
	                       store_prepare(s,
	                                     "INSERT INTO overrides (schedule, person, from_at,"
	                                     " until_at, created_by, created_at)"
	                                     " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	                                     "ssiisi", o->schedule, o->person, o->from, o->until,
	                                     by, now),
	                       err, "cannot store the override");
	return o->id < 0 ? -1 : 0;
}

int
store_override_remove(struct store *s, gint64 id, gint64 now, GError **err)
{
	gint64 removed;
	int found;

	if (store_run(s,
	              store_prepare(s,
	                            "UPDATE overrides SET removed_at = ? WHERE id = ?"
	                            " AND removed_at IS NULL",
	                            "ii", now, id),
	              err, "cannot remove the override") != 0)
		return -1;
	if (store_changes(s) > 0)
		return 0;
	found = store_query_int(
	    s, store_prepare(s, "SELECT removed_at FROM overrides WHERE id = ?", "i", id), &removed,
	    err, "cannot read the schedule overrides");
	if (found < 0)
		return -1;
	if (found == 0)
		g_set_error(err, STORE_ERROR, 0,
		            "there is no override %" G_GINT64_FORMAT
		            "; `sevmail overrides` lists them",
		            id);
	else
		g_set_error(err, STORE_ERROR, 0,
		            "override %" G_GINT64_FORMAT " was removed already", id);
	return -1;
}
