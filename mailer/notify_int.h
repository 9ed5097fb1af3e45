/*
 * notify_int: what the notify files (notify.c, notify_lists.c, notify_html.c,
 * notify_short.c, notify_check.c) share and nothing else sees: one queued mail's envelope and
 * the one function that queues it.
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

/* Renders the envelope's template with vars (and its HTML alternative, notify_html), builds
 * the message and queues it in the outbox. A message that cannot be built from what it was
 * given is dropped with an event, not an error. inc may be NULL (mail about no incident). */
int notify_queue(const struct notify *n, struct incident *inc, const struct envelope *env,
                 GHashTable *vars, GError **err);

/* The values every template about inc may use (name -> value; the values are freed with
 * the table, the names are static). */
GHashTable *notify_incident_vars(const struct notify *n, const struct incident *inc);

/* The HTML alternative of a mail of kind env->kind about inc: templates/KIND.html with vars
 * (to which the badge's class, the severity's meaning and, when the mail carries inc's reply
 * token address, the one-tap action links are added), every value HTML-escaped. *html is
 * NULL when the kind has no HTML, the envelope names another template, or the file does not
 * exist. 0, or -1 + err when the template cannot be rendered (the mail then goes as text). */
int notify_html(const struct notify *n, const struct incident *inc, const struct envelope *env,
                GHashTable *vars, const char *subject, char **html, GError **err);

/* The short form of a page (page_also of `to`'s [person:] section): one plain mail to each
 * address, whose subject and body together fit a text message. */
int notify_short_pages(const struct notify *n, struct incident *inc, const char *to, GError **err);
/* NAME-request@domain of a list. Caller frees. */
char *notify_request_address(const struct list_config *l);

#endif
