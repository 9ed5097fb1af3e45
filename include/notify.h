/*
 * notify: which mail goes to whom. Renders a template for an incident, builds the message
 * with its threading and loop-prevention headers, and queues it in the outbox (the only way
 * out). Runs inside the caller's transaction.
 */
#ifndef SEVMAIL_NOTIFY_H
#define SEVMAIL_NOTIFY_H

#include "config.h"
#include "incident.h"
#include "store.h"

struct notify {
	const struct config *cfg;
	struct store *store;
	gint64 now;
};

/* Pages a responder about inc (Reply-To carries the incident's reply token). */
int notify_page(const struct notify *n, struct incident *inc, const char *to, GError **err);
/* Confirms to the sender what a reply changed (and what it could not do). */
int notify_confirm(const struct notify *n, struct incident *inc, const char *to,
                   const struct incident_outcome *o, const char *in_reply_to, GError **err);
/* Tells the sender that nothing was done, and why. */
int notify_error(const struct notify *n, struct incident *inc, const char *to, const char *problem,
                 const char *in_reply_to, GError **err);
/* Tells a responder something sevmail noticed (an alert's recovery). */
int notify_notice(const struct notify *n, struct incident *inc, const char *to, const char *notice,
                  GError **err);
/* Answers HELP with the command table. */
int notify_help(const struct notify *n, struct incident *inc, const char *to,
                const char *in_reply_to, GError **err);
/* Sends the communication template to every list whose severities include inc's. Does
 * nothing while the severity is not assessed. */
int notify_status(const struct notify *n, struct incident *inc, GError **err);

/* Renders every template against a sample incident: unknown placeholders and unreadable
 * files are errors naming the file and line. */
int notify_check_templates(const struct config *cfg, GError **err);

#endif
