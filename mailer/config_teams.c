/*
 * config_teams: the [team:NAME] sections (DESIGN.md, "Teams, schedules and escalation
 * policies"): escalation steps, rounds, the routing match, low urgency and business hours.
 * Steps may name schedules defined further down the file, so they are checked once every
 * section is read (config_finish_teams).
 */
#include "config_sections.h"
#include "match.h"
#include "schedule.h"
#include "team.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static void
step_free(gpointer p)
{
	struct team_step *st = p;

	g_free(st->name);
	g_free(st);
}

void
config_team_free(struct team *t)
{
	if (t == NULL)
		return;
	g_free(t->name);
	g_ptr_array_unref(t->steps);
	match_free(t->match);
	if (t->tz != NULL)
		g_time_zone_unref(t->tz);
	g_free(t);
}

/* "[DELAY] TARGET": TARGET schedule:NAME, commanders, team or an address. */
static int
parse_step(struct config *c, const char *group, const char *text, struct team_step *st,
           GError **err)
{
	g_auto(GStrv) words = g_strsplit_set(g_strstrip((char *)text), " \t", -1);
	guint n = 0;
	const char *target;
	gint64 delay = 0;

	for (char **w = words; *w != NULL; w++)
		if (**w != '\0')
			words[n++] = *w;
	if (n == 0 || n > 2 || (n == 2 && !util_parse_duration(words[0], &delay)))
		return config_bad(err, c, group, "escalation",
		                  "\"%s\" is not a step: write [DELAY] TARGET, for example \"10m "
		                  "schedule:payments-secondary\"",
		                  text);
	target = words[n - 1];
	st->delay = (int)delay;
	if (g_ascii_strncasecmp(target, "schedule:", 9) == 0 && target[9] != '\0') {
		st->target = TARGET_SCHEDULE;
		st->name = g_ascii_strdown(target + 9, -1);
	} else if (g_ascii_strcasecmp(target, "commanders") == 0) {
		st->target = TARGET_COMMANDERS;
	} else if (g_ascii_strcasecmp(target, "team") == 0) {
		st->target = TARGET_TEAM;
	} else if (util_address_valid(target)) {
		st->target = TARGET_ADDRESS;
		st->name = util_address(target);
	} else {
		return config_bad(
		    err, c, group, "escalation",
		    "\"%s\" is no target: write schedule:NAME, an address, commanders "
		    "or team",
		    target);
	}
	return 0;
}

static int
parse_steps(struct config *c, const char *group, const char *value, struct team *t, GError **err)
{
	g_auto(GStrv) steps = g_strsplit(value != NULL ? value : "", ",", -1);

	for (char **s = steps; *s != NULL; s++) {
		struct team_step *st = g_new0(struct team_step, 1);
		struct team_step *prev =
		    t->steps->len > 0 ? t->steps->pdata[t->steps->len - 1] : NULL;

		g_ptr_array_add(t->steps, st);
		if (parse_step(c, group, *s, st, err) != 0)
			return -1;
		if (prev == NULL && st->delay != 0)
			return config_bad(err, c, group, "escalation",
			                  "the first step has no delay: it is the page at the "
			                  "declaration");
		if (prev != NULL && st->delay <= prev->delay)
			return config_bad(err, c, group, "escalation",
			                  "\"%s\": every step after the first needs a delay longer "
			                  "than the step before it",
			                  g_strstrip(*s));
	}
	if (t->steps->len == 0)
		return config_bad(err, c, group, "escalation", "is required (at least one step)");
	return 0;
}

/* "1,2" or "3": a set of severities. */
static int
parse_severities(struct config *c, const char *group, const char *value, unsigned *out,
                 GError **err)
{
	g_auto(GStrv) items = config_split_list(value);

	*out = 0;
	for (char **i = items; *i != NULL; i++) {
		if (strlen(*i) != 1 || **i < '1' || **i > '3')
			return config_bad(err, c, group, "low_urgency",
			                  "\"%s\" is no severity (1, 2 or 3)", *i);
		*out |= 1u << (**i - '0');
	}
	return 0;
}

static int
day_index(const char *word)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

	for (int i = 0; i < 7; i++)
		if (g_ascii_strncasecmp(word, days[i], 3) == 0 && strlen(word) == 3)
			return i;
	return -1;
}

/* "mon-fri" or "mon,wed,sat" into a bit set. */
static gboolean
parse_days(const char *text, unsigned *days)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);

	*days = 0;
	for (char **p = parts; *p != NULL; p++) {
		g_auto(GStrv) range = g_strsplit(*p, "-", 2);
		int from = day_index(range[0]);
		int to = range[1] != NULL ? day_index(range[1]) : from;

		if (from < 0 || to < 0)
			return FALSE;
		for (int d = from;; d = (d + 1) % 7) {
			*days |= 1u << d;
			if (d == to)
				break;
		}
	}
	return *days != 0;
}

