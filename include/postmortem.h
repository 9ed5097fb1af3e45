/*
 * postmortem: the spec's post-mortem for one incident, computed from the incident and its
 * events alone, and the iCalendar invitation to its meeting. Pure: structs in, strings out;
 * the caller renders templates/postmortem.txt with postmortem_vars() and sends the mail.
 */
#ifndef SEVMAIL_POSTMORTEM_H
#define SEVMAIL_POSTMORTEM_H

#include "incident.h"
#include <glib.h>

/* Error domain of a post-mortem input that cannot be used (meeting time, invitation). */
#define POSTMORTEM_ERROR (postmortem_error_quark())
GQuark postmortem_error_quark(void);

struct postmortem_input {
	const struct incident *inc;
	GPtrArray *events;    /* struct event *, oldest first, as stored */
	GPtrArray *attendees; /* char * addresses to use as they are, or NULL: derived from the
	                         events, see postmortem_attendees() */
	/* Which event actors are responders (not alert senders, not strangers); NULL: every
	 * actor that is an address. Used only when attendees is NULL. */
	gboolean (*is_responder)(const char *address, void *data);
	void *responder_data;
	GTimeZone *tz; /* times in the mail, and of a meeting given without offset; NULL = UTC */
	gint64 now;    /* unix time: the document's date without a meeting, and DTSTAMP */
	const char *meeting;   /* "2026-12-01 15:00" with optional " +01:00" or " Z", or NULL */
	const char *organizer; /* the meeting's organizer address (replies go there) */
	const char *organizer_name; /* or NULL */
	const char *name, *address; /* the desk ([general] name, address), for the signature */
};

/* Distinct addresses of the responders who acted on the incident, in order of their first
 * event, then the commander when not among them: event actors that contain '@' (so not
 * "sevmail") and pass is_responder; `rejected` events do not count as acting. Returns
 * in->attendees (a new reference) when the caller gave one. Caller unrefs. */
GPtrArray *postmortem_attendees(const struct postmortem_input *in);

/* Every placeholder of templates/postmortem.txt (keys are static strings, values owned by
 * the table). Caller unrefs; the caller may replace "unsubscribe" per list.
 *   id, title, severity ("SEV 1" / "SEV ?"), status (Investigating|Mitigating|Resolved),
 *   commander ("not assigned" when none), impact (""), date (the meeting's day when given,
 *   else in->now's: "2026-12-01"), meeting ("" without one, else "2026-12-01 15:00 CET"),
 *   declared ("2026-11-26 14:03 UTC"), resolved (same, or "not resolved"), mtta and mttr
 *   ("4 min", or "not acknowledged" / "not resolved"), timezone ("UTC", "Europe/Berlin"),
 *   attendees (one "- address" line each, the commander marked; "" when none),
 *   timeline (see postmortem_timeline), root_cause (""), action_items ("1. ..." lines, ""
 *   when none), name, address, unsubscribe (""). Blocks carry no final newline. */
GHashTable *postmortem_vars(const struct postmortem_input *in);

/* The timeline block: a date line ("2026-11-26") whenever the day changes, then one line
 * per event, "  HH:MM  actor  detail" (actors padded to one column), in in->tz. Shown
 * kinds: those the event kind table marks timeline; consecutive alert_repeat
 * events become one line ("Alert repeated 3 times, last at 14:20"). Caller frees. */
char *postmortem_timeline(const struct postmortem_input *in);

/* The invitation to the meeting (RFC 5545, METHOD:REQUEST, one VEVENT of 60 minutes in
 * UTC, CRLF line endings, folded at 75 octets), to every attendee, organized by
 * in->organizer. uid is the event's UID (keep it for updates). Attendees whose address
 * cannot be written as a mailto: URI are left out. NULL with err when there is no meeting,
 * the meeting does not parse (POSTMORTEM_ERROR), or uid or the organizer are not usable
 * (ICAL_ERROR: ical_meeting_request writes it). Caller frees. */
char *postmortem_ics(const struct postmortem_input *in, const char *uid, GError **err);

/* Parses "YYYY-MM-DD HH:MM[:SS]" ('T' allowed for the space) with an optional offset
 * ("Z", "UTC", "+01:00", "+0100", "-05"), alone or after a space; without one the time is
 * in tz (NULL = UTC). Sets *start to unix time. FALSE with err saying what is expected. */
gboolean postmortem_parse_meeting(const char *text, GTimeZone *tz, gint64 *start, GError **err);

#endif
