/* Who is on call, from fixed dates whose answers are worked out by hand: handoffs at local
 * wall-clock time across DST changes in several zones, overrides, and the parse errors. All
 * times in the assertions are UTC unless they carry a zone abbreviation. */
#include "schedule.h"

#include <stdio.h>
#include <string.h>

/* "YYYY-MM-DD HH:MM[:SS]" in UTC as unix time. */
static gint64
utc(const char *text)
{
	int y, mo, d, h, mi, sec = 0;
	g_autoptr(GDateTime) dt = NULL;

	g_assert_cmpint(sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec), >=, 5);
	dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

/* A schedule that must parse: a zone missing from tzdata fails here, loudly. */
static struct schedule *
made(const char *zone, const char *rotation, const char *start, const char *shift)
{
	g_autoptr(GError) error = NULL;
	struct schedule *s = schedule_new_parse("primary", zone, rotation, start, shift, &error);

	g_assert_no_error(error);
	g_assert_nonnull(s);
	return s;
}

/* Asserts who is on call at `at` and the stretch [since, until), all given in UTC. */
static void
oncall_is(const struct schedule *s, GPtrArray *ov, const char *at, const char *person,
          const char *since, const char *until)
{
	gint64 from = 0, to = 0;

	g_assert_cmpstr(schedule_oncall(s, ov, utc(at), &from, &to), ==, person);
	g_assert_cmpint(from, ==, utc(since));
	g_assert_cmpint(to, ==, utc(until));
	g_assert_cmpint(schedule_next_change(s, ov, utc(at)), ==, utc(until));
}

static void
local_is(const struct schedule *s, const char *at, const char *expected)
{
	g_autofree char *text = schedule_format_local(s, utc(at));

	g_assert_cmpstr(text, ==, expected);
}

#define ABC "a@example.com, b@example.com, c@example.com"

/* Mondays 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC in summer. */
static void
test_berlin_weekly_across_dst(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-03-23 09:00", "1w");

	oncall_is(s, NULL, "2026-03-25 12:00", "a@example.com", "2026-03-23 08:00",
	          "2026-03-30 07:00");
	oncall_is(s, NULL, "2026-03-30 06:59:59", "a@example.com", "2026-03-23 08:00",
	          "2026-03-30 07:00");
	oncall_is(s, NULL, "2026-03-30 07:00", "b@example.com", "2026-03-30 07:00",
	          "2026-04-06 07:00");
	local_is(s, "2026-03-30 07:00", "2026-03-30 09:00 CEST");
	/* 30 weeks on, October 19 (k = 30: a) is summer, October 26 (k = 31: b) winter */
	oncall_is(s, NULL, "2026-10-26 07:30", "a@example.com", "2026-10-19 07:00",
	          "2026-10-26 08:00");
	oncall_is(s, NULL, "2026-10-26 08:00", "b@example.com", "2026-10-26 08:00",
	          "2026-11-02 08:00");
	local_is(s, "2026-10-26 08:00", "2026-10-26 09:00 CET");
}

/* Daily: the shift into the March change lasts 23 hours, the one into October 25. */
static void
test_berlin_daily_across_dst(void)
{
	g_autoptr(schedule) s =
	    made("Europe/Berlin", "a@example.com, b@example.com", "2026-03-27 09:00", "1d");

	oncall_is(s, NULL, "2026-03-28 12:00", "b@example.com", "2026-03-28 08:00",
	          "2026-03-29 07:00");
	oncall_is(s, NULL, "2026-03-29 07:00", "a@example.com", "2026-03-29 07:00",
	          "2026-03-30 07:00");
	/* October 24 is day 211 (b), October 25 day 212 (a) */
	oncall_is(s, NULL, "2026-10-24 12:00", "b@example.com", "2026-10-24 07:00",
	          "2026-10-25 08:00");
	oncall_is(s, NULL, "2026-10-25 08:00", "a@example.com", "2026-10-25 08:00",
	          "2026-10-26 08:00");
}

