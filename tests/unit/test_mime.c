/*
 * What sevmail reads out of a mail (mime_parse) and what it sends (mime_build), checked
 * against the corpus: real alert and client shapes, and the hostile files in bad/.
 * Corpus directory: $SEVMAIL_CORPUS, default tests/corpus (run from the repository root).
 */
#include <string.h>
#include <unistd.h>

#include "mime.h"

static char *
corpus_path(const char *rel)
{
	const char *dir = g_getenv("SEVMAIL_CORPUS");

	return g_build_filename(dir != NULL ? dir : "tests/corpus", rel, NULL);
}

static struct mail *
parse_file(const char *rel)
{
	g_autofree char *path = corpus_path(rel);
	g_autofree char *raw = NULL;
	g_autoptr(GError) err = NULL;
	gsize len = 0;
	struct mail *m;

	g_file_get_contents(path, &raw, &len, &err);
	g_assert_no_error(err);
	alarm(20); /* a hang in the parser fails the test instead of stalling the suite */
	m = mime_parse(raw, len, &err);
	alarm(0);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	return m;
}

static struct mail *
parse_str(const char *raw)
{
	g_autoptr(GError) err = NULL;
	struct mail *m = mime_parse(raw, strlen(raw), &err);

	g_assert_no_error(err);
	g_assert_nonnull(m);
	return m;
}

static gboolean
has_string(GPtrArray *a, const char *s)
{
	return g_ptr_array_find_with_equal_func(a, s, g_str_equal, NULL);
}

static const char *current; /* the corpus file being looked at, for messages */

static void
assert_utf8(const char *what, const char *s, gboolean nullable)
{
	if (s == NULL) {
		if (!nullable)
			g_error("%s: %s is NULL", current != NULL ? current : "", what);
		return;
	}
	if (!g_utf8_validate(s, -1, NULL))
		g_error("%s: %s is not valid UTF-8", current != NULL ? current : "", what);
}

static void
assert_utf8_array(const char *what, GPtrArray *a)
{
	g_assert_nonnull(a);
	for (guint i = 0; i < a->len; i++)
		assert_utf8(what, g_ptr_array_index(a, i), FALSE);
}

/* Every string a later module may show, store or compare is valid UTF-8. */
static void
assert_valid_mail(const struct mail *m)
{
	assert_utf8("message_id", m->message_id, TRUE);
	assert_utf8("from_addr", m->from_addr, TRUE);
	assert_utf8("from_name", m->from_name, TRUE);
	assert_utf8("subject", m->subject, FALSE);
	assert_utf8("in_reply_to", m->in_reply_to, TRUE);
	assert_utf8_array("references", m->references);
	assert_utf8_array("recipients", m->recipients);
	assert_utf8("return_path", m->return_path, TRUE);
	assert_utf8("auto_submitted", m->auto_submitted, TRUE);
	assert_utf8("precedence", m->precedence, TRUE);
	assert_utf8_array("x_loops", m->x_loops);
	assert_utf8_array("auth_results", m->auth_results);
	assert_utf8("text", m->text, FALSE);
	g_assert_null(strpbrk(m->subject, "\r\n\t"));
}

static gint64
utc(int y, int mo, int d, int h, int mi, int s)
{
	g_autoptr(GDateTime) t = g_date_time_new_utc(y, mo, d, h, mi, s);

	return g_date_time_to_unix(t);
}

/* ---- alerts ---- */

static void
test_alertmanager_html_only(void)
{
	g_autoptr(mail) m = parse_file("alerts/alertmanager-firing.eml");

	g_assert_cmpstr(m->message_id, ==,
	                "1795701792614353412.6196643285381707109@alertmanager-main-0");
	g_assert_cmpstr(m->from_addr, ==, "alertmanager@example.com");
	g_assert_null(m->from_name);
	g_assert_cmpstr(
	    m->subject, ==,
	    "[FIRING:1] HighErrorRate api-gateway (production 10.0.3.17:8080 critical)");
	g_assert_true(m->text_from_html);
	g_assert_nonnull(strstr(m->text, "1 alert for alertname=HighErrorRate job=api-gateway\n"));
	g_assert_nonnull(strstr(m->text, "\nalertname = HighErrorRate\nenv = production\n"));
	g_assert_nonnull(strstr(m->text, "description = api-gateway's 5xx ratio is 12.4% (> 5%)"));
	g_assert_null(strstr(m->text, "font-family")); /* head and styles dropped */
	g_assert_null(strstr(m->text, "\n\n\n"));
	g_assert_cmpint(m->date, ==, utc(2026, 11, 26, 14, 3, 12));
	g_assert_cmpstr(m->return_path, ==, "alertmanager@example.com");
	g_assert_false(m->is_report);
	assert_valid_mail(m);
}

static void
test_icinga_latin1(void)
{
	g_autoptr(mail) m = parse_file("alerts/icinga2-service-problem-latin1.eml");

	g_assert_cmpstr(m->subject, ==, "[PROBLEM] disk /srv on Dateiserver München is WARNING!");
	g_assert_nonnull(strstr(m->text, "Dateiserver München"));
	g_assert_nonnull(strstr(m->text, "Größenänderung"));
	g_assert_cmpstr(m->from_addr, ==, "icinga@icinga-muc-01.example.com");
	g_assert_cmpstr(m->from_name, ==, "Icinga Monitoring");
	g_assert_false(m->text_from_html);
	assert_valid_mail(m);
}

