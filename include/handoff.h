/*
 * handoff: the notice to whoever comes on call (DESIGN.md, "Teams, schedules and escalation
 * policies"): when who is on call for a schedule changes, by its shifts or by an override,
 * the incoming person gets a mail saying from when until when, with the team's open
 * incidents. Computed from the schedules and the stored handoffs at each timer tick.
 */
#ifndef SEVMAIL_HANDOFF_H
#define SEVMAIL_HANDOFF_H

#include "config.h"
#include "store.h"

/* Notices every handoff not noticed yet, one transaction each; a handoff more than a shift
 * ago (sevmail was stopped) is logged instead of told; the stored overrides count. Returns
 * the number of notices queued; a failure is logged and tried again at the next tick. */
int handoff_run(const struct config *cfg, struct store *s, gint64 now);

#endif