/* New York changes on other dates (March 8, November 1 in 2026). */
static void
test_new_york(void)
{
	g_autoptr(schedule) s =
	    made("America/New_York", "a@example.com, b@example.com", "2026-03-02 09:00", "1w");

	oncall_is(s, NULL, "2026-03-03 12:00", "a@example.com", "2026-03-02 14:00",
	          "2026-03-09 13:00");
	oncall_is(s, NULL, "2026-03-09 13:30", "b@example.com", "2026-03-09 13:00",
	          "2026-03-16 13:00");
	local_is(s, "2026-03-09 13:00", "2026-03-09 09:00 EDT");
	/* November 2 is 35 weeks on (b); the handoff is back at 14:00 UTC */
	oncall_is(s, NULL, "2026-11-02 13:30", "a@example.com", "2026-10-26 13:00",
	          "2026-11-02 14:00");
	local_is(s, "2026-11-02 14:00", "2026-11-02 09:00 EST");
}

/* Half-hour offsets: Kolkata without DST, Adelaide with it. */
static void
test_half_hour_zones(void)
{
	g_autoptr(schedule) k = made("Asia/Kolkata", ABC, "2026-01-01 09:00", "1d");
	g_autoptr(schedule) a =
	    made("Australia/Adelaide", "a@example.com, b@example.com", "2026-03-30 09:00", "1w");

	oncall_is(k, NULL, "2026-01-05 03:29", "a@example.com", "2026-01-04 03:30",
	          "2026-01-05 03:30");
	local_is(k, "2026-01-05 03:30", "2026-01-05 09:00 IST");
	/* 09:00 ACDT (+10:30) is 22:30 UTC the day before; DST ends on April 5 */
	oncall_is(a, NULL, "2026-04-05 23:00", "a@example.com", "2026-03-29 22:30",
	          "2026-04-05 23:30");
	local_is(a, "2026-03-29 22:30", "2026-03-30 09:00 ACDT");
	local_is(a, "2026-04-05 23:30", "2026-04-06 09:00 ACST");
	/* DST starts again on October 4: the handoff of October 5 is at 22:30 UTC again */
	oncall_is(a, NULL, "2026-10-04 23:00", "b@example.com", "2026-10-04 22:30",
	          "2026-10-11 22:30");
}

static void
test_leap_day_and_year_boundary(void)
{
	g_autoptr(schedule) leap = made("Europe/Berlin", ABC, "2028-02-27 09:00", "1d");
	g_autoptr(schedule) year =
	    made("Europe/Berlin", "a@example.com, b@example.com", "2026-12-28 09:00", "1w");

	oncall_is(leap, NULL, "2028-02-29 12:00", "c@example.com", "2028-02-29 08:00",
	          "2028-03-01 08:00");
	local_is(leap, "2028-02-29 08:00", "2028-02-29 09:00 CET");
	oncall_is(year, NULL, "2026-12-31 23:30", "a@example.com", "2026-12-28 08:00",
	          "2027-01-04 08:00");
	oncall_is(year, NULL, "2027-01-04 08:00", "b@example.com", "2027-01-04 08:00",
	          "2027-01-11 08:00");
	local_is(year, "2027-01-04 08:00", "2027-01-04 09:00 CET");
}

/* Hour shifts are real hours: in summer the 12-hour handoffs move to 10:00 and 22:00. */
static void
test_long_rotation(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin",
	                             "p1@example.com, p2@example.com, p3@example.com, "
	                             "p4@example.com, p5@example.com, p6@example.com, "
	                             "p7@example.com",
	                             "2026-01-01 09:00", "12h");

	/* 181 days on: shift 362, 362 mod 7 = 5 */
	oncall_is(s, NULL, "2026-07-01 12:00", "p6@example.com", "2026-07-01 08:00",
	          "2026-07-01 20:00");
	local_is(s, "2026-07-01 08:00", "2026-07-01 10:00 CEST");
	/* a year on: shift 730, 730 mod 7 = 2 */
	oncall_is(s, NULL, "2027-01-01 12:00", "p3@example.com", "2027-01-01 08:00",
	          "2027-01-01 20:00");
	/* far ahead, without stepping through the shifts: 2100-01-01 08:00 UTC is shift
	 * 2 * 27028 = 54056, 54056 mod 7 = 2 */
	oncall_is(s, NULL, "2100-01-01 08:00", "p3@example.com", "2100-01-01 08:00",
	          "2100-01-01 20:00");
}

