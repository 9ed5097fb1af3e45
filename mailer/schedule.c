/*
 * schedule: the rotation arithmetic behind on-call schedules. Time zones, DST and calendar
 * days are GLib's (GTimeZone, GDateTime): no offset or transition rule is written here.
 */
#include "schedule.h"

#include "util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(sevmail_schedule_error, schedule_error)

/* GDateTime covers the years 1 to 9999; a day's margin keeps every zone's local time inside. */
#define T_MIN (-62135596800LL + 86400)
#define T_MAX (253402300799LL - 86400)

void
schedule_free(struct schedule *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	if (s->tz != NULL)
		g_time_zone_unref(s->tz);
	g_strfreev(s->rotation);
	if (s->start != NULL)
		g_date_time_unref(s->start);
	g_free(s);
}

static GTimeZone *
parse_zone(const char *id, GError **error)
{
	GTimeZone *tz;

	/* g_time_zone_new_identifier(NULL) would be the machine's zone: the default is UTC */
	if (id == NULL || *id == '\0')
		id = "UTC";
	tz = g_time_zone_new_identifier(id);
	if (tz == NULL)
		g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_TIME_ZONE,
		            "time_zone: unknown time zone \"%s\"; use an IANA name such as "
		            "Europe/Berlin, America/New_York or UTC",
		            id);
	return tz;
}

static char **
parse_rotation(const char *csv, GError **error)
{
	g_auto(GStrv) items = g_strsplit(csv != NULL ? csv : "", ",", -1);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; items[i] != NULL; i++) {
		char *address = util_address(items[i]);

		g_ptr_array_add(out, address);
		if (!util_address_valid(address)) {
			g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_ROTATION,
			            *address == '\0' && items[1] == NULL
			                ? "rotation: nobody is in it; list the addresses on call "
			                  "in turn, separated by commas"
			                : "rotation: \"%s\" is not a plain address (person %u); "
			                  "list the addresses on call in turn, separated by commas",
			            g_strstrip(items[i]), i + 1);
			return NULL;
		}
	}
	if (out->len == 0) {
		g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_ROTATION,
		            "rotation: nobody is in it; list the addresses on call in turn, "
		            "separated by commas");
		return NULL;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

/* "YYYY-MM-DD HH:MM", digits exactly where they belong. */
static gboolean
start_shape_ok(const char *text)
{
	static const char shape[] = "dddd-dd-dd dd:dd";

	if (text == NULL || strlen(text) != sizeof(shape) - 1)
		return FALSE;
	for (size_t i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !g_ascii_isdigit(text[i]) : text[i] != shape[i])
			return FALSE;
	return TRUE;
}

/* text ("YYYY-MM-DD HH:MM") as a local time in tz, or NULL: *skipped says whether the
 * date and time exist but the clocks skip them. A time they pass twice is the later one. */
static GDateTime *
local_time(const char *text, GTimeZone *tz, gboolean *skipped)
{
	int y, mo, d, h, mi;
	GDateTime *dt = NULL;

	*skipped = FALSE;
	if (start_shape_ok(text) && sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5)
		dt = g_date_time_new(tz, y, mo, d, h, mi, 0);
	/* GLib moves a time the clocks skip to the end of the gap; say so instead */
	if (dt != NULL && (g_date_time_get_hour(dt) != h || g_date_time_get_minute(dt) != mi)) {
		*skipped = TRUE;
		g_clear_pointer(&dt, g_date_time_unref);
	}
	return dt;
}

static GDateTime *
parse_start(const char *text, GTimeZone *tz, GError **error)
{
	gboolean skipped;
	GDateTime *dt = local_time(text, tz, &skipped);

	if (skipped)
		g_set_error(
		    error, SCHEDULE_ERROR, SCHEDULE_ERROR_START,
		    "start: %s does not exist in %s (the clocks skip it); pick another time", text,
		    g_time_zone_get_identifier(tz));
	else if (dt == NULL)
		g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_START,
		            "start: \"%s\" is not a local date and time like 2026-11-30 09:00",
		            text != NULL ? text : "");
	return dt;
}

gboolean
schedule_parse_local(const struct schedule *s, const char *text, gint64 *t, GError **error)
{
	gboolean skipped;
	g_autoptr(GDateTime) dt = local_time(text, s->tz, &skipped);

	if (skipped)
		g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_SKIPPED,
		            "%s does not exist in %s (the clocks skip it); pick another time", text,
		            g_time_zone_get_identifier(s->tz));
	else if (dt == NULL)
		g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_LOCAL_TIME,
		            "\"%s\" is not a local date and time like 2026-12-03 18:00",
		            text != NULL ? text : "");
	if (dt == NULL)
		return FALSE;
	*t = g_date_time_to_unix(dt);
	return TRUE;
}

