/*
 * route: what an alert mail is to sevmail (DESIGN.md, "Teams, schedules and escalation
 * policies", "Noise control"), decided from the configuration and the mail alone. Pure.
 */
#ifndef SEVMAIL_ROUTE_H
#define SEVMAIL_ROUTE_H

#include "alert.h"
#include "config.h"

/* The team an alert is routed to: the first [team:] (file order) whose match holds for the
 * alert's labels, sender, subject and source; NULL for "default". */
const struct team *route_team(const struct config *cfg, const struct alert *a, const char *sender,
                              const char *subject);

/* The alert group of an alert routed to team t (NULL: default) under [alerts] group_by: the
 * team and each group_by label with its value (a missing label counts as empty), one per
 * line; NULL when grouping is off (group_by empty). Caller frees. */
char *route_group_key(const struct config *cfg, const struct team *t, const struct alert *a);

/* An open incident, as the grouping decision sees it. */
struct route_candidate {
	gint64 id;
	const char *group_key; /* or NULL: it takes no alerts of a group */
	gint64 created_at;
	gboolean open; /* neither resolved nor closed */
};

/* The incident a new alert of group `key` joins at now: the newest open candidate with that
 * group key declared less than [alerts] group_window ago; 0 when none (or key is NULL). */
gint64 route_group_join(const struct config *cfg, const char *key,
                        const struct route_candidate *candidates, gsize n, gint64 now);

/* What the storm guard does with a new alert that no incident takes. */
enum route_storm {
	ROUTE_STORM_NONE,    /* no storm: it declares an incident of its own */
	ROUTE_STORM_DECLARE, /* a storm begins: it declares the one "Alert storm" incident */
	ROUTE_STORM_JOIN,    /* it joins the open "Alert storm" incident */
};

/* The storm guard at now: declared is how many incidents alerts declared within the last
 * [alerts] storm period (the storm incident aside), storm_at when the open "Alert storm"
 * incident was declared (0: none is open). A storm is on while declared has reached the
 * limit (the next would be one more than it allows) and for one period after the storm
 * incident's declaration; an open storm incident takes the alerts of a later storm too. */
enum route_storm route_storm(const struct config *cfg, int declared, gint64 storm_at, gint64 now);

#endif
