/*
 * route: what an alert mail is to sevmail, decided from the configuration and the mail alone
 * (DESIGN.md, "Teams, schedules and escalation policies" and "Noise control"): which team it
 * belongs to, which group of alerts it is of and whether it joins an open incident of that
 * group, and what the storm guard does with it. Pure: the configuration, the alert, its
 * sender and subject, the open incidents and the time in.
 */
#include "route.h"

#include "match.h"

#include <string.h>

/* What a match key means for an alert mail. */
struct alert_mail {
	const struct alert *a;
	const char *sender, *subject;
};

static const char *
route_alert_value(const char *key, gconstpointer data)
{
	const struct alert_mail *m = data;

	if (strcmp(key, "sender") == 0)
		return m->sender;
	if (strcmp(key, "subject") == 0)
		return m->subject;
	if (strcmp(key, "source") == 0)
		return m->a->source;
	return alert_label(m->a, key);
}

const struct team *
route_team(const struct config *cfg, const struct alert *a, const char *sender, const char *subject)
{
	struct alert_mail m = {a, sender, subject};

	for (guint i = 0; i < cfg->teams->len; i++) {
		const struct team *t = cfg->teams->pdata[i];

		if (t->match != NULL && match_test(t->match, route_alert_value, &m))
			return t;
	}
	return NULL;
}

char *
route_group_key(const struct config *cfg, const struct team *t, const struct alert *a)
{
	GString *key;

	if (cfg->group_by == NULL || cfg->group_by[0] == NULL)
		return NULL;
	/* one per line: an alert's values are one line each (alert.c cleans them) */
	key = g_string_new(t != NULL ? t->name : "default");
	for (char **name = cfg->group_by; *name != NULL; name++) {
		const char *value = alert_label(a, *name);

		g_string_append_printf(key, "\n%s=%s", *name, value != NULL ? value : "");
	}
	return g_string_free(key, FALSE);
}

gint64
route_group_join(const struct config *cfg, const char *key,
                 const struct route_candidate *candidates, gsize n, gint64 now)
{
	const struct route_candidate *best = NULL;

	for (gsize i = 0; key != NULL && i < n; i++) {
		const struct route_candidate *c = &candidates[i];

		if (!c->open || g_strcmp0(c->group_key, key) != 0 ||
		    c->created_at <= now - cfg->group_window)
			continue;
		if (best == NULL || c->created_at > best->created_at ||
		    (c->created_at == best->created_at && c->id > best->id))
			best = c;
	}
	return best != NULL ? best->id : 0;
}

enum route_storm
route_storm(const struct config *cfg, int declared, gint64 storm_at, gint64 now)
{
	const struct storm_guard *g = &cfg->storm;

	if (g->limit <= 0)
		return ROUTE_STORM_NONE;
	if (storm_at != 0 && storm_at > now - g->period)
		return ROUTE_STORM_JOIN;
	if (declared < g->limit)
		return ROUTE_STORM_NONE;
	return storm_at != 0 ? ROUTE_STORM_JOIN : ROUTE_STORM_DECLARE;
}
