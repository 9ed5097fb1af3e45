/*
 * Recognising monitoring mail: invariants over the whole corpus read through mime.c (the
 * row-by-row expectations of expected.tsv are test_corpus.c's), then hand-made mails for the
 * shapes the corpus does not cover: custom subjects, missing bodies, notices that are
 * neither problem nor recovery, hostile subjects, people's mail that looks like an alert,
 * generic senders.
 */
#include <string.h>

#include "alert.h"
#include "mime.h"

static const char *
corpus_dir(void)
{
	const char *dir = g_getenv("SEVMAIL_CORPUS");

	return dir != NULL ? dir : "tests/corpus";
}

static struct mail *
parse_file(const char *relative)
{
	g_autofree char *path = g_build_filename(corpus_dir(), relative, NULL);
	g_autofree char *raw = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;
	struct mail *m;

	if (!g_file_get_contents(path, &raw, &len, &err))
		g_error("%s", err->message);
	m = mime_parse(raw, len, &err);
	return m;
}

/* A mail as mime.c hands it over: only subject, sender and text matter here. */
static struct mail *
make_mail(const char *subject, const char *text)
{
	struct mail *m = g_new0(struct mail, 1);

	m->subject = g_strdup(subject);
	m->text = g_strdup(text);
	m->from_addr = g_strdup("alertmanager@example.com");
	m->references = g_ptr_array_new_with_free_func(g_free);
	m->recipients = g_ptr_array_new_with_free_func(g_free);
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	return m;
}

/* The invariants every alert keeps, whatever the input. */
static void
assert_well_formed(const struct alert *a)
{
	g_assert_nonnull(a->source);
	g_assert_nonnull(a->fingerprint);
	g_assert_true(g_str_has_prefix(a->fingerprint, a->source));
	g_assert_nonnull(a->details);
	g_assert_true(g_utf8_validate(a->title, -1, NULL));
	g_assert_cmpint(g_utf8_strlen(a->title, -1), <=, 200);
	g_assert_cmpuint(strlen(a->title), >, 0);
	for (const char *p = a->title; *p != '\0'; p = g_utf8_next_char(p))
		g_assert_false(g_unichar_iscntrl(g_utf8_get_char(p)));
}

/* --- the corpus (expected.tsv is test_corpus.c's) ---------------------------------- */

/* Every corpus file either is no alert or gives a well-formed one, even with generic on. */
static void
test_corpus_invariants(void)
{
	static const char *const dirs[] = {"alerts", "bad", "replies", "lists"};

	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = g_build_filename(corpus_dir(), dirs[i], NULL);
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const char *name;

		g_assert_nonnull(d);
		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree char *rel = g_build_filename(dirs[i], name, NULL);
			g_autoptr(mail) m = parse_file(rel);
			g_autoptr(alert) a = m != NULL ? alert_parse(m, TRUE) : NULL;

			if (a != NULL)
				assert_well_formed(a);
		}
	}
}

/* Replies, list mail and the subscription traffic are never alerts without generic. */
static void
test_corpus_not_alerts(void)
{
	static const char *const dirs[] = {"replies", "lists"};

	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = g_build_filename(corpus_dir(), dirs[i], NULL);
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const char *name;

		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree char *rel = g_build_filename(dirs[i], name, NULL);
			g_autoptr(mail) m = parse_file(rel);
			g_autoptr(alert) a = alert_parse(m, FALSE);

			if (a != NULL)
				g_test_message("%s taken for a %s alert", rel, a->source);
			g_assert_null(a);
		}
	}
}

/* The three Alertmanager mails of INC-1 share one identity; the page shows labels and
 * annotations, not the template's links and footer. */
