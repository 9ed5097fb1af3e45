/* The post-mortem: a timeline people can read, MTTA/MTTR, attendees, and an invitation that
 * calendar programs accept (read back here by a small RFC 5545 unfolding parser). */
#include "postmortem.h"
#include "template.h"
#include "util.h"

#include <string.h>

static gint64
at(const char *iso)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(iso, NULL);

	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

static void
add(GPtrArray *events, const char *when, const char *actor, const char *kind, const char *detail)
{
	g_ptr_array_add(events, event_new(at(when), actor, kind, detail));
}

static gboolean
not_the_monitor(const char *address, void *data)
{
	return g_strcmp0(address, data) != 0;
}

/* INC-7: declared by an alert at 14:03 UTC, acknowledged at 14:07 (4 min), resolved at
 * 15:41 (1 h 38 min), the alert repeating meanwhile, a stranger refused, a root cause
 * written the next morning. */
struct fixture {
	struct incident *inc;
	GPtrArray *events;
	struct postmortem_input in;
};

static void
fixture_set_up(struct fixture *f, gconstpointer data)
{
	struct incident *inc =
	    incident_new("Checkout API 5xx", "alertmanager", at("2026-11-26T14:03:00Z"));
	GPtrArray *ev = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	const char *mon = "alertmanager@example.com";

	inc->id = 7;
	inc->severity = 1;
	inc->status = STATUS_RESOLVED;
	inc->commander = g_strdup("alice@example.com");
	inc->acked_by = g_strdup("alice@example.com");
	inc->acked_at = at("2026-11-26T14:07:00Z");
	inc->resolved_at = at("2026-11-26T15:41:00Z");
	inc->impact = g_strdup("Checkout fails for 30% of users");
	inc->root_cause = g_strdup("A connection pool of 10 for 200 workers");
	g_ptr_array_add(inc->action_items, g_strdup("Size the pool from the worker count"));
	g_ptr_array_add(inc->action_items, g_strdup("Alert on pool saturation"));
	add(ev, "2026-11-26T14:03:00Z", mon, "declared",
	    "Declared by alert (alertmanager): Checkout API 5xx");
	add(ev, "2026-11-26T14:03:00Z", mon, "severity", "Severity: SEV 1");
	add(ev, "2026-11-26T14:03:00Z", "sevmail", "paged", "Paged alice@example.com");
	add(ev, "2026-11-26T14:05:00Z", mon, "alert_repeat", "Alert repeated");
	add(ev, "2026-11-26T14:07:00Z", "alice@example.com", "acknowledged",
	    "Acknowledged by alice@example.com");
	add(ev, "2026-11-26T14:07:00Z", "alice@example.com", "commander",
	    "Incident commander: alice@example.com");
	add(ev, "2026-11-26T14:10:00Z", mon, "alert_repeat", "Alert repeated");
	add(ev, "2026-11-26T14:15:00Z", mon, "alert_repeat", "Alert repeated");
	add(ev, "2026-11-26T14:16:00Z", "mallory@example.org", "rejected", "not a responder");
	add(ev, "2026-11-26T14:20:00Z", mon, "alert_repeat", "Alert repeated");
	add(ev, "2026-11-26T14:22:00Z", "bob@example.com", "note", "Note: pool exhausted");
	add(ev, "2026-11-26T14:30:00Z", "alice@example.com", "status",
	    "Status: Investigating -> Mitigating");
	add(ev, "2026-11-26T15:41:00Z", "alice@example.com", "status",
	    "Status: Mitigating -> Resolved");
	add(ev, "2026-11-27T09:00:00Z", "bob@example.com", "updated",
	    "Root cause: A connection pool of 10 for 200 workers");
	add(ev, "2026-11-27T09:01:00Z", "sevmail", "postmortem", "Post-mortem sent");
	f->inc = inc;
	f->events = ev;
	f->in = (struct postmortem_input){
	    .inc = inc,
	    .events = ev,
	    .is_responder = not_the_monitor,
	    .responder_data = (void *)mon,
	    .now = at("2026-11-27T10:00:00Z"),
	    .organizer = "incidents@example.com",
	    .organizer_name = "Incident Desk",
	    .name = "Incident Desk",
	    .address = "incidents@example.com",
	};
}