/* Hour shifts through the March gap and the October fold; a daily 02:30 handoff on both
 * days, where GLib moves the skipped 02:30 to 03:00 and keeps the fold's summer side. */
static void
test_hourly_and_dst_gap(void)
{
	g_autoptr(schedule) h = made("Europe/Berlin", ABC, "2026-03-29 00:00", "1h");
	g_autoptr(schedule) fold = made("Europe/Berlin", ABC, "2026-10-25 00:00", "1h");
	g_autoptr(schedule) d =
	    made("Europe/Berlin", "a@example.com, b@example.com", "2026-03-27 02:30", "1d");
	g_autoptr(schedule) d2 =
	    made("Europe/Berlin", "a@example.com, b@example.com", "2026-10-20 02:30", "1d");

	oncall_is(h, NULL, "2026-03-29 01:30", "c@example.com", "2026-03-29 01:00",
	          "2026-03-29 02:00");
	local_is(h, "2026-03-29 00:59", "2026-03-29 01:59 CET");
	local_is(h, "2026-03-29 01:00", "2026-03-29 03:00 CEST");
	oncall_is(fold, NULL, "2026-10-25 00:30", "c@example.com", "2026-10-25 00:00",
	          "2026-10-25 01:00");
	oncall_is(fold, NULL, "2026-10-25 01:30", "a@example.com", "2026-10-25 01:00",
	          "2026-10-25 02:00");
	local_is(fold, "2026-10-25 00:00", "2026-10-25 02:00 CEST");
	local_is(fold, "2026-10-25 01:00", "2026-10-25 02:00 CET");
	oncall_is(d, NULL, "2026-03-29 00:45", "b@example.com", "2026-03-28 01:30",
	          "2026-03-29 01:00");
	local_is(d, "2026-03-29 01:00", "2026-03-29 03:00 CEST");
	oncall_is(d, NULL, "2026-03-30 00:00", "a@example.com", "2026-03-29 01:00",
	          "2026-03-30 00:30");
	/* October 24 is shift 4 (a); its 02:30 handoff on the 25th is the first, summer one */
	oncall_is(d2, NULL, "2026-10-25 00:00", "a@example.com", "2026-10-24 00:30",
	          "2026-10-25 00:30");
	local_is(d2, "2026-10-25 00:30", "2026-10-25 02:30 CEST");
}

/* The rotation runs backwards before start: shift -1 is the last person's. */
static void
test_before_start(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");

	oncall_is(s, NULL, "2026-11-29 12:00", "c@example.com", "2026-11-23 08:00",
	          "2026-11-30 08:00");
	oncall_is(s, NULL, "2026-11-20 12:00", "b@example.com", "2026-11-16 08:00",
	          "2026-11-23 08:00");
	oncall_is(s, NULL, "2026-11-30 08:00", "a@example.com", "2026-11-30 08:00",
	          "2026-12-07 08:00");
}

static void
add(GPtrArray *ov, gint64 id, const char *name, const char *person, const char *from,
    const char *until)
{
	struct schedule_override *o = g_new0(struct schedule_override, 1);

	o->id = id;
	o->schedule = g_strdup(name);
	o->person = g_strdup(person);
	o->from = utc(from);
	o->until = utc(until);
	g_ptr_array_add(ov, o);
}

static void
override_free(gpointer p)
{
	schedule_override_free(p);
}

