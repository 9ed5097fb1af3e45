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

#endif