static gboolean
parse_shift(const char *text, int *count, char *unit, GError **error)
{
	size_t len = text != NULL ? strlen(text) : 0;
	size_t digits = len > 0 ? strspn(text, "0123456789") : 0;

	if (len >= 2 && digits == len - 1 && digits <= 3 && strchr("hdw", text[len - 1])) {
		*count = atoi(text);
		*unit = text[len - 1];
		if (*count >= 1)
			return TRUE;
	}
	g_set_error(error, SCHEDULE_ERROR, SCHEDULE_ERROR_SHIFT,
	            "shift: \"%s\" is not a shift length; write N followed by h (hours), d (days) "
	            "or w (weeks), N from 1 to 999, such as 12h, 1d or 1w",
	            text != NULL ? text : "");
	return FALSE;
}

struct schedule *
schedule_new_parse(const char *name, const char *time_zone, const char *rotation_csv,
                   const char *start, const char *shift, GError **error)
{
	g_autoptr(schedule) s = g_new0(struct schedule, 1);

	s->name = g_strdup(name);
	if ((s->tz = parse_zone(time_zone, error)) == NULL ||
	    (s->rotation = parse_rotation(rotation_csv, error)) == NULL ||
	    (s->start = parse_start(start, s->tz, error)) == NULL ||
	    !parse_shift(shift, &s->shift_count, &s->shift_unit, error))
		return NULL;
	s->n_rotation = g_strv_length(s->rotation);
	return g_steal_pointer(&s);
}

/* The nominal length of a shift in seconds; DST makes a day or week shift an hour off. */
static gint64
shift_seconds(const struct schedule *s)
{
	gint64 hours = s->shift_unit == 'w' ? 7 * 24 : s->shift_unit == 'd' ? 24 : 1;

	return s->shift_count * hours * 3600;
}

/* Unix time when shift k starts. Day and week shifts add calendar days to the local start,
 * so a 09:00 handoff stays at 09:00 across DST; hour shifts add real hours. Beyond GLib's
 * years 1 to 9999: G_MININT64 or G_MAXINT64, which ends every search below. */
static gint64
shift_start(const struct schedule *s, gint64 k)
{
	gint64 days = k * s->shift_count * (s->shift_unit == 'w' ? 7 : 1);
	g_autoptr(GDateTime) dt = NULL;

	if (s->shift_unit == 'h')
		return g_date_time_to_unix(s->start) + k * shift_seconds(s);
	if (days > -4000000 && days < 4000000) /* 10,000 years: gint and GDateTime's range */
		dt = g_date_time_add_days(s->start, (gint)days);
	if (dt == NULL)
		return k < 0 ? G_MININT64 : G_MAXINT64;
	return g_date_time_to_unix(dt);
}

