/*
 * Recognising the host and service monitors and hosted services (Nagios, Icinga 2, Zabbix,
 * Datadog, CloudWatch, Uptime Kuma) beyond what the corpus shows: customised and
 * translated subjects, missing bodies, notices that are neither problem nor recovery
 * (ALERT_INFO), and people's mail that looks like an alert.
 */
#include <string.h>

#include "alert.h"

/* A mail as mime.c hands it over: only subject, sender and text matter here. */
static struct mail *
make_mail(const char *subject, const char *text)
{
	struct mail *m = g_new0(struct mail, 1);

	m->subject = g_strdup(subject);
	m->text = g_strdup(text);
	m->from_addr = g_strdup("monitoring@example.com");
	m->references = g_ptr_array_new_with_free_func(g_free);
	m->recipients = g_ptr_array_new_with_free_func(g_free);
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	return m;
}

/* A translated subject: the body's Host/Service lines identify the service. */
static void
test_nagios_translated_subject(void)
{
	g_autoptr(mail) m =
	    make_mail("** PROBLEM Service Alert: Zahlungsdienst/HTTPS ist KRITISCH **",
	              "***** Nagios *****\n\nNotification Type: PROBLEM\n\nService: HTTPS\n"
	              "Host: zahlungsdienst-01\nState: CRITICAL\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_cmpstr(a->source, ==, "nagios");
	g_assert_cmpstr(a->fingerprint, ==, "nagios:host=zahlungsdienst-01;service=HTTPS");
	g_assert_cmpstr(a->title, ==, "Zahlungsdienst/HTTPS ist KRITISCH");
	g_assert_cmpstr(a->severity_label, ==, "critical");
	g_assert_null(strstr(a->details, "*****"));
}

/* A service whose description holds '/' and " is ". */
static void
test_nagios_subject_only(void)
{
	g_autoptr(mail) problem = make_mail(
	    "** PROBLEM Service Alert: db-replica-02/disk /var is full is CRITICAL **", "");
	g_autoptr(mail) recovery =
	    make_mail("** RECOVERY Service Alert: db-replica-02/disk /var is full is OK **", NULL);
	g_autoptr(alert) a = alert_parse(problem, FALSE);
	g_autoptr(alert) b = alert_parse(recovery, FALSE);

	g_assert_cmpstr(a->fingerprint, ==, "nagios:host=db-replica-02;service=disk /var is full");
	g_assert_cmpstr(b->fingerprint, ==, a->fingerprint);
	g_assert_cmpint(b->state, ==, ALERT_RESOLVED);
	g_assert_null(b->severity_label);
}

/* Acknowledgements, downtimes and flapping notices are about a problem, not one. */
static void
test_nagios_notices(void)
{
	static const struct {
		const char *type;
		enum alert_state state;
	} types[] = {
	    {"PROBLEM", ALERT_FIRING},       {"RECOVERY", ALERT_RESOLVED},
	    {"ACKNOWLEDGEMENT", ALERT_INFO}, {"FLAPPINGSTART", ALERT_FIRING},
	    {"FLAPPINGSTOP", ALERT_INFO},    {"DOWNTIMESTART", ALERT_INFO},
	    {"DOWNTIMEEND", ALERT_INFO},     {"CUSTOM", ALERT_INFO},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(types); i++) {
		g_autofree char *subject = g_strdup_printf(
		    "** %s Service Alert: web-frontend-02/HTTPS is CRITICAL **", types[i].type);
		g_autoptr(mail) m = make_mail(subject, "");
		g_autoptr(alert) a = alert_parse(m, FALSE);

		g_assert_cmpstr(a->fingerprint, ==, "nagios:host=web-frontend-02;service=HTTPS");
		g_assert_cmpint(a->state, ==, types[i].state);
	}
}

/* A host notification: "Host <display name>" in the subject, the host name in the body. */
static void
test_icinga_host(void)
{
	g_autoptr(mail) m = make_mail(
	    "[ACKNOWLEDGEMENT] Host Primary DB is DOWN!",
	    "***** Host Monitoring on icinga-master-01 *****\n\nPrimary DB is DOWN!\n\n"
	    "Info:    CRITICAL - Host Unreachable (10.0.5.21)\n\n"
	    "When:    2026-11-26 09:12:03 +0000\nHost:    db-primary-01\nIPv4:\t 10.0.5.21\n\n"
	    "Comment by alice:\n  working on it\n");
	g_autoptr(mail) bare = make_mail("[PROBLEM] Host Primary DB is DOWN!", "");
	g_autoptr(alert) a = alert_parse(m, FALSE);
	g_autoptr(alert) b = alert_parse(bare, FALSE);

	g_assert_cmpstr(a->source, ==, "icinga2");
	g_assert_cmpint(a->state, ==, ALERT_INFO);
	g_assert_cmpstr(a->fingerprint, ==, "icinga2:host=db-primary-01");
	g_assert_cmpstr(a->title, ==, "Primary DB is DOWN");
	g_assert_null(strstr(a->details, "*****"));
	/* without the body only the display name is known */
	g_assert_cmpint(b->state, ==, ALERT_FIRING);
	g_assert_cmpstr(b->fingerprint, ==, "icinga2:host=Primary DB");
	g_assert_cmpstr(b->severity_label, ==, "down");
}

/* A customised subject: the body's banner and sentence still make it Icinga's. */
static void
test_icinga_custom_subject(void)
{
	g_autoptr(mail) m =
	    make_mail("Icinga: disk", "***** Service Monitoring on icinga-1 *****\n\n"
	                              "disk /var on db-replica-02 is OK!\n\n"
	                              "Service: disk /var\nHost:    db-replica-02\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_cmpstr(a->source, ==, "icinga2");
	g_assert_cmpint(a->state, ==, ALERT_RESOLVED);
	g_assert_cmpstr(a->fingerprint, ==, "icinga2:host=db-replica-02;service=disk /var");
	g_assert_cmpstr(a->title, ==, "disk /var on db-replica-02 is OK");
}

/* An update (acknowledged, commented) of a problem is recorded, not paged; the event id
 * comes from the In-Reply-To Zabbix threads its mails with. */
static void
test_zabbix_update(void)
{
	g_autoptr(mail) m =
	    make_mail("Updated problem in 12m 3s: Linux: High CPU utilization (over 90% for 5m)",
	              "Alice Example acknowledged problem at 2026.11.26 16:04:13.\nlooking\n\n"
	              "Current problem status is PROBLEM, age is 12m, acknowledged: Yes.\n");
	g_autoptr(alert) a = NULL;

	m->in_reply_to =
	    g_strdup("48213.3676df40c90cb4fa63cf8e902e6d7b13.1.cm3x9y2b0@zabbix.example");
	a = alert_parse(m, FALSE);
	g_assert_cmpstr(a->source, ==, "zabbix");
	g_assert_cmpint(a->state, ==, ALERT_INFO);
	g_assert_cmpstr(a->fingerprint, ==, "zabbix:eventid=48213");
	g_assert_cmpstr(a->title, ==, "Linux: High CPU utilization (over 90% for 5m)");
}

/* "Problem: ..." is a common subject among people: without an event id it is no alert. */
static void
test_zabbix_needs_event_id(void)
{
	g_autoptr(mail) m = make_mail("Problem: printer on floor 2 jammed", "Paper everywhere.\n");
	g_autoptr(mail) old = make_mail("Resolved: Disk full on nas-1",
	                                "Problem name: Disk full on nas-1\nHost: nas-1\n"
	                                "Severity: Disaster\nOriginal problem ID: 77\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);
	g_autoptr(alert) b = alert_parse(old, FALSE);

	g_assert_null(a);
	g_assert_cmpstr(b->source, ==, "zabbix");
	g_assert_cmpint(b->state, ==, ALERT_RESOLVED);
	g_assert_cmpstr(b->fingerprint, ==, "zabbix:eventid=77");
	g_assert_cmpstr(b->severity_label, ==, "disaster");
}

static void
test_datadog_forms(void)
{
	static const struct {
		const char *subject, *fingerprint, *title, *severity;
		enum alert_state state;
	} forms[] = {
	    {"[Warn] Disk usage high", "datadog:monitor=7", "Disk usage high", "warning",
	     ALERT_FIRING},
	    {"[Recovered] Disk usage high", "datadog:monitor=7", "Disk usage high", NULL,
	     ALERT_RESOLVED},
	    {"[P2] [Re-Triggered on {host:db-1}] Disk usage high",
	     "datadog:monitor=7;group=host:db-1", "Disk usage high", "p2", ALERT_FIRING},
	    {"[No Data on {host:db-1}] Disk usage high", "datadog:monitor=7;group=host:db-1",
	     "Disk usage high", NULL, ALERT_FIRING},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
		g_autoptr(mail) m =
		    make_mail(forms[i].subject,
		              "[[Monitor Status](https://dd.example.net/monitors/7?x=1)]\n");
		g_autoptr(alert) a = alert_parse(m, FALSE);

		g_assert_cmpstr(a->source, ==, "datadog");
		g_assert_cmpstr(a->fingerprint, ==, forms[i].fingerprint);
		g_assert_cmpstr(a->title, ==, forms[i].title);
		g_assert_cmpstr(a->severity_label, ==, forms[i].severity);
		g_assert_cmpint(a->state, ==, forms[i].state);
	}
}

/* Only ALARM -> OK is a recovery; a new alarm's first OK and missing data are notices. */
static void
test_cloudwatch_states(void)
{
	static const struct {
		const char *state, *change;
		enum alert_state expect;
	} cases[] = {
	    {"ALARM", "OK -> ALARM", ALERT_FIRING},
	    {"ALARM", "INSUFFICIENT_DATA -> ALARM", ALERT_FIRING},
	    {"OK", "ALARM -> OK", ALERT_RESOLVED},
	    {"OK", "INSUFFICIENT_DATA -> OK", ALERT_INFO},
	    {"OK", "N/A -> OK", ALERT_INFO},
	    {"INSUFFICIENT_DATA", "ALARM -> INSUFFICIENT_DATA", ALERT_INFO},
	    {"OK", NULL, ALERT_RESOLVED},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *subject =
		    g_strdup_printf("%s: \"q-depth\" in EU (Ireland)", cases[i].state);
		g_autofree char *body =
		    cases[i].change == NULL
		        ? g_strdup("")
		        : g_strdup_printf(
		              "Alarm Details:\n- Name:     q-depth\n"
		              "- State Change:     %s\n"
		              "- Alarm Arn:   arn:aws:cloudwatch:eu-west-1:1:alarm:q-depth\n"
		              "\n--\nIf you wish to stop receiving notifications ...\n",
		              cases[i].change);
		g_autoptr(mail) m = make_mail(subject, body);
		g_autoptr(alert) a = alert_parse(m, FALSE);

		g_assert_cmpstr(a->source, ==, "cloudwatch");
		g_assert_cmpint(a->state, ==, cases[i].expect);
		g_assert_cmpstr(a->title, ==, "q-depth");
		g_assert_cmpstr(
		    a->fingerprint, ==,
		    cases[i].change != NULL
		        ? "cloudwatch:alarm=arn:aws:cloudwatch:eu-west-1:1:alarm:q-depth"
		        : "cloudwatch:alarm=q-depth");
		g_assert_null(strstr(a->details, "stop receiving"));
	}
}

/* Monitor names may hold brackets. */
static void
test_kuma_brackets(void)
{
	g_autoptr(mail) down = make_mail("[Shop [EU]] [🔴 Down] timeout of 48000ms exceeded", "");
	g_autoptr(mail) up = make_mail("[Shop [EU]] [✅ Up] 200 - OK", "");
	g_autoptr(alert) a = alert_parse(down, FALSE);
	g_autoptr(alert) b = alert_parse(up, FALSE);

	g_assert_cmpstr(a->fingerprint, ==, "uptime-kuma:monitor=Shop [EU]");
	g_assert_cmpstr(b->fingerprint, ==, a->fingerprint);
	g_assert_cmpint(a->state, ==, ALERT_FIRING);
	g_assert_cmpint(b->state, ==, ALERT_RESOLVED);
	g_assert_cmpstr(a->title, ==, "Shop [EU]: timeout of 48000ms exceeded");
}

static void
test_state_names(void)
{
	g_assert_cmpstr(alert_state_name(ALERT_FIRING), ==, "firing");
	g_assert_cmpstr(alert_state_name(ALERT_RESOLVED), ==, "resolved");
	g_assert_cmpstr(alert_state_name(ALERT_INFO), ==, "info");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/alert/nagios/translated-subject", test_nagios_translated_subject);
	g_test_add_func("/alert/nagios/subject-only", test_nagios_subject_only);
	g_test_add_func("/alert/nagios/notices", test_nagios_notices);
	g_test_add_func("/alert/icinga2/host", test_icinga_host);
	g_test_add_func("/alert/icinga2/custom-subject", test_icinga_custom_subject);
	g_test_add_func("/alert/zabbix/update", test_zabbix_update);
	g_test_add_func("/alert/zabbix/needs-event-id", test_zabbix_needs_event_id);
	g_test_add_func("/alert/datadog/forms", test_datadog_forms);
	g_test_add_func("/alert/cloudwatch/states", test_cloudwatch_states);
	g_test_add_func("/alert/uptime-kuma/brackets", test_kuma_brackets);
	g_test_add_func("/alert/state-names", test_state_names);
	return g_test_run();
}
