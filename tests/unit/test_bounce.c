/*
 * bounce: every message of tests/corpus/bounces read as expected.tsv says (recipient,
 * permanent or temporary, status, diagnostic, in the report's order), the promises of
 * bounce.h on hostile reports, and whether an incident's last page bounced.
 */
#include "bounce.h"

#include <string.h>

static const char *
corpus_dir(void)
{
	const char *dir = g_getenv("SEVMAIL_CORPUS");

	return dir != NULL ? dir : "tests/corpus";
}

static char *
read_file(const char *name, gsize *len)
{
	g_autofree char *path = g_build_filename(corpus_dir(), "bounces", name, NULL);
	g_autoptr(GError) err = NULL;
	char *raw = NULL;

	if (!g_file_get_contents(path, &raw, len, &err))
		g_error("%s", err->message);
	return raw;
}

/* What bounce.h promises of every verdict, whatever the input. */
static void
check_promises(const struct bounce *b)
{
	g_assert_nonnull(b->status);
	g_assert_true(b->status[0] == '2' || b->status[0] == '4' || b->status[0] == '5');
	g_assert_nonnull(b->diagnostic);
	g_assert_true(g_utf8_validate(b->diagnostic, -1, NULL));
	g_assert_null(strpbrk(b->diagnostic, "\r\n"));
	g_assert_cmpint(g_utf8_strlen(b->diagnostic, -1), <=, BOUNCE_MAX_DIAGNOSTIC);
	g_assert_nonnull(strstr(b->diagnostic, ".")); /* it names a status code */
	g_assert_true(b->kind != BOUNCE_PERMANENT || b->status[0] == '5');
}

/* The verdicts of one file as expected.tsv rows: "recipient\tverdict\tstatus\tdiagnostic". */
static GPtrArray *
verdict_rows(const char *name)
{
	gsize len;
	g_autofree char *raw = read_file(name, &len);
	g_autoptr(GPtrArray) verdicts = bounce_parse(raw, len);
	GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < verdicts->len; i++) {
		const struct bounce *b = verdicts->pdata[i];

		check_promises(b);
		g_ptr_array_add(
		    rows, g_strdup_printf("%s\t%s\t%s\t%s", b->recipient ? b->recipient : "-",
		                          bounce_kind_name(b->kind), b->status, b->diagnostic));
	}
	return rows;
}

/* expected.tsv as file -> rows (GPtrArray of char *, in order; empty for "none"). */
static GHashTable *
expected(void)
{
	gsize len;
	g_autofree char *text = read_file("expected.tsv", &len);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GHashTable *by_file = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                            (GDestroyNotify)g_ptr_array_unref);

	g_assert_cmpstr(lines[0], ==, "file\trecipient\tverdict\tstatus\tdiagnostic");
	for (char **l = lines + 1; *l != NULL; l++) {
		g_auto(GStrv) f = g_strsplit(*l, "\t", 2);
		GPtrArray *rows;

		if (**l == '\0')
			continue;
		g_assert_cmpuint(g_strv_length(f), ==, 2);
		if ((rows = g_hash_table_lookup(by_file, f[0])) == NULL) {
			rows = g_ptr_array_new_with_free_func(g_free);
			g_hash_table_insert(by_file, g_strdup(f[0]), rows);
		}
		if (!g_str_has_prefix(f[1], "-\tnone\t"))
			g_ptr_array_add(rows, g_strdup(f[1]));
	}
	return by_file;
}

static void
test_corpus(void)
{
	g_autoptr(GHashTable) want = expected();
	g_autofree char *path = g_build_filename(corpus_dir(), "bounces", NULL);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;
	guint files = 0, bounces = 0;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		GPtrArray *rows;
		g_autoptr(GPtrArray) got = NULL;

		if (!g_str_has_suffix(name, ".eml"))
			continue;
		rows = g_hash_table_lookup(want, name);
		if (rows == NULL)
			g_error("%s has no row in expected.tsv", name);
		got = verdict_rows(name);
		g_test_message("%s: %u verdict(s)", name, got->len);
		for (guint i = 0; i < MAX(rows->len, got->len); i++)
			if (i >= rows->len || i >= got->len ||
			    strcmp(rows->pdata[i], got->pdata[i]) != 0)
				g_error("%s, verdict %u:\n  expected %s\n  got      %s", name,
				        i + 1, i < rows->len ? (char *)rows->pdata[i] : "(none)",
				        i < got->len ? (char *)got->pdata[i] : "(none)");
		files++;
		bounces += got->len > 0;
	}
	g_assert_cmpuint(files, ==, g_hash_table_size(want)); /* no row without its file */
	g_assert_cmpuint(bounces, >=, 10);
}

