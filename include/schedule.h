/*
 * schedule: who is on call for an on-call schedule at a given time (DESIGN.md, "Teams,
 * schedules and escalation policies"). Pure: the rotation, its time zone and the overrides
 * in, a person and an interval out; every function takes the time.
 */
#ifndef SEVMAIL_SCHEDULE_H
#define SEVMAIL_SCHEDULE_H

#include <glib.h>

/* Error domain of a [schedule:NAME] section that cannot be used; the code names the key. */
#define SCHEDULE_ERROR (schedule_error_quark())
GQuark schedule_error_quark(void);

enum schedule_error {
	SCHEDULE_ERROR_TIME_ZONE, /* time_zone is not a zone GLib knows */
	SCHEDULE_ERROR_ROTATION,  /* rotation is empty or holds something not an address */
	SCHEDULE_ERROR_START,     /* start is not an existing "YYYY-MM-DD HH:MM" in the zone */
	SCHEDULE_ERROR_SHIFT,     /* shift is not Nh, Nd or Nw with N from 1 to 999 */
	/* schedule_parse_local: */
	SCHEDULE_ERROR_LOCAL_TIME, /* not "YYYY-MM-DD HH:MM" of a real date and time */
	SCHEDULE_ERROR_SKIPPED,    /* a local time the clocks skip (a DST gap) */
};

struct schedule {
	char *name;
	GTimeZone *tz;    /* handoffs follow this zone's wall clock */
	char **rotation;  /* lower-case addresses, NULL-terminated, at least one */
	guint n_rotation; /* g_strv_length(rotation) */
	GDateTime *start; /* in tz: when rotation[0]'s first shift begins */
	int shift_count;  /* 1..999 */
	char shift_unit;  /* 'h' real hours; 'd', 'w' calendar days in tz (DST-proof) */
};

/* A stretch of time where person is on call for a schedule instead of the rotation. */
struct schedule_override {
	gint64 id;      /* the higher id (added later) wins where overrides overlap */
	char *schedule; /* the schedule's name; overrides of other schedules are ignored */
	char *person;   /* an address */
	gint64 from;    /* unix time, inclusive */
	gint64 until;   /* unix time, exclusive; an override with until <= from is ignored */
};
void schedule_override_free(struct schedule_override *o);

/* A stretch [from, until) of one person on call. */
struct schedule_stretch {
	const char *person; /* points into the schedule or the overrides it was found in */
	gint64 from, until;
};

/* The schedule of a [schedule:NAME] section from its values as written: time_zone (an IANA
 * name, NULL or "" for UTC), rotation ("a@x, b@x"), start ("2026-11-30 09:00", local time;
 * a time that the clocks skip is refused, one they pass twice is the later, standard-time
 * one) and shift ("1w"). NULL with error set to a sentence naming the key otherwise.
 * Caller frees with schedule_free (or g_autoptr(schedule)). */
struct schedule *schedule_new_parse(const char *name, const char *time_zone,
                                    const char *rotation_csv, const char *start, const char *shift,
                                    GError **error);
void schedule_free(struct schedule *s);
typedef struct schedule schedule; /* for g_autoptr(schedule) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(schedule, schedule_free)

/* Who is on call for s at unix time t: the winning override covering t (overrides is a
 * GPtrArray of struct schedule_override *, of any schedules, or NULL), else
 * rotation[k mod n] where shift k starts at start + k·shift in local wall-clock time. Before
 * start the rotation runs backwards the same way (k < 0), so someone is always on call.
 * Shift starts that fall in a DST gap move to the end of the gap; in a DST fold they keep
 * start's side (GLib's g_date_time_add_days).
 * since and until (either may be NULL) receive [since, until): the whole stretch around t
 * during which that same person is on call, across shifts and overrides; G_MININT64 /
 * G_MAXINT64 when the person never changes (one person, no overrides in the way).
 * The result points into s or into overrides. t is clamped to the years 1 to 9999. */
const char *schedule_oncall(const struct schedule *s, GPtrArray *overrides, gint64 t, gint64 *since,
                            gint64 *until);

/* The first time after t at which someone else is on call (a handoff notice is due), or
 * G_MAXINT64 when that never happens. */
gint64 schedule_next_change(const struct schedule *s, GPtrArray *overrides, gint64 t);

/* Whom the new override o displaces: the stretches of [o->from, o->until) during which
 * someone other than o->person would be on call for s without o (the rotation and the
 * overrides given; o itself, or an override with its id, is left out of them), in time
 * order, each clipped to o's. Empty when o->person is on call then anyway. A GArray of
 * struct schedule_stretch pointing into s and overrides; caller frees. */
GArray *schedule_displaced(const struct schedule *s, GPtrArray *overrides,
                           const struct schedule_override *o);

/* text, "YYYY-MM-DD HH:MM" in the schedule's zone, as unix time in *t. FALSE with error
 * (SCHEDULE_ERROR_LOCAL_TIME or _SKIPPED, a sentence) for another shape, a date that
 * does not exist or a time the clocks skip; one they pass twice is the later one. */
gboolean schedule_parse_local(const struct schedule *s, const char *text, gint64 *t,
                              GError **error);

/* t as local time in the schedule's zone for mails: "2026-03-29 09:00 CEST". "-" for a time
 * outside the years 1 to 9999 (such as the G_MAXINT64 of "never"). Caller frees. */
char *schedule_format_local(const struct schedule *s, gint64 t);

#endif
