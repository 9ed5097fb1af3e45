/* Noise control's pure decisions (DESIGN.md, "Noise control"): when a maintenance window
 * holds and which alerts it holds back, how MAINTENANCE's argument is read and refused,
 * the labels kept for a window's end, and a heartbeat monitor's state at fixed times. */
#include "match.h"
#include "route.h"

#include <string.h>

/* 2026-12-02 14:00 UTC */
#define T G_GINT64_CONSTANT(1796220000)
#define MINUTE 60
#define HOUR 3600

/* An alert as a detector gives it: labels from "name=value" pairs. */
static struct alert *
alert_of(const char *source, const char *const *labels)
{
	struct alert *a = g_new0(struct alert, 1);

	a->source = g_strdup(source);
	a->fingerprint = g_strdup("nagios:host=db-1;service=MySQL");
	a->title = g_strdup("db-1/MySQL is CRITICAL");
	a->details = g_strdup("");
	a->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (; labels != NULL && labels[0] != NULL; labels += 2)
		g_hash_table_insert(a->labels, g_strdup(labels[0]), g_strdup(labels[1]));
	return a;
}

static struct window *
window_of(gint64 id, const char *expr, gint64 starts, gint64 ends)
{
	struct window *w = g_new0(struct window, 1);

	w->id = id;
	w->match = g_strdup(expr);
	w->starts_at = starts;
	w->ends_at = ends;
	w->by = g_strdup("alice@example.com");
	return w;
}

static void
test_a_window_holds_from_its_start_until_its_end_or_when_it_was_ended(void)
{
	g_autoptr(GPtrArray) all =
	    g_ptr_array_new_with_free_func((GDestroyNotify)route_window_free);
	struct window *w = window_of(1, "host=db-1", T, T + 2 * HOUR);

	g_ptr_array_add(all, w);
	g_assert_false(route_window_active(w, T - 1));
	g_assert_true(route_window_active(w, T));
	g_assert_true(route_window_active(w, T + 2 * HOUR - 1));
	g_assert_false(route_window_active(w, T + 2 * HOUR)); /* [start, end) */
	g_assert_cmpint(route_window_end(w), ==, T + 2 * HOUR);
	w->ended_at = T + 30 * MINUTE; /* `maintenance end` */
	g_assert_cmpint(route_window_end(w), ==, T + 30 * MINUTE);
	g_assert_false(route_window_active(w, T + 30 * MINUTE));
	w->ended_at = T + 3 * HOUR; /* ended after its end changes nothing */
	g_assert_cmpint(route_window_end(w), ==, T + 2 * HOUR);
}

static void
test_a_window_holds_back_the_alerts_it_matches_and_no_others(void)
{
	static const char *const db1[] = {"host", "db-1", "service", "MySQL", NULL};
	static const char *const db2[] = {"host", "db-2", "service", "MySQL", NULL};
	g_autoptr(alert) one = alert_of("nagios", db1);
	g_autoptr(alert) two = alert_of("nagios", db2);
	g_autoptr(GPtrArray) all =
	    g_ptr_array_new_with_free_func((GDestroyNotify)route_window_free);
	const struct window *w;

	g_ptr_array_add(all, window_of(1, "host=db-1", T, T + HOUR));
	g_ptr_array_add(all,
	                window_of(2, "subject=*web*, sender=nagios@*", T + HOUR, T + 2 * HOUR));
	g_assert_cmpint(route_window_for(all, one, "nagios@example.com", "x", T)->id, ==, 1);
	g_assert_null(route_window_for(all, two, "nagios@example.com", "x", T));
	g_assert_null(route_window_for(all, one, "nagios@example.com", "x", T - 1));
	/* at T + 1h the first is over and the second holds every mail of nagios@ */
	w = route_window_for(all, two, "nagios@example.com", "x", T + HOUR);
	g_assert_nonnull(w);
	g_assert_cmpint(w->id, ==, 2);
	g_assert_null(route_window_for(all, two, "zabbix@example.com", "x", T + HOUR));
	g_assert_cmpint(route_window_for(all, two, "zabbix@example.com", "web down", T + HOUR)->id,
	                ==, 2);
	g_assert_null(route_window_for(NULL, one, "nagios@example.com", "x", T));
}