/* A report with a diagnostic that tries to be several lines, hundreds of characters and
 * bidirectional text, for many recipients. */
static char *
hostile_report(int recipients)
{
	GString *r = g_string_new("From: MAILER-DAEMON@mx.example.net\r\n"
	                          "Subject: Undelivered Mail Returned to Sender\r\n"
	                          "MIME-Version: 1.0\r\n"
	                          "Content-Type: multipart/report; report-type=delivery-status;"
	                          " boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	                          "It failed.\r\n--b\r\n"
	                          "Content-Type: message/delivery-status\r\n"
	                          "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	                          "Reporting-MTA: dns; mx.example.net\r\n");

	for (int i = 0; i < recipients; i++) {
		g_string_append_printf(r,
		                       "\r\nFinal-Recipient: rfc822; user%d@example.net\r\n"
		                       "Action: failed\r\nStatus: 5.1.1\r\n"
		                       "Diagnostic-Code: smtp; 550 5.1.1 line\r\n"
		                       " =E2=80=AEreversed=E2=80=AC=01and=09",
		                       i);
		for (int k = 0; k < 60; k++)
			g_string_append(r, "and on ");
		g_string_append(r, "\r\n");
	}
	g_string_append(r, "\r\n--b--\r\n");
	return g_string_free(r, FALSE);
}

static void
test_hostile_reports_are_bounded(void)
{
	g_autofree char *one = hostile_report(1);
	g_autofree char *many = hostile_report(BOUNCE_MAX_VERDICTS * 3);
	g_autoptr(GPtrArray) a = bounce_parse(one, strlen(one));
	g_autoptr(GPtrArray) b = bounce_parse(many, strlen(many));
	const struct bounce *first;

	g_assert_cmpuint(a->len, ==, 1);
	first = a->pdata[0];
	check_promises(first);
	g_assert_true(g_str_has_prefix(first->diagnostic, "550 5.1.1 line reversed and and on"));
	g_assert_true(g_str_has_suffix(first->diagnostic, "…"));  /* cut, and says so */
	g_assert_null(strstr(first->diagnostic, "\xe2\x80\xae")); /* no bidi override */
	g_assert_cmpuint(b->len, ==, BOUNCE_MAX_VERDICTS);
	for (guint i = 0; i < b->len; i++)
		check_promises(b->pdata[i]);
}

static void
test_what_is_no_bounce(void)
{
	static const char *const inputs[] = {
	    "",
	    "garbage without a header\r\n",
	    "From: alice@example.com\r\nSubject: Re: [INC-1] page\r\n\r\nack\r\n",
	    /* a read receipt: a report, but of another kind */
	    "From: alice@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report;"
	    " report-type=disposition-notification; boundary=\"m\"\r\n\r\n--m\r\n"
	    "Content-Type: message/disposition-notification\r\n\r\n"
	    "Final-Recipient: rfc822; alice@example.com\r\n"
	    "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--m--\r\n",
	    /* the report says relayed: nothing failed */
	    "From: MAILER-DAEMON@mx.example.net\r\nMIME-Version: 1.0\r\nContent-Type:"
	    " multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n--r\r\n"
	    "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
	    "Final-Recipient: rfc822; dave@example.net\r\nAction: relayed\r\n"
	    "Status: 2.0.0\r\n\r\n--r--\r\n",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(GPtrArray) v = bounce_parse(inputs[i], strlen(inputs[i]));

		g_assert_nonnull(v);
		g_assert_cmpuint(v->len, ==, 0);
	}
}

/* Without an Action field the status class decides; an address in angle brackets and
 * upper case is read bare and lower-case; a report with no diagnostic anywhere says its
 * status. */
static void
test_report_without_action_or_diagnostic(void)
{
	static const char raw[] =
	    "From: MAILER-DAEMON@mx.example.net\r\nMIME-Version: 1.0\r\nContent-Type:"
	    " multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n--r\r\n"
	    "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
	    "Final-Recipient: RFC822; <Dave@Example.NET>\r\nStatus: 5.2.1 (disabled)\r\n\r\n"
	    "Final-Recipient: rfc822; erin@example.net\r\nStatus: 4.2.2\r\n\r\n--r--\r\n";
	g_autoptr(GPtrArray) v = bounce_parse(raw, strlen(raw));
	const struct bounce *dave, *erin;

	g_assert_cmpuint(v->len, ==, 2);
	dave = v->pdata[0];
	erin = v->pdata[1];
	g_assert_cmpstr(dave->recipient, ==, "dave@example.net");
	g_assert_cmpint(dave->kind, ==, BOUNCE_PERMANENT);
	g_assert_cmpstr(dave->status, ==, "5.2.1");
	g_assert_cmpstr(dave->diagnostic, ==, "5.2.1");
	g_assert_cmpstr(erin->recipient, ==, "erin@example.net");
	g_assert_cmpint(erin->kind, ==, BOUNCE_TEMPORARY);
}

/* A permanent status needs a failure: Action failed with a 4.x.x status is temporary. */
static void
test_failed_with_4xx_is_temporary(void)
{
	static const char raw[] =
	    "From: MAILER-DAEMON@mx.example.net\r\nMIME-Version: 1.0\r\nContent-Type:"
	    " multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n--r\r\n"
	    "Content-Type: message/delivery-status\r\n\r\n"
	    "Final-Recipient: rfc822; dave@example.net\r\nAction: failed\r\nStatus: 4.4.7\r\n"
	    "Diagnostic-Code: X-Postfix; delivery temporarily suspended\r\n\r\n--r--\r\n";
	g_autoptr(GPtrArray) v = bounce_parse(raw, strlen(raw));
	const struct bounce *b;

	g_assert_cmpuint(v->len, ==, 1);
	b = v->pdata[0];
	g_assert_cmpint(b->kind, ==, BOUNCE_TEMPORARY);
	g_assert_cmpstr(b->diagnostic, ==, "4.4.7 delivery temporarily suspended");
}

static GPtrArray *
events(const enum event_kind *kinds, gsize n)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);

	for (gsize i = 0; i < n; i++)
		g_ptr_array_add(out, event_make(1800000000, "sevmail", kinds[i], "x"));
	return out;
}