static void
test_zabbix_base64_html(void)
{
	g_autoptr(mail) m = parse_file("alerts/zabbix-problem.eml");

	g_assert_null(m->message_id);
	g_assert_true(m->text_from_html);
	g_assert_nonnull(strstr(m->text, "Problem started at 15:52:10 on 2026.11.26\n"));
	g_assert_nonnull(strstr(m->text, "Original problem ID: 48213"));
	g_assert_cmpstr(m->in_reply_to, ==,
	                "48213.3676df40c90cb4fa63cf8e902e6d7b13.1.cm3x9y2b00007k3s6h2m8qa1z"
	                "@zabbix.example.com");
	g_assert_cmpint(m->date, ==, utc(2026, 11, 26, 14, 52, 10)); /* +0100 */
	g_assert_true(has_string(m->recipients, "incidents@example.com"));
	assert_valid_mail(m);
}

/* ---- replies ---- */

static void
test_iphone_ack(void)
{
	g_autoptr(mail) m = parse_file("replies/iphone-ack.eml");

	g_assert_true(g_str_has_prefix(m->text, "Ack\n"));
	g_assert_true(has_string(m->recipients, "incidents+1-k3j5h2m9qa@example.com"));
	g_assert_cmpuint(m->recipients->len, ==, 1); /* Delivered-To and To are the same */
	g_assert_cmpstr(m->in_reply_to, ==, "inc-1.page.1@example.com");
	g_assert_cmpuint(m->references->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(m->references, 0), ==, "inc-1.page.1@example.com");
	g_assert_cmpstr(m->from_addr, ==, "alice@example.com");
	g_assert_cmpstr(m->from_name, ==, "Alice Example");
	g_assert_cmpstr(m->message_id, ==, "5B0E7C1A-3F2D-4E8B-9A61-0C7D2E4F8B13@example.com");
	g_assert_cmpint(m->date, ==, utc(2026, 11, 26, 14, 5, 49));
	g_assert_cmpuint(m->auth_results->len, ==, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(m->auth_results, 0), "mx.example.com;"));
	g_assert_nonnull(strstr(g_ptr_array_index(m->auth_results, 0), "dmarc=pass"));
	g_assert_null(m->auto_submitted);
	assert_valid_mail(m);
}

static void
test_thunderbird_flowed(void)
{
	g_autoptr(mail) m = parse_file("replies/multi-command-thunderbird.eml");

	g_assert_true(g_str_has_prefix(m->text, "SEV1\nIMPACT: checkout failing for all users\n"
	                                        "NEXT: rolling back api-gateway from 2.42.0 to "
	                                        "2.41.3 in all regions, next update in 30 "
	                                        "minutes at the latest\n\n"));
	/* quoted flowed lines are joined at their own depth and keep their quote marks */
	g_assert_nonnull(strstr(m->text, "\n> Source:   alertmanager: [FIRING:1] HighErrorRate "
	                                 "api-gateway (production 10.0.3.17:8080 critical)\n"));
	g_assert_nonnull(strstr(m->text, "\n>\n> Status:"));
	assert_valid_mail(m);
}

static void
test_flowed_delsp_and_stuffing(void)
{
	g_autoptr(mail) m = parse_str("From: a@example.com\n"
	                              "Content-Type: text/plain; charset=utf-8; format=Flowed; "
	                              "DelSp=yes\n"
	                              "\n"
	                              "Mitiga \n"
	                              "ting now\n"
	                              " From here on\n"
	                              "-- \n"
	                              "sig\n");

	g_assert_cmpstr(m->text, ==, "Mitigating now\nFrom here on\n-- \nsig\n");
}

static void
test_forged_auth_results_order(void)
{
	g_autoptr(mail) m = parse_file("replies/forged-from-alice.eml");

	g_assert_cmpuint(m->auth_results->len, ==, 2);
	g_assert_nonnull(strstr(g_ptr_array_index(m->auth_results, 0), "dmarc=fail"));
	g_assert_nonnull(strstr(g_ptr_array_index(m->auth_results, 1), "dmarc=pass"));
	/* unfolded into one line */
	g_assert_null(strpbrk(g_ptr_array_index(m->auth_results, 0), "\r\n\t"));
	g_assert_cmpstr(m->from_addr, ==, "alice@example.com");
	g_assert_cmpstr(m->return_path, ==, "mallory@example.org");
	g_assert_cmpstr(m->text, ==, "SEV3\n");
	assert_valid_mail(m);
}

static void
test_bounce_is_report(void)
{
	g_autoptr(mail) m = parse_file("replies/bounce-postfix-dsn.eml");

	g_assert_true(m->is_report);
	g_assert_cmpstr(m->return_path, ==, "");
	g_assert_cmpstr(m->auto_submitted, ==, "auto-replied");
	g_assert_cmpstr(m->from_addr, ==, "mailer-daemon@mx.example.net");
	g_assert_cmpstr(m->from_name, ==, "Mail Delivery System");
	g_assert_nonnull(strstr(m->text, "Quota exceeded"));
	g_assert_false(m->text_from_html);
	assert_valid_mail(m);
}

