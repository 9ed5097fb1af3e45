/* Noise control's decisions (DESIGN.md, "Noise control") at fixed times: the group key of an
 * alert (team and group_by values, missing labels as empty, none when grouping is off),
 * which open incident a new alert joins within group_window, and the storm guard's count
 * and period. */
#include "route.h"

#include <string.h>

/* 2026-12-02 14:00 UTC */
#define T0 G_GINT64_CONSTANT(1796220000)
#define MINUTE 60

static char *group_by[] = {"alertname", "service", NULL};
static char *no_grouping[] = {NULL};

/* [alerts] group_by = alertname, service; group_window = 10m; storm = 20/5m */
static struct config
noise(void)
{
	struct config c = {0};

	c.group_by = group_by;
	c.group_window = 10 * MINUTE;
	c.storm.limit = 20;
	c.storm.period = 5 * MINUTE;
	return c;
}

/* An alert with labels given as name, value, ..., NULL. */
static struct alert *
labelled(const char *first, ...)
{
	struct alert *a = g_new0(struct alert, 1);
	va_list ap;

	a->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	va_start(ap, first);
	for (const char *name = first; name != NULL; name = va_arg(ap, const char *))
		g_hash_table_insert(a->labels, g_strdup(name), g_strdup(va_arg(ap, const char *)));
	va_end(ap);
	return a;
}

static void
test_group_key_is_team_and_group_by_values(void)
{
	struct config c = noise();
	struct team payments = {.name = "payments"};
	g_autoptr(alert) disk =
	    labelled("alertname", "DiskFull", "service", "db", "host", "db-1", NULL);
	g_autoptr(alert) other_host =
	    labelled("alertname", "DiskFull", "service", "db", "host", "db-2", NULL);
	g_autoptr(alert) no_service = labelled("alertname", "DiskFull", NULL);
	g_autofree char *k1 = route_group_key(&c, NULL, disk);
	g_autofree char *k2 = route_group_key(&c, NULL, other_host);
	g_autofree char *k3 = route_group_key(&c, &payments, disk);
	g_autofree char *k4 = route_group_key(&c, NULL, no_service);

	g_assert_cmpstr(k1, ==, "default\nalertname=DiskFull\nservice=db");
	/* labels outside group_by do not part alerts */
	g_assert_cmpstr(k1, ==, k2);
	/* nor is an alert of another team of the same group */
	g_assert_cmpstr(k3, ==, "payments\nalertname=DiskFull\nservice=db");
	/* a missing label counts as empty */
	g_assert_cmpstr(k4, ==, "default\nalertname=DiskFull\nservice=");
	c.group_by = no_grouping;
	g_assert_null(route_group_key(&c, NULL, disk));
	c.group_by = NULL;
	g_assert_null(route_group_key(&c, NULL, disk));
}

static void
test_an_alert_joins_the_newest_open_incident_of_its_group_within_the_window(void)
{
	struct config c = noise();
	const char *key = "default\nalertname=DiskFull\nservice=db";
	const struct route_candidate open[] = {
	    {1, key, T0, TRUE},
	    {2, "default\nalertname=DiskFull\nservice=web", T0 + MINUTE, TRUE},
	    {3, key, T0 + 2 * MINUTE, TRUE},
	    {4, NULL, T0 + 3 * MINUTE, TRUE},
	};

	g_assert_cmpint(route_group_join(&c, key, open, G_N_ELEMENTS(open), T0 + 3 * MINUTE), ==,
	                3);
	/* INC-3 was declared 9:59 ago, INC-1 10 minutes ago: only INC-3 takes it */
	g_assert_cmpint(route_group_join(&c, key, open, G_N_ELEMENTS(open), T0 + 10 * MINUTE), ==,
	                3);
	g_assert_cmpint(route_group_join(&c, key, open, 1, T0 + 10 * MINUTE - 1), ==, 1);
	g_assert_cmpint(route_group_join(&c, key, open, 1, T0 + 10 * MINUTE), ==, 0);
	/* past the window of both: a new incident */
	g_assert_cmpint(route_group_join(&c, key, open, G_N_ELEMENTS(open), T0 + 12 * MINUTE), ==,
	                0);
	/* other groups and grouping off */
	g_assert_cmpint(route_group_join(&c, "default\nalertname=Cpu\nservice=db", open,
	                                 G_N_ELEMENTS(open), T0 + 3 * MINUTE),
	                ==, 0);
	g_assert_cmpint(route_group_join(&c, NULL, open, G_N_ELEMENTS(open), T0 + 3 * MINUTE), ==,
	                0);
}

static void
test_a_resolved_incident_takes_no_more_alerts(void)
{
	struct config c = noise();
	const char *key = "default\nalertname=DiskFull\nservice=db";
	const struct route_candidate open[] = {
	    {1, key, T0, TRUE},
	    {2, key, T0 + MINUTE, FALSE},
	};

	g_assert_cmpint(route_group_join(&c, key, open, G_N_ELEMENTS(open), T0 + 2 * MINUTE), ==,
	                1);
	g_assert_cmpint(route_group_join(&c, key, open + 1, 1, T0 + 2 * MINUTE), ==, 0);
}

static void
test_the_storm_guard_counts_incidents_within_its_period(void)
{
	struct config c = noise();

	/* twenty incidents in five minutes are allowed; the next alert starts the storm */
	g_assert_cmpint(route_storm(&c, 0, 0, T0), ==, ROUTE_STORM_NONE);
	g_assert_cmpint(route_storm(&c, 19, 0, T0), ==, ROUTE_STORM_NONE);
	g_assert_cmpint(route_storm(&c, 20, 0, T0), ==, ROUTE_STORM_DECLARE);
	g_assert_cmpint(route_storm(&c, 57, 0, T0), ==, ROUTE_STORM_DECLARE);
	/* for five minutes after the storm incident, new alerts join it, however few came */
	g_assert_cmpint(route_storm(&c, 20, T0, T0), ==, ROUTE_STORM_JOIN);
	g_assert_cmpint(route_storm(&c, 0, T0, T0 + 5 * MINUTE - 1), ==, ROUTE_STORM_JOIN);
	/* after that they declare again while the count allows it */
	g_assert_cmpint(route_storm(&c, 0, T0, T0 + 5 * MINUTE), ==, ROUTE_STORM_NONE);
	g_assert_cmpint(route_storm(&c, 19, T0, T0 + 9 * MINUTE), ==, ROUTE_STORM_NONE);
	/* a second storm while the storm incident is open joins it: declared, paged once */
	g_assert_cmpint(route_storm(&c, 20, T0, T0 + 9 * MINUTE), ==, ROUTE_STORM_JOIN);
	/* off */
	c.storm.limit = 0;
	g_assert_cmpint(route_storm(&c, 500, 0, T0), ==, ROUTE_STORM_NONE);
	g_assert_cmpint(route_storm(&c, 500, T0, T0), ==, ROUTE_STORM_NONE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/route/group-key", test_group_key_is_team_and_group_by_values);
	g_test_add_func(
	    "/route/group-join",
	    test_an_alert_joins_the_newest_open_incident_of_its_group_within_the_window);
	g_test_add_func("/route/group-resolved", test_a_resolved_incident_takes_no_more_alerts);
	g_test_add_func("/route/storm", test_the_storm_guard_counts_incidents_within_its_period);
	return g_test_run();
}