static void
fixture_tear_down(struct fixture *f, gconstpointer data)
{
	incident_free(f->inc);
	g_ptr_array_unref(f->events);
}

static void
assert_in_order(const char *text, const char *const *parts)
{
	const char *p = text;

	for (; *parts != NULL; parts++) {
		const char *found = strstr(p, *parts);

		if (found == NULL)
			g_error("'%s' missing (or out of order) in:\n%s", *parts, text);
		p = found + strlen(*parts);
	}
}

static void
test_timeline_lines_in_order(struct fixture *f, gconstpointer data)
{
	g_autofree char *t = postmortem_timeline(&f->in);
	const char *const expected[] = {
	    "2026-11-26\n",
	    "  14:03  alertmanager@example.com  Declared by alert (alertmanager): Checkout API "
	    "5xx\n",
	    "  14:03  alertmanager@example.com  Severity: SEV 1\n",
	    "  14:03  sevmail                   Paged alice@example.com\n",
	    "  14:05  alertmanager@example.com  Alert repeated once\n",
	    "  14:07  alice@example.com         Acknowledged by alice@example.com\n",
	    "  14:07  alice@example.com         Incident commander: alice@example.com\n",
	    "  14:10  alertmanager@example.com  Alert repeated 3 times, last at 14:20\n",
	    "  14:22  bob@example.com           Note: pool exhausted\n",
	    "  14:30  alice@example.com         Status: Investigating -> Mitigating\n",
	    "  15:41  alice@example.com         Status: Mitigating -> Resolved\n",
	    "\n2026-11-27\n",
	    "  09:00  bob@example.com           Root cause: A connection pool of 10 for 200 "
	    "workers",
	    NULL};

	assert_in_order(t, expected);
	g_assert_false(g_str_has_suffix(t, "\n"));
	/* refused commands and the post-mortem itself are not part of the story */
	g_assert_null(strstr(t, "mallory"));
	g_assert_null(strstr(t, "Post-mortem sent"));
	g_assert_null(strstr(t, "14:15"));
}

static void
test_timeline_in_time_zone(struct fixture *f, gconstpointer data)
{
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
	g_autofree char *t = NULL;
	g_autoptr(GHashTable) v = NULL;

	f->in.tz = berlin;
	t = postmortem_timeline(&f->in);
	g_assert_true(g_str_has_prefix(t, "2026-11-26\n  15:03  alertmanager@example.com"));
	g_assert_nonnull(strstr(t, "\n2026-11-27\n  10:00  bob@example.com"));
	v = postmortem_vars(&f->in);
	g_assert_cmpstr(g_hash_table_lookup(v, "timezone"), ==, "Europe/Berlin");
	g_assert_cmpstr(g_hash_table_lookup(v, "declared"), ==, "2026-11-26 15:03 CET");
}

static void
test_mtta_mttr(struct fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) v = postmortem_vars(&f->in);

	g_assert_cmpstr(g_hash_table_lookup(v, "mtta"), ==, "4 min");
	g_assert_cmpstr(g_hash_table_lookup(v, "mttr"), ==, "1 h 38 min");
	g_assert_cmpstr(g_hash_table_lookup(v, "resolved"), ==, "2026-11-26 15:41 UTC");
	f->inc->acked_at = 0;
	f->inc->resolved_at = 0;
	g_hash_table_unref(v);
	v = postmortem_vars(&f->in);
	g_assert_cmpstr(g_hash_table_lookup(v, "mtta"), ==, "not acknowledged");
	g_assert_cmpstr(g_hash_table_lookup(v, "mttr"), ==, "not resolved");
	g_assert_cmpstr(g_hash_table_lookup(v, "resolved"), ==, "not resolved");
}

/* The post-mortem quotes durations as the pages did: 5879 s is "1 h 38 min" in both. */
static void
test_duration_as_pages_say_it(struct fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) v = NULL;
	g_autofree char *paged = util_duration(5879);

	f->inc->resolved_at = f->inc->created_at + 5879;
	v = postmortem_vars(&f->in);
	g_assert_cmpstr(g_hash_table_lookup(v, "mttr"), ==, "1 h 38 min");
	g_assert_cmpstr(g_hash_table_lookup(v, "mttr"), ==, paged);
}