static void
test_recipients_order(void)
{
	g_autoptr(mail) m =
	    parse_str("Delivered-To: Incidents+1-Tok@Example.com\n"
	              "X-Original-To: stakeholders@example.com\n"
	              "Delivered-To: incidents@example.com\n"
	              "From: Bob <bob@example.com>\n"
	              "To: Desk <INCIDENTS@example.com>, team: carol@example.com;\n"
	              "Cc: stakeholders@example.com, \"Dave, D.\" <dave@example.net>\n"
	              "Subject: hi\n"
	              "Precedence: bulk\n"
	              "X-Loop: incidents@example.com\n"
	              "\n"
	              "body\n");
	const char *want[] = {"incidents+1-tok@example.com", "stakeholders@example.com",
	                      "incidents@example.com", "carol@example.com", "dave@example.net"};

	g_assert_cmpuint(m->recipients->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpstr(g_ptr_array_index(m->recipients, i), ==, want[i]);
	g_assert_null(m->return_path); /* no Return-Path header at all */
	g_assert_null(m->message_id);
	g_assert_cmpint(m->date, ==, 0);
	g_assert_cmpstr(m->precedence, ==, "bulk");
	g_assert_cmpuint(m->x_loops->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(m->x_loops, 0), ==, "incidents@example.com");
	g_assert_null(m->auto_marker);
	g_assert_cmpuint(m->auth_results->len, ==, 0);
	g_assert_cmpuint(m->references->len, ==, 0);
	g_assert_null(m->in_reply_to);
}

static void
test_plain_preferred_over_html(void)
{
	g_autoptr(mail) m = parse_str("From: a@example.com\n"
	                              "Content-Type: multipart/mixed; boundary=\"o\"\n"
	                              "\n"
	                              "--o\n"
	                              "Content-Type: multipart/alternative; boundary=\"i\"\n"
	                              "\n"
	                              "--i\n"
	                              "Content-Type: text/html\n"
	                              "\n"
	                              "<p>html</p>\n"
	                              "--i\n"
	                              "Content-Type: text/plain; charset=windows-1252\n"
	                              "Content-Transfer-Encoding: quoted-printable\n"
	                              "\n"
	                              "plain =80 =E9\r\n"
	                              "--i--\n"
	                              "--o\n"
	                              "Content-Type: text/plain\n"
	                              "Content-Disposition: attachment; filename=x.txt\n"
	                              "\n"
	                              "attached\n"
	                              "--o--\n");

	g_assert_cmpstr(m->text, ==, "plain € é\n");
	g_assert_false(m->text_from_html);
}

static void
test_blank_plain_uses_html(void)
{
	g_autoptr(mail) m = parse_str("From: a@example.com\n"
	                              "Content-Type: multipart/alternative; boundary=\"i\"\n"
	                              "\n"
	                              "--i\n"
	                              "Content-Type: text/plain\n"
	                              "\n"
	                              " \n"
	                              "--i\n"
	                              "Content-Type: text/html; charset=utf-8\n"
	                              "\n"
	                              "<div>ACK</div>\n"
	                              "--i--\n");

	g_assert_cmpstr(m->text, ==, "ACK");
	g_assert_true(m->text_from_html);
}

/* A text part that is a file (a name, or an attachment disposition) is never the body,
 * whatever comes first: here each planted RESOLVED precedes the real reply "ack". */
static const struct named_case {
	const char *planted; /* the headers of the part named like a file */
	const char *real;    /* the type of the reply's own part */
} named_cases[] = {
    {"Content-Type: text/plain; charset=utf-8; name=\"details.txt\"\n", "text/plain"},
    {"Content-Type: text/plain\nContent-Disposition: inline; filename=\"notes.txt\"\n",
     "text/plain"},
    {"Content-Type: text/plain\nContent-Disposition: attachment\n", "text/plain"},
    {"Content-Type: text/plain\nContent-Disposition: INLINE; FILENAME*=utf-8''n%C3%B6tes.txt\n",
     "text/plain"},
    {"Content-Type: text/html; name=page.html\n", "text/html"},
    {"Content-Type: text/html\nContent-Disposition: inline; filename=page.html\n", "text/html"},
};

static void
test_named_part_not_body(gconstpointer data)
{
	const struct named_case *c = data;
	g_autofree char *raw = g_strdup_printf("From: carol@example.com\n"
	                                       "Content-Type: multipart/mixed; boundary=\"b\"\n"
	                                       "\n"
	                                       "--b\n"
	                                       "%s"
	                                       "\n"
	                                       "<p>RESOLVED</p>\n"
	                                       "--b\n"
	                                       "Content-Type: %s\n"
	                                       "\n"
	                                       "ack\n"
	                                       "--b--\n",
	                                       c->planted, c->real);
	g_autoptr(mail) m = parse_str(raw);

	g_assert_cmpstr(m->text, ==, "ack");
}

/* With nothing but a named text part, the mail has no text. */
static void
test_only_named_part(void)
{
	g_autoptr(mail) m = parse_str("From: carol@example.com\n"
	                              "Content-Type: text/plain; name=\"alert-details.txt\"\n"
	                              "\n"
	                              "RESOLVED\n");

	g_assert_cmpstr(m->text, ==, "");
}

static void
test_no_charset_latin1(void)
{
	/* 8-bit body without any MIME headers that is not UTF-8: read as ISO-8859-1 */
	g_autoptr(mail) m = parse_str("From: a@example.com\n\nGr\xf6\xdf"
	                              "e\r\nok\rdone\n");

	g_assert_cmpstr(m->text, ==, "Größe\nok\ndone\n");
}

/* ---- bad/ ---- */

static void
test_header_injection_subject(void)
{
	g_autoptr(mail) m = parse_file("bad/header-injection-encoded-crlf-subject.eml");

	g_assert_true(g_str_has_prefix(m->subject, "[FIRING:1] HighErrorRate api-gateway"));
	g_assert_nonnull(strstr(m->subject, "Bcc: mallory@example.org"));
	g_assert_null(strchr(m->subject, '\r'));
	g_assert_null(strchr(m->subject, '\n'));
	assert_valid_mail(m);
}

static void
test_header_injection_from_name(void)
{
	g_autoptr(mail) m = parse_file("bad/header-injection-reply-from-name.eml");

	g_assert_nonnull(m->from_name);
	g_assert_true(g_str_has_prefix(m->from_name, "Alice Example"));
	g_assert_null(strpbrk(m->from_name, "\r\n"));
	g_assert_null(strpbrk(m->subject, "\r\n"));
	assert_valid_mail(m);
}

static void
test_nul_bytes(void)
{
	g_autoptr(mail) m = parse_file("bad/nul-bytes.eml");

	g_assert_nonnull(strstr(m->text, "Host: cache-01\n"));
	g_assert_nonnull(strstr(m->text, "Info: CRITICAL - Host Unreachable (10.0.4.7)"));
	g_assert_true(g_str_has_suffix(m->text, "UTC 2026\n\nACK\n"));
	assert_valid_mail(m);
}

static void
test_deep_multipart(void)
{
	g_autoptr(mail) m = parse_file("bad/deep-multipart-2000.eml");

	g_assert_cmpstr(m->text, ==, ""); /* the text part is deeper than anyone looks */
	assert_valid_mail(m);
}

static void
test_gmime_165(void)
{
	g_autoptr(mail) min = parse_file("bad/gmime-165-param-loop-minimal.eml");
	g_autoptr(mail) alert = parse_file("bad/gmime-165-param-loop-alert.eml");

	assert_valid_mail(min);
	assert_valid_mail(alert);
	g_assert_cmpstr(
	    alert->subject, ==,
	    "[FIRING:1] HighErrorRate api-gateway (production 10.0.3.17:8080 critical)");
	g_assert_cmpstr(alert->message_id, ==,
	                "1795719300118204977.2222222222222222222@alertmanager-main-0");
}

static void
test_unterminated_boundary(void)
{
	g_autoptr(mail) m = parse_file("bad/unterminated-boundary.eml");

	g_assert_nonnull(strstr(m->text, "web-frontend-03"));
	assert_valid_mail(m);
}

static void
test_unknown_charset(void)
{
	g_autoptr(mail) m = parse_file("bad/unknown-charset.eml");

	/* not UTF-8, so read as ISO-8859-1 */
	g_assert_nonnull(strstr(m->text, "disk /var on db-replica-03 is CRITICAL!"));
	g_assert_nonnull(strstr(m->text, "Größe"));
	g_assert_true(g_str_has_prefix(m->subject, "[PROBLEM] disk /var on db-replica-03"));
	g_assert_cmpstr(m->from_addr, ==, "icinga@monitoring.example.com");
	assert_valid_mail(m);
}

static void
test_raw_8bit_headers(void)
{
	g_autoptr(mail) m = parse_file("bad/raw-8bit-headers.eml");

	g_assert_cmpstr(m->from_name, ==, "Überwachung");
	g_assert_cmpstr(
	    m->subject, ==,
	    "** PROBLEM Service Alert: Zahlungsdienst/HTTPS ist KRITISCH – Störung ⚠ **");
	assert_valid_mail(m);
}

static void
test_invalid_base64(void)
{
	g_autoptr(mail) m = parse_file("bad/invalid-base64.eml");

	g_assert_cmpstr(m->subject, ==, "** PROBLEM Host Alert: db-primary-02 is DOWN **");
	g_assert_true(g_str_has_prefix(m->text, "***** Nagios *****\n"));
	assert_valid_mail(m);
}

static void
test_long_header(void)
{
	g_autoptr(mail) m = parse_file("bad/long-header-10000.eml");

	g_assert_cmpuint(strlen(m->subject), ==, 10000 - strlen("Subject: "));
	g_assert_true(g_str_has_prefix(m->subject, "[FIRING:250] KubePodNotReady checkout ("));
	assert_valid_mail(m);
}

/* Recipients are capped and kept in order, each once: the delivery's own address, which
 * routing needs, stays first however many Cc a mail lists. */
static void
test_recipients_cap(void)
{
	g_autoptr(GString) raw =
	    g_string_new("Delivered-To: incidents+1-tok@example.com\n"
	                 "From: mallory@example.org\nTo: incidents@example.com\n"
	                 "Cc: ");
	g_autoptr(mail) m = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int i = 0; i < 5000; i++)
		g_string_append_printf(raw, "%su%d@example.org", i > 0 ? ", " : "", i % 2500);
	g_string_append(raw, "\nSubject: many\n\nack\n");
	m = parse_str(raw->str);
	g_assert_cmpuint(m->recipients->len, ==, MIME_MAX_RECIPIENTS);
	g_assert_cmpstr(g_ptr_array_index(m->recipients, 0), ==, "incidents+1-tok@example.com");
	g_assert_cmpstr(g_ptr_array_index(m->recipients, 1), ==, "incidents@example.com");
	g_assert_cmpstr(g_ptr_array_index(m->recipients, 2), ==, "u0@example.org");
	for (guint i = 0; i < m->recipients->len; i++)
		g_assert_true(g_hash_table_add(seen, g_ptr_array_index(m->recipients, i)));
}

