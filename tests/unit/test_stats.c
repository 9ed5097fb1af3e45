/* Stats over a made-up history whose answers are known by hand. */
#include "stats.h"

#include <string.h>

#define T0 1795000000 /* 2026-11-18 11:06:40 UTC */

static struct incident *
made(GPtrArray *incidents, GPtrArray *events, int severity, gint64 created, gint64 tta, gint64 ttr)
{
	struct incident *inc = incident_new("x", "manual", created);

	inc->id = incidents->len + 1;
	inc->severity = severity;
	if (tta >= 0) {
		inc->acked_at = created + tta;
		inc->status = STATUS_INVESTIGATING;
	}
	if (ttr >= 0) {
		inc->resolved_at = created + ttr;
		inc->status = STATUS_RESOLVED;
	}
	g_ptr_array_add(incidents, inc);
	g_ptr_array_add(events, g_ptr_array_new_with_free_func((GDestroyNotify)event_free));
	return inc;
}

static void
event(GPtrArray *events, const char *kind)
{
	GPtrArray *last = events->pdata[events->len - 1];

	g_ptr_array_add(last, event_new(T0, "sevmail", kind, ""));
}

/* Five SEV 1 (MTTA 60, 120, 180, 240, 600; four resolved), two SEV 2 (one never
 * acknowledged, still open), one not assessed, and one old SEV 1 before the period. */
static void
history(GPtrArray *incidents, GPtrArray *events)
{
	made(incidents, events, 1, T0 - 90 * 86400, 5, 50); /* before the period */
	event(events, "escalated");
	event(events, "alert_repeat");
	made(incidents, events, 1, T0 + 100, 60, 3600);
	event(events, "alert_repeat");
	event(events, "alert_repeat");
	made(incidents, events, 1, T0 + 200, 120, 1200);
	made(incidents, events, 1, T0 + 300, 180, 600);
	event(events, "escalated");
	event(events, "paged");
	event(events, "escalated");
	made(incidents, events, 1, T0 + 400, 240, 7200);
	made(incidents, events, 1, T0 + 500, 600, -1);
	event(events, "alert_repeat");
	made(incidents, events, 2, T0 + 600, 30, 300);
	made(incidents, events, 2, T0 + 700, -1, -1);
	made(incidents, events, 0, T0 + 800, 10, 20);
}

static void
test_by_severity(void)
{
	g_autoptr(GPtrArray) inc = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	g_autoptr(GPtrArray) ev = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(stats) s = NULL;

	history(inc, ev);
	s = stats_compute(inc, ev, T0);
	g_assert_cmpuint(s->incidents, ==, 8);
	g_assert_cmpuint(s->open, ==, 2);
	g_assert_cmpuint(s->by_severity[1].incidents, ==, 5);
	g_assert_cmpuint(s->by_severity[1].mtta.count, ==, 5);
	g_assert_cmpint(s->by_severity[1].mtta.median, ==, 180);
	g_assert_cmpint(s->by_severity[1].mtta.p90, ==, 600);
	/* MTTR 600, 1200, 3600, 7200: nearest rank gives the lower middle and the largest */
	g_assert_cmpuint(s->by_severity[1].mttr.count, ==, 4);
	g_assert_cmpint(s->by_severity[1].mttr.median, ==, 1200);
	g_assert_cmpint(s->by_severity[1].mttr.p90, ==, 7200);
	g_assert_cmpuint(s->by_severity[2].incidents, ==, 2);
	g_assert_cmpuint(s->by_severity[2].mtta.count, ==, 1);
	g_assert_cmpint(s->by_severity[2].mtta.median, ==, 30);
	g_assert_cmpint(s->by_severity[2].mttr.p90, ==, 300);
	g_assert_cmpuint(s->by_severity[3].incidents, ==, 0);
	g_assert_cmpuint(s->by_severity[3].mtta.count, ==, 0);
	g_assert_cmpint(s->by_severity[3].mtta.median, ==, -1);
	g_assert_cmpint(s->by_severity[3].mttr.p90, ==, -1);
	g_assert_cmpuint(s->by_severity[0].incidents, ==, 1);
	g_assert_cmpint(s->by_severity[0].mttr.median, ==, 20);
	/* all: MTTA 10 30 60 120 180 240 600 -> median rank 4 = 120, p90 rank 7 = 600 */
	g_assert_cmpuint(s->all.mtta.count, ==, 7);
	g_assert_cmpint(s->all.mtta.median, ==, 120);
	g_assert_cmpint(s->all.mtta.p90, ==, 600);
}

