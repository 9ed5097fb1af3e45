/*
 * postmortem: the spec's post-mortem (title, date, attendees, timeline, root cause, action
 * items) from an incident and its events, and the RFC 5545 invitation to its meeting.
 */
#include "postmortem.h"

#include "util.h"
#include <string.h>

G_DEFINE_QUARK(sevmail_postmortem_error, postmortem_error)
#define ACTOR_COLUMN_MAX 40
#define MEETING_SECONDS 3600
#define ICS_LINE_OCTETS 75

/* The timeline leaves out rejected commands and the post-mortem itself (the kind table). */
static gboolean
shown(const struct event *e)
{
	return event_kind_info(e->kind)->timeline;
}

static GDateTime *
local_time(gint64 t, GTimeZone *tz)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);

	return tz != NULL ? g_date_time_to_timezone(utc, tz) : g_date_time_ref(utc);
}

/* "CET", "UTC", or "+01:00" for a zone that is only an offset (GLib would say "+01:00:00"). */
static char *
zone_label(GDateTime *dt)
{
	const char *abbr = g_date_time_get_timezone_abbreviation(dt);

	if (abbr == NULL || *abbr == '\0' || *abbr == '+' || *abbr == '-')
		return g_date_time_format(dt, "UTC%:z");
	return g_strdup(abbr);
}

/* "2026-11-26 14:03 CET" */
static char *
human_time(gint64 t, GTimeZone *tz)
{
	g_autoptr(GDateTime) dt = local_time(t, tz);
	g_autofree char *when = g_date_time_format(dt, "%Y-%m-%d %H:%M");
	g_autofree char *zone = zone_label(dt);

	return g_strdup_printf("%s %s", when, zone);
}

static char *
format_time(gint64 t, GTimeZone *tz, const char *fmt)
{
	g_autoptr(GDateTime) dt = local_time(t, tz);

	return g_date_time_format(dt, fmt);
}

/* --- attendees --- */

static gboolean
contains(GPtrArray *list, const char *s)
{
	for (guint i = 0; i < list->len; i++)
		if (g_strcmp0(list->pdata[i], s) == 0)
			return TRUE;
	return FALSE;
}

GPtrArray *
postmortem_attendees(const struct postmortem_input *in)
{
	GPtrArray *out;

	if (in->attendees != NULL)
		return g_ptr_array_ref(in->attendees);
	out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; in->events != NULL && i < in->events->len; i++) {
		const struct event *e = in->events->pdata[i];
		g_autofree char *who = util_address(e->actor);

		if (e->kind == EVENT_REJECTED || strchr(who, '@') == NULL || contains(out, who))
			continue;
		if (in->is_responder != NULL && !in->is_responder(who, in->responder_data))
			continue;
		g_ptr_array_add(out, g_steal_pointer(&who));
	}
	/* the commander leads the meeting even when someone else named them and they stayed
	 * silent in the thread */
	if (in->inc->commander != NULL && !contains(out, in->inc->commander))
		g_ptr_array_add(out, util_address(in->inc->commander));
	return out;
}

static char *
attendee_lines(const struct postmortem_input *in)
{
	g_autoptr(GPtrArray) who = postmortem_attendees(in);
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < who->len; i++) {
		g_autofree char *line = util_one_line(who->pdata[i], 200);

		if (out->len > 0)
			g_string_append_c(out, '\n');
		g_string_append_printf(out, "- %s", line);
		if (g_strcmp0(who->pdata[i], in->inc->commander) == 0)
			g_string_append(out, " (incident commander)");
	}
	return g_string_free(out, FALSE);
}

/* --- timeline --- */

static void
append_padded(GString *out, const char *s, glong width)
{
	g_string_append(out, s);
	for (glong n = g_utf8_strlen(s, -1); n < width; n++)
		g_string_append_c(out, ' ');
}

static glong
actor_width(GPtrArray *events)
{
	glong width = 0;

	for (guint i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];
		g_autofree char *actor = util_one_line(e->actor, ACTOR_COLUMN_MAX);

		width = MAX(width, g_utf8_strlen(actor, -1));
	}
	return width;
}

/* The detail for events[i]; a run of alert repeats is one line. *next is the index after
 * what the line covers. */
static char *
line_detail(GPtrArray *events, guint i, GTimeZone *tz, guint *next)
{
	const struct event *e = events->pdata[i];
	const struct event *last;
	guint j = i + 1;
	g_autofree char *day = NULL, *last_day = NULL, *at = NULL;

	*next = i + 1;
	if (e->kind != EVENT_ALERT_REPEAT)
		return util_one_line(e->detail, 1000);
	while (j < events->len && ((struct event *)events->pdata[j])->kind == EVENT_ALERT_REPEAT)
		j++;
	*next = j;
	if (j - i == 1)
		return g_strdup("Alert repeated once");
	last = events->pdata[j - 1];
	day = format_time(e->at, tz, "%Y-%m-%d");
	last_day = format_time(last->at, tz, "%Y-%m-%d");
	at = format_time(last->at, tz, strcmp(day, last_day) == 0 ? "%H:%M" : "%Y-%m-%d %H:%M");
	return g_strdup_printf("Alert repeated %u times, last at %s", j - i, at);
}