static void
test_alertmanager_story(void)
{
	static const char *const files[] = {"alerts/alertmanager-firing.eml",
	                                    "alerts/alertmanager-firing-repeat.eml",
	                                    "alerts/alertmanager-resolved.eml"};
	static const enum alert_state states[] = {ALERT_FIRING, ALERT_FIRING, ALERT_RESOLVED};

	for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(mail) m = parse_file(files[i]);
		g_autoptr(alert) a = alert_parse(m, FALSE);

		g_assert_nonnull(a);
		g_assert_cmpint(a->state, ==, states[i]);
		g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=HighErrorRate api-gateway");
		g_assert_cmpstr(a->title, ==, "HighErrorRate api-gateway");
		g_assert_cmpstr(a->severity_label, ==, "critical");
		g_assert_nonnull(strstr(a->details, "severity = critical\n"));
		g_assert_nonnull(strstr(a->details, "summary = High HTTP 5xx error rate on "
		                                    "api-gateway\n"));
		g_assert_null(strstr(a->details, "View in AlertManager"));
		g_assert_null(strstr(a->details, "Sent by AlertManager"));
	}
}

static void
test_alertmanager_grouped(void)
{
	g_autoptr(mail) m = parse_file("alerts/alertmanager-grouped-3-firing.eml");
	g_autoptr(alert) a = alert_parse(m, FALSE);
	static const char *const pods[] = {"pod = checkout-api-7d9f8b6c5-k8r4p",
	                                   "pod = checkout-api-7d9f8b6c5-qq7mn",
	                                   "pod = checkout-api-7d9f8b6c5-x2x9z"};

	g_assert_nonnull(a);
	g_assert_cmpstr(a->title, ==, "KubePodCrashLooping checkout");
	g_assert_cmpstr(a->severity_label, ==, "warning");
	for (gsize i = 0; i < G_N_ELEMENTS(pods); i++)
		g_assert_nonnull(strstr(a->details, pods[i]));
}

/* --- hand-made mails --------------------------------------------------------------- */

/* The text mime_html_to_text makes of Alertmanager's default HTML. */
#define AM_BODY(section)                                                                           \
	"1 alert for alertname=HighErrorRate job=api-gateway\nView in AlertManager\n"              \
	"[1] " section "\nLabels\nalertname = HighErrorRate\nenv = production\n"                   \
	"instance = 10.0.3.17:8080\njob = api-gateway\nseverity = critical\nAnnotations\n"         \
	"description = api-gateway's 5xx ratio is 12.4% (> 5%) over the last 5 minutes.\n"         \
	"summary = High HTTP 5xx error rate on api-gateway\nSource\nSent by AlertManager"

static void
test_alertmanager_text(void)
{
	g_autoptr(mail) firing =
	    make_mail("[FIRING:1] HighErrorRate api-gateway (production 10.0.3.17:8080 critical)",
	              AM_BODY("Firing"));
	g_autoptr(mail) resolved =
	    make_mail("[RESOLVED] HighErrorRate api-gateway (production 10.0.3.17:8080 critical)",
	              AM_BODY("Resolved"));
	g_autoptr(alert) a = alert_parse(firing, FALSE);
	g_autoptr(alert) b = alert_parse(resolved, FALSE);

	g_assert_cmpstr(a->source, ==, "alertmanager");
	g_assert_cmpint(a->state, ==, ALERT_FIRING);
	g_assert_cmpint(b->state, ==, ALERT_RESOLVED);
	g_assert_cmpstr(a->fingerprint, ==, b->fingerprint);
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=HighErrorRate api-gateway");
	g_assert_cmpstr(a->title, ==, "HighErrorRate api-gateway");
	g_assert_cmpstr(a->severity_label, ==, "critical");
	g_assert_true(g_str_has_prefix(a->details, "[1] Firing\nLabels\nalertname = "));
}

/* A receiver with its own subject template: the body still says what it is. */
static void
test_alertmanager_custom_subject(void)
{
	g_autoptr(mail) m = make_mail("Alert: api-gateway errors", AM_BODY("Resolved"));
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_nonnull(a);
	g_assert_cmpstr(a->source, ==, "alertmanager");
	g_assert_cmpint(a->state, ==, ALERT_RESOLVED);
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=HighErrorRate api-gateway");
	g_assert_cmpstr(a->title, ==, "HighErrorRate api-gateway");
}

