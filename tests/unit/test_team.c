/* Teams (DESIGN.md, "Teams, schedules and escalation policies"): [team:] sections as read
 * and refused, when each step of each round is due, who a step pages at a time, business
 * hours in the team's zone, and which team an alert or a person belongs to. */
#include "alert.h"
#include "escalate.h"
#include "route.h"
#include "schedule.h"
#include "team.h"

#include <glib/gstdio.h>
#include <string.h>

/* 2026-12-02 14:00 UTC, a Wednesday: 15:00 in Berlin */
#define WED G_GINT64_CONSTANT(1796220000)
#define HOUR 3600

static const char base[] =
    "[responders]\nalice@example.com = oncall\ncarol@example.com = commander\n"
    "erin@example.com = commander\n"
    "[schedule:pay-primary]\ntime_zone = Europe/Berlin\n"
    "rotation = alice@example.com, bob@example.com\nstart = 2026-11-30 09:00\nshift = 1w\n"
    "[schedule:pay-secondary]\ntime_zone = Europe/Berlin\n"
    "rotation = frank@example.com\nstart = 2026-11-30 09:00\nshift = 1w\n";

static const char payments[] =
    "[team:payments]\n"
    "escalation = schedule:pay-primary, 10m schedule:pay-secondary, 20m carol@example.com, "
    "30m commanders\n"
    "repeat = 1\nround = 40m\n"
    "match = service=payments, alertname=Payment*&severity=critical\n"
    "low_urgency = 3\nbusiness_hours = mon-fri 09:00-18:00\n"
    "[team:search]\nescalation = team\nmatch = subject=*search*\n";