static void
test_attendees(struct fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) who = postmortem_attendees(&f->in);
	g_autoptr(GHashTable) v = NULL;

	/* not sevmail, not the monitoring tool, not mallory whose command was refused */
	g_assert_cmpuint(who->len, ==, 2);
	g_assert_cmpstr(who->pdata[0], ==, "alice@example.com");
	g_assert_cmpstr(who->pdata[1], ==, "bob@example.com");
	v = postmortem_vars(&f->in);
	g_assert_cmpstr(g_hash_table_lookup(v, "attendees"), ==,
	                "- alice@example.com (incident commander)\n- bob@example.com");
	g_assert_cmpstr(g_hash_table_lookup(v, "action_items"), ==,
	                "1. Size the pool from the worker count\n2. Alert on pool saturation");
}

static void
test_commander_named_by_someone_else_attends(struct fixture *f, gconstpointer data)
{
	g_autoptr(GPtrArray) who = NULL;

	g_free(f->inc->commander);
	f->inc->commander = g_strdup("carol@example.com");
	who = postmortem_attendees(&f->in);
	g_assert_cmpuint(who->len, ==, 3);
	g_assert_cmpstr(who->pdata[2], ==, "carol@example.com");
}

static void
test_template_renders(struct fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) v = NULL;
	g_autofree char *subject = NULL, *body = NULL;
	g_autoptr(GError) e = NULL;

	f->in.meeting = "2026-12-01 15:00 +01:00";
	v = postmortem_vars(&f->in);
	g_assert_cmpint(template_render("templates", "postmortem", v, &subject, &body, &e), ==, 0);
	g_assert_no_error(e);
	g_assert_cmpstr(subject, ==, "[INC-7] Post-mortem for [SEV 1] Checkout API 5xx");
	{
		const char *const expected[] = {
		    "Title: Post-mortem for [SEV 1] Checkout API 5xx\n",
		    "Date: 2026-12-01\n",
		    "Meeting: 2026-12-01 14:00 UTC",
		    "Time to acknowledge (MTTA): 4 min\n",
		    "Time to resolve (MTTR): 1 h 38 min\n",
		    "Attendees:\n- alice@example.com (incident commander)\n- bob@example.com\n\n",
		    "Timeline (UTC):\n2026-11-26\n  14:03  ",
		    "Root Cause:\nA connection pool of 10 for 200 workers\n\n",
		    "Action Items:\n1. Size the pool from the worker count\n2. Alert on pool "
		    "saturation\n",
		    "-- \nIncident Desk <incidents@example.com>\n",
		    NULL};

		assert_in_order(body, expected);
	}
	g_assert_null(strstr(body, "{{"));
	g_assert_null(strstr(body, "unsubscribe"));
}

static void
test_template_without_root_cause(struct fixture *f, gconstpointer data)
{
	g_autoptr(GHashTable) v = NULL;
	g_autofree char *subject = NULL, *body = NULL;

	g_clear_pointer(&f->inc->root_cause, g_free);
	g_ptr_array_set_size(f->inc->action_items, 0);
	v = postmortem_vars(&f->in);
	g_assert_cmpint(template_render("templates", "postmortem", v, &subject, &body, NULL), ==,
	                0);
	g_assert_nonnull(strstr(body, "Root Cause:\nNot recorded yet. Reply with \"ROOT CAUSE:"));
	g_assert_nonnull(strstr(body, "Action Items:\nNone recorded yet."));
	g_assert_null(strstr(body, "Meeting:"));
	g_assert_nonnull(strstr(body, "Date: 2026-11-27\n"));
}

/* --- the meeting and its invitation --- */