/* One critical alert in a group of warnings makes the group critical. */
static void
test_alertmanager_most_severe(void)
{
	g_autoptr(mail) m = make_mail("[FIRING:2] DiskFull (x)",
	                              "2 alerts for alertname=DiskFull\n[2] Firing\nLabels\n"
	                              "severity = warning\nLabels\nseverity = critical\n"
	                              "Labels\nseverity = info\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_cmpstr(a->severity_label, ==, "critical");
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=DiskFull");
	g_assert_cmpstr(a->title, ==, "DiskFull");
}

/* Without a body the subject alone still makes it an Alertmanager alert, with the
 * fingerprint of the full mail (bad/headers-only-no-body.eml dedupes onto INC-1). */
static void
test_alertmanager_subject_only(void)
{
	g_autoptr(mail) m = make_mail(
	    "[FIRING:1] HighErrorRate api-gateway (production 10.0.3.17:8080 critical)", "");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_nonnull(a);
	g_assert_cmpstr(a->source, ==, "alertmanager");
	g_assert_cmpint(a->state, ==, ALERT_FIRING);
	g_assert_cmpstr(a->title, ==, "HighErrorRate api-gateway");
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=HighErrorRate api-gateway");
	g_assert_null(a->severity_label);
	g_assert_cmpstr(a->details, ==, "");
}

/* A 10,000-character subject is cut at a character boundary, with "…". */
static void
test_title_long(void)
{
	g_autoptr(GString) subject = g_string_new("[FIRING:250] KubePodNotReady ");
	g_autoptr(mail) m = NULL;
	g_autoptr(alert) a = NULL;

	while (subject->len < 10000)
		g_string_append(subject, "prüfung-ä ");
	m = make_mail(subject->str,
	              "250 alerts for alertname=KubePodNotReady namespace=checkout\n");
	a = alert_parse(m, FALSE);
	assert_well_formed(a);
	g_assert_cmpint(g_utf8_strlen(a->title, -1), <=, 200);
	g_assert_cmpint(g_utf8_strlen(a->title, -1), >=, 190);
	g_assert_true(g_str_has_suffix(a->title, "…"));
	g_assert_true(g_str_has_prefix(a->title, "KubePodNotReady prüfung-ä"));
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=KubePodNotReady checkout");
}

/* A blank just before the cut (a fuzzer finding): still at most 200 characters. */
static void
test_title_space_at_cut(void)
{
	g_autofree char *x = g_strnfill(198, 'x');
	g_autofree char *subject = g_strdup_printf("%s yyyyyyyyyy", x);
	g_autoptr(mail) m = make_mail(subject, "");
	g_autoptr(alert) a = alert_parse(m, TRUE);

	assert_well_formed(a);
	g_assert_true(g_str_has_suffix(a->title, "…"));
}

/* Decoded subjects may carry CR LF (gmime decodes them verbatim): the title is one line. */
static void
test_title_controls(void)
{
	g_autoptr(mail) m = make_mail("[FIRING:1] HighErrorRate api-gateway\r\nBcc: "
	                              "mallory@example.org\r\nX-Injected: yes\t(critical)",
	                              "1 alert for alertname=HighErrorRate job=api-gateway\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	assert_well_formed(a);
	g_assert_null(strchr(a->title, '\n'));
	g_assert_null(strchr(a->title, '\r'));
	g_assert_cmpstr(a->title, ==,
	                "HighErrorRate api-gateway Bcc: mallory@example.org X-Injected: yes");
}

static void
test_grafana_text(void)
{
	g_autoptr(mail) m = make_mail(
	    "[FIRING:1] CheckoutLatencyHigh Payments (prod checkout-svc warning)",
	    "Firing: 1 alert for alertname=CheckoutLatencyHigh grafana_folder=Payments\n"
	    "Firing CheckoutLatencyHigh\nValue: B=2.41, C=1\n"
	    "summary: Checkout p99 latency above 2s\nLabels:\nalertname: CheckoutLatencyHigh\n"
	    "grafana_folder: Payments\nseverity: warning\n"
	    "Silence View Runbook Go to Dashboard Go to Panel Source\nSent by Grafana v11.3.1\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_cmpstr(a->source, ==, "grafana");
	g_assert_cmpint(a->state, ==, ALERT_FIRING);
	g_assert_cmpstr(a->fingerprint, ==, "grafana:group=CheckoutLatencyHigh Payments");
	g_assert_cmpstr(a->title, ==, "CheckoutLatencyHigh Payments");
	g_assert_cmpstr(a->severity_label, ==, "warning");
	g_assert_nonnull(strstr(a->details, "Value: B=2.41, C=1\n"));
	g_assert_null(strstr(a->details, "Silence"));
}

/* Grafana's subject when some alerts of the group fired and others resolved: it fires. */
static void
test_grafana_mixed(void)
{
	g_autoptr(mail) m = make_mail(
	    "[FIRING:1, RESOLVED:1] CheckoutLatencyHigh Payments (prod warning)",
	    "Firing: 1 alert for alertname=CheckoutLatencyHigh grafana_folder=Payments\n"
	    "Resolved: 1 alert for alertname=CheckoutLatencyHigh grafana_folder=Payments\n");
	g_autoptr(alert) a = alert_parse(m, FALSE);

	g_assert_cmpstr(a->source, ==, "grafana");
	g_assert_cmpint(a->state, ==, ALERT_FIRING);
	g_assert_cmpstr(a->fingerprint, ==, "grafana:group=CheckoutLatencyHigh Payments");
	g_assert_cmpstr(a->title, ==, "CheckoutLatencyHigh Payments");
}

/* Bounded work: a body of a million lines is read in its first lines only, fast. */
static void
test_huge_body(void)
{
	g_autoptr(GString) body =
	    g_string_new("1 alert for alertname=HighErrorRate job=api-gateway\n[1] Firing\n");
	g_autoptr(mail) m = NULL;
	g_autoptr(alert) a = NULL;

	for (int i = 0; i < 1000000; i++)
		g_string_append(body, "severity = critical\n");
	m = make_mail("[FIRING:1] HighErrorRate api-gateway", body->str);
	a = alert_parse(m, TRUE);
	g_assert_cmpstr(a->fingerprint, ==, "alertmanager:group=HighErrorRate api-gateway");
	g_assert_cmpstr(a->severity_label, ==, "critical");
}

static void
test_not_alerts(void)
{
	static const char *const subjects[] = {
	    "Re: [INC-1] [SEV ?] HighErrorRate api-gateway",
	    "Fwd: [FIRING:1] HighErrorRate api-gateway (production)",
	    "Re: ** PROBLEM Service Alert: web-frontend-02/HTTPS is CRITICAL **",
	    "Lunch?",
	    "Problem: the VPN drops every hour",
	    "Re: [Shop frontend] [🔴 Down] Request failed with status code 502",
	    "Fwd: ALARM: \"orders-db-CPUUtilization-high\" in US East (N. Virginia)",
	    "",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(subjects); i++) {
		g_autoptr(mail) m = make_mail(subjects[i], "ack\n\n> 1 alert for alertname=X\n");
		g_autoptr(alert) a = alert_parse(m, FALSE);

		g_assert_null(a);
	}
	g_assert_null(alert_parse(NULL, TRUE));
}

/* The generic fallback: a recovery mail shares its problem's fingerprint. */
static void
test_generic(void)
{
	static const struct {
		const char *firing, *resolved;
	} pairs[] = {
	    {"PROBLEM: disk full on db1", "RECOVERY: disk full on db1"},
	    {"[ALERT] web01 is DOWN", "[OK] web01 is UP"},
	    {"Backup job failed on nas-2", "Resolved: Backup job failed on nas-2"},
	    {"CPU at 93% on build-7", "Cleared - CPU at 12% on build-7"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(pairs); i++) {
		g_autoptr(mail) f = make_mail(pairs[i].firing, "something happened\n");
		g_autoptr(mail) r = make_mail(pairs[i].resolved, "");
		g_autoptr(alert) a = alert_parse(f, TRUE);
		g_autoptr(alert) b = alert_parse(r, TRUE);

		assert_well_formed(a);
		g_assert_cmpstr(a->source, ==, "generic");
		g_assert_cmpint(a->state, ==, ALERT_FIRING);
		g_assert_cmpint(b->state, ==, ALERT_RESOLVED);
		g_assert_cmpstr(a->fingerprint, ==, b->fingerprint);
		g_assert_cmpstr(a->title, ==, pairs[i].firing);
	}
}

/* Hosts stay apart: a number inside a name or an address is part of it, a lone value is
 * not. */
static void
test_generic_hosts_stay_apart(void)
{
	static const char *const apart[][2] = {
	    {"Host 10.0.0.1 down", "Host 10.0.0.2 down"},
	    {"Disk full on db-1", "Disk full on db-2"},
	    {"web01.example.com unreachable", "web02.example.com unreachable"},
	};
	g_autoptr(mail) x = make_mail("CPU at 93.5% on build-7", "");
	g_autoptr(mail) y = make_mail("CPU at 97% on build-7", "");
	g_autoptr(alert) ax = alert_parse(x, TRUE);
	g_autoptr(alert) ay = alert_parse(y, TRUE);

	g_assert_cmpstr(ax->fingerprint, ==, ay->fingerprint);
	for (gsize i = 0; i < G_N_ELEMENTS(apart); i++) {
		g_autoptr(mail) f = make_mail(apart[i][0], "");
		g_autoptr(mail) g = make_mail(apart[i][1], "");
		g_autoptr(alert) a = alert_parse(f, TRUE);
		g_autoptr(alert) b = alert_parse(g, TRUE);

		g_assert_cmpstr(a->fingerprint, !=, b->fingerprint);
	}
}

static void
test_generic_title(void)
{
	g_autoptr(mail) fwd = make_mail("Fwd: RE: AW: Backup failed", "Severity: Critical\nlog\n");
	g_autoptr(mail) empty = make_mail(NULL, NULL);
	g_autoptr(alert) a = alert_parse(fwd, TRUE);
	g_autoptr(alert) b = alert_parse(empty, TRUE);
	g_autoptr(alert) c = alert_parse(empty, FALSE);

	g_assert_cmpstr(a->title, ==, "Backup failed");
	g_assert_cmpstr(a->fingerprint, ==, "generic:backup failed");
	g_assert_cmpstr(a->severity_label, ==, "critical");
	g_assert_cmpstr(a->details, ==, "Severity: Critical\nlog\n");
	assert_well_formed(b);
	g_assert_cmpstr(b->title, ==, "Alert from alertmanager@example.com");
	g_assert_null(c);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/alert/corpus-invariants", test_corpus_invariants);
	g_test_add_func("/alert/corpus-not-alerts", test_corpus_not_alerts);
	g_test_add_func("/alert/alertmanager/story", test_alertmanager_story);
	g_test_add_func("/alert/alertmanager/grouped", test_alertmanager_grouped);
	g_test_add_func("/alert/alertmanager/text", test_alertmanager_text);
	g_test_add_func("/alert/alertmanager/custom-subject", test_alertmanager_custom_subject);
	g_test_add_func("/alert/alertmanager/most-severe", test_alertmanager_most_severe);
	g_test_add_func("/alert/alertmanager/subject-only", test_alertmanager_subject_only);
	g_test_add_func("/alert/title/long", test_title_long);
	g_test_add_func("/alert/title/controls", test_title_controls);
	g_test_add_func("/alert/title/space-at-cut", test_title_space_at_cut);
	g_test_add_func("/alert/grafana/text", test_grafana_text);
	g_test_add_func("/alert/grafana/mixed", test_grafana_mixed);
	g_test_add_func("/alert/huge-body", test_huge_body);
	g_test_add_func("/alert/not-alerts", test_not_alerts);
	g_test_add_func("/alert/generic/recovery-shares-fingerprint", test_generic);
	g_test_add_func("/alert/generic/title", test_generic_title);
	g_test_add_func("/alert/generic/hosts-stay-apart", test_generic_hosts_stay_apart);
	return g_test_run();
}