/* Week shifts from Monday 2026-11-30 09:00 Berlin (08:00 UTC): a, then b from December 7. */
static void
test_override_inside_and_across(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");
	g_autoptr(GPtrArray) ov = g_ptr_array_new_with_free_func(override_free);

	add(ov, 1, "primary", "dave@example.com", "2026-12-01 10:00", "2026-12-01 14:00");
	add(ov, 2, "secondary", "zed@example.com", "2026-12-01 00:00", "2026-12-31 00:00");
	add(ov, 3, "primary", "erin@example.com", "2026-12-06 20:00", "2026-12-07 20:00");
	oncall_is(s, ov, "2026-12-01 09:00", "a@example.com", "2026-11-30 08:00",
	          "2026-12-01 10:00");
	oncall_is(s, ov, "2026-12-01 12:00", "dave@example.com", "2026-12-01 10:00",
	          "2026-12-01 14:00");
	oncall_is(s, ov, "2026-12-01 14:00", "a@example.com", "2026-12-01 14:00",
	          "2026-12-06 20:00");
	oncall_is(s, ov, "2026-12-07 08:00", "erin@example.com", "2026-12-06 20:00",
	          "2026-12-07 20:00");
	oncall_is(s, ov, "2026-12-07 20:00", "b@example.com", "2026-12-07 20:00",
	          "2026-12-14 08:00");
}

/* The later-added (higher id) override wins wherever they overlap, whatever the order. */
static void
test_overlapping_overrides(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");

	for (int order = 0; order < 2; order++) {
		g_autoptr(GPtrArray) ov = g_ptr_array_new_with_free_func(override_free);

		if (order == 1)
			add(ov, 6, "primary", "gina@example.com", "2026-12-02 06:00",
			    "2026-12-02 12:00");
		add(ov, 5, "primary", "frank@example.com", "2026-12-02 00:00", "2026-12-03 00:00");
		/* hidden under frank's, it never shows */
		add(ov, 4, "primary", "hal@example.com", "2026-12-02 01:00", "2026-12-02 02:00");
		if (order == 0)
			add(ov, 6, "primary", "gina@example.com", "2026-12-02 06:00",
			    "2026-12-02 12:00");
		oncall_is(s, ov, "2026-12-02 01:30", "frank@example.com", "2026-12-02 00:00",
		          "2026-12-02 06:00");
		oncall_is(s, ov, "2026-12-02 08:00", "gina@example.com", "2026-12-02 06:00",
		          "2026-12-02 12:00");
		oncall_is(s, ov, "2026-12-02 12:00", "frank@example.com", "2026-12-02 12:00",
		          "2026-12-03 00:00");
		oncall_is(s, ov, "2026-12-03 00:00", "a@example.com", "2026-12-03 00:00",
		          "2026-12-07 08:00");
	}
}

/* An override that ends at a handoff hands straight to the next shift; one for the person
 * already on call changes nothing but the end of the stretch. */
static void
test_override_at_handoff_and_same_person(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");
	g_autoptr(GPtrArray) ov = g_ptr_array_new_with_free_func(override_free);

	add(ov, 1, "primary", "dave@example.com", "2026-12-07 06:00", "2026-12-07 08:00");
	add(ov, 2, "primary", "B@Example.com", "2026-12-14 08:00", "2026-12-14 12:00");
	add(ov, 3, "primary", "a@example.com", "2026-12-01 00:00", "2026-12-02 00:00");
	oncall_is(s, ov, "2026-12-01 12:00", "a@example.com", "2026-11-30 08:00",
	          "2026-12-07 06:00");
	oncall_is(s, ov, "2026-12-07 07:59:59", "dave@example.com", "2026-12-07 06:00",
	          "2026-12-07 08:00");
	oncall_is(s, ov, "2026-12-07 08:00", "b@example.com", "2026-12-07 08:00",
	          "2026-12-14 12:00");
	oncall_is(s, ov, "2026-12-14 12:00", "c@example.com", "2026-12-14 12:00",
	          "2026-12-21 08:00");
}

