/*
 * postmortem: the spec's post-mortem (title, date, attendees, timeline, root cause, action
 * items) from an incident and its events, and what the invitation to its meeting says (ical.c
 * writes it).
 */
#include "postmortem.h"

#include "ical.h"
#include "util.h"
#include <string.h>

G_DEFINE_QUARK(sevmail_postmortem_error, postmortem_error)
#define ACTOR_COLUMN_MAX 40
#define MEETING_SECONDS 3600

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

/* --- the invitation (written by ical.c) --- */

static char *
meeting_description(const struct postmortem_input *in)
{
	g_autoptr(GHashTable) v = postmortem_vars(in);

	return g_strdup_printf(
	    "Post-mortem of INC-%" G_GINT64_FORMAT ": [%s] %s\n"
	    "Declared %s. Time to acknowledge: %s. Time to resolve: %s.\n"
	    "The timeline, root cause and action items are in the post-mortem mail.",
	    in->inc->id, (char *)g_hash_table_lookup(v, "severity"),
	    (char *)g_hash_table_lookup(v, "title"), (char *)g_hash_table_lookup(v, "declared"),
	    (char *)g_hash_table_lookup(v, "mtta"), (char *)g_hash_table_lookup(v, "mttr"));
}

char *
postmortem_ics(const struct postmortem_input *in, const char *uid, GError **err)
{
	gint64 start = 0;
	g_autoptr(GPtrArray) attendees = NULL;
	g_autofree char *sev = NULL, *title = NULL, *summary = NULL, *description = NULL;
	struct ical_meeting m = {.uid = uid,
	                         .stamp = in->now,
	                         .organizer = in->organizer,
	                         .organizer_name = in->organizer_name};

	if (in->meeting == NULL) {
		g_set_error(err, POSTMORTEM_ERROR, 0, "no meeting time was given");
		return NULL;
	}
	if (!postmortem_parse_meeting(in->meeting, in->tz, &start, err))
		return NULL;
	sev = incident_severity_label(in->inc);
	title = util_one_line(in->inc->title, 500);
	summary = g_strdup_printf("Post-mortem for [%s] %s", sev, title);
	description = meeting_description(in);
	attendees = postmortem_attendees(in);
	m.start = start;
	m.end = start + MEETING_SECONDS;
	m.summary = summary;
	m.description = description;
	m.attendees = attendees;
	return ical_meeting_request(&m, err);
}