/* MAINTENANCE's argument: the match up to the duration, then the reason. */
static void
read_request(const char *text, const char *normal, gint64 seconds, const char *reason)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *m = NULL, *r = NULL;
	gint64 s = 0;

	g_assert_cmpint(route_window_request(text, &m, &s, &r, &e), ==, 0);
	g_assert_no_error(e);
	g_assert_cmpstr(m, ==, normal);
	g_assert_cmpint(s, ==, seconds);
	g_assert_cmpstr(r, ==, reason);
}

static void
refuse_request(const char *text, const char *says)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *m = NULL, *r = NULL;
	gint64 s = 0;

	g_assert_cmpint(route_window_request(text, &m, &s, &r, &e), ==, -1);
	g_assert_nonnull(e);
	if (strstr(e->message, says) == NULL)
		g_error("\"%s\": \"%s\" does not say \"%s\"", text, e->message, says);
	g_assert_null(m);
}

static void
test_maintenance_reads_a_match_a_duration_and_a_reason(void)
{
	read_request("host=db-1 2h kernel upgrade", "host=db-1", 2 * HOUR, "kernel upgrade");
	read_request("host=db-1  30m", "host=db-1", 30 * MINUTE, NULL);
	read_request("host=db-1, host=db-2 1h 30m patch Tuesday", "host=db-1, host=db-2",
	             90 * MINUTE, "patch Tuesday");
	read_request("alertname=Disk*&env=staging 7d 2 nights of migration",
	             "alertname=Disk*&env=staging", 7 * 86400, "2 nights of migration");
	read_request("subject=*db-1 down* 1d", "subject=*db-1 down*", 86400, NULL);
	/* as people write it from a phone: the word before the duration is no value */
	read_request("host=db-1 for 2h", "host=db-1", 2 * HOUR, NULL);
	read_request("host=db-1 — 2h upgrade", "host=db-1", 2 * HOUR, "upgrade");
	read_request("host=db-* 1h", "host=db-*", HOUR, NULL);
}

static void
test_maintenance_refuses_what_cannot_be_a_window(void)
{
	refuse_request("", "needs a match and a duration");
	refuse_request("host=db-1", "needs a match and a duration");
	refuse_request("host=db-1 soon", "needs a match and a duration");
	refuse_request("2h", "the match is empty");
	refuse_request("host=db-1 & env 2h", "\"env\" is not key=glob");
	refuse_request("host=db-1 8d", "at most 7 days");
	refuse_request("host=db-1 0m", "lasts longer than 0");
	refuse_request("host=db-1 7d 1s", "at most 7 days");
	/* a window of everything: * matches a label an alert lacks too */
	refuse_request("host=* 2h", "holds for every alert");
	refuse_request("alertname=*&sender=** 1h", "holds for every alert");
	refuse_request("host=db-1, subject=* 1h", "holds for every alert");
}

static void
test_labels_are_kept_as_they_were(void)
{
	static const char *const odd[] = {"host", "db-1", "summary",
	                                  "line one\nline two \"quoted\" \\ é", NULL};
	g_autoptr(alert) a = alert_of("alertmanager", odd);
	g_autofree char *text = route_labels_text(a);
	g_autoptr(GHashTable) back = route_labels_parse(text);

	g_assert_null(strchr(text, '\t'));
	g_assert_cmpuint(g_hash_table_size(back), ==, 2);
	g_assert_cmpstr(g_hash_table_lookup(back, "host"), ==, "db-1");
	g_assert_cmpstr(g_hash_table_lookup(back, "summary"), ==, odd[3]);
	g_hash_table_unref(route_labels_parse(NULL));
}

static struct heartbeat *
heartbeat_of(const char *name, const char *expr, int every, int grace)
{
	struct heartbeat *h = g_new0(struct heartbeat, 1);

	h->name = g_strdup(name);
	h->match = match_parse(expr, NULL);
	h->every = every;
	h->grace = grace;
	h->severity = 2;
	return h;
}

static void
heartbeat_free(gpointer p)
{
	struct heartbeat *h = p;

	g_free(h->name);
	match_free(h->match);
	g_free(h);
}

