/*
 * team: escalation policies computed from the clock, so that a restart loses no step: step
 * n of the ladder is due at ladder_at + round·(n / steps) + delay(n % steps), whatever
 * happened before.
 */
#include "team.h"

#include "schedule.h"

#include <string.h>

const struct schedule *
team_schedule(const struct config *cfg, const char *name)
{
	for (guint i = 0; name != NULL && i < cfg->schedules->len; i++) {
		const struct schedule *s = cfg->schedules->pdata[i];

		if (g_ascii_strcasecmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void
add_once(GPtrArray *out, const char *address)
{
	for (guint i = 0; i < out->len; i++)
		if (g_ascii_strcasecmp(out->pdata[i], address) == 0)
			return;
	g_ptr_array_add(out, (gpointer)address);
}

static void
add_commanders(const struct config *cfg, GPtrArray *out)
{
	for (guint i = 0; i < cfg->responders->len; i++) {
		const struct responder *r = cfg->responders->pdata[i];

		if (r->roles & ROLE_COMMANDER)
			add_once(out, r->address);
	}
}

GPtrArray *
team_people(const struct config *cfg, const struct team *t)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < t->steps->len; i++) {
		const struct team_step *st = t->steps->pdata[i];
		const struct schedule *s =
		    st->target == TARGET_SCHEDULE ? team_schedule(cfg, st->name) : NULL;

		for (guint k = 0; s != NULL && k < s->n_rotation; k++)
			add_once(out, s->rotation[k]);
		if (st->target == TARGET_ADDRESS)
			add_once(out, st->name);
		if (st->target == TARGET_COMMANDERS)
			add_commanders(cfg, out);
	}
	return out;
}

GPtrArray *
team_step_people(const struct config *cfg, const struct team *t, guint i, GPtrArray *overrides,
                 gint64 t_at)
{
	const struct team_step *st = t->steps->pdata[i % t->steps->len];
	const struct schedule *s = NULL;
	GPtrArray *out;

	switch (st->target) {
	case TARGET_SCHEDULE:
		out = g_ptr_array_new();
		if ((s = team_schedule(cfg, st->name)) != NULL)
			add_once(out, schedule_oncall(s, overrides, t_at, NULL, NULL));
		return out;
	case TARGET_ADDRESS:
		out = g_ptr_array_new();
		add_once(out, st->name);
		return out;
	case TARGET_COMMANDERS:
		out = g_ptr_array_new();
		add_commanders(cfg, out);
		return out;
	case TARGET_TEAM:
		break;
	}
	return team_people(cfg, t);
}

guint
team_ladder_length(const struct team *t)
{
	return (guint)(t->repeat + 1) * t->steps->len;
}

gint64
team_step_due(const struct team *t, guint n, gint64 ladder_at)
{
	const struct team_step *st = t->steps->pdata[n % t->steps->len];

	return ladder_at + (gint64)t->round * (n / t->steps->len) + st->delay;
}

/* Local day of the week (0 Monday) and minute of the day of t_at in the team's zone. */
static void
local_clock(const struct team *t, gint64 t_at, int *weekday, int *minute)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t_at);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, t->tz);

	*weekday = g_date_time_get_day_of_week(local) - 1;
	*minute = g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local);
}

gboolean
team_business_hours(const struct team *t, gint64 t_at)
{
	int day, minute;

	local_clock(t, t_at, &day, &minute);
	return (t->business_days & (1u << day)) != 0 && minute >= t->business_start &&
	       minute < t->business_end;
}

/* The first minute after `after`, from `from` on and within four hours, that is in
 * business hours, or 0. Where the clocks change, the local start of business is not always
 * one instant: it may be skipped (business begins when the clocks have moved on) or come
 * twice (it begins the first time); team_business_hours, which the timers ask, decides. */
static gint64
first_business_minute(const struct team *t, gint64 from, gint64 after)
{
	gint64 at = MAX(from, after + 1);

	for (at += (60 - at % 60) % 60; at < from + 4 * 3600; at += 60)
		if (team_business_hours(t, at))
			return at;
	return 0;
}

gint64
team_business_start(const struct team *t, gint64 t_at)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t_at);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, t->tz);

	if (team_business_hours(t, t_at))
		return t_at;
	/* the start of business on this or one of the next 8 local days (a week, and the
	 * day the clocks skipped a week's only hours) */
	for (int d = 0; d <= 8; d++) {
		g_autoptr(GDateTime) day = g_date_time_add_days(local, d);
		g_autoptr(GDateTime) start =
		    g_date_time_new(t->tz, g_date_time_get_year(day), g_date_time_get_month(day),
		                    g_date_time_get_day_of_month(day), t->business_start / 60,
		                    t->business_start % 60, 0);
		gint64 at =
		    start != NULL
		        ? first_business_minute(t, g_date_time_to_unix(start) - 2 * 3600, t_at)
		        : 0;

		if (at != 0)
			return at;
	}
	return t_at; /* no business day at all cannot be configured; page now */
}

gboolean
team_defers(const struct team *t, int severity, gint64 t_at)
{
	return t != NULL && severity >= 1 && severity <= 3 &&
	       (t->low_urgency & (1u << severity)) != 0 && !team_business_hours(t, t_at);
}

const struct team *
team_of_person(const struct config *cfg, const char *address)
{
	for (guint i = 0; address != NULL && i < cfg->teams->len; i++) {
		const struct team *t = cfg->teams->pdata[i];
		g_autoptr(GPtrArray) people = team_people(cfg, t);

		for (guint k = 0; k < people->len; k++)
			if (g_ascii_strcasecmp(people->pdata[k], address) == 0)
				return t;
	}
	return NULL;
}

const char *
team_name(const struct team *t)
{
	return t != NULL ? t->name : "default";
}

const struct team *
team_find(const struct config *cfg, const char *name)
{
	for (guint i = 0; name != NULL && i < cfg->teams->len; i++) {
		const struct team *t = cfg->teams->pdata[i];

		if (g_ascii_strcasecmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}
