/*
 * store_handoffs: which handoffs of on-call schedules were noticed, so that one handoff is
 * one notice, whatever restarts happen around it.
 */
#include "store_int.h"

int
store_handoff_seen(struct store *s, const char *schedule, gint64 since, const char *person,
                   GError **err)
{
	gint64 n = 0;

	if (store_query_int(s,
	                    store_prepare(s,
	                                  "SELECT COUNT(*) FROM handoffs WHERE schedule = ?"
	                                  " AND since = ? AND person = ?",
	                                  "sis", schedule, since, person),
	                    &n, err, "cannot read the handoffs") < 0)
		return -1;
	return n > 0;
}

int
store_handoff_add(struct store *s, const char *schedule, gint64 since, const char *person,
                  gint64 now, gboolean sent, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "INSERT INTO handoffs (schedule, since, person, noticed_at,"
	                               " sent) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	                               "sisii", schedule, since, person, now, (gint64)sent),
	                 err, "cannot store the handoff");
}

int
store_handoff_last(struct store *s, const char *schedule, gint64 *since, GError **err)
{
	return store_query_int(s,
	                       store_prepare(s,
	                                     "SELECT MAX(since) FROM handoffs WHERE schedule = ?"
	                                     " HAVING COUNT(*) > 0",
	                                     "s", schedule),
	                       since, err, "cannot read the handoffs");
}
