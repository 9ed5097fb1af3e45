/*
 * ical: iCalendar (RFC 5545) out, through libical, the only module that sees its types: the
 * feed of a schedule's on-call shifts and the invitation to a meeting. Pure: structs and
 * times in, text out, with CRLF line ends, lines folded at 75 octets and TEXT escaped.
 */
#ifndef SEVMAIL_ICAL_H
#define SEVMAIL_ICAL_H

#include "schedule.h"
#include <glib.h>

/* Error domain of an invitation that cannot be written (its UID or organizer). */
#define ICAL_ERROR (ical_error_quark())
GQuark ical_error_quark(void);

/* A meeting to invite people to. Text is plain (ical escapes it); controls are dropped. */
struct ical_meeting {
	const char *uid;            /* one line; keep it for updates of the same meeting */
	gint64 stamp;               /* DTSTAMP: when the invitation is made (unix time) */
	gint64 start, end;          /* unix time, written in UTC */
	const char *summary;        /* one line */
	const char *description;    /* may hold line breaks, or NULL */
	const char *organizer;      /* an address: replies go there */
	const char *organizer_name; /* or NULL */
	GPtrArray *attendees;       /* char * addresses, or NULL */
};

/* The invitation (METHOD:REQUEST, one VEVENT) to m's attendees, each asked to reply;
 * attendees whose address cannot be written as a mailto: URI are left out. NULL with
 * error when the UID is empty or not one line, or the organizer is not such an address.
 * Caller frees. */
char *ical_meeting_request(const struct ical_meeting *m, GError **error);

/* The feed of s's shifts (METHOD:PUBLISH, named after s): one VEVENT, "On call: PERSON
 * (SCHEDULE)", per stretch that someone is on call (schedule_oncall, overrides as there,
 * or NULL) overlapping [from, until). An event keeps its stretch's real bounds even where
 * they lie outside the window, so that the first one's start and UID do not change with
 * from; only a stretch without end is cut to the window. The UID is made of the
 * schedule, the start and the person, @domain (such as the desk's mail domain), so a
 * calendar that reloads the feed updates events rather than doubling them. DTSTAMP is
 * from (when the feed is made). Caller frees. */
char *ical_shifts(const struct schedule *s, GPtrArray *overrides, gint64 from, gint64 until,
                  const char *domain);

#endif