static gint64
floor_div(gint64 a, gint64 b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The k with shift_start(k) <= t < shift_start(k + 1). The estimate from the elapsed seconds
 * is off by DST's hour at most, so the corrections take a step or two, not one per shift. */
static gint64
shift_index(const struct schedule *s, gint64 t)
{
	gint64 k = floor_div(t - g_date_time_to_unix(s->start), shift_seconds(s));

	while (shift_start(s, k) > t)
		k--;
	while (shift_start(s, k + 1) <= t)
		k++;
	return k;
}

static const struct schedule_override *
override_of(const struct schedule *s, GPtrArray *overrides, guint i)
{
	const struct schedule_override *o = overrides->pdata[i];

	if (o->from >= o->until || g_strcmp0(o->schedule, s->name) != 0)
		return NULL;
	return o;
}

/* Index of the override on call at t: the highest id covering t, the later one in the
 * array between equal ids; -1 when the rotation is. */
static int
override_at(const struct schedule *s, GPtrArray *overrides, gint64 t)
{
	int best = -1;

	for (guint i = 0; overrides != NULL && i < overrides->len; i++) {
		const struct schedule_override *o = override_of(s, overrides, i);
		const struct schedule_override *b = best < 0 ? NULL : overrides->pdata[best];

		if (o != NULL && o->from <= t && t < o->until && (b == NULL || o->id >= b->id))
			best = (int)i;
	}
	return best;
}

/* A stretch with one source: one override, or one shift that no override covers. */
struct segment {
	const char *person;
	gboolean rotation; /* from the rotation rather than an override */
	gint64 from, until;
};

static gboolean
beats(const struct schedule_override *a, guint ia, const struct schedule_override *b, guint ib)
{
	return a->id > b->id || (a->id == b->id && ia > ib);
}

/* The segment holding t. It is cut where an override that would win starts or ends (any
 * override, in a shift; only later ones, in an override). */
static void
segment_at(const struct schedule *s, GPtrArray *overrides, gint64 t, struct segment *seg)
{
	int w = override_at(s, overrides, t);
	const struct schedule_override *wo = w >= 0 ? overrides->pdata[w] : NULL;
	gint64 k = wo == NULL ? shift_index(s, t) : 0;

	seg->rotation = wo == NULL;
	seg->person = wo != NULL ? wo->person
	                         : s->rotation[(k % s->n_rotation + s->n_rotation) % s->n_rotation];
	seg->from = wo != NULL ? wo->from : shift_start(s, k);
	seg->until = wo != NULL ? wo->until : shift_start(s, k + 1);
	for (guint i = 0; overrides != NULL && i < overrides->len; i++) {
		const struct schedule_override *o = override_of(s, overrides, i);

		if (o == NULL || (int)i == w || (wo != NULL && !beats(o, i, wo, (guint)w)))
			continue;
		/* o does not cover t, or it would be the winner */
		if (o->until <= t && o->until > seg->from)
			seg->from = o->until;
		if (o->from > t && o->from < seg->until)
			seg->until = o->from;
	}
}

/* TRUE when every shift of the rotation is person's: then only an override changes who is
 * on call, and the walks below jump to the next override boundary instead of every shift. */
static gboolean
rotation_all(const struct schedule *s, const char *person)
{
	for (guint i = 0; i < s->n_rotation; i++)
		if (g_ascii_strcasecmp(s->rotation[i], person) != 0)
			return FALSE;
	return TRUE;
}

/* The first override boundary at or after t (after = TRUE), or the last one at or before t;
 * G_MAXINT64 / G_MININT64 when there is none. */
static gint64
override_boundary(const struct schedule *s, GPtrArray *overrides, gint64 t, gboolean after)
{
	gint64 best = after ? G_MAXINT64 : G_MININT64;

	for (guint i = 0; overrides != NULL && i < overrides->len; i++) {
		const struct schedule_override *o = override_of(s, overrides, i);
		gint64 ends[2] = {o != NULL ? o->from : best, o != NULL ? o->until : best};

		for (int j = 0; j < 2; j++)
			if (after ? ends[j] >= t && ends[j] < best : ends[j] <= t && ends[j] > best)
				best = ends[j];
	}
	return best;
}

/* Where the person of seg stops being on call: segment after segment, each ending at a
 * shift or override boundary, so the walk is short unless the rotation never changes. */
static gint64
stretch_until(const struct schedule *s, GPtrArray *overrides, const struct segment *seg)
{
	struct segment cur = *seg;
	gint64 end = seg->until;

	while (end <= T_MAX) {
		if (cur.rotation && rotation_all(s, seg->person))
			end = override_boundary(s, overrides, end, TRUE);
		if (end > T_MAX)
			break;
		segment_at(s, overrides, end, &cur);
		if (g_ascii_strcasecmp(cur.person, seg->person) != 0)
			return end;
		end = cur.until;
	}
	return G_MAXINT64;
}

/* The same walk backwards: since when the person of seg has been on call. */
static gint64
stretch_since(const struct schedule *s, GPtrArray *overrides, const struct segment *seg)
{
	struct segment cur = *seg;
	gint64 from = seg->from;

	while (from > T_MIN) {
		if (cur.rotation && rotation_all(s, seg->person))
			from = override_boundary(s, overrides, from, FALSE);
		if (from <= T_MIN)
			break;
		segment_at(s, overrides, from - 1, &cur);
		if (g_ascii_strcasecmp(cur.person, seg->person) != 0)
			return from;
		from = cur.from;
	}
	return G_MININT64;
}

const char *
schedule_oncall(const struct schedule *s, GPtrArray *overrides, gint64 t, gint64 *since,
                gint64 *until)
{
	struct segment seg;

	segment_at(s, overrides, CLAMP(t, T_MIN, T_MAX), &seg);
	if (since != NULL)
		*since = stretch_since(s, overrides, &seg);
	if (until != NULL)
		*until = stretch_until(s, overrides, &seg);
	return seg.person;
}

gint64
schedule_next_change(const struct schedule *s, GPtrArray *overrides, gint64 t)
{
	gint64 until;

	schedule_oncall(s, overrides, t, NULL, &until);
	return until;
}

char *
schedule_format_local(const struct schedule *s, gint64 t)
{
	g_autoptr(GDateTime) utc = NULL;
	g_autoptr(GDateTime) local = NULL;

	if (t < T_MIN || t > T_MAX)
		return g_strdup("-");
	utc = g_date_time_new_from_unix_utc(t);
	local = g_date_time_to_timezone(utc, s->tz);
	return g_date_time_format(local, "%Y-%m-%d %H:%M %Z");
}

void
schedule_override_free(struct schedule_override *o)
{
	if (o == NULL)
		return;
	g_free(o->schedule);
	g_free(o->person);
	g_free(o);
}

GArray *
schedule_displaced(const struct schedule *s, GPtrArray *overrides,
                   const struct schedule_override *o)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct schedule_stretch));
	g_autoptr(GPtrArray) others = g_ptr_array_new();
	gint64 t = MAX(o->from, T_MIN), end = MIN(o->until, T_MAX);

	/* o among the overrides (stored already) would displace only itself */
	for (guint i = 0; overrides != NULL && i < overrides->len; i++) {
		const struct schedule_override *x = overrides->pdata[i];

		if (x != o && !(o->id != 0 && x->id == o->id))
			g_ptr_array_add(others, overrides->pdata[i]);
	}
	while (t < end) {
		gint64 until;
		struct schedule_stretch st = {schedule_oncall(s, others, t, NULL, &until), t, 0};

		st.until = until > t ? MIN(until, end) : end; /* never a step back */
		if (g_ascii_strcasecmp(st.person, o->person) != 0)
			g_array_append_val(out, st);
		t = st.until;
	}
	return out;
}