/* References keeps the thread's root and the newest Message-IDs. */
static void
test_references_cap(void)
{
	g_autoptr(GString) raw = g_string_new("From: alice@example.com\nReferences:");
	g_autoptr(mail) m = NULL;
	g_autofree char *second = NULL, *last = NULL;

	for (int i = 0; i < 5000; i++)
		g_string_append_printf(raw, " <r%d@example.com>", i);
	g_string_append(raw, "\nSubject: deep thread\n\nack\n");
	m = parse_str(raw->str);
	second = g_strdup_printf("r%d@example.com", 5000 - (MIME_MAX_REFERENCES - 1));
	g_assert_cmpuint(m->references->len, ==, MIME_MAX_REFERENCES);
	g_assert_cmpstr(g_ptr_array_index(m->references, 0), ==, "r0@example.com");
	g_assert_cmpstr(g_ptr_array_index(m->references, 1), ==, second);
	g_assert_cmpstr(g_ptr_array_index(m->references, MIME_MAX_REFERENCES - 1), ==,
	                "r4999@example.com");
}

/* A header block over the cap: the first headers are read, the body is not. One just under
 * the cap is read whole. */
static void
test_header_block_cap(void)
{
	static const char head[] = "From: mallory@example.org\nTo: incidents@example.com\n"
	                           "Subject: [INC-1] big\n";
	g_autoptr(GString) raw = g_string_new(head);
	g_autoptr(mail) over = NULL;
	g_autoptr(mail) under = NULL;

	while (raw->len < MIME_MAX_HEADER_BYTES - 200)
		g_string_append(raw, "X-Junk: 0123456789012345678901234567890123456789\n");
	g_string_append(raw, "\nRESOLVED\n");
	under = parse_str(raw->str);
	g_assert_cmpstr(under->text, ==, "RESOLVED\n");
	g_string_insert(raw, strlen(head),
	                "X-Junk: 0123456789012345678901234567890123456789\n"
	                "X-Junk: 0123456789012345678901234567890123456789\n"
	                "X-Junk: 0123456789012345678901234567890123456789\n"
	                "X-Junk: 0123456789012345678901234567890123456789\n"
	                "X-Junk: 0123456789012345678901234567890123456789\n");
	over = parse_str(raw->str);
	g_assert_cmpstr(over->text, ==, "");
	g_assert_cmpstr(over->subject, ==, "[INC-1] big");
	g_assert_true(has_string(over->recipients, "incidents@example.com"));
	g_assert_cmpstr(over->from_addr, ==, "mallory@example.org");
}

