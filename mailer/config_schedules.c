/*
 * config_schedules: the [schedule:NAME] sections (DESIGN.md, "Teams, schedules and escalation
 * policies"), read through schedule.c so that the file and `sevmail oncall` agree on what a
 * schedule means; and the warning about people in a rotation who are not responders.
 */
#include "config_sections.h"
#include "schedule.h"

#include <string.h>

/* The key each schedule error is about, in enum schedule_error's order. */
static const char *const schedule_keys[] = {"time_zone", "rotation", "start", "shift"};

/* schedule.c's messages start with "key: "; config errors put the key after the group
 * themselves, so the prefix is dropped rather than said twice. */
static int
config_schedule_bad(struct config *c, const char *group, const GError *e, GError **err)
{
	const char *key = e->code >= 0 && (gsize)e->code < G_N_ELEMENTS(schedule_keys)
	                      ? schedule_keys[e->code]
	                      : NULL;
	const char *msg = e->message;

	if (key != NULL && g_str_has_prefix(msg, key) && msg[strlen(key)] == ':')
		msg += strlen(key) + 1;
	while (*msg == ' ')
		msg++;
	return config_bad(err, c, group, key, "%s", msg);
}

int
config_load_schedule(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	static const char *const known[] = {"time_zone", "rotation", "start", "shift", NULL};
	static const char *const required[] = {"rotation", "start", "shift"};
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *name = g_ascii_strdown(group + strlen("schedule:"), -1);
	g_autofree char *tz = g_key_file_get_value(kf, group, "time_zone", NULL);
	g_autofree char *rotation = g_key_file_get_value(kf, group, "rotation", NULL);
	g_autofree char *start = g_key_file_get_value(kf, group, "start", NULL);
	g_autofree char *shift = g_key_file_get_value(kf, group, "shift", NULL);
	g_autoptr(GError) e = NULL;
	struct schedule *s;

	for (char **n = names; n != NULL && *n != NULL; n++)
		if (!g_strv_contains(known, *n))
			return config_bad(
			    err, c, group, *n,
			    "unknown key (schedules have time_zone, rotation, start, shift)");
	for (gsize i = 0; i < G_N_ELEMENTS(required); i++)
		if (!g_key_file_has_key(kf, group, required[i], NULL))
			return config_bad(err, c, group, required[i],
			                  "is required (a schedule has a rotation, a start and a "
			                  "shift)");
	if ((s = schedule_new_parse(name, tz != NULL ? g_strstrip(tz) : NULL, rotation,
	                            g_strstrip(start), g_strstrip(shift), &e)) == NULL)
		return config_schedule_bad(c, group, e, err);
	g_ptr_array_add(c->schedules, s);
	return 0;
}

/* Every person in a schedule is paged as a responder: one who is not in [responders] would
 * have their replies refused. */
void
config_warn_schedules(GPtrArray *w, const struct config *c)
{
	for (guint i = 0; i < c->schedules->len; i++) {
		const struct schedule *s = c->schedules->pdata[i];

		/* a team's schedules made their people responders when the file was read */
		for (guint k = 0; k < s->n_rotation; k++)
			if (config_responder(c, s->rotation[k]) == NULL)
				g_ptr_array_add(
				    w,
				    g_strdup_printf("[schedule:%s] rotation: %s is not in "
				                    "[responders]: their replies will be refused",
				                    s->name, s->rotation[k]));
	}
}