/* Loads base + extra; NULL and *error when it cannot be read. */
static struct config *
load(const char *extra, char **error)
{
	g_autofree char *dir = g_dir_make_tmp("sevmail-team-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "sevmail.conf", NULL);
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);
	g_autofree char *text =
	    g_strdup_printf("[general]\naddress = incidents@example.com\nsecret_file = %s\n"
	                    "database = %s/db\n%s%s",
	                    secret, dir, base, extra);
	g_autoptr(GError) e = NULL;
	struct config *c;

	g_assert_true(g_file_set_contents(secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	c = config_load(conf, &e);
	g_unlink(conf);
	g_unlink(secret);
	g_rmdir(dir);
	if (error != NULL)
		*error = e != NULL ? g_strdup(e->message) : NULL;
	else
		g_assert_no_error(e);
	return c;
}

static char *
names(GPtrArray *a)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; a != NULL && i < a->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (const char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

static char *
step_names(const struct config *c, const struct team *t, guint i, GPtrArray *ovr, gint64 at)
{
	g_autoptr(GPtrArray) to = team_step_people(c, t, i, ovr, at);

	return names(to);
}

static void
test_steps_are_due_per_round(void)
{
	g_autoptr(config) c = load(payments, NULL);
	const struct team *t = team_find(c, "Payments");
	/* 4 steps at 0, 10, 20, 30 minutes; two rounds of 40 minutes */
	const gint64 due[] = {0, 600, 1200, 1800, 2400, 3000, 3600, 4200};

	g_assert_nonnull(t);
	g_assert_cmpuint(team_ladder_length(t), ==, 8);
	for (guint n = 0; n < G_N_ELEMENTS(due); n++)
		g_assert_cmpint(team_step_due(t, n, WED), ==, WED + due[n]);
	g_assert_cmpint(t->repeat, ==, 1);
	g_assert_cmpint(t->round, ==, 2400);
}

static void
test_who_each_step_pages(void)
{
	g_autoptr(config) c = load(payments, NULL);
	const struct team *pay = team_find(c, "payments");
	const struct team *search = team_find(c, "search");
	g_autoptr(GPtrArray) ovr = g_ptr_array_new();
	struct schedule_override cover = {1, "pay-primary", "erin@example.com", WED, WED + HOUR};
	g_autofree char *s0 = step_names(c, pay, 0, NULL, WED);
	g_autofree char *s0_next_week = step_names(c, pay, 0, NULL, WED + 7 * 24 * HOUR);
	g_autofree char *s1 = step_names(c, pay, 1, NULL, WED);
	g_autofree char *s2 = step_names(c, pay, 2, NULL, WED);
	g_autofree char *s3 = step_names(c, pay, 3, NULL, WED);
	g_autofree char *round2 = step_names(c, pay, 5, NULL, WED);
	g_autofree char *covered = NULL, *everyone = NULL;

	g_assert_cmpstr(s0, ==, "alice@example.com");
	g_assert_cmpstr(s0_next_week, ==, "bob@example.com");
	g_assert_cmpstr(s1, ==, "frank@example.com");
	g_assert_cmpstr(s2, ==, "carol@example.com");
	g_assert_cmpstr(s3, ==, "carol@example.com erin@example.com");
	g_assert_cmpstr(round2, ==, "frank@example.com");
	g_ptr_array_add(ovr, &cover);
	covered = step_names(c, pay, 0, ovr, WED + 60);
	g_assert_cmpstr(covered, ==, "erin@example.com");
	/* `team` pages everyone in the team's steps and schedules */
	everyone = step_names(c, search, 0, NULL, WED);
	g_assert_cmpstr(everyone, ==, "");
}

static void
test_people_of_teams_are_responders(void)
{
	g_autoptr(config) c = load(payments, NULL);
	const struct responder *frank = config_responder(c, "frank@example.com");
	const struct responder *bob = config_responder(c, "bob@example.com");

	/* named in a team: they may act, and the default team's ladder is unchanged */
	g_assert_nonnull(frank);
	g_assert_nonnull(bob);
	g_assert_cmpuint(frank->roles, ==, 0);
	g_assert_true(team_of_person(c, "bob@example.com") == team_find(c, "payments"));
	g_assert_null(team_of_person(c, "mallory@example.org"));
}

static void
test_business_hours_in_the_team_zone(void)
{
	g_autoptr(config) c = load(payments, NULL);
	const struct team *t = team_find(c, "payments");
	gint64 fri_late = WED + 2 * 24 * HOUR + 3 * HOUR; /* Fri 17:00Z = 18:00 Berlin */
	gint64 mon_nine = WED + 5 * 24 * HOUR - 6 * HOUR; /* Mon 08:00Z = 09:00 Berlin */

	g_assert_true(team_business_hours(t, WED));
	g_assert_false(team_business_hours(t, WED + 3 * HOUR)); /* 18:00 Berlin */
	g_assert_true(team_business_hours(t, WED + 3 * HOUR - 60));
	g_assert_false(team_business_hours(t, fri_late));
	g_assert_cmpint(team_business_start(t, fri_late), ==, mon_nine);
	g_assert_cmpint(team_business_start(t, WED), ==, WED);
	/* Wednesday 23:00 Berlin: Thursday 09:00 Berlin = 08:00Z */
	g_assert_cmpint(team_business_start(t, WED + 8 * HOUR), ==, WED + 18 * HOUR);
	g_assert_true(team_defers(t, 3, WED + 8 * HOUR));
	g_assert_false(team_defers(t, 1, WED + 8 * HOUR));
	g_assert_false(team_defers(t, 3, WED));
	g_assert_false(team_defers(t, 0, WED + 8 * HOUR)); /* not assessed is not low */
	g_assert_false(team_defers(NULL, 3, WED + 8 * HOUR));
}

/* A parsed Alertmanager alert with these label lines. */
static struct alert *
alert_with(const char *labels, const char *subject)
{
	g_autofree char *text =
	    g_strdup_printf("1 alert for %s\n\n[1] Firing\nLabels\n%s\n", "alertname=X", labels);
	struct mail m = {0};

	m.subject = (char *)subject;
	m.text = text;
	return alert_parse(&m, TRUE);
}

static void
test_alerts_go_to_the_first_team_that_matches(void)
{
	g_autoptr(config) c = load(payments, NULL);
	g_autoptr(alert) pay =
	    alert_with("alertname = Disk\nservice = Payments", "[FIRING:1] Disk");
	g_autoptr(alert) crit = alert_with("alertname = PaymentLatency\nseverity = critical",
	                                   "[FIRING:1] PaymentLatency");
	g_autoptr(alert) warn = alert_with("alertname = PaymentLatency\nseverity = warning",
	                                   "[FIRING:1] PaymentLatency");
	g_autoptr(alert) search = alert_with("alertname = Slow", "[FIRING:1] search is slow");

	g_assert_cmpstr(alert_label(pay, "service"), ==, "Payments");
	g_assert_cmpstr(team_name(route_team(c, pay, "am@example.com", "x")), ==, "payments");
	g_assert_cmpstr(team_name(route_team(c, crit, "am@example.com", "x")), ==, "payments");
	g_assert_cmpstr(team_name(route_team(c, warn, "am@example.com", "x")), ==, "default");
	g_assert_cmpstr(team_name(route_team(c, search, "am@example.com", "[FIRING:1] Slow")), ==,
	                "default");
	g_assert_cmpstr(team_name(route_team(c, search, "am@example.com", "search is slow")), ==,
	                "search");
}

static void
test_a_team_incident_climbs_its_own_ladder(void)
{
	g_autoptr(config) c = load(payments, NULL);
	g_autoptr(incident) inc = incident_new("Card payments failing", "manual", WED);
	g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	struct escalate_step st;
	g_autofree char *first = NULL;

	inc->team = g_strdup("payments");
	{
		g_autoptr(GPtrArray) to = escalate_first(c, inc, NULL, WED, NULL);

		first = names(to);
	}
	g_assert_cmpstr(first, ==, "alice@example.com");
	for (int taken = 0; taken < 7; taken++) {
		g_autofree char *who = NULL;

		g_assert_true(escalate_next(c, inc, events, NULL, WED, &st));
		who = names(st.to);
		g_assert_cmpint(st.due, ==,
		                team_step_due(team_find(c, "payments"), taken + 1, WED));
		g_assert_cmpint(st.round, ==, (taken + 1) / 4 + 1);
		g_assert_cmpint(st.rounds, ==, 2);
		g_assert_cmpuint(strlen(who), >, 0);
		escalate_step_clear(&st);
		g_ptr_array_add(events, event_make(WED + taken, "sevmail", EVENT_ESCALATED, "x"));
	}
	g_assert_false(escalate_next(c, inc, events, NULL, WED, &st));
	/* back to triggered later (UNACK): the ladder starts again from its first step */
	inc->ladder_at = WED + 2 * HOUR;
	g_assert_true(escalate_next(c, inc, events, NULL, WED + 2 * HOUR, &st));
	g_assert_cmpint(st.due, ==, WED + 2 * HOUR + 600);
	escalate_step_clear(&st);
}

static void
test_what_check_refuses(void)
{
	static const struct {
		const char *extra, *says;
	} bad[] = {
	    {"[team:a]\nescalation = schedule:nope\n", "[team:a] escalation: schedule:nope"},
	    {"[team:a]\nescalation = alice@example.com, 5m alice@exmaple.com\n",
	     "alice@exmaple.com is in no schedule's rotation"},
	    {"[team:a]\nescalation = 5m alice@example.com\n", "the first step has no delay"},
	    {"[team:a]\nescalation = incidents@example.com\n", "sevmail's own address"},
	    {"[team:a]\nescalation = alice@example.com, 10m commanders, 5m team\n",
	     "longer than the step before"},
	    {"[team:a]\nescalation = alice@example.com, soon commanders\n", "is not a step"},
	    {"[team:a]\nescalation = alice@example.com\nmatch = payments\n",
	     "[team:a] match: \"payments\" is not key=glob"},
	    {"[team:a]\nescalation = alice@example.com\n[team:A]\nescalation = commanders\n",
	     "already the name of another team"},
	    {"[team:default]\nescalation = alice@example.com\n", "\"default\" is the name"},
	    {"[team:a]\nescalation = alice@example.com\nbusiness_hours = weekdays\n",
	     "business_hours: \"weekdays\" is not DAYS HH:MM-HH:MM"},
	    {"[team:a]\nescalation = alice@example.com\nlow_urgency = 4\n", "low_urgency"},
	    {"[team:a]\nescalation = alice@example.com, 30m commanders\nround = 20m\n",
	     "round: must be longer than the last step's delay"},
	    {"[team:a]\nescalation = alice@example.com\nrepeat = many\n", "repeat"},
	    {"[team:a]\nescalate = alice@example.com\n", "unknown key"},
	    {"[team:a]\nmatch = x=y\n", "escalation: is required"},
	    {"[list:ops]\naddress = ops@example.com\nteams = nope\n",
	     "[list:ops] teams: \"nope\" is not a [team:nope]"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *error = NULL;
		g_autoptr(config) c = load(bad[i].extra, &error);

		g_assert_null(c);
		g_assert_nonnull(error);
		if (strstr(error, bad[i].says) == NULL)
			g_error("case %" G_GSIZE_FORMAT ": \"%s\" does not say \"%s\"", i, error,
			        bad[i].says);
	}
}

static void
test_without_teams_everything_is_default(void)
{
	g_autoptr(config) c = load("", NULL);
	g_autoptr(incident) inc = incident_new("Disk full", "manual", WED);
	g_autoptr(GPtrArray) to = escalate_first(c, inc, NULL, WED, NULL);
	g_autofree char *first = names(to);

	g_assert_cmpuint(c->teams->len, ==, 0);
	g_assert_cmpstr(first, ==, "alice@example.com");
	/* a schedule no team uses leaves [responders] as written */
	g_assert_null(config_responder(c, "frank@example.com"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/team/steps_are_due_per_round", test_steps_are_due_per_round);
	g_test_add_func("/team/who_each_step_pages", test_who_each_step_pages);
	g_test_add_func("/team/people_of_teams_are_responders",
	                test_people_of_teams_are_responders);
	g_test_add_func("/team/business_hours_in_the_team_zone",
	                test_business_hours_in_the_team_zone);
	g_test_add_func("/team/alerts_go_to_the_first_team_that_matches",
	                test_alerts_go_to_the_first_team_that_matches);
	g_test_add_func("/team/a_team_incident_climbs_its_own_ladder",
	                test_a_team_incident_climbs_its_own_ladder);
	g_test_add_func("/team/what_check_refuses", test_what_check_refuses);
	g_test_add_func("/team/without_teams_everything_is_default",
	                test_without_teams_everything_is_default);
	return g_test_run();
}