static void
test_next_change_around_boundaries(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", "a@example.com, a@example.com, b@example.com",
	                             "2026-11-30 09:00", "1w");
	g_autoptr(schedule) one = made("UTC", "solo@example.com", "2026-11-30 09:00", "1d");
	g_autoptr(GPtrArray) ov = g_ptr_array_new_with_free_func(override_free);
	gint64 since = 0, until = 0;

	/* a's two shifts in a row are one stretch */
	g_assert_cmpint(schedule_next_change(s, NULL, utc("2026-11-30 07:59:59")), ==,
	                utc("2026-11-30 08:00"));
	g_assert_cmpint(schedule_next_change(s, NULL, utc("2026-11-30 08:00")), ==,
	                utc("2026-12-14 08:00"));
	g_assert_cmpint(schedule_next_change(s, NULL, utc("2026-12-07 08:00")), ==,
	                utc("2026-12-14 08:00"));
	g_assert_cmpint(schedule_next_change(s, NULL, utc("2026-12-14 07:59:59")), ==,
	                utc("2026-12-14 08:00"));
	g_assert_cmpint(schedule_next_change(s, NULL, utc("2026-12-14 08:00")), ==,
	                utc("2026-12-21 08:00"));
	/* one person: nobody else, ever, until an override a year ahead */
	g_assert_cmpstr(schedule_oncall(one, NULL, utc("2026-12-01 00:00"), &since, &until), ==,
	                "solo@example.com");
	g_assert_cmpint(since, ==, G_MININT64);
	g_assert_cmpint(until, ==, G_MAXINT64);
	add(ov, 1, "primary", "bob@example.com", "2027-12-01 00:00", "2027-12-02 00:00");
	g_assert_cmpint(schedule_next_change(one, ov, utc("2026-12-01 00:00")), ==,
	                utc("2027-12-01 00:00"));
	g_assert_cmpint(schedule_next_change(one, ov, utc("2027-12-01 00:00")), ==,
	                utc("2027-12-02 00:00"));
	g_assert_cmpint(schedule_next_change(one, ov, utc("2027-12-02 00:00")), ==, G_MAXINT64);
	schedule_oncall(one, ov, utc("2028-06-01 00:00"), &since, &until);
	g_assert_cmpint(since, ==, utc("2027-12-02 00:00"));
	g_autofree char *never = schedule_format_local(one, G_MAXINT64);
	g_assert_cmpstr(never, ==, "-");
}

static void
parse_fails(const char *zone, const char *rotation, const char *start, const char *shift, int code,
            const char *words)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(schedule) s = schedule_new_parse("primary", zone, rotation, start, shift, &error);

	g_assert_null(s);
	g_assert_error(error, SCHEDULE_ERROR, code);
	if (strstr(error->message, words) == NULL)
		g_error("\"%s\" does not say \"%s\"", error->message, words);
}

/* The stretches of a displaced list as "person from-until" lines in UTC, to compare at a
 * glance. */
static char *
stretches(GArray *d)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < d->len; i++) {
		const struct schedule_stretch *st = &g_array_index(d, struct schedule_stretch, i);
		g_autoptr(GDateTime) from = g_date_time_new_from_unix_utc(st->from);
		g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc(st->until);
		g_autofree char *f = g_date_time_format(from, "%m-%d %H:%M");
		g_autofree char *u = g_date_time_format(until, "%m-%d %H:%M");

		g_string_append_printf(out, "%s%s %s-%s", i ? "; " : "", st->person, f, u);
	}
	return g_string_free(out, FALSE);
}

static void
displaced_is(const struct schedule *s, GPtrArray *ov, const char *person, const char *from,
             const char *until, const char *expected)
{
	struct schedule_override o = {0, (char *)"primary", (char *)person, utc(from), utc(until)};
	g_autoptr(GArray) d = schedule_displaced(s, ov, &o);
	g_autofree char *text = stretches(d);

	g_assert_cmpstr(text, ==, expected);
}

/* Whom a new override displaces: the rotation's people and earlier overrides during its
 * stretch, each with their part of it, never the new person themself. Week shifts from
 * Monday 2026-11-30 09:00 Berlin: a, then b from December 7 (08:00 UTC). */