static void
test_last_page_bounced(void)
{
	static const enum event_kind bounced[] = {EVENT_DECLARED, EVENT_PAGED, EVENT_BOUNCED};
	/* in the same second: the order of the events decides */
	static const enum event_kind paged_again[] = {EVENT_DECLARED, EVENT_PAGED, EVENT_BOUNCED,
	                                              EVENT_ESCALATED};
	static const enum event_kind other_after[] = {EVENT_PAGED, EVENT_BOUNCED, EVENT_NOTE,
	                                              EVENT_ACKNOWLEDGED};
	static const enum event_kind none[] = {EVENT_DECLARED, EVENT_PAGED, EVENT_NOTE};
	g_autoptr(GPtrArray) a = events(bounced, G_N_ELEMENTS(bounced));
	g_autoptr(GPtrArray) b = events(paged_again, G_N_ELEMENTS(paged_again));
	g_autoptr(GPtrArray) c = events(other_after, G_N_ELEMENTS(other_after));
	g_autoptr(GPtrArray) d = events(none, G_N_ELEMENTS(none));
	g_autoptr(GPtrArray) empty = g_ptr_array_new();

	g_assert_true(bounce_last_page_bounced(a));
	g_assert_false(bounce_last_page_bounced(b));
	g_assert_true(bounce_last_page_bounced(c));
	g_assert_false(bounce_last_page_bounced(d));
	g_assert_false(bounce_last_page_bounced(empty));
	g_assert_cmpstr(event_kind_name(EVENT_BOUNCED), ==, "bounced");
	g_assert_true(event_kind_info(EVENT_BOUNCED)->timeline);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bounce/corpus", test_corpus);
	g_test_add_func("/bounce/hostile-reports-are-bounded", test_hostile_reports_are_bounded);
	g_test_add_func("/bounce/what-is-no-bounce", test_what_is_no_bounce);
	g_test_add_func("/bounce/no-action-no-diagnostic",
	                test_report_without_action_or_diagnostic);
	g_test_add_func("/bounce/failed-with-4xx-is-temporary", test_failed_with_4xx_is_temporary);
	g_test_add_func("/bounce/last-page-bounced", test_last_page_bounced);
	return g_test_run();
}
