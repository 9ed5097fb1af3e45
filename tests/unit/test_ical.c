/* The on-call feed and the meeting invitation as a calendar program reads them: the text is
 * parsed back with libical's own parser, and every shift is checked against what
 * schedule_oncall says and against instants worked out by hand (UTC unless a zone is
 * named). */
#include "ical.h"

#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

/* "YYYY-MM-DD HH:MM" in UTC as unix time. */
static gint64
utc(const char *text)
{
	int y, mo, d, h, mi;
	g_autoptr(GDateTime) dt = NULL;

	g_assert_cmpint(sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), ==, 5);
	dt = g_date_time_new_utc(y, mo, d, h, mi, 0);
	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

static struct schedule *
made(const char *name, const char *zone, const char *rotation, const char *start, const char *shift)
{
	g_autoptr(GError) error = NULL;
	struct schedule *s = schedule_new_parse(name, zone, rotation, start, shift, &error);

	g_assert_no_error(error);
	g_assert_nonnull(s);
	return s;
}

/* The RFC 5545 line rules: CRLF after every line and nowhere else, at most 75 octets. */
static void
assert_lines(const char *ics)
{
	g_auto(GStrv) lines = g_strsplit(ics, "\r\n", -1);
	guint n = g_strv_length(lines);

	g_assert_cmpuint(n, >=, 2);
	g_assert_cmpstr(lines[n - 1], ==, ""); /* the text ends with CRLF */
	for (guint i = 0; i + 1 < n; i++) {
		g_assert_null(strpbrk(lines[i], "\r\n"));
		g_assert_cmpuint(strlen(lines[i]), <=, 75);
		g_assert_true(g_utf8_validate(lines[i], -1, NULL));
	}
}

/* One VEVENT as read back. */
struct shift {
	const char *uid, *summary;
	gint64 start, end;
};

/* The VEVENTs of a parsed calendar, in order; they point into cal. */
static GArray *
shifts_of(icalcomponent *cal)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct shift));

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct icaltimetype start = icalcomponent_get_dtstart(ev);
		struct icaltimetype end = icalcomponent_get_dtend(ev);
		struct shift sh = {icalcomponent_get_uid(ev), icalcomponent_get_summary(ev),
		                   icaltime_as_timet(start), icaltime_as_timet(end)};

		g_assert_true(icaltime_is_utc(start)); /* the Z form: no zone to resolve */
		g_assert_true(icaltime_is_utc(end));
		g_array_append_val(out, sh);
	}
	return out;
}

/* The value of cal's X- property named name, or NULL. */
static const char *
x_value(icalcomponent *cal, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(p), name) == 0)
			return icalproperty_get_value_as_string(p);
	return NULL;
}

/* Every event is a stretch schedule_oncall gives, back to back, unique UIDs, and the
 * summary names its person and the schedule. */
static void
assert_shifts_follow_schedule(const struct schedule *s, GPtrArray *ov, GArray *shifts)
{
	g_autoptr(GHashTable) uids = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < shifts->len; i++) {
		const struct shift *sh = &g_array_index(shifts, struct shift, i);
		gint64 since = 0, until = 0;
		const char *who = schedule_oncall(s, ov, sh->start, &since, &until);
		g_autofree char *summary = g_strdup_printf("On call: %s (%s)", who, s->name);

		g_assert_cmpint(since, ==, sh->start);
		g_assert_cmpint(until, ==, sh->end);
		g_assert_cmpstr(sh->summary, ==, summary);
		g_assert_true(g_hash_table_add(uids, (gpointer)sh->uid));
		if (i > 0)
			g_assert_cmpint(g_array_index(shifts, struct shift, i - 1).end, ==,
			                sh->start);
	}
}

#define ABC "alice@example.com, bob@example.com, carol@example.com"

/* Mondays 09:00 in Berlin, a name that needs escaping, eight weeks over the change to
 * summer time on Sunday 29 March 2026. */