/* One header line longer than the cap is cut within it; the mail still parses. */
static void
test_header_line_over_cap(void)
{
	gsize len = MIME_MAX_HEADER_BYTES + 4096;
	g_autofree char *raw = g_malloc(len + 1);
	g_autoptr(mail) m = NULL;

	memcpy(raw, "Subject: ", 9);
	memset(raw + 9, 'x', len - 9);
	raw[len] = '\0';
	m = parse_str(raw);
	g_assert_cmpstr(m->text, ==, "");
	g_assert_cmpuint(strlen(m->subject), <=, MIME_MAX_HEADER_BYTES);
	g_assert_true(g_str_has_prefix(m->subject, "xxxx"));
}

static void
test_empty(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = corpus_path("bad/empty.eml");
	g_autofree char *raw = NULL;
	const char *raw2;
	gsize len = 0;
	struct mail *m;

	g_assert_true(g_file_get_contents(path, &raw, &len, NULL));
	m = mime_parse(raw, len, &err);
	g_assert_null(m);
	g_assert_error(err, MIME_ERROR, MIME_ERROR_EMPTY);
	g_assert_cmpstr(err->message, ==, "the message is empty");
	g_clear_error(&err);
	raw2 = "From someone Thu Nov 26 19:05:00 2026\n";
	m = mime_parse(raw2, strlen(raw2), &err);
	g_assert_null(m);
	g_assert_error(err, MIME_ERROR, MIME_ERROR_EMPTY);
}

static void
test_mbox_from_line(void)
{
	g_autoptr(mail) m = parse_file("bad/mbox-from-line.eml");

	g_assert_cmpstr(m->message_id, ==, "20261126190500.4F5A6B7C8D@monitoring.example.com");
	g_assert_true(g_str_has_prefix(m->subject, "** PROBLEM"));
	g_assert_cmpstr(m->return_path, ==, "nagios@monitoring.example.com");
	g_assert_nonnull(strstr(m->text, "\n>From the load balancer"));
	assert_valid_mail(m);
}

static void
test_headers_only(void)
{
	g_autoptr(mail) m = parse_file("bad/headers-only-no-body.eml");

	g_assert_cmpstr(m->text, ==, "");
	g_assert_cmpstr(m->message_id, ==,
	                "1795719600118204977.3333333333333333333@alertmanager-main-0");
	g_assert_cmpint(m->date, ==, utc(2026, 11, 26, 19, 0, 0));
	assert_valid_mail(m);
}

static void
test_no_message_id_no_date(void)
{
	g_autoptr(mail) m = parse_file("bad/no-message-id-no-date.eml");

	g_assert_null(m->message_id);
	g_assert_cmpint(m->date, ==, 0);
	g_assert_null(m->return_path);
	assert_valid_mail(m);
}

/* Every corpus file parses, returns, and yields only valid UTF-8. */
static void
test_whole_corpus(void)
{
	const char *dirs[] = {"bad", "alerts", "replies", "lists"};
	guint files = 0;

	for (guint d = 0; d < G_N_ELEMENTS(dirs); d++) {
		g_autofree char *path = corpus_path(dirs[d]);
		g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
		const char *name;

		g_assert_nonnull(dir);
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *rel = g_build_filename(dirs[d], name, NULL);

			if (!g_str_has_suffix(name, ".eml") || strcmp(rel, "bad/empty.eml") == 0)
				continue;
			current = rel;
			g_autoptr(mail) m = parse_file(rel);
			assert_valid_mail(m);
			current = NULL;
			files++;
		}
	}
	g_assert_cmpuint(files, >=, 60);
}

/* ---- HTML ---- */

static void
test_html_to_text(void)
{
	const char *html =
	    "<html><head><title>T</title><style>p{color:red}</style></head>"
	    "<body><script>alert(1)</script>"
	    "<h1>Incident&nbsp;report</h1>\n\n<p>  first   line\n  continued "
	    "&amp; &lt;ok&gt; &#39;q&#39;</p><p></p><p></p><div>second<br>third</div>"
	    "<ul><li>one</li><li>two</li></ul><table><tr><td>k</td><td>v</td></tr>"
	    "</table><pre>a  b\n  c</pre><!-- hidden --></body></html>";
	g_autofree char *t = mime_html_to_text(html, strlen(html));

	g_assert_cmpstr(t, ==,
	                "Incident report\nfirst line continued & <ok> 'q'\nsecond\nthird\none\n"
	                "two\nk v\na  b\n  c");
}

