/*
 * route: what an alert mail is to sevmail, decided from the configuration and the mail alone
 * (DESIGN.md, "Teams, schedules and escalation policies" and "Noise control"): which team it
 * belongs to. Pure: the configuration, the alert, its sender and subject in.
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
