/*
 * override: reading and checking an override request, the one code the mail verb and the
 * command line share, and saying what it did. Times are read in the schedule's own zone by
 * schedule.c, so "18:00" means the wall clock of the people on that schedule.
 */
#include "override.h"

#include <string.h>

G_DEFINE_QUARK(sevmail_override_error, override_error)

/* Words people put between the parts: "from 2026-12-03 18:00 until 2026-12-04 09:00". */
static gboolean
override_filler(const char *word)
{
	static const char *const fillers[] = {"from", "until",  "till",  "to",
	                                      "-",    "\u2013", "\u2014"};

	for (gsize i = 0; i < G_N_ELEMENTS(fillers); i++)
		if (g_ascii_strcasecmp(word, fillers[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The words of text, blanks of any kind between them, without the fillers after the
 * first two. */
static GPtrArray *
override_words(const char *text)
{
	g_auto(GStrv) all = g_strsplit_set(text != NULL ? text : "", " \t\r\n", -1);
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);

	for (char **w = all; *w != NULL; w++)
		if (**w != '\0' && (words->len < 2 || !override_filler(*w)))
			g_ptr_array_add(words, g_strdup(*w));
	return words;
}

/* FROM and UNTIL that would be accepted now: tomorrow 18:00 until the day after 09:00 in
 * the schedule's zone. */
static void
override_example(const struct schedule *s, gint64 now, char **from, char **until)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(now);
	g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone(utc, s->tz) : NULL;
	g_autoptr(GDateTime) day = local != NULL ? g_date_time_add_days(local, 1) : NULL;
	g_autoptr(GDateTime) next = day != NULL ? g_date_time_add_days(day, 1) : NULL;

	*from = next != NULL ? g_date_time_format(day, "%Y-%m-%d 18:00") : NULL;
	*until = next != NULL ? g_date_time_format(next, "%Y-%m-%d 09:00") : NULL;
	if (*from == NULL || *until == NULL) {
		g_free(*from);
		g_free(*until);
		*from = g_strdup("2026-12-03 18:00");
		*until = g_strdup("2026-12-04 09:00");
	}
}

/* What to write, with times that would be accepted now: by mail for "me", on the command
 * line for the schedule's first person. */
static void
override_bad_time(const struct schedule *s, const char *me, gint64 now, GError **err)
{
	g_autofree char *from = NULL, *until = NULL;

	override_example(s, now, &from, &until);
	if (me != NULL)
		g_set_error(
		    err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME,
		    "FROM and UNTIL are local times in %s written YYYY-MM-DD HH:MM, such as "
		    "OVERRIDE %s me %s %s",
		    g_time_zone_get_identifier(s->tz), s->name, from, until);
	else
		g_set_error(
		    err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME,
		    "FROM and UNTIL are local times in %s written YYYY-MM-DD HH:MM, such as "
		    "sevmail override %s %s '%s' '%s'",
		    g_time_zone_get_identifier(s->tz), s->name, s->rotation[0], from, until);
}

static const struct schedule *
override_schedule(const struct config *cfg, const char *name, GError **err)
{
	g_autoptr(GString) names = g_string_new(NULL);

	for (guint i = 0; i < cfg->schedules->len; i++) {
		const struct schedule *s = cfg->schedules->pdata[i];

		if (g_ascii_strcasecmp(s->name, name) == 0)
			return s;
		g_string_append_printf(names, "%s%s", i ? ", " : "", s->name);
	}
	if (cfg->schedules->len == 0)
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_SCHEDULE,
		            "there are no schedules to override: the configuration has no "
		            "[schedule:NAME] section");
	else
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_SCHEDULE,
		            "there is no schedule \"%s\"; the schedules are %s", name, names->str);
	return NULL;
}

static const char *
override_person(const struct config *cfg, const char *who, const char *me, GError **err)
{
	const struct responder *r = NULL;
	g_autoptr(GString) all = g_string_new(NULL);

	if (g_ascii_strcasecmp(who, "me") == 0 && me != NULL)
		r = config_responder(cfg, me);
	else if (g_ascii_strcasecmp(who, "me") != 0)
		r = config_responder_named(cfg, who);
	if (r != NULL)
		return r->address;
	for (guint i = 0; i < cfg->responders->len; i++)
		g_string_append_printf(
		    all, "%s%s", i ? ", " : "",
		    ((const struct responder *)cfg->responders->pdata[i])->address);
	g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_PERSON,
	            "%s%s%s is not a responder; name one of %s (an address, or its part before "
	            "the @ where that is one responder's)%s",
	            strchr(who, '@') != NULL ? "" : "\"", who, strchr(who, '@') != NULL ? "" : "\"",
	            all->str, me != NULL ? ", or me" : "");
	return NULL;
}

