/*
 * ical: iCalendar documents built as libical components and written by libical, which folds
 * lines, escapes TEXT and ends lines with CRLF. What libical lets through (control
 * characters, quotes in parameters, list separators in X- properties) is cleaned here.
 */
#include "ical.h"

#include "util.h"
#include <libical/ical.h>
#include <string.h>

G_DEFINE_QUARK(sevmail_ical_error, ical_error)

#define ICAL_PRODID "-//sevmail//EN"
#define ICAL_NAME_CHARS 200

/* TEXT for libical, which escapes '\\', ';', ',' and line breaks but writes other control
 * characters as they are: valid UTF-8, every line break one '\n', tabs as spaces, other
 * controls and byte-order marks dropped. Caller frees. */
static char *
ical_text(const char *s)
{
	g_autofree char *valid = g_utf8_make_valid(s != NULL ? s : "", -1);
	GString *out = g_string_new(NULL);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\r' || c == '\n')
			g_string_append_c(out, '\n');
		else if (c == '\t')
			g_string_append_c(out, ' ');
		else if (!g_unichar_iscntrl(c) && c != 0xFEFF)
			g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

/* A CN parameter: one line, a DQUOTE made an apostrophe. libical would write it as
 * RFC 6868's ^', which older calendar programs show as it is. */
static icalparameter *
ical_cn(const char *name)
{
	g_autofree char *line = util_one_line(name, ICAL_NAME_CHARS);

	g_strdelimit(line, "\"", '\'');
	return icalparameter_new_cn(line);
}

/* libical 3 writes an X- property's value as a list: commas and semicolons go out
 * unescaped and read back as separators, so they become spaces here. */
static void
ical_add_x(icalcomponent *c, const char *name, const char *value)
{
	g_autofree char *plain = g_strdelimit(g_strdup(value), ",;", ' ');
	g_autofree char *line = util_one_line(plain, ICAL_NAME_CHARS);
	icalproperty *p = icalproperty_new_x(line);

	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

static struct icaltimetype
ical_utc(gint64 t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* An address usable in a mailto: URI without percent-encoding. */
static gboolean
ical_address_ok(const char *a)
{
	const char *at = a != NULL ? strchr(a, '@') : NULL;

	if (at == NULL || at == a || at[1] == '\0')
		return FALSE;
	for (const char *p = a; *p != '\0'; p++)
		if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || strchr("\"<>\\;:,()[]", *p) != NULL)
			return FALSE;
	return TRUE;
}

static icalcomponent *
ical_calendar(icalproperty_method method)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);

	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid(ICAL_PRODID));
	icalcomponent_add_property(cal, icalproperty_new_method(method));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	return cal;
}

/* The text of cal, which is freed. Caller frees the text. */
static char *
ical_finish(icalcomponent *cal)
{
	char *text = icalcomponent_as_ical_string_r(cal);
	char *out = g_strdup(text);

	icalmemory_free_buffer(text);
	icalcomponent_free(cal);
	return out;
}

/* UID, DTSTAMP, DTSTART, DTEND and SUMMARY, in the order calendar programs show them. */
static icalcomponent *
ical_event(const char *uid, gint64 stamp, gint64 start, gint64 end, const char *summary)
{
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	g_autofree char *uid_text = ical_text(uid);
	g_autofree char *summary_text = ical_text(summary);

	icalcomponent_add_property(ev, icalproperty_new_uid(uid_text));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(ical_utc(stamp)));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(ical_utc(start)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(ical_utc(end)));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary_text));
	return ev;
}

/* --- the meeting --- */

static gboolean
ical_meeting_check(const struct ical_meeting *m, GError **error)
{
	if (m->uid == NULL || *m->uid == '\0' || strpbrk(m->uid, "\r\n") != NULL) {
		g_set_error(error, ICAL_ERROR, 0, "the invitation needs a one-line UID");
		return FALSE;
	}
	if (!ical_address_ok(m->organizer)) {
		g_set_error(error, ICAL_ERROR, 0,
		            "the organizer '%s' is not an address an invitation can name",
		            m->organizer != NULL ? m->organizer : "");
		return FALSE;
	}
	return TRUE;
}