char *
postmortem_timeline(const struct postmortem_input *in)
{
	g_autoptr(GPtrArray) events = g_ptr_array_new();
	g_autofree char *day = NULL;
	GString *out = g_string_new(NULL);
	glong width;

	for (guint i = 0; in->events != NULL && i < in->events->len; i++)
		if (shown(in->events->pdata[i]))
			g_ptr_array_add(events, in->events->pdata[i]);
	width = actor_width(events);
	for (guint i = 0, next; i < events->len; i = next) {
		const struct event *e = events->pdata[i];
		g_autofree char *detail = line_detail(events, i, in->tz, &next);
		g_autofree char *actor = util_one_line(e->actor, ACTOR_COLUMN_MAX);
		g_autofree char *this_day = format_time(e->at, in->tz, "%Y-%m-%d");
		g_autofree char *hhmm = format_time(e->at, in->tz, "%H:%M");

		if (g_strcmp0(day, this_day) != 0) {
			g_string_append_printf(out, "%s%s\n", out->len > 0 ? "\n" : "", this_day);
			g_free(day);
			day = g_steal_pointer(&this_day);
		}
		g_string_append_printf(out, "  %s  ", hhmm);
		append_padded(out, actor, width);
		g_string_append_printf(out, "  %s\n", detail);
	}
	if (out->len > 0)
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

/* --- the template's values --- */

static char *
action_item_lines(const struct incident *inc)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; inc->action_items != NULL && i < inc->action_items->len; i++) {
		g_autofree char *item = util_one_line(inc->action_items->pdata[i], 1000);

		g_string_append_printf(out, "%s%u. %s", i > 0 ? "\n" : "", i + 1, item);
	}
	return g_string_free(out, FALSE);
}

static char *
elapsed(gint64 from, gint64 to, const char *otherwise)
{
	return to != 0 ? util_duration(to - from) : g_strdup(otherwise);
}

static char *
zone_name(const struct postmortem_input *in)
{
	g_autoptr(GDateTime) dt = local_time(in->now, in->tz);
	const char *id = in->tz != NULL ? g_time_zone_get_identifier(in->tz) : "UTC";

	if (*id == '+' || *id == '-')
		return zone_label(dt);
	return g_strdup(id);
}

static void
put(GHashTable *v, const char *name, char *value)
{
	g_hash_table_insert(v, (gpointer)name, value);
}

static char *
text_or_empty(const char *s)
{
	return s != NULL ? util_one_line(s, 1000) : g_strdup("");
}

GHashTable *
postmortem_vars(const struct postmortem_input *in)
{
	const struct incident *inc = in->inc;
	GHashTable *v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	gint64 meeting = 0;

	if (in->meeting != NULL && !postmortem_parse_meeting(in->meeting, in->tz, &meeting, NULL))
		meeting = 0;
	put(v, "id", g_strdup_printf("%" G_GINT64_FORMAT, inc->id));
	put(v, "title", text_or_empty(inc->title));
	put(v, "severity", incident_severity_label(inc));
	put(v, "status", g_strdup(incident_status_word(inc->status)));
	put(v, "commander", g_strdup(inc->commander != NULL ? inc->commander : "not assigned"));
	put(v, "impact", text_or_empty(inc->impact));
	put(v, "date", format_time(meeting != 0 ? meeting : in->now, in->tz, "%Y-%m-%d"));
	put(v, "meeting", meeting != 0 ? human_time(meeting, in->tz) : g_strdup(""));
	put(v, "declared", human_time(inc->created_at, in->tz));
	put(v, "resolved",
	    inc->resolved_at != 0 ? human_time(inc->resolved_at, in->tz)
	                          : g_strdup("not resolved"));
	put(v, "mtta", elapsed(inc->created_at, inc->acked_at, "not acknowledged"));
	put(v, "mttr", elapsed(inc->created_at, inc->resolved_at, "not resolved"));
	put(v, "timezone", zone_name(in));
	put(v, "attendees", attendee_lines(in));
	put(v, "timeline", postmortem_timeline(in));
	put(v, "root_cause", text_or_empty(inc->root_cause));
	put(v, "action_items", action_item_lines(inc));
	put(v, "name", text_or_empty(in->name));
	put(v, "address", text_or_empty(in->address));
	put(v, "unsubscribe", g_strdup(""));
	return v;
}