/* FROM and UNTIL ("date time date time" in words) as unix times, checked against now. */
static gboolean
override_times(const struct schedule *s, GPtrArray *words, const char *me, gint64 now, gint64 *from,
               gint64 *until, GError **err)
{
	g_autofree char *f =
	    g_strdup_printf("%s %s", (char *)words->pdata[2], (char *)words->pdata[3]);
	g_autofree char *u =
	    g_strdup_printf("%s %s", (char *)words->pdata[4], (char *)words->pdata[5]);
	g_autoptr(GError) e = NULL;

	if (!schedule_parse_local(s, f, from, &e) || !schedule_parse_local(s, u, until, &e)) {
		if (g_error_matches(e, SCHEDULE_ERROR, SCHEDULE_ERROR_SKIPPED))
			g_set_error_literal(err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME, e->message);
		else
			override_bad_time(s, me, now, err);
		return FALSE;
	}
	if (*until <= *from)
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME,
		            "UNTIL (%s) is not after FROM (%s)", u, f);
	else if (*until <= now)
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME, "UNTIL (%s) is past already",
		            u);
	else if (*until - *from > OVERRIDE_MAX_DAYS * 86400)
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_TIME,
		            "an override lasts at most %d days; change the rotation for longer",
		            OVERRIDE_MAX_DAYS);
	else
		return TRUE;
	return FALSE;
}

struct schedule_override *
override_parse(const struct config *cfg, const char *text, const char *me, gint64 now,
               const struct schedule **sched, GError **err)
{
	g_autoptr(GPtrArray) words = override_words(text);
	const struct schedule *s;
	const char *person;
	struct schedule_override *o;
	gint64 from, until;

	*sched = NULL;
	if (words->len < 1) {
		g_set_error(err, OVERRIDE_ERROR, OVERRIDE_ERROR_SYNTAX,
		            "say which schedule, who, and from when until when: SCHEDULE WHO FROM "
		            "UNTIL");
		return NULL;
	}
	if ((s = override_schedule(cfg, words->pdata[0], err)) == NULL)
		return NULL;
	if (words->len < 2) {
		override_bad_time(s, me, now, err);
		g_prefix_error(err, "say who, and from when until when: ");
		return NULL;
	}
	if ((person = override_person(cfg, words->pdata[1], me, err)) == NULL)
		return NULL;
	if (words->len != 6) {
		override_bad_time(s, me, now, err);
		return NULL;
	}
	if (!override_times(s, words, me, now, &from, &until, err))
		return NULL;
	o = g_new0(struct schedule_override, 1);
	o->schedule = g_strdup(s->name);
	o->person = g_strdup(person);
	o->from = from;
	o->until = until;
	*sched = s;
	return o;
}

/* "bob@x from 2026-12-03 18:00 CET until 2026-12-03 21:00 CET" */
static void
override_stretch(GString *out, const struct schedule *s, const struct schedule_stretch *st)
{
	g_autofree char *from = schedule_format_local(s, st->from);
	g_autofree char *until = schedule_format_local(s, st->until);

	g_string_append_printf(out, "%s from %s until %s", st->person, from, until);
}

char *
override_describe(const struct schedule *s, const struct schedule_override *o, GPtrArray *overrides)
{
	g_autoptr(GArray) d = schedule_displaced(s, overrides, o);
	g_autofree char *from = schedule_format_local(s, o->from);
	g_autofree char *until = schedule_format_local(s, o->until);
	GString *out = g_string_new(NULL);
	const struct schedule_stretch *first =
	    d->len > 0 ? &g_array_index(d, struct schedule_stretch, 0) : NULL;

	g_string_append_printf(out, "%s is on call for %s from %s until %s", o->person, s->name,
	                       from, until);
	if (d->len == 0)
		g_string_append(out, " (on call then anyway)");
	else if (d->len == 1 && first->from == o->from && first->until == o->until)
		g_string_append_printf(out, " instead of %s", first->person);
	else
		for (guint i = 0; i < d->len; i++) {
			g_string_append(out, i == 0            ? " instead of "
			                     : i + 1 == d->len ? " and "
			                                       : ", ");
			override_stretch(out, s, &g_array_index(d, struct schedule_stretch, i));
		}
	return g_string_free(out, FALSE);
}
