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

/* The addresses of the next step of the escalation ladder (after the "escalated" events
 * so far), and its round, or NULL when the ladder is done or empty. Caller unrefs. */
GPtrArray *escalate_next_step(const struct config *cfg, GPtrArray *events, gint64 now, int *round);

/* Carries out every step that is due at now, one transaction per step. Returns the
 * number of steps taken. A step that fails is logged and tried again at the next call;
 * it never stops the steps of other incidents (err is only for the caller's signature). */
int escalate_run(const struct config *cfg, struct store *s, gint64 now, GError **err);

/* The on-call responders in paging order at time now: the [oncall] rotation (starting at
 * whoever's turn it is) when configured, else [responders] with role oncall in config
 * order. Returns addresses (static storage of cfg) in a new array. */
GPtrArray *escalate_oncall_order(const struct config *cfg, gint64 now);

#endif