static void
test_parse_meeting(void)
{
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
	static const struct {
		const char *text;
		const char *utc; /* NULL: refused */
	} cases[] = {
	    {"2026-12-01 15:00 +01:00", "2026-12-01T14:00:00Z"},
	    {"2026-12-01 15:00+0100", "2026-12-01T14:00:00Z"},
	    {"2026-12-01T15:00Z", "2026-12-01T15:00:00Z"},
	    {"2026-12-01 15:00 utc", "2026-12-01T15:00:00Z"},
	    {"2026-12-01 9:30 -05", "2026-12-01T14:30:00Z"},
	    {"2026-12-01 15:00", "2026-12-01T14:00:00Z"},    /* in Berlin, winter */
	    {"2026-07-01 15:00:30", "2026-07-01T13:00:30Z"}, /* in Berlin, summer */
	    {"2026-02-30 10:00", NULL},
	    {"2026-12-01 24:00", NULL},
	    {"tomorrow 15:00", NULL},
	    {"2026-12-01 15:00 +25:00", NULL},
	    {"2026-12-01 15:00 CET", NULL},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) e = NULL;
		gint64 start = 0;
		gboolean ok = postmortem_parse_meeting(cases[i].text, berlin, &start, &e);

		if (cases[i].utc == NULL) {
			g_assert_false(ok);
			g_assert_nonnull(e);
			continue;
		}
		g_assert_no_error(e);
		g_assert_true(ok);
		g_assert_cmpint(start, ==, at(cases[i].utc));
	}
}

/* A calendar program's reading of the invitation: checks the line rules, unfolds, and
 * returns the content lines. */
static GPtrArray *
ics_unfold(const char *ics)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) raw = NULL;

	g_assert_true(g_str_has_suffix(ics, "\r\n"));
	raw = g_strsplit(ics, "\r\n", -1);
	for (char **l = raw; *l != NULL && l[1] != NULL; l++) {
		g_assert_null(strchr(*l, '\n'));
		g_assert_null(strchr(*l, '\r'));
		g_assert_cmpuint(strlen(*l), <=, 75);
		g_assert_true(g_utf8_validate(*l, -1, NULL));
		if (**l == ' ') {
			char *prev;

			g_assert_cmpuint(lines->len, >, 0);
			prev = lines->pdata[lines->len - 1];
			lines->pdata[lines->len - 1] = g_strconcat(prev, *l + 1, NULL);
			g_free(prev);
		} else {
			g_ptr_array_add(lines, g_strdup(*l));
		}
	}
	return lines;
}

/* The value of the first content line named name (parameters skipped, quoted ':' too). */
static const char *
ics_value(GPtrArray *lines, const char *name)
{
	for (guint i = 0; i < lines->len; i++) {
		const char *l = lines->pdata[i];
		size_t n = strlen(name);
		gboolean quoted = FALSE;

		if (strncmp(l, name, n) != 0 || (l[n] != ':' && l[n] != ';'))
			continue;
		for (const char *p = l + n; *p != '\0'; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ':' && !quoted)
				return p + 1;
		}
	}
	return NULL;
}

