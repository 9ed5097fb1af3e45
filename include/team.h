/*
 * team: a team's escalation policy (DESIGN.md, "Teams, schedules and escalation policies"):
 * who each step pages at a time, when each step of each round is due, business hours, and
 * which team a person or an alert belongs to. Pure: the configuration, the overrides and
 * the time in, addresses and times out.
 */
#ifndef SEVMAIL_TEAM_H
#define SEVMAIL_TEAM_H

#include "alert.h"
#include "config.h"

/* The addresses step i (0-based, within a round) of team t pages at time t_at: whoever is on
 * call for its schedule (overrides: struct schedule_override *, or NULL), its address,
 * every commander, or everyone in the team. No address twice. Static storage of cfg or
 * overrides; caller unrefs the array. */
GPtrArray *team_step_people(const struct config *cfg, const struct team *t, guint i,
                            GPtrArray *overrides, gint64 t_at);

/* Steps in all rounds: (repeat + 1) · steps. */
guint team_ladder_length(const struct team *t);

/* When the n-th step of the whole ladder (round n / steps, step n % steps) is due for a
 * ladder that started at ladder_at: ladder_at + round·k + delay_i. */
gint64 team_step_due(const struct team *t, guint n, gint64 ladder_at);

/* TRUE when t_at is within the team's business hours (in the team's zone). */
gboolean team_business_hours(const struct team *t, gint64 t_at);

/* The first time at or after t_at within business hours. */
gint64 team_business_start(const struct team *t, gint64 t_at);

/* TRUE when an incident of this severity declared at t_at waits for business hours. */
gboolean team_defers(const struct team *t, int severity, gint64 t_at);

/* The first team (file order) that names address in a step or a step's schedule, or NULL. */
const struct team *team_of_person(const struct config *cfg, const char *address);

/* Everyone in the team's schedules and steps (commanders included when a step pages them),
 * in order, no one twice. Static storage of cfg; caller unrefs. */
GPtrArray *team_people(const struct config *cfg, const struct team *t);

/* The [team:] of that name (ASCII case ignored), or NULL ("default" is never one). */
const struct team *team_find(const struct config *cfg, const char *name);
/* The [schedule:] of that name (ASCII case ignored), or NULL. */
const struct schedule *team_schedule(const struct config *cfg, const char *name);

/* The team's name for people and JSON: "default" for NULL. */
const char *team_name(const struct team *t);

#endif
