/*
 * outbox: delivering queued mail. Each due message goes to the relay once per attempt,
 * from its own signed bounce address (auth_bounce_address) as envelope sender; recipients
 * the server accepted or refused for good are recorded, the rest retried with exponential
 * backoff and jitter until the message is too old.
 */
#ifndef SEVMAIL_OUTBOX_H
#define SEVMAIL_OUTBOX_H

#include "config.h"
#include "store.h"

/* Error domain of delivery bookkeeping that could not be recorded. */
#define OUTBOX_ERROR (outbox_error_quark())
GQuark outbox_error_quark(void);

struct outbox_stats {
	int messages; /* messages attempted */
	int sent;     /* recipients accepted */
	int deferred; /* recipients to retry */
	int failed;   /* recipients refused for good or expired */
};

struct relay_params;

/* The relay settings of cfg's [smtp]; p borrows cfg's strings. */
void outbox_relay_params(const struct config *cfg, struct relay_params *p);

/* Sends what is due at now. -1 + err only when the database fails; delivery problems are
 * recorded per recipient and logged. */
int outbox_flush(struct store *s, const struct config *cfg, gint64 now, struct outbox_stats *stats,
                 GError **err);

#endif