static void
test_displaced(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");
	g_autoptr(GPtrArray) ov = g_ptr_array_new_with_free_func(override_free);

	displaced_is(s, NULL, "dave@example.com", "2026-12-03 17:00", "2026-12-04 08:00",
	             "a@example.com 12-03 17:00-12-04 08:00");
	/* across the handoff: a until it, then b */
	displaced_is(
	    s, NULL, "dave@example.com", "2026-12-06 20:00", "2026-12-07 20:00",
	    "a@example.com 12-06 20:00-12-07 08:00; b@example.com 12-07 08:00-12-07 20:00");
	/* a herself displaces nobody in her own shift, and only b after it */
	displaced_is(s, NULL, "A@example.com", "2026-12-03 17:00", "2026-12-04 08:00", "");
	displaced_is(s, NULL, "a@example.com", "2026-12-06 20:00", "2026-12-07 20:00",
	             "b@example.com 12-07 08:00-12-07 20:00");
	/* an earlier override in the way is displaced for its part; another schedule's not */
	add(ov, 1, "primary", "erin@example.com", "2026-12-03 20:00", "2026-12-03 22:00");
	add(ov, 2, "secondary", "zed@example.com", "2026-12-01 00:00", "2026-12-31 00:00");
	displaced_is(s, ov, "dave@example.com", "2026-12-03 17:00", "2026-12-04 08:00",
	             "a@example.com 12-03 17:00-12-03 20:00; erin@example.com 12-03 20:00-12-03 "
	             "22:00; a@example.com 12-03 22:00-12-04 08:00");
	/* the new override itself, stored already (same id), displaces nobody but the others */
	add(ov, 3, "primary", "dave@example.com", "2026-12-03 17:00", "2026-12-04 08:00");
	{
		struct schedule_override *o = ov->pdata[2];
		g_autoptr(GArray) d = schedule_displaced(s, ov, o);
		g_autofree char *text = stretches(d);

		g_assert_cmpstr(text, ==,
		                "a@example.com 12-03 17:00-12-03 20:00; erin@example.com 12-03 "
		                "20:00-12-03 22:00; a@example.com 12-03 22:00-12-04 08:00");
	}
	/* an empty or reversed stretch displaces nobody */
	displaced_is(s, NULL, "dave@example.com", "2026-12-03 17:00", "2026-12-03 17:00", "");
	displaced_is(s, NULL, "dave@example.com", "2026-12-04 17:00", "2026-12-03 17:00", "");
}

/* One person in the rotation: no handoff ever, the stretch still ends with the override. */
static void
test_displaced_single_person(void)
{
	g_autoptr(schedule) s = made("UTC", "solo@example.com", "2026-01-01 00:00", "1w");

	displaced_is(s, NULL, "dave@example.com", "2026-12-03 17:00", "2026-12-24 17:00",
	             "solo@example.com 12-03 17:00-12-24 17:00");
}

/* Local times of an override in the schedule's zone; what the clocks skip is refused. */
static void
test_parse_local(void)
{
	g_autoptr(schedule) s = made("Europe/Berlin", ABC, "2026-11-30 09:00", "1w");
	g_autoptr(GError) e = NULL;
	gint64 t = 0;

	g_assert_true(schedule_parse_local(s, "2026-12-03 18:00", &t, &e));
	g_assert_cmpint(t, ==, utc("2026-12-03 17:00")); /* CET */
	g_assert_true(schedule_parse_local(s, "2026-07-01 09:00", &t, &e));
	g_assert_cmpint(t, ==, utc("2026-07-01 07:00")); /* CEST */
	/* 02:30 twice in October: the later one, in standard time */
	g_assert_true(schedule_parse_local(s, "2026-10-25 02:30", &t, &e));
	g_assert_cmpint(t, ==, utc("2026-10-25 01:30"));
	g_assert_false(schedule_parse_local(s, "2026-03-29 02:30", &t, &e));
	g_assert_error(e, SCHEDULE_ERROR, SCHEDULE_ERROR_SKIPPED);
	g_assert_nonnull(strstr(e->message, "does not exist in Europe/Berlin"));
	g_clear_error(&e);
	for (const char *const *bad =
	         (const char *const[]){"2026-12-3 18:00", "2026-02-30 18:00", "2026-12-03 18:60",
	                               "2026-12-03T18:00", "tomorrow", "", NULL};
	     *bad != NULL; bad++) {
		g_assert_false(schedule_parse_local(s, *bad, &t, &e));
		g_assert_error(e, SCHEDULE_ERROR, SCHEDULE_ERROR_LOCAL_TIME);
		g_clear_error(&e);
	}
}

