/*
 * incident_merge: the alerts an incident holds and MERGE, one incident joining another.
 * Pure, like incident.c: the caller stores the events and moves the rows.
 */
#include "incident.h"

struct incident_alert *
incident_alert_new(const char *fingerprint, const char *source, const char *title, gint64 now)
{
	struct incident_alert *a = g_new0(struct incident_alert, 1);

	a->fingerprint = g_strdup(fingerprint);
	a->source = g_strdup(source);
	a->title = g_strdup(title);
	a->first_at = a->last_at = now;
	a->count = 1;
	return a;
}

void
incident_alert_free(struct incident_alert *a)
{
	if (a == NULL)
		return;
	g_free(a->fingerprint);
	g_free(a->source);
	g_free(a->title);
	g_free(a);
}

guint
incident_alerts_firing(GPtrArray *alerts)
{
	guint n = 0;

	for (guint i = 0; alerts != NULL && i < alerts->len; i++)
		n += !((const struct incident_alert *)alerts->pdata[i])->resolved;
	return n;
}

/* Why an incident (whose id is `id`) takes part in no merge: it is closed, or merged. */
static char *
merge_closed(gint64 id, const struct incident *inc)
{
	if (inc->merged_into != 0)
		return g_strdup_printf("INC-%" G_GINT64_FORMAT
		                       " was merged into INC-%" G_GINT64_FORMAT " already",
		                       id, inc->merged_into);
	return g_strdup_printf("INC-%" G_GINT64_FORMAT " is closed (its post-mortem was published)",
	                       id);
}

char *
incident_merge_refusal(const struct incident *into, gint64 other_id, const struct incident *other)
{
	if (other_id == into->id)
		return g_strdup("an incident cannot be merged into itself");
	if (into->status == STATUS_CLOSED)
		return merge_closed(into->id, into);
	if (other == NULL)
		return g_strdup_printf("there is no incident INC-%" G_GINT64_FORMAT, other_id);
	if (other->status == STATUS_CLOSED)
		return merge_closed(other_id, other);
	return NULL;
}

void
incident_merge(struct incident *other, gint64 into, const char *actor, gint64 now,
               struct incident_outcome *out)
{
	g_autofree char *detail =
	    g_strdup_printf("Merged into INC-%" G_GINT64_FORMAT " by %s", into, actor);

	other->merged_into = into;
	g_ptr_array_add(out->events, event_make(now, actor, EVENT_MERGED, detail));
	g_ptr_array_add(out->changes, g_steal_pointer(&detail));
	incident_enter_status(other, STATUS_CLOSED, actor, now, out);
}
