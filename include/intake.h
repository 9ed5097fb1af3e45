/*
 * intake: one inbound message, one transaction. Stores the raw message, decides its route
 * (alert, reply, list, ignored, other), applies the effects, queues the mail they cause and
 * advances the mailbox checkpoint, all committed together or not at all.
 */
#ifndef SEVMAIL_INTAKE_H
#define SEVMAIL_INTAKE_H

#include "config.h"
#include "store.h"

struct intake_source {
	const char *mailbox; /* IMAP mailbox, or "ingest" */
	guint32 uidvalidity; /* with checkpoint: the mailbox's UIDVALIDITY */
	guint32 uid;         /* 0 for ingest */
	gboolean checkpoint; /* advance (mailbox, uidvalidity, uid) in the same transaction */
};

struct intake_result {
	gboolean duplicate; /* already stored before: nothing applied again */
	char *route;        /* alert, reply, list, ignored, other */
	char *reason;       /* one sentence for the log */
	gint64 incident_id; /* or 0 */
};
void intake_result_clear(struct intake_result *r);

/* Processes one message. 0 when committed; -1 + err when the transaction was rolled back
 * (the message stays unprocessed and is tried again later). */
int intake_message(const struct config *cfg, struct store *s, const char *raw, gsize len,
                   const struct intake_source *src, struct intake_result *res, GError **err);

#endif