/* "mon-fri 09:00-18:00". */
static int
parse_hours(struct config *c, const char *group, const char *value, struct team *t, GError **err)
{
	g_autofree char *v = g_strstrip(g_strdup(value));
	char *space = strchr(v, ' ');
	int h1, m1, h2, m2, used = 0;

	if (space == NULL || !parse_days((*space = '\0', v), &t->business_days) ||
	    sscanf(g_strstrip(space + 1), "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &used) != 4 ||
	    space[1 + used] != '\0' || h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 ||
	    m1 > 59 || m2 < 0 || m2 > 59 || h1 * 60 + m1 >= h2 * 60 + m2 || h2 * 60 + m2 > 1440)
		return config_bad(err, c, group, "business_hours",
		                  "\"%s\" is not DAYS HH:MM-HH:MM, for example \"mon-fri "
		                  "09:00-18:00\"",
		                  value);
	t->business_start = h1 * 60 + m1;
	t->business_end = h2 * 60 + m2;
	return 0;
}

static int
team_keys_known(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	static const char *const known[] = {"escalation",  "repeat",         "round", "match",
	                                    "low_urgency", "business_hours", NULL};
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

	for (char **n = names; n != NULL && *n != NULL; n++)
		if (!g_strv_contains(known, *n))
			return config_bad(
			    err, c, group, *n,
			    "unknown key (teams have escalation, repeat, round, match, "
			    "low_urgency, business_hours)");
	return 0;
}

static int
team_numbers(struct config *c, GKeyFile *kf, const char *group, struct team *t, GError **err)
{
	g_autofree char *repeat = g_key_file_get_value(kf, group, "repeat", NULL);
	g_autofree char *round = g_key_file_get_value(kf, group, "round", NULL);
	const struct team_step *last = t->steps->pdata[t->steps->len - 1];
	gint64 n = 1, seconds = last->delay + 600;
	char *end = NULL;

	if (repeat != NULL &&
	    ((n = g_ascii_strtoll(g_strstrip(repeat), &end, 10)) < 0 || n > 20 || *end != '\0'))
		return config_bad(err, c, group, "repeat", "\"%s\" is not a number from 0 to 20",
		                  repeat);
	if (round != NULL && !util_parse_duration(round, &seconds))
		return config_bad(err, c, group, "round", "\"%s\" is not a duration such as 40m",
		                  round);
	if (seconds <= last->delay) {
		g_autofree char *delay = util_duration(last->delay);

		return config_bad(err, c, group, "round",
		                  "must be longer than the last step's delay (%s)", delay);
	}
	t->repeat = (int)n;
	t->round = (int)seconds;
	return 0;
}

static int
team_options(struct config *c, GKeyFile *kf, const char *group, struct team *t, GError **err)
{
	g_autofree char *m = g_key_file_get_value(kf, group, "match", NULL);
	g_autofree char *low = g_key_file_get_value(kf, group, "low_urgency", NULL);
	g_autofree char *hours = g_key_file_get_value(kf, group, "business_hours", NULL);
	g_autoptr(GError) e = NULL;

	if (m != NULL && (t->match = match_parse(m, &e)) == NULL)
		return config_bad(err, c, group, "match", "%s", e->message);
	if (low != NULL && parse_severities(c, group, low, &t->low_urgency, err) != 0)
		return -1;
	t->business_days = 0x1f; /* mon-fri */
	t->business_start = 9 * 60;
	t->business_end = 17 * 60;
	return hours != NULL ? parse_hours(c, group, hours, t, err) : 0;
}

int
config_load_team(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	g_autofree char *name = g_ascii_strdown(group + strlen("team:"), -1);
	g_autofree char *steps = g_key_file_get_value(kf, group, "escalation", NULL);
	struct team *t = g_new0(struct team, 1);

	t->name = g_strdup(g_strstrip(name));
	t->steps = g_ptr_array_new_with_free_func(step_free);
	g_ptr_array_add(c->teams, t);
	if (team_keys_known(c, kf, group, err) != 0)
		return -1;
	if (strcmp(t->name, "default") == 0 || team_find(c, t->name) != t)
		return config_bad(err, c, group, NULL, "\"%s\" is %s: give every team its own name",
		                  t->name,
		                  strcmp(t->name, "default") == 0
		                      ? "the name of the team of everything no [team:] section "
		                        "matches"
		                      : "already the name of another team");
	if (steps == NULL)
		return config_bad(err, c, group, "escalation",
		                  "is required (for example schedule:NAME, 10m commanders)");
	if (parse_steps(c, group, steps, t, err) != 0 || team_numbers(c, kf, group, t, err) != 0)
		return -1;
	return team_options(c, kf, group, t, err);
}

static gboolean
in_rotation(const struct config *c, const char *address)
{
	for (guint i = 0; i < c->schedules->len; i++) {
		const struct schedule *s = c->schedules->pdata[i];

		if (g_strv_contains((const char *const *)s->rotation, address))
			return TRUE;
	}
	return FALSE;
}

/* Everyone named in a team or a schedule acts as a responder (DESIGN.md); one the file does
 * not list in [responders] joins it without roles, so the default team's ladder is the
 * same as without teams. */
static void
add_responder(struct config *c, const char *address)
{
	struct responder *r;

	if (config_responder(c, address) != NULL)
		return;
	r = g_new0(struct responder, 1);
	r->address = g_strdup(address);
	g_ptr_array_add(c->responders, r);
}

static int
finish_team(struct config *c, struct team *t, GError **err)
{
	g_autofree char *group = g_strdup_printf("team:%s", t->name);

	for (guint i = 0; i < t->steps->len; i++) {
		const struct team_step *st = t->steps->pdata[i];
		const struct schedule *s = NULL;

		if (st->target == TARGET_SCHEDULE && (s = team_schedule(c, st->name)) == NULL)
			return config_bad(err, c, group, "escalation",
			                  "schedule:%s is not a [schedule:%s] section of this file",
			                  st->name, st->name);
		if (s != NULL && t->tz == NULL)
			t->tz = g_time_zone_ref(s->tz);
		if (st->target == TARGET_ADDRESS &&
		    (g_ascii_strcasecmp(st->name, c->address) == 0 ||
		     config_list_by_address(c, st->name) != NULL))
			return config_bad(
			    err, c, group, "escalation",
			    "%s is sevmail's own address or a list's: a page there would "
			    "reach no one on call",
			    st->name);
		if (st->target == TARGET_ADDRESS && config_responder(c, st->name) == NULL &&
		    !in_rotation(c, st->name))
			return config_bad(
			    err, c, group, "escalation",
			    "%s is in no schedule's rotation and not in [responders]: "
			    "add them to [responders] (a typo would page nobody)",
			    st->name);
	}
	if (t->tz == NULL)
		t->tz = g_time_zone_new_utc();
	for (guint i = 0; i < t->steps->len; i++) {
		const struct team_step *st = t->steps->pdata[i];

		if (st->target == TARGET_ADDRESS)
			add_responder(c, st->name);
	}
	return 0;
}

/* A list's `teams` names teams of this file (or default). */
static int
finish_list(struct config *c, const struct list_config *l, GError **err)
{
	g_autofree char *group = g_strdup_printf("list:%s", l->name);

	if (l->teams != NULL && l->teams[0] == NULL)
		return config_bad(err, c, group, "teams",
		                  "is empty: name teams, or leave the key out for every team");
	for (char **t = l->teams; t != NULL && *t != NULL; t++)
		if (strcmp(*t, "default") != 0 && team_find(c, *t) == NULL)
			return config_bad(err, c, group, "teams",
			                  "\"%s\" is not a [team:%s] section of this file (nor "
			                  "default)",
			                  *t, *t);
	return 0;
}

int
config_finish_teams(struct config *c, GError **err)
{
	for (guint i = 0; i < c->teams->len; i++)
		if (finish_team(c, c->teams->pdata[i], err) != 0)
			return -1;
	for (guint i = 0; i < c->lists->len; i++)
		if (finish_list(c, c->lists->pdata[i], err) != 0)
			return -1;
	for (guint i = 0; i < c->schedules->len; i++) {
		const struct schedule *s = c->schedules->pdata[i];

		for (guint k = 0; config_schedule_in_team(c, s->name) && k < s->n_rotation; k++)
			add_responder(c, s->rotation[k]);
	}
	return 0;
}

gboolean
config_schedule_in_team(const struct config *c, const char *name)
{
	for (guint i = 0; i < c->teams->len; i++) {
		const struct team *t = c->teams->pdata[i];

		for (guint k = 0; k < t->steps->len; k++) {
			const struct team_step *st = t->steps->pdata[k];

			if (st->target == TARGET_SCHEDULE &&
			    g_ascii_strcasecmp(st->name, name) == 0)
				return TRUE;
		}
	}
	return FALSE;
}
