/*
 * bounce: what a delivery status notification says. A bounce (RFC 3464 multipart/report,
 * or one of the common shapes that are not: Exim, qmail, Exchange, Gmail) becomes one
 * verdict per recipient it reports: who, permanent or temporary, the status code and a
 * one-line diagnostic. Pure.
 */
#ifndef SEVMAIL_BOUNCE_H
#define SEVMAIL_BOUNCE_H

#include "incident.h"
#include <glib.h>

#define BOUNCE_MAX_DIAGNOSTIC 200 /* characters */
#define BOUNCE_MAX_VERDICTS 100   /* recipients read from one report */

enum bounce_kind {
	BOUNCE_PERMANENT, /* failed with a 5.x.x status: counts as a bounce */
	BOUNCE_TEMPORARY, /* delayed, or failed with a 4.x.x status: recorded, not counted */
};

struct bounce {
	char *recipient;       /* bare lower-case address it failed for, NULL when the report
	                        * names none */
	char *original;        /* the Original-Recipient it names as well, or NULL */
	enum bounce_kind kind; /* what the status class says */
	char *status;          /* "5.1.1": class.subject.detail, never NULL */
	char *diagnostic;      /* one line, at most BOUNCE_MAX_DIAGNOSTIC characters, never
	                        * holding CR or LF; it names a status code (the status is put
	                        * in front when the server's words have none) */
	const char *format;    /* how it was read: "rfc3464", "exim", "qmail", "exchange",
	                        * "gmail"; static */
};
void bounce_free(struct bounce *b);

/* The recipients a message reports as failed or delayed, in its order (at most
 * BOUNCE_MAX_VERDICTS). A report's message/delivery-status part decides when there is one
 * (recipients delivered, relayed or expanded are no verdicts); the human-readable text is
 * read only without it, and for a diagnostic the report leaves out. Anything else (a
 * reply, an out-of-office notice, a read receipt, garbage) gives an empty array, never
 * NULL. Caller frees the array. */
GPtrArray *bounce_parse(const char *raw, gsize len);

/* "permanent" or "temporary". */
const char *bounce_kind_name(enum bounce_kind k);

/* Whether an incident's last page bounced: its newest "bounced" event (struct event *,
 * oldest first, as store_events gives them) comes after its newest "paged" or "escalated"
 * one. */
gboolean bounce_last_page_bounced(GPtrArray *events);

#endif