static void
test_weekly_feed_across_dst(void)
{
	g_autoptr(schedule) s =
	    made("payments, primary; EU", "Europe/Berlin", ABC, "2026-03-02 09:00", "1w");
	gint64 from = utc("2026-03-10 12:00");
	g_autofree char *ics = ical_shifts(s, NULL, from, from + 8 * 7 * 86400, "example.com");
	icalcomponent *cal = NULL;
	g_autoptr(GArray) shifts = NULL;
	/* the shift under way at from (it began before), then each Monday to 4 May */
	const char *const starts[] = {"2026-03-09 08:00", "2026-03-16 08:00", "2026-03-23 08:00",
	                              "2026-03-30 07:00", "2026-04-06 07:00", "2026-04-13 07:00",
	                              "2026-04-20 07:00", "2026-04-27 07:00", "2026-05-04 07:00",
	                              "2026-05-11 07:00"};
	const char *const people[] = {"bob", "carol", "alice"};

	assert_lines(ics);
	g_assert_true(g_str_has_prefix(ics, "BEGIN:VCALENDAR\r\n"));
	g_assert_true(g_str_has_suffix(ics, "END:VCALENDAR\r\n"));
	g_assert_nonnull(strstr(ics, "\r\nMETHOD:PUBLISH\r\n"));
	g_assert_nonnull(strstr(ics, "\r\nDTSTART:20260323T080000Z\r\n")); /* 09:00 CET */
	g_assert_nonnull(strstr(ics, "\r\nDTSTART:20260330T070000Z\r\n")); /* 09:00 CEST */
	/* TEXT escaped: the name's comma and semicolon never pass for separators */
	g_assert_nonnull(strstr(ics, "(payments\\, primary\\; EU)"));
	cal = icalparser_parse_string(ics);
	g_assert_nonnull(cal);
	g_assert_cmpint(
	    icalproperty_get_method(icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY)),
	    ==, ICAL_METHOD_PUBLISH);
	g_assert_cmpstr(
	    icalproperty_get_name(icalcomponent_get_first_property(cal, ICAL_NAME_PROPERTY)), ==,
	    "payments, primary; EU");
	g_assert_cmpstr(x_value(cal, "X-WR-CALNAME"), ==, "payments primary EU");
	g_assert_cmpstr(x_value(cal, "X-WR-TIMEZONE"), ==, "Europe/Berlin");
	shifts = shifts_of(cal);
	g_assert_cmpuint(shifts->len, ==, G_N_ELEMENTS(starts) - 1);
	for (guint i = 0; i < shifts->len; i++) {
		const struct shift *sh = &g_array_index(shifts, struct shift, i);
		g_autofree char *who = g_strdup_printf(
		    "On call: %s@example.com (payments, primary; EU)", people[i % 3]);

		g_assert_cmpint(sh->start, ==, utc(starts[i]));
		g_assert_cmpint(sh->end, ==, utc(starts[i + 1]));
		g_assert_cmpstr(sh->summary, ==, who);
		g_assert_true(g_str_has_suffix(sh->uid, "@example.com"));
	}
	assert_shifts_follow_schedule(s, NULL, shifts);
	icalcomponent_free(cal);
}

/* The same window gives the same UIDs when made a day later: a reloaded feed updates. */
static void
test_uids_are_stable_across_runs(void)
{
	g_autoptr(schedule) s = made("primary", "Europe/Berlin", ABC, "2026-03-02 09:00", "1w");
	gint64 from = utc("2026-03-10 12:00");
	g_autofree char *a = ical_shifts(s, NULL, from, from + 14 * 86400, "example.com");
	g_autofree char *b = ical_shifts(s, NULL, from + 86400, from + 14 * 86400, "example.com");
	icalcomponent *ca = icalparser_parse_string(a), *cb = icalparser_parse_string(b);
	g_autoptr(GArray) sa = shifts_of(ca);
	g_autoptr(GArray) sb = shifts_of(cb);

	g_assert_cmpuint(sa->len, ==, 3);
	g_assert_cmpuint(sb->len, ==, 3);
	for (guint i = 0; i < sa->len; i++)
		g_assert_cmpstr(g_array_index(sa, struct shift, i).uid, ==,
		                g_array_index(sb, struct shift, i).uid);
	g_assert_cmpstr(g_array_index(sa, struct shift, 0).uid, ==,
	                "primary-20260309T080000Z-bob%40example.com@example.com");
	icalcomponent_free(ca);
	icalcomponent_free(cb);
}