static void
test_a_heartbeat_is_ok_then_late_then_missing(void)
{
	struct heartbeat *h =
	    heartbeat_of("watchdog", "alertname=Watchdog", 5 * MINUTE, 5 * MINUTE);
	struct heartbeat *strict = heartbeat_of("cron", "subject=*backup*", HOUR, 0);
	gint64 due = 0;

	g_assert_cmpint(route_heartbeat_state(h, T, T, &due), ==, ROUTE_BEAT_OK);
	g_assert_cmpint(due, ==, T + 5 * MINUTE);
	g_assert_cmpint(route_heartbeat_state(h, T, T + 5 * MINUTE - 1, &due), ==, ROUTE_BEAT_OK);
	g_assert_cmpint(route_heartbeat_state(h, T, T + 5 * MINUTE, &due), ==, ROUTE_BEAT_LATE);
	g_assert_cmpint(route_heartbeat_state(h, T, T + 10 * MINUTE - 1, &due), ==,
	                ROUTE_BEAT_LATE);
	g_assert_cmpint(route_heartbeat_state(h, T, T + 10 * MINUTE, &due), ==, ROUTE_BEAT_MISSING);
	g_assert_cmpstr(route_beat_name(ROUTE_BEAT_MISSING), ==, "missing");
	/* no grace: missing as soon as it is due */
	g_assert_cmpint(route_heartbeat_state(strict, T, T + HOUR, &due), ==, ROUTE_BEAT_MISSING);
	heartbeat_free(h);
	heartbeat_free(strict);
}

static void
test_a_heartbeat_is_told_apart_by_its_match(void)
{
	static const char *const watchdog[] = {"alertname", "Watchdog", NULL};
	static const char *const disk[] = {"alertname", "DiskFull", NULL};
	g_autoptr(alert) beat = alert_of("alertmanager", watchdog);
	g_autoptr(alert) full = alert_of("alertmanager", disk);
	struct config cfg = {0};
	const struct heartbeat *h;
	g_autofree char *fingerprint = NULL, *expected = NULL;

	cfg.heartbeats = g_ptr_array_new_with_free_func(heartbeat_free);
	g_ptr_array_add(cfg.heartbeats,
	                heartbeat_of("watchdog", "sender=am@example.com&alertname=Watchdog",
	                             5 * MINUTE, 5 * MINUTE));
	g_ptr_array_add(cfg.heartbeats,
	                heartbeat_of("backup", "subject=backup done*", 86400, HOUR));
	h = route_heartbeat(&cfg, beat, "am@example.com", "[FIRING:1] Watchdog");
	g_assert_nonnull(h);
	g_assert_cmpstr(h->name, ==, "watchdog");
	g_assert_null(route_heartbeat(&cfg, full, "am@example.com", "[FIRING:1] DiskFull"));
	g_assert_null(route_heartbeat(&cfg, beat, "mallory@example.org", "[FIRING:1] Watchdog"));
	/* a mail no detector reads can be a heartbeat by its sender and subject */
	h = route_heartbeat(&cfg, NULL, "cron@example.com", "Backup done: 42 GB");
	g_assert_nonnull(h);
	g_assert_cmpstr(h->name, ==, "backup");
	fingerprint = route_heartbeat_fingerprint(h);
	g_assert_cmpstr(fingerprint, ==, "heartbeat:backup");
	expected = route_heartbeat_expected(cfg.heartbeats->pdata[0]);
	g_assert_cmpstr(expected, ==,
	                "a mail that matches sender=am@example.com&alertname=Watchdog every 5 min "
	                "(grace 5 min)");
	g_ptr_array_unref(cfg.heartbeats);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/route/window/holds",
	                test_a_window_holds_from_its_start_until_its_end_or_when_it_was_ended);
	g_test_add_func("/route/window/matches",
	                test_a_window_holds_back_the_alerts_it_matches_and_no_others);
	g_test_add_func("/route/window/request",
	                test_maintenance_reads_a_match_a_duration_and_a_reason);
	g_test_add_func("/route/window/refused", test_maintenance_refuses_what_cannot_be_a_window);
	g_test_add_func("/route/window/labels", test_labels_are_kept_as_they_were);
	g_test_add_func("/route/heartbeat/state", test_a_heartbeat_is_ok_then_late_then_missing);
	g_test_add_func("/route/heartbeat/match", test_a_heartbeat_is_told_apart_by_its_match);
	return g_test_run();
}
