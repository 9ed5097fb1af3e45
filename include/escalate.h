/*
 * escalate: the timers of the checklist. An incident nobody acknowledged within
 * [escalation] ack_timeout is paged again, then to the next on-call responder, then to
 * every commander, for `repeat` rounds; a SEV1/SEV2 without a status update for
 * update_interval reminds its commander; a resolved SEV1/SEV2 without a post-mortem after
 * [postmortem] due reminds its commander. Time comes from util_now() (SEVMAIL_NOW in
 * tests), never from sleeping: the daemon calls escalate_run from a timer.
 */
#ifndef SEVMAIL_ESCALATE_H
#define SEVMAIL_ESCALATE_H

#include "config.h"
#include "store.h"

/* The next step of an incident's escalation ladder. */
struct escalate_step {
	GPtrArray *to; /* addresses (static storage of cfg or the overrides) */
	int round;     /* 1-based */
	int rounds;    /* in all */
	gint64 due;    /* when the timer takes it */
	gint64 since;  /* what "not acknowledged after" is counted from */
};

/* The step after the "escalated" events so far: for an incident of a [team:], step n of
 * the team's ladder at ladder_at + round·k + delay (overrides: struct schedule_override *
 * for its schedules, or NULL); for the default team, ack_timeout after the last page, the
 * [responders]/[oncall] ladder. FALSE when the ladder is done or empty. Clear out with
 * escalate_step_clear. */
gboolean escalate_next(const struct config *cfg, const struct incident *inc, GPtrArray *events,
                       GPtrArray *overrides, gint64 now, struct escalate_step *out);
void escalate_step_clear(struct escalate_step *st);

/* Who the first page of an incident goes to at now: its team's first step, or the default
 * team's first on-call; never `except` (who declared it). Static storage; caller unrefs. */
GPtrArray *escalate_first(const struct config *cfg, const struct incident *inc,
                          GPtrArray *overrides, gint64 now, const char *except);

/* Carries out every step that is due at now, one transaction per step. Returns the
 * number of steps taken. A step that fails is logged and tried again at the next call;
 * it never stops the steps of other incidents (err is only for the caller's signature). */
int escalate_run(const struct config *cfg, struct store *s, gint64 now, GError **err);

/* The on-call responders in paging order at time now: the [oncall] rotation (starting at
 * whoever's turn it is) when configured, else [responders] with role oncall in config
 * order. Returns addresses (static storage of cfg) in a new array. */
GPtrArray *escalate_oncall_order(const struct config *cfg, gint64 now);

#endif