/* Twelve real hours each, so the local handoffs move by DST's hour: 08:00 and 20:00 CET,
 * then 09:00 and 21:00 CEST. */
static void
test_follow_the_sun_twelve_hours(void)
{
	g_autoptr(schedule) s = made("sun", "Europe/Berlin", "emea@example.com, apac@example.com",
	                             "2026-03-02 08:00", "12h");
	g_autofree char *ics =
	    ical_shifts(s, NULL, utc("2026-03-28 00:00"), utc("2026-03-31 00:00"), "example.com");
	icalcomponent *cal = icalparser_parse_string(ics);
	g_autoptr(GArray) shifts = shifts_of(cal);

	assert_lines(ics);
	g_assert_cmpuint(shifts->len, ==, 7);
	g_assert_cmpint(g_array_index(shifts, struct shift, 0).start, ==, utc("2026-03-27 19:00"));
	for (guint i = 0; i < shifts->len; i++) {
		const struct shift *sh = &g_array_index(shifts, struct shift, i);

		g_assert_cmpint(sh->end - sh->start, ==, 12 * 3600);
		g_assert_nonnull(strstr(sh->summary, i % 2 == 0 ? "apac@" : "emea@"));
	}
	assert_shifts_follow_schedule(s, NULL, shifts);
	icalcomponent_free(cal);
}

/* dave takes a day of bob's week: bob's shift becomes two events around dave's. */
static void
test_an_override_splits_a_shift(void)
{
	g_autoptr(schedule) s = made("primary", "Europe/Berlin", ABC, "2026-03-02 09:00", "1w");
	struct schedule_override o = {1, "primary", "dave@example.com", utc("2026-03-11 10:00"),
	                              utc("2026-03-12 10:00")};
	struct schedule_override other = {2, "secondary", "erin@example.com",
	                                  utc("2026-03-10 00:00"), utc("2026-03-14 00:00")};
	g_autoptr(GPtrArray) ov = g_ptr_array_new();
	g_autofree char *ics = NULL;
	icalcomponent *cal;
	g_autoptr(GArray) shifts = NULL;
	const char *const expected[][3] = {
	    {"bob", "2026-03-09 08:00", "2026-03-11 10:00"},
	    {"dave", "2026-03-11 10:00", "2026-03-12 10:00"},
	    {"bob", "2026-03-12 10:00", "2026-03-16 08:00"},
	};

	g_ptr_array_add(ov, &o);
	g_ptr_array_add(ov, &other); /* another schedule's: no effect */
	ics = ical_shifts(s, ov, utc("2026-03-09 09:00"), utc("2026-03-16 00:00"), "example.com");
	cal = icalparser_parse_string(ics);
	shifts = shifts_of(cal);
	g_assert_cmpuint(shifts->len, ==, G_N_ELEMENTS(expected));
	for (guint i = 0; i < shifts->len; i++) {
		const struct shift *sh = &g_array_index(shifts, struct shift, i);
		g_autofree char *who =
		    g_strdup_printf("On call: %s@example.com (primary)", expected[i][0]);

		g_assert_cmpstr(sh->summary, ==, who);
		g_assert_cmpint(sh->start, ==, utc(expected[i][1]));
		g_assert_cmpint(sh->end, ==, utc(expected[i][2]));
	}
	assert_shifts_follow_schedule(s, ov, shifts); /* bob's two events: two UIDs */
	icalcomponent_free(cal);
}

/* One person, nobody to hand over to: one event, cut to the window. */
static void
test_a_stretch_without_end_is_cut_to_the_window(void)
{
	g_autoptr(schedule) s = made("solo", NULL, "alice@example.com", "2026-03-02 09:00", "1d");
	g_autofree char *ics =
	    ical_shifts(s, NULL, utc("2026-03-10 12:00"), utc("2026-03-17 12:00"), "example.com");
	icalcomponent *cal = icalparser_parse_string(ics);
	g_autoptr(GArray) shifts = shifts_of(cal);

	g_assert_cmpuint(shifts->len, ==, 1);
	g_assert_cmpint(g_array_index(shifts, struct shift, 0).start, ==, utc("2026-03-10 12:00"));
	g_assert_cmpint(g_array_index(shifts, struct shift, 0).end, ==, utc("2026-03-17 12:00"));
	g_assert_cmpstr(x_value(cal, "X-WR-TIMEZONE"), ==, "UTC");
	icalcomponent_free(cal);
}