static void
test_html_empty_lines(void)
{
	const char *html = "<p>a</p><br><br><br><br><p>b</p>";
	g_autofree char *t = mime_html_to_text(html, strlen(html));
	g_autofree char *e = mime_html_to_text("", 0);

	g_assert_cmpstr(t, ==, "a\n\nb");
	g_assert_cmpstr(e, ==, "");
}

/* ---- build ---- */

static void
outmsg_init(struct outmsg *o)
{
	memset(o, 0, sizeof(*o));
	o->from_name = "Incident Desk";
	o->from_addr = "incidents@example.com";
	o->reply_to = "incidents+1-k3j5h2m9qa@example.com";
	o->to = g_ptr_array_new();
	g_ptr_array_add(o->to, (gpointer) "alice@example.com");
	g_ptr_array_add(o->to, (gpointer) "bob@example.com");
	o->subject = "[INC-1] [SEV 1] Größenänderung fehlgeschlagen ⚠";
	o->message_id = "inc-1.page.1@example.com";
	o->date = utc(2026, 11, 26, 14, 4, 0);
	o->text = "INC-1 HighErrorRate api-gateway\n\nStatus: Investigating\nGröße: 5 ✓\n";
}

/* No bare LF, no bare CR, and no line longer than 998 octets before its CRLF. */
static void
assert_wire_format(const char *raw, gsize len)
{
	gsize start = 0;

	g_assert_cmpuint(strlen(raw), ==, len);
	for (gsize i = 0; i < len; i++) {
		if (raw[i] == '\r')
			g_assert_cmpint(raw[i + 1], ==, '\n');
		if (raw[i] != '\n')
			continue;
		g_assert_true(i > 0 && raw[i - 1] == '\r');
		g_assert_cmpuint(i - 1 - start, <=, 998);
		start = i + 1;
	}
	g_assert_cmpuint(len - start, <=, 998);
}