static void
test_parse_errors(void)
{
	g_autoptr(schedule) utc_default = made(NULL, " A@Example.com ", "2026-01-01 00:00", "999h");

	g_assert_cmpstr(utc_default->rotation[0], ==, "a@example.com");
	g_assert_cmpuint(utc_default->n_rotation, ==, 1);
	local_is(utc_default, "2026-01-01 00:00", "2026-01-01 00:00 UTC");
	parse_fails("Mars/Base", ABC, "2026-01-01 09:00", "1w", SCHEDULE_ERROR_TIME_ZONE,
	            "unknown time zone \"Mars/Base\"");
	parse_fails("UTC", "", "2026-01-01 09:00", "1w", SCHEDULE_ERROR_ROTATION, "nobody");
	parse_fails("UTC", " ", "2026-01-01 09:00", "1w", SCHEDULE_ERROR_ROTATION, "nobody");
	parse_fails("UTC", "a@example.com, bob", "2026-01-01 09:00", "1w", SCHEDULE_ERROR_ROTATION,
	            "\"bob\" is not a plain address (person 2)");
	parse_fails("UTC", "a@example.com,,b@example.com", "2026-01-01 09:00", "1w",
	            SCHEDULE_ERROR_ROTATION, "(person 2)");
	parse_fails("UTC", ABC, "2026-13-01 09:00", "1w", SCHEDULE_ERROR_START,
	            "\"2026-13-01 09:00\" is not a local date");
	parse_fails("UTC", ABC, "2026-02-29 09:00", "1w", SCHEDULE_ERROR_START, "2026-02-29");
	parse_fails("UTC", ABC, "2026-01-01 9:00", "1w", SCHEDULE_ERROR_START, "like");
	parse_fails("UTC", ABC, "2026-01-01 24:00", "1w", SCHEDULE_ERROR_START, "like");
	parse_fails("Europe/Berlin", ABC, "2026-03-29 02:30", "1w", SCHEDULE_ERROR_START,
	            "does not exist in Europe/Berlin");
	parse_fails("UTC", ABC, "2026-01-01 09:00", "1x", SCHEDULE_ERROR_SHIFT, "\"1x\"");
	parse_fails("UTC", ABC, "2026-01-01 09:00", "0d", SCHEDULE_ERROR_SHIFT, "from 1 to 999");
	parse_fails("UTC", ABC, "2026-01-01 09:00", "1000h", SCHEDULE_ERROR_SHIFT, "1000h");
	parse_fails("UTC", ABC, "2026-01-01 09:00", "w", SCHEDULE_ERROR_SHIFT, "\"w\"");
	parse_fails("UTC", ABC, "2026-01-01 09:00", "-1d", SCHEDULE_ERROR_SHIFT, "-1d");
	parse_fails("UTC", ABC, "2026-01-01 09:00", NULL, SCHEDULE_ERROR_SHIFT, "shift");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/schedule/berlin-weekly-dst", test_berlin_weekly_across_dst);
	g_test_add_func("/schedule/berlin-daily-dst", test_berlin_daily_across_dst);
	g_test_add_func("/schedule/new-york", test_new_york);
	g_test_add_func("/schedule/half-hour-zones", test_half_hour_zones);
	g_test_add_func("/schedule/leap-day-year-boundary", test_leap_day_and_year_boundary);
	g_test_add_func("/schedule/long-rotation", test_long_rotation);
	g_test_add_func("/schedule/hourly-dst-gap", test_hourly_and_dst_gap);
	g_test_add_func("/schedule/before-start", test_before_start);
	g_test_add_func("/schedule/override-inside-across", test_override_inside_and_across);
	g_test_add_func("/schedule/overlapping-overrides", test_overlapping_overrides);
	g_test_add_func("/schedule/override-handoff-same-person",
	                test_override_at_handoff_and_same_person);
	g_test_add_func("/schedule/next-change", test_next_change_around_boundaries);
	g_test_add_func("/schedule/parse-errors", test_parse_errors);
	g_test_add_func("/schedule/displaced", test_displaced);
	g_test_add_func("/schedule/displaced-single-person", test_displaced_single_person);
	g_test_add_func("/schedule/parse-local", test_parse_local);
	return g_test_run();
}