static void
ical_add_people(icalcomponent *ev, const struct ical_meeting *m)
{
	g_autofree char *organizer_uri = g_strconcat("mailto:", m->organizer, NULL);
	icalproperty *organizer = icalproperty_new_organizer(organizer_uri);

	if (m->organizer_name != NULL && *m->organizer_name != '\0')
		icalproperty_add_parameter(organizer, ical_cn(m->organizer_name));
	icalcomponent_add_property(ev, organizer);
	for (guint i = 0; m->attendees != NULL && i < m->attendees->len; i++) {
		const char *address = m->attendees->pdata[i];
		g_autofree char *uri = NULL;
		icalproperty *p;

		if (!ical_address_ok(address))
			continue;
		uri = g_strconcat("mailto:", address, NULL);
		p = icalproperty_new_attendee(uri);
		icalproperty_add_parameter(p, ical_cn(address));
		icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalproperty_add_parameter(p,
		                           icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
		icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
		icalcomponent_add_property(ev, p);
	}
}

char *
ical_meeting_request(const struct ical_meeting *m, GError **error)
{
	icalcomponent *cal, *ev;

	if (!ical_meeting_check(m, error))
		return NULL;
	cal = ical_calendar(ICAL_METHOD_REQUEST);
	ev = ical_event(m->uid, m->stamp, m->start, m->end, m->summary);
	if (m->description != NULL) {
		g_autofree char *text = ical_text(m->description);

		icalcomponent_add_property(ev, icalproperty_new_description(text));
	}
	ical_add_people(ev, m);
	icalcomponent_add_property(ev, icalproperty_new_sequence(0));
	icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_component(cal, ev);
	return ical_finish(cal);
}

/* --- the on-call feed --- */

/* "payments-primary-20260330T070000Z-alice%40example.com@example.com": the parts
 * percent-encoded, so that no two schedules or people make the same UID. */
static char *
ical_shift_uid(const struct schedule *s, const char *person, gint64 start, const char *domain)
{
	char *when = icaltime_as_ical_string_r(ical_utc(start));
	g_autofree char *name = g_uri_escape_string(s->name, NULL, FALSE);
	g_autofree char *lower = g_ascii_strdown(person, -1);
	g_autofree char *who = g_uri_escape_string(lower, NULL, FALSE);
	char *uid = g_strdup_printf("%s-%s-%s@%s", name, when, who,
	                            domain != NULL && *domain != '\0' ? domain : "localhost");

	icalmemory_free_buffer(when);
	return uid;
}

/* One shift: free time for free/busy, since being on call is not being busy. */
static icalcomponent *
ical_shift(const struct schedule *s, const char *person, gint64 start, gint64 end, gint64 stamp,
           const char *domain)
{
	g_autofree char *uid = ical_shift_uid(s, person, start, domain);
	g_autofree char *summary = g_strdup_printf("On call: %s (%s)", person, s->name);
	icalcomponent *ev = ical_event(uid, stamp, start, end, summary);

	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	return ev;
}

char *
ical_shifts(const struct schedule *s, GPtrArray *overrides, gint64 from, gint64 until,
            const char *domain)
{
	icalcomponent *cal = ical_calendar(ICAL_METHOD_PUBLISH);
	g_autofree char *name = ical_text(s->name);

	/* X-WR-CALNAME is what most calendar programs show; NAME (RFC 7986) is the standard
	 * one, and keeps commas */
	ical_add_x(cal, "X-WR-CALNAME", s->name);
	icalcomponent_add_property(cal, icalproperty_new_name(name));
	ical_add_x(cal, "X-WR-TIMEZONE", g_time_zone_get_identifier(s->tz));
	for (gint64 t = from, since, end; t < until; t = end) {
		const char *person = schedule_oncall(s, overrides, t, &since, &end);

		if (end <= t || end == G_MAXINT64) /* no end, or past GLib's year 9999 */
			end = until;
		icalcomponent_add_component(
		    cal,
		    ical_shift(s, person, since != G_MININT64 ? since : from, end, from, domain));
	}
	return ical_finish(cal);
}