static void
test_build_roundtrip(void)
{
	struct outmsg o;
	g_autoptr(GError) err = NULL;
	g_autofree char *raw = NULL;
	gsize len = 0;

	outmsg_init(&o);
	o.in_reply_to = "5B0E7C1A-3F2D@example.com";
	o.references = g_ptr_array_new();
	g_ptr_array_add(o.references, (gpointer) "inc-1.page.1@example.com");
	g_ptr_array_add(o.references, (gpointer) "5B0E7C1A-3F2D@example.com");
	o.headers = g_ptr_array_new();
	g_ptr_array_add(o.headers, (gpointer) "Auto-Submitted");
	g_ptr_array_add(o.headers, (gpointer) "auto-generated");
	g_ptr_array_add(o.headers, (gpointer) "X-Loop");
	g_ptr_array_add(o.headers, (gpointer) "incidents@example.com");
	o.html = "<p>INC-1 <b>HighErrorRate</b> api-gateway</p>";
	raw = mime_build(&o, &len, &err);
	g_assert_no_error(err);
	g_assert_nonnull(raw);
	assert_wire_format(raw, len);
	g_assert_nonnull(strstr(raw, "\r\nMIME-Version: 1.0\r\n"));
	g_assert_nonnull(strstr(raw, "Message-Id: <inc-1.page.1@example.com>\r\n"));
	g_assert_nonnull(strstr(raw, "\r\nReply-To: incidents+1-k3j5h2m9qa@example.com\r\n"));
	g_assert_nonnull(strstr(raw, "Date: Thu, 26 Nov 2026 14:04:00 +0000\r\n"));
	g_assert_nonnull(strstr(raw, "\r\nFrom: Incident Desk <incidents@example.com>\r\n"));
	g_assert_nonnull(strstr(raw, "\r\nTo: alice@example.com, bob@example.com\r\n"));
	g_assert_nonnull(strstr(raw, "\r\nSubject: [INC-1] [SEV 1]"));
	g_assert_nonnull(strstr(raw, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	g_assert_nonnull(strstr(raw, "multipart/alternative"));
	g_assert_nonnull(strstr(raw, "charset=utf-8"));
	g_assert_null(strstr(raw, "Größe")); /* 8-bit text is always transfer-encoded */

	g_autoptr(mail) m = parse_str(raw);
	g_assert_cmpstr(m->subject, ==, o.subject);
	g_assert_cmpstr(m->text, ==, o.text);
	g_assert_false(m->text_from_html);
	g_assert_cmpstr(m->message_id, ==, "inc-1.page.1@example.com");
	g_assert_cmpstr(m->in_reply_to, ==, "5B0E7C1A-3F2D@example.com");
	g_assert_cmpuint(m->references->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(m->references, 0), ==, "inc-1.page.1@example.com");
	g_assert_cmpstr(g_ptr_array_index(m->references, 1), ==, "5B0E7C1A-3F2D@example.com");
	g_assert_cmpstr(m->from_addr, ==, "incidents@example.com");
	g_assert_cmpstr(m->from_name, ==, "Incident Desk");
	g_assert_cmpstr(m->auto_submitted, ==, "auto-generated");
	g_assert_true(has_string(m->x_loops, "incidents@example.com"));
	g_assert_true(has_string(m->recipients, "alice@example.com"));
	g_assert_true(has_string(m->recipients, "bob@example.com"));
	g_assert_cmpint(m->date, ==, o.date);
	g_ptr_array_unref(o.to);
	g_ptr_array_unref(o.references);
	g_ptr_array_unref(o.headers);
}

static void
expect_refused(struct outmsg *o, const char *what)
{
	g_autoptr(GError) err = NULL;
	gsize len = 0;
	char *raw = mime_build(o, &len, &err);

	if (raw != NULL)
		g_error("mime_build accepted %s", what);
	g_assert_error(err, MIME_ERROR, MIME_ERROR_HEADER);
}

static void
test_build_refuses_injection(void)
{
	struct outmsg o;

	outmsg_init(&o);
	o.subject = "[INC-1] ok\r\nBcc: x@example.org";
	expect_refused(&o, "CR LF in the subject");
	o.subject = "[INC-1] ok\nBcc: x@example.org";
	expect_refused(&o, "LF in the subject");
	o.subject = "tab\there";
	expect_refused(&o, "a TAB in the subject");
	o.subject = "fine";
	o.from_name = "Alice\r\nBcc: x@example.org";
	expect_refused(&o, "CR LF in the From name");
	o.from_name = "Incident Desk";
	o.reply_to = "a@example.com>\r\nBcc: <x@example.org";
	expect_refused(&o, "CR LF in Reply-To");
	o.reply_to = NULL;
	o.message_id = "id with space@example.com";
	expect_refused(&o, "a blank in the Message-ID");
	o.message_id = "inc-1@example.com";
	o.in_reply_to = "a@b\n";
	expect_refused(&o, "LF in In-Reply-To");
	o.in_reply_to = NULL;
	o.headers = g_ptr_array_new();
	g_ptr_array_add(o.headers, (gpointer) "X-Bad Name");
	g_ptr_array_add(o.headers, (gpointer) "v");
	expect_refused(&o, "a blank in a header name");
	g_ptr_array_index(o.headers, 0) = (gpointer) "X-Ok:";
	expect_refused(&o, "a colon in a header name");
	g_ptr_array_index(o.headers, 0) = (gpointer) "List-Id";
	g_ptr_array_index(o.headers, 1) = (gpointer) "<stakeholders.example.com>\r\nBcc: x";
	expect_refused(&o, "CR LF in a header value");
	g_ptr_array_index(o.headers, 0) = (gpointer) "bcc";
	g_ptr_array_index(o.headers, 1) = (gpointer) "x@example.org";
	expect_refused(&o, "an extra Bcc header");
	g_ptr_array_index(o.headers, 0) = (gpointer) "Content-Type";
	g_ptr_array_index(o.headers, 1) = (gpointer) "text/html";
	expect_refused(&o, "an extra Content-Type header");
	g_ptr_array_unref(o.headers);
	o.headers = NULL;
	g_ptr_array_add(o.to, (gpointer) "mallory@example.org\r\nX: y");
	expect_refused(&o, "CR LF in a To address");
	g_ptr_array_unref(o.to);
}

static void
test_build_long_line(void)
{
	struct outmsg o;
	g_autoptr(GError) err = NULL;
	g_autofree char *raw = NULL;
	g_autofree char *line = g_strnfill(5000, 'x');
	g_autofree char *text = NULL;
	gsize len = 0;

	memcpy(line + 2500, "ä ", 3); /* a non-ASCII character and a blank mid-line */
	text = g_strdup_printf("%s\n%s\n", "short line", line);
	outmsg_init(&o);
	o.text = text;
	o.subject = "[INC-1] a very long subject "
	            "with many words that has to be folded by "
	            "gmime when it is written because it is longer than seventy-eight characters";
	raw = mime_build(&o, &len, &err);
	g_assert_no_error(err);
	assert_wire_format(raw, len);

	g_autoptr(mail) m = parse_str(raw);
	g_assert_cmpstr(m->text, ==, text);
	g_assert_cmpstr(m->subject, ==, o.subject);
	g_ptr_array_unref(o.to);
}

static void
test_build_newlines(void)
{
	struct outmsg o;
	g_autoptr(GError) err = NULL;
	g_autofree char *raw = NULL;
	gsize len = 0;

	outmsg_init(&o);
	o.text = "first\r\nsecond\rthird\n";
	o.reply_to = NULL;
	g_ptr_array_set_size(o.to, 0);
	raw = mime_build(&o, &len, &err);
	g_assert_no_error(err);
	assert_wire_format(raw, len);
	g_assert_null(strstr(raw, "\r\nReply-To:"));

	g_autoptr(mail) m = parse_str(raw);
	g_assert_cmpstr(m->text, ==, "first\nsecond\nthird\n");
	g_assert_cmpuint(m->recipients->len, ==, 0);
	g_ptr_array_unref(o.to);
}

/* The Content-Type lines of a built message, in order, without their parameters. */
static GPtrArray *
content_types(const char *raw)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (const char *p = strstr(raw, "Content-Type: "); p != NULL;
	     p = strstr(p + 1, "Content-Type: ")) {
		const char *v = p + strlen("Content-Type: ");

		g_ptr_array_add(out, g_strndup(v, strcspn(v, ";\r")));
	}
	return out;
}

/* Text first, then HTML (RFC 2046: the plainest alternative first), and the invitation as
 * the last alternative, as calendar programs send it and phones accept it; the text stays
 * what a plain client and sevmail's own parser read. */
static void
test_build_alternatives(void)
{
	static const char *const with_html[] = {"multipart/alternative", "text/plain", "text/html"};
	static const char *const with_calendar[] = {"multipart/alternative", "text/plain",
	                                            "text/html", "text/calendar"};
	struct outmsg o;
	g_autofree char *raw = NULL, *invite = NULL;
	g_autoptr(GPtrArray) types = NULL, types2 = NULL;
	gsize len = 0;

	outmsg_init(&o);
	o.html = "<!DOCTYPE html><p>INC-1 &lt;b&gt;</p>\n";
	raw = mime_build(&o, &len, NULL);
	assert_wire_format(raw, len);
	types = content_types(raw);
	g_assert_cmpuint(types->len, ==, G_N_ELEMENTS(with_html));
	for (guint i = 0; i < types->len; i++)
		g_assert_cmpstr(types->pdata[i], ==, with_html[i]);

	o.calendar = "BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n";
	invite = mime_build(&o, &len, NULL);
	types2 = content_types(invite);
	g_assert_cmpuint(types2->len, ==, G_N_ELEMENTS(with_calendar));
	for (guint i = 0; i < types2->len; i++)
		g_assert_cmpstr(types2->pdata[i], ==, with_calendar[i]);
	g_assert_nonnull(
	    strstr(invite, "Content-Type: text/calendar; charset=utf-8; method=REQUEST"));

	g_autoptr(mail) m = parse_str(invite);
	g_assert_cmpstr(m->text, ==, o.text);
	g_assert_false(m->text_from_html);
	g_ptr_array_unref(o.to);
}

/* Short ASCII lines go as they are (7bit), so that a text message gateway that does not
 * decode the body still reads it; other text is quoted-printable. */
static void
test_build_ascii_is_7bit(void)
{
	struct outmsg o;
	g_autofree char *raw = NULL, *utf8 = NULL;
	gsize len = 0;

	outmsg_init(&o);
	o.text = "Reply ACK, RESOLVED or SEV1-3 to incidents+1-k3j5h2m9qa@example.com\n";
	raw = mime_build(&o, &len, NULL);
	g_assert_nonnull(strstr(raw, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	g_assert_nonnull(strstr(raw, "\r\n\r\nReply ACK, RESOLVED or SEV1-3 to "
	                             "incidents+1-k3j5h2m9qa@example.com\r\n"));
	o.text = "Größe\n";
	utf8 = mime_build(&o, &len, NULL);
	g_assert_nonnull(strstr(utf8, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	g_ptr_array_unref(o.to);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	mime_init();

	g_test_add_func("/mime/alerts/alertmanager-html-only", test_alertmanager_html_only);
	g_test_add_func("/mime/alerts/icinga-latin1", test_icinga_latin1);
	g_test_add_func("/mime/alerts/zabbix-base64-html", test_zabbix_base64_html);
	g_test_add_func("/mime/replies/iphone-ack", test_iphone_ack);
	g_test_add_func("/mime/replies/thunderbird-flowed", test_thunderbird_flowed);
	g_test_add_func("/mime/replies/flowed-delsp-stuffing", test_flowed_delsp_and_stuffing);
	g_test_add_func("/mime/replies/forged-auth-results-order", test_forged_auth_results_order);
	g_test_add_func("/mime/replies/bounce-is-report", test_bounce_is_report);
	g_test_add_func("/mime/headers/recipients-order", test_recipients_order);
	g_test_add_func("/mime/body/plain-preferred", test_plain_preferred_over_html);
	g_test_add_func("/mime/body/blank-plain-uses-html", test_blank_plain_uses_html);
	g_test_add_func("/mime/body/no-charset-latin1", test_no_charset_latin1);
	for (gsize i = 0; i < G_N_ELEMENTS(named_cases); i++) {
		g_autofree char *name = g_strdup_printf("/mime/body/named-part-not-body/%zu", i);

		g_test_add_data_func(name, &named_cases[i], test_named_part_not_body);
	}
	g_test_add_func("/mime/body/only-named-part", test_only_named_part);
	g_test_add_func("/mime/bad/header-injection-subject", test_header_injection_subject);
	g_test_add_func("/mime/bad/header-injection-from-name", test_header_injection_from_name);
	g_test_add_func("/mime/bad/nul-bytes", test_nul_bytes);
	g_test_add_func("/mime/bad/deep-multipart", test_deep_multipart);
	g_test_add_func("/mime/bad/gmime-165", test_gmime_165);
	g_test_add_func("/mime/bad/unterminated-boundary", test_unterminated_boundary);
	g_test_add_func("/mime/bad/unknown-charset", test_unknown_charset);
	g_test_add_func("/mime/bad/raw-8bit-headers", test_raw_8bit_headers);
	g_test_add_func("/mime/bad/invalid-base64", test_invalid_base64);
	g_test_add_func("/mime/bad/long-header", test_long_header);
	g_test_add_func("/mime/bad/empty", test_empty);
	g_test_add_func("/mime/bad/caps/recipients", test_recipients_cap);
	g_test_add_func("/mime/bad/caps/references", test_references_cap);
	g_test_add_func("/mime/bad/caps/header-block", test_header_block_cap);
	g_test_add_func("/mime/bad/caps/header-line", test_header_line_over_cap);
	g_test_add_func("/mime/bad/mbox-from-line", test_mbox_from_line);
	g_test_add_func("/mime/bad/headers-only", test_headers_only);
	g_test_add_func("/mime/bad/no-message-id-no-date", test_no_message_id_no_date);
	g_test_add_func("/mime/corpus/all-valid-utf8", test_whole_corpus);
	g_test_add_func("/mime/html/to-text", test_html_to_text);
	g_test_add_func("/mime/html/empty-lines", test_html_empty_lines);
	g_test_add_func("/mime/build/roundtrip", test_build_roundtrip);
	g_test_add_func("/mime/build/refuses-injection", test_build_refuses_injection);
	g_test_add_func("/mime/build/long-line", test_build_long_line);
	g_test_add_func("/mime/build/newlines", test_build_newlines);
	g_test_add_func("/mime/build/alternatives", test_build_alternatives);
	g_test_add_func("/mime/build/ascii-is-7bit", test_build_ascii_is_7bit);
	return g_test_run();
}