/* --- the meeting --- */

static GTimeZone *
offset_zone(const char *offset, GTimeZone *fallback)
{
	if (offset == NULL || *offset == '\0')
		return fallback != NULL ? g_time_zone_ref(fallback) : g_time_zone_new_utc();
	if (g_ascii_strcasecmp(offset, "Z") == 0 || g_ascii_strcasecmp(offset, "UTC") == 0)
		return g_time_zone_new_utc();
	return g_time_zone_new_identifier(offset); /* "+01:00", "+0100", "-05" */
}

gboolean
postmortem_parse_meeting(const char *text, GTimeZone *tz, gint64 *start, GError **err)
{
	g_autoptr(GRegex) re =
	    g_regex_new("^\\s*(\\d{4})-(\\d{2})-(\\d{2})[T ]\\s*(\\d{1,2}):(\\d{2})(?::(\\d{2}))?"
	                "\\s*(Z|UTC|[+-]\\d{2}(?::?\\d{2})?)?\\s*$",
	                G_REGEX_CASELESS, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	g_autoptr(GTimeZone) zone = NULL;
	g_autoptr(GDateTime) dt = NULL;
	int f[6] = {0};

	if (text == NULL || !g_regex_match(re, text, 0, &m)) {
		g_set_error(err, POSTMORTEM_ERROR, 0,
		            "the meeting time must look like 2026-12-01 15:00, optionally with an "
		            "offset such as +01:00 or Z");
		return FALSE;
	}
	for (int i = 0; i < 6; i++) {
		g_autofree char *s = g_match_info_fetch(m, i + 1);

		f[i] = s != NULL && *s != '\0' ? (int)g_ascii_strtoll(s, NULL, 10) : 0;
	}
	{
		g_autofree char *offset = g_match_info_fetch(m, 7);

		zone = offset_zone(offset, tz);
	}
	if (zone != NULL && f[3] < 24 && f[4] < 60 && f[5] < 60)
		dt = g_date_time_new(zone, f[0], f[1], f[2], f[3], f[4], f[5]);
	if (dt == NULL) {
		g_set_error(err, POSTMORTEM_ERROR, 0, "'%s' is not a valid date and time", text);
		return FALSE;
	}
	*start = g_date_time_to_unix(dt);
	return TRUE;
}

/* --- iCalendar --- */

/* RFC 5545 3.3.11 TEXT: backslash, semicolon and comma escaped, a line break written \n,
 * other control characters dropped. */
static char *
ics_text(const char *s)
{
	g_autofree char *valid = g_utf8_make_valid(s != NULL ? s : "", -1);
	GString *out = g_string_new(NULL);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\\' || c == ';' || c == ',') {
			g_string_append_c(out, '\\');
			g_string_append_c(out, (char)c);
		} else if (c == '\n' || (c == '\r' && p[1] != '\n')) {
			g_string_append(out, "\\n");
		} else if (c == '\t') {
			g_string_append_c(out, ' ');
		} else if (!g_unichar_iscntrl(c) && c != 0xFEFF) {
			g_string_append_unichar(out, c);
		}
	}
	return g_string_free(out, FALSE);
}

/* A parameter value (CN) is always quoted; a quoted string cannot hold DQUOTE or controls. */
static char *
ics_param(const char *s)
{
	g_autofree char *line = util_one_line(s, 200);

	g_strdelimit(line, "\"", '\'');
	return g_strdup_printf("\"%s\"", line);
}

/* An address usable in a mailto: URI without percent-encoding. */
static gboolean
ics_address_ok(const char *a)
{
	const char *at = a != NULL ? strchr(a, '@') : NULL;

	if (at == NULL || at == a || at[1] == '\0')
		return FALSE;
	for (const char *p = a; *p != '\0'; p++)
		if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || strchr("\"<>\\;:,()[]", *p) != NULL)
			return FALSE;
	return TRUE;
}

/* Appends one content line, folded so that no line exceeds 75 octets (CRLF excluded) and no
 * UTF-8 sequence is split: continuation lines start with a space. */
static void
ics_line(GString *out, const char *line)
{
	const char *p = line;
	gsize room = ICS_LINE_OCTETS;

	while (strlen(p) > room) {
		gsize cut = room;

		while (cut > 0 && ((guchar)p[cut] & 0xC0) == 0x80)
			cut--;
		g_string_append_len(out, p, cut);
		g_string_append(out, "\r\n ");
		p += cut;
		room = ICS_LINE_OCTETS - 1;
	}
	g_string_append(out, p);
	g_string_append(out, "\r\n");
}

static void
ics_prop(GString *out, const char *name, const char *value)
{
	g_autofree char *line = g_strconcat(name, ":", value, NULL);

	ics_line(out, line);
}

