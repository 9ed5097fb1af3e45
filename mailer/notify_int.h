/*
 * notify_int: what the notify files share and nothing else sees: the envelope of one
 * queued mail and the function that renders, builds and queues it.
 */
#ifndef SEVMAIL_NOTIFY_INT_H
#define SEVMAIL_NOTIFY_INT_H

#include "notify.h"

/* What one queued mail needs besides its template. */
struct envelope {
	enum outbox_kind kind;
	GPtrArray *to;           /* addresses for the To header */
	GPtrArray *rcpts;        /* envelope recipients */
	const char *reply_to;    /* or NULL */
	const char *in_reply_to; /* the mail answered, or NULL */
	GPtrArray *headers;      /* extra name/value pairs, or NULL */
	const char *template;    /* templates/TEMPLATE.txt when it is not the kind's name */
	const char *message_id;  /* a fixed Message-ID, or NULL: inc-N.KIND.SEQ@domain */
	const char *calendar;    /* an iCalendar invitation to add, or NULL */
};

/* Renders env's template with vars, builds the message with the threading and
 * loop-prevention headers (of inc, when not NULL) and queues it in the outbox. A message
 * that cannot be built from its values is dropped with an event, never an error. */
int notify_queue(const struct notify *n, struct incident *inc, const struct envelope *env,
                 GHashTable *vars, GError **err);
/* NAME-request@domain of a list. Caller frees. */
char *notify_request_address(const struct list_config *l);

#endif
