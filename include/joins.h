/*
 * joins: the summary of alerts that joined an incident (DESIGN.md, "Noise control"): those
 * paged for it, and its commander, hear of the alerts that joined it in one notice at most
 * every JOINS_EVERY seconds, not in a mail per alert. Computed from the stored alerts at
 * each timer tick.
 */
#ifndef SEVMAIL_JOINS_H
#define SEVMAIL_JOINS_H

#include "config.h"
#include "store.h"

/* At most one summary per incident in this time, counted from its page or last summary. */
#define JOINS_EVERY (5 * 60)

/* Sends the summary of every open incident whose joined alerts nobody heard of yet, when
 * JOINS_EVERY has passed since its page or its last summary; one transaction each. Returns
 * the number of summaries; a failure is logged and tried again at the next tick. */
int joins_run(const struct config *cfg, struct store *s, gint64 now);

#endif