static char *
ics_utc(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

	return g_date_time_format(dt, "%Y%m%dT%H%M%SZ");
}

static char *
ics_description(const struct postmortem_input *in)
{
	g_autoptr(GHashTable) v = postmortem_vars(in);
	g_autofree char *text = g_strdup_printf(
	    "Post-mortem of INC-%" G_GINT64_FORMAT ": [%s] %s\n"
	    "Declared %s. Time to acknowledge: %s. Time to resolve: %s.\n"
	    "The timeline, root cause and action items are in the post-mortem mail.",
	    in->inc->id, (char *)g_hash_table_lookup(v, "severity"),
	    (char *)g_hash_table_lookup(v, "title"), (char *)g_hash_table_lookup(v, "declared"),
	    (char *)g_hash_table_lookup(v, "mtta"), (char *)g_hash_table_lookup(v, "mttr"));

	return ics_text(text);
}

static void
ics_people(GString *out, const struct postmortem_input *in)
{
	g_autoptr(GPtrArray) who = postmortem_attendees(in);
	g_autofree char *organizer = NULL;

	if (in->organizer_name != NULL && *in->organizer_name != '\0') {
		g_autofree char *cn = ics_param(in->organizer_name);

		organizer = g_strdup_printf("ORGANIZER;CN=%s:mailto:%s", cn, in->organizer);
	} else {
		organizer = g_strdup_printf("ORGANIZER:mailto:%s", in->organizer);
	}
	ics_line(out, organizer);
	for (guint i = 0; i < who->len; i++) {
		g_autofree char *cn = NULL, *line = NULL;

		if (!ics_address_ok(who->pdata[i]))
			continue;
		cn = ics_param(who->pdata[i]);
		line = g_strdup_printf("ATTENDEE;CN=%s;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
		                       "RSVP=TRUE:mailto:%s",
		                       cn, (char *)who->pdata[i]);
		ics_line(out, line);
	}
}

static gboolean
ics_check(const struct postmortem_input *in, const char *uid, gint64 *start, GError **err)
{
	if (in->meeting == NULL) {
		g_set_error(err, POSTMORTEM_ERROR, 0, "no meeting time was given");
		return FALSE;
	}
	if (!postmortem_parse_meeting(in->meeting, in->tz, start, err))
		return FALSE;
	if (uid == NULL || *uid == '\0' || strpbrk(uid, "\r\n") != NULL) {
		g_set_error(err, POSTMORTEM_ERROR, 0, "the invitation needs a one-line UID");
		return FALSE;
	}
	if (!ics_address_ok(in->organizer)) {
		g_set_error(err, POSTMORTEM_ERROR, 0,
		            "the organizer '%s' is not an address an invitation can name",
		            in->organizer != NULL ? in->organizer : "");
		return FALSE;
	}
	return TRUE;
}

char *
postmortem_ics(const struct postmortem_input *in, const char *uid, GError **err)
{
	gint64 start = 0;
	g_autofree char *esc_uid = NULL, *stamp = NULL, *dtstart = NULL, *dtend = NULL;
	g_autofree char *summary = NULL, *title = NULL, *sev = NULL, *description = NULL;
	GString *out;

	if (!ics_check(in, uid, &start, err))
		return NULL;
	esc_uid = ics_text(uid);
	stamp = ics_utc(in->now);
	dtstart = ics_utc(start);
	dtend = ics_utc(start + MEETING_SECONDS);
	sev = incident_severity_label(in->inc);
	title = util_one_line(in->inc->title, 500);
	{
		g_autofree char *s = g_strdup_printf("Post-mortem for [%s] %s", sev, title);

		summary = ics_text(s);
	}
	description = ics_description(in);
	out = g_string_new(NULL);
	ics_line(out, "BEGIN:VCALENDAR");
	ics_line(out, "VERSION:2.0");
	ics_line(out, "PRODID:-//sevmail//EN");
	ics_line(out, "METHOD:REQUEST");
	ics_line(out, "CALSCALE:GREGORIAN");
	ics_line(out, "BEGIN:VEVENT");
	ics_prop(out, "UID", esc_uid);
	ics_prop(out, "DTSTAMP", stamp);
	ics_prop(out, "DTSTART", dtstart);
	ics_prop(out, "DTEND", dtend);
	ics_prop(out, "SUMMARY", summary);
	ics_prop(out, "DESCRIPTION", description);
	ics_people(out, in);
	ics_line(out, "SEQUENCE:0");
	ics_line(out, "STATUS:CONFIRMED");
	ics_line(out, "TRANSP:OPAQUE");
	ics_line(out, "END:VEVENT");
	ics_line(out, "END:VCALENDAR");
	return g_string_free(out, FALSE);
}