static char *
ics_unescape(const char *v)
{
	GString *out = g_string_new(NULL);

	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			g_string_append_c(out, *p == 'n' || *p == 'N' ? '\n' : *p);
		} else {
			g_assert_true(*p != ',' && *p != ';');
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

static guint
count_named(GPtrArray *lines, const char *prefix)
{
	guint n = 0;

	for (guint i = 0; i < lines->len; i++)
		n += g_str_has_prefix(lines->pdata[i], prefix);
	return n;
}

static void
test_ics_structure(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *ics = NULL;
	g_autoptr(GPtrArray) lines = NULL;

	f->in.meeting = "2026-12-01 15:00 +01:00";
	ics = postmortem_ics(&f->in, "inc-7.postmortem@example.com", &e);
	g_assert_no_error(e);
	lines = ics_unfold(ics);
	g_assert_cmpstr(lines->pdata[0], ==, "BEGIN:VCALENDAR");
	g_assert_cmpstr(lines->pdata[lines->len - 1], ==, "END:VCALENDAR");
	g_assert_cmpstr(ics_value(lines, "VERSION"), ==, "2.0");
	g_assert_cmpstr(ics_value(lines, "PRODID"), ==, "-//sevmail//EN");
	g_assert_cmpstr(ics_value(lines, "METHOD"), ==, "REQUEST");
	g_assert_cmpstr(ics_value(lines, "CALSCALE"), ==, "GREGORIAN");
	g_assert_cmpuint(count_named(lines, "BEGIN:VEVENT"), ==, 1);
	g_assert_cmpstr(ics_value(lines, "UID"), ==, "inc-7.postmortem@example.com");
	g_assert_cmpstr(ics_value(lines, "DTSTAMP"), ==, "20261127T100000Z");
	g_assert_cmpstr(ics_value(lines, "DTSTART"), ==, "20261201T140000Z");
	g_assert_cmpstr(ics_value(lines, "DTEND"), ==, "20261201T150000Z");
	g_assert_cmpstr(ics_value(lines, "SEQUENCE"), ==, "0");
	g_assert_cmpstr(ics_value(lines, "STATUS"), ==, "CONFIRMED");
	/* a parameter value is quoted only when it holds ':', ';' or ',' */
	g_assert_true(g_ptr_array_find_with_equal_func(
	    lines, "ORGANIZER;CN=Incident Desk:mailto:incidents@example.com", g_str_equal, NULL));
	g_assert_cmpuint(count_named(lines, "ATTENDEE;"), ==, 2);
	g_assert_true(g_ptr_array_find_with_equal_func(
	    lines,
	    "ATTENDEE;CN=bob@example.com;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
	    "RSVP=TRUE:mailto:bob@example.com",
	    g_str_equal, NULL));
	{
		g_autofree char *summary = ics_unescape(ics_value(lines, "SUMMARY"));
		g_autofree char *desc = ics_unescape(ics_value(lines, "DESCRIPTION"));

		g_assert_cmpstr(summary, ==, "Post-mortem for [SEV 1] Checkout API 5xx");
		g_assert_true(g_str_has_prefix(desc, "Post-mortem of INC-7: [SEV 1] Checkout API "
		                                     "5xx\nDeclared 2026-11-26 14:03 UTC."));
		g_assert_nonnull(strstr(desc, "Time to acknowledge: 4 min."));
	}
}

static void
test_ics_meeting_in_configured_zone(struct fixture *f, gconstpointer data)
{
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
	g_autofree char *ics = NULL;
	g_autoptr(GPtrArray) lines = NULL;

	f->in.tz = berlin;
	f->in.meeting = "2026-12-01 15:00";
	ics = postmortem_ics(&f->in, "inc-7.postmortem@example.com", NULL);
	g_assert_nonnull(ics);
	lines = ics_unfold(ics);
	g_assert_cmpstr(ics_value(lines, "DTSTART"), ==, "20261201T140000Z");
	g_assert_cmpstr(ics_value(lines, "DTEND"), ==, "20261201T150000Z");
}

static void
test_ics_folds_utf8_titles(struct fixture *f, gconstpointer data)
{
	/* "SUMMARY:Post-mortem for [SEV 1] " is 32 octets: a cut at 75 would fall inside the
	 * 2-octet ü of the second title and inside the 4-octet emoji of the third */
	const char *const titles[] = {
	    "Zahlungsdienst überlastet – Größenänderung der Warteschlange schlägt fehl 💥 für "
	    "Kunden in Österreich und der Schweiz",
	    "üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü",
	    "abc💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥💥",
	};

	f->in.meeting = "2026-12-01 15:00Z";
	for (gsize i = 0; i < G_N_ELEMENTS(titles); i++) {
		g_autofree char *ics = NULL, *summary = NULL, *expected = NULL;
		g_autoptr(GPtrArray) lines = NULL;
		guint folded = 0;

		g_free(f->inc->title);
		f->inc->title = g_strdup(titles[i]);
		ics = postmortem_ics(&f->in, "u1@example.com", NULL);
		g_assert_nonnull(ics);
		for (const char *p = ics; (p = strstr(p, "\r\n ")) != NULL; p += 3)
			folded++;
		g_assert_cmpuint(folded, >=, 2);
		lines = ics_unfold(ics); /* asserts <= 75 octets and valid UTF-8 on every line */
		summary = ics_unescape(ics_value(lines, "SUMMARY"));
		expected = g_strdup_printf("Post-mortem for [SEV 1] %s", titles[i]);
		g_assert_cmpstr(summary, ==, expected);
	}
}

static void
test_ics_escapes_text(struct fixture *f, gconstpointer data)
{
	g_autofree char *ics = NULL, *summary = NULL, *desc = NULL;
	g_autoptr(GPtrArray) lines = NULL;

	g_free(f->inc->title);
	f->inc->title = g_strdup("db1, db2; C:\\temp\x07 full\r\nBEGIN:VALARM");
	f->in.meeting = "2026-12-01 15:00Z";
	f->in.organizer_name = "Desk \"Ops\"; on call";
	ics = postmortem_ics(&f->in, "u2@example.com", NULL);
	g_assert_nonnull(ics);
	lines = ics_unfold(ics);
	g_assert_nonnull(
	    strstr(ics_value(lines, "SUMMARY"), "db1\\, db2\\; C:\\\\temp full BEGIN:VALARM"));
	g_assert_cmpuint(count_named(lines, "BEGIN:VALARM"), ==, 0);
	g_assert_null(strchr(ics, '\x07'));
	summary = ics_unescape(ics_value(lines, "SUMMARY"));
	g_assert_cmpstr(summary, ==,
	                "Post-mortem for [SEV 1] db1, db2; C:\\temp full BEGIN:VALARM");
	/* the description has line breaks: written as \n, never as a raw line */
	g_assert_nonnull(strstr(ics_value(lines, "DESCRIPTION"), "\\nDeclared"));
	desc = ics_unescape(ics_value(lines, "DESCRIPTION"));
	g_assert_nonnull(strstr(desc, "\nDeclared"));
	g_assert_true(g_ptr_array_find_with_equal_func(
	    lines, "ORGANIZER;CN=\"Desk 'Ops'; on call\":mailto:incidents@example.com", g_str_equal,
	    NULL));
}

static void
test_ics_refusals(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

	g_assert_null(postmortem_ics(&f->in, "u@example.com", &e1));
	g_assert_nonnull(e1); /* no meeting */
	f->in.meeting = "next tuesday";
	g_assert_null(postmortem_ics(&f->in, "u@example.com", &e2));
	g_assert_nonnull(strstr(e2->message, "2026-12-01 15:00"));
	f->in.meeting = "2026-12-01 15:00";
	g_assert_null(postmortem_ics(&f->in, "u@example.com\r\nX:y", &e3));
	g_assert_nonnull(e3);
	f->in.organizer = "desk@example.com\r\nATTENDEE:mailto:x@evil.test";
	g_assert_null(postmortem_ics(&f->in, "u@example.com", &e4));
	g_assert_nonnull(e4);
}

#define FIXTURE_TEST(path, fn)                                                                     \
	g_test_add(path, struct fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	FIXTURE_TEST("/postmortem/timeline/order", test_timeline_lines_in_order);
	FIXTURE_TEST("/postmortem/timeline/time-zone", test_timeline_in_time_zone);
	FIXTURE_TEST("/postmortem/mtta-mttr", test_mtta_mttr);
	FIXTURE_TEST("/postmortem/duration", test_duration_as_pages_say_it);
	FIXTURE_TEST("/postmortem/attendees", test_attendees);
	FIXTURE_TEST("/postmortem/attendees/commander",
	             test_commander_named_by_someone_else_attends);
	FIXTURE_TEST("/postmortem/template", test_template_renders);
	FIXTURE_TEST("/postmortem/template/empty", test_template_without_root_cause);
	g_test_add_func("/postmortem/meeting/parse", test_parse_meeting);
	FIXTURE_TEST("/postmortem/ics/structure", test_ics_structure);
	FIXTURE_TEST("/postmortem/ics/zone", test_ics_meeting_in_configured_zone);
	FIXTURE_TEST("/postmortem/ics/fold-utf8", test_ics_folds_utf8_titles);
	FIXTURE_TEST("/postmortem/ics/escape", test_ics_escapes_text);
	FIXTURE_TEST("/postmortem/ics/refusals", test_ics_refusals);
	return g_test_run();
}