static void
test_event_counts_and_period(void)
{
	g_autoptr(GPtrArray) inc = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	g_autoptr(GPtrArray) ev = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(stats) recent = NULL, ever = NULL, no_events = NULL;

	history(inc, ev);
	recent = stats_compute(inc, ev, T0);
	g_assert_cmpuint(recent->escalations, ==, 2);
	g_assert_cmpuint(recent->alerts_deduplicated, ==, 3);
	ever = stats_compute(inc, ev, 0);
	g_assert_cmpuint(ever->incidents, ==, 9);
	g_assert_cmpuint(ever->escalations, ==, 3);
	g_assert_cmpuint(ever->alerts_deduplicated, ==, 4);
	g_assert_cmpint(ever->by_severity[1].mtta.median, ==, 120);
	no_events = stats_compute(inc, NULL, 0);
	g_assert_cmpuint(no_events->incidents, ==, 9);
	g_assert_cmpuint(no_events->escalations, ==, 0);
}

static void
test_percentile_nearest_rank(void)
{
	const gint64 ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	const gint64 one[] = {42};

	g_assert_cmpint(stats_percentile(ten, 10, 50), ==, 5);
	g_assert_cmpint(stats_percentile(ten, 10, 90), ==, 9);
	g_assert_cmpint(stats_percentile(ten, 10, 91), ==, 10);
	g_assert_cmpint(stats_percentile(ten, 10, 100), ==, 10);
	g_assert_cmpint(stats_percentile(ten, 4, 50), ==, 2);
	g_assert_cmpint(stats_percentile(one, 1, 50), ==, 42);
	g_assert_cmpint(stats_percentile(one, 1, 90), ==, 42);
	g_assert_cmpint(stats_percentile(NULL, 0, 50), ==, -1);
}

static void
test_text(void)
{
	g_autoptr(GPtrArray) inc = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	g_autoptr(GPtrArray) ev = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(stats) s = NULL;
	g_autofree char *t = NULL;

	history(inc, ev);
	s = stats_compute(inc, ev, T0);
	t = stats_text(s);
	g_assert_true(
	    g_str_has_prefix(t, "Incidents declared since 2026-11-18 11:06 UTC: 8 (2 open)\n"));
	g_assert_nonnull(
	    strstr(t, "\nSEV 1                5  3 min       10 min      20 min      2 h\n"));
	g_assert_nonnull(
	    strstr(t, "\nSEV 3                0  -           -           -           -\n"));
	g_assert_nonnull(strstr(t, "\nnot assessed         1  10 s"));
	g_assert_nonnull(strstr(t, "Escalations (nobody acknowledged in time): 2\n"));
	g_assert_nonnull(strstr(t, "Alert repeats absorbed (no new incident, nobody paged): 3\n"));
}

static void
test_empty(void)
{
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	g_autoptr(stats) s = stats_compute(none, none, 0);
	g_autofree char *t = stats_text(s);

	g_assert_cmpuint(s->incidents, ==, 0);
	g_assert_cmpint(s->all.mttr.median, ==, -1);
	g_assert_true(g_str_has_prefix(t, "Incidents: 0 (0 open)\n"));
	g_assert_null(strstr(t, "not assessed"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/stats/by-severity", test_by_severity);
	g_test_add_func("/stats/events-and-period", test_event_counts_and_period);
	g_test_add_func("/stats/percentile", test_percentile_nearest_rank);
	g_test_add_func("/stats/text", test_text);
	g_test_add_func("/stats/empty", test_empty);
	return g_test_run();
}
