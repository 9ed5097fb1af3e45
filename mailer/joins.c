/*
 * joins: one notice for many joined alerts. An alert that joins an incident is stored not
 * yet told; the summary tells the incident's people of all of them and marks them told in
 * the same transaction, so a crash can neither lose nor repeat one.
 */
#include "joins.h"

#include "incident.h"
#include "notify.h"
#include "util.h"

/* How many joined alerts a summary names; the rest are counted. */
#define JOINS_NAMED 10

/* Those paged for inc, and its commander when nobody paged them. Caller frees. */
static GPtrArray *
joins_people(struct store *s, const struct incident *inc, GError **err)
{
	GPtrArray *people = store_participants_paged(s, inc->id, err);

	if (people != NULL && inc->commander != NULL &&
	    !g_ptr_array_find_with_equal_func(people, inc->commander, g_str_equal, NULL))
		g_ptr_array_add(people, g_strdup(inc->commander));
	return people;
}

/* "3 more alerts joined INC-4 (nobody was paged for them): a (nagios); b (nagios); c
 * (nagios)." with at most JOINS_NAMED named. count: the alerts not told yet. Caller frees. */
static char *
joins_text(const struct incident *inc, GPtrArray *alerts, guint count)
{
	g_autoptr(GString) names = g_string_new(NULL);
	guint named = 0;

	for (guint i = 0; i < alerts->len && named < JOINS_NAMED; i++) {
		const struct incident_alert *a = alerts->pdata[i];

		if (a->told_at == 0)
			g_string_append_printf(names, "%s%s (%s)", named++ ? "; " : "", a->title,
			                       a->source);
	}
	if (count > named)
		g_string_append_printf(names, "; and %u more", count - named);
	return g_strdup_printf("%u more alert%s joined INC-%" G_GINT64_FORMAT
	                       " (nobody was paged for them): %s.",
	                       count, count == 1 ? "" : "s", inc->id, names->str);
}

/* The alerts not told yet, and when the responders last heard of the incident's alerts. */
static guint
joins_untold(const struct incident *inc, GPtrArray *alerts, gint64 *last)
{
	guint count = 0;

	*last = inc->created_at;
	for (guint i = 0; i < alerts->len; i++) {
		const struct incident_alert *a = alerts->pdata[i];

		count += a->told_at == 0;
		*last = MAX(*last, a->told_at);
	}
	return count;
}

/* The summary, its event and the alerts marked told, in one transaction. */
static int
joins_send(const struct config *cfg, struct store *s, struct incident *inc, GPtrArray *alerts,
           guint count, gint64 now, GError **err)
{
	struct notify n = {cfg, s, now};
	g_autoptr(GPtrArray) people = joins_people(s, inc, err);
	g_autofree char *text = joins_text(inc, alerts, count);
	g_autofree char *headline =
	    g_strdup_printf("%u more alert%s joined", count, count == 1 ? "" : "s");
	g_autoptr(GString) detail = g_string_new("Told ");
	struct event *e;
	int rc;

	if (people == NULL || store_begin(s, err) != 0)
		return -1;
	for (guint i = 0; i < people->len; i++)
		g_string_append_printf(detail, "%s%s", i ? ", " : "",
		                       (const char *)people->pdata[i]);
	g_string_append_printf(detail, "%s: %s", people->len ? "" : "nobody (nobody was paged)",
	                       headline);
	rc = store_incident_alerts_told(s, inc->id, now, err);
	for (guint i = 0; rc == 0 && i < people->len; i++)
		rc = notify_notice(&n, inc, people->pdata[i], headline, text, err);
	e = event_make(now, "sevmail", EVENT_TOLD, detail->str);
	if (rc == 0)
		rc = store_event_add(s, inc->id, e, NULL, err);
	event_free(e);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	g_message("INC-%" G_GINT64_FORMAT ": %s", inc->id, detail->str);
	return rc;
}

/* 1 when incident id's summary was sent, 0 when none is due, -1 + err. */
static int
joins_tell(const struct config *cfg, struct store *s, gint64 id, gint64 now, GError **err)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(GPtrArray) alerts = NULL;
	int found = store_incident_get(s, id, &inc, err);
	gint64 last;
	guint count;

	if (found <= 0)
		return found;
	if ((alerts = store_incident_alerts(s, id, err)) == NULL)
		return -1;
	count = joins_untold(inc, alerts, &last);
	if (count == 0 || now < last + JOINS_EVERY)
		return 0;
	return joins_send(cfg, s, inc, alerts, count, now, err) == 0 ? 1 : -1;
}

int
joins_run(const struct config *cfg, struct store *s, gint64 now)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GArray) ids = store_incidents_untold(s, &e);
	int sent = 0;

	if (ids == NULL) {
		g_warning("summaries of joined alerts skipped: %s", e->message);
		return 0;
	}
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		int rc = joins_tell(cfg, s, id, now, &e);

		/* one incident's failure never stops the others': tried again at the next tick */
		if (rc < 0) {
			g_warning("INC-%" G_GINT64_FORMAT ": summary of joined alerts failed: %s",
			          id, e != NULL ? e->message : "unknown error");
			g_clear_error(&e);
			continue;
		}
		sent += rc;
	}
	return sent;
}