static void
test_meeting_request(void)
{
	g_autoptr(GPtrArray) who = g_ptr_array_new();
	struct ical_meeting m = {.uid = "inc-7.postmortem@example.com",
	                         .stamp = utc("2026-11-27 10:00"),
	                         .start = utc("2026-12-01 14:00"),
	                         .end = utc("2026-12-01 15:00"),
	                         .summary = "Post-mortem, \x07INC-7",
	                         .description = "line one\r\nline two; more",
	                         .organizer = "incidents@example.com",
	                         .organizer_name = "Incident \"Desk\"",
	                         .attendees = who};
	g_autofree char *ics = NULL;
	icalcomponent *cal, *ev;
	icalproperty *p;
	guint attendees = 0;

	g_ptr_array_add(who, "alice@example.com");
	g_ptr_array_add(who, "bad address@example.com"); /* no mailto: URI for it */
	g_ptr_array_add(who, "bob@example.com");
	ics = ical_meeting_request(&m, NULL);
	assert_lines(ics);
	g_assert_null(strchr(ics, '\x07'));
	cal = icalparser_parse_string(ics);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	g_assert_cmpint(
	    icalproperty_get_method(icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY)),
	    ==, ICAL_METHOD_REQUEST);
	g_assert_cmpstr(icalcomponent_get_uid(ev), ==, "inc-7.postmortem@example.com");
	g_assert_cmpstr(icalcomponent_get_summary(ev), ==, "Post-mortem, INC-7");
	g_assert_cmpstr(icalcomponent_get_description(ev), ==, "line one\nline two; more");
	g_assert_cmpint(icaltime_as_timet(icalcomponent_get_dtstart(ev)), ==,
	                utc("2026-12-01 14:00"));
	g_assert_cmpint(icaltime_as_timet(icalcomponent_get_dtend(ev)), ==,
	                utc("2026-12-01 15:00"));
	p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	g_assert_cmpstr(icalproperty_get_organizer(p), ==, "mailto:incidents@example.com");
	g_assert_cmpstr(
	    icalparameter_get_cn(icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER)), ==,
	    "Incident 'Desk'");
	for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY), attendees++)
		g_assert_cmpstr(icalproperty_get_attendee(p), ==,
		                attendees == 0 ? "mailto:alice@example.com"
		                               : "mailto:bob@example.com");
	g_assert_cmpuint(attendees, ==, 2);
	icalcomponent_free(cal);
}

static void
test_meeting_refusals(void)
{
	struct ical_meeting m = {.uid = "u@example.com\r\nATTENDEE:mailto:x@evil.test",
	                         .summary = "s",
	                         .organizer = "incidents@example.com"};
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	g_assert_null(ical_meeting_request(&m, &e1));
	g_assert_error(e1, ICAL_ERROR, 0);
	g_assert_nonnull(strstr(e1->message, "UID"));
	m.uid = "u@example.com";
	m.organizer = "incidents@example.com:x";
	g_assert_null(ical_meeting_request(&m, &e2));
	g_assert_nonnull(strstr(e2->message, "incidents@example.com:x"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ical/shifts/weekly-dst", test_weekly_feed_across_dst);
	g_test_add_func("/ical/shifts/stable-uids", test_uids_are_stable_across_runs);
	g_test_add_func("/ical/shifts/follow-the-sun", test_follow_the_sun_twelve_hours);
	g_test_add_func("/ical/shifts/override", test_an_override_splits_a_shift);
	g_test_add_func("/ical/shifts/no-end", test_a_stretch_without_end_is_cut_to_the_window);
	g_test_add_func("/ical/meeting/request", test_meeting_request);
	g_test_add_func("/ical/meeting/refusals", test_meeting_refusals);
	return g_test_run();
}
