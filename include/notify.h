/*
 * notify: which mail goes to whom. Renders a template for an incident (text, and the HTML
 * alternative of mail people read on a phone), builds the message with its threading and
 * loop-prevention headers, and queues it in the outbox (the only way out). Runs inside the
 * caller's transaction.
 */
#ifndef SEVMAIL_NOTIFY_H
#define SEVMAIL_NOTIFY_H

#include "config.h"
#include "incident.h"
#include "store.h"

/* Answers and relayed notes one address receives per hour, at most (loop safety). */
#define NOTIFY_ANSWERS_PER_HOUR 20

struct notify {
	const struct config *cfg;
	struct store *store;
	gint64 now;
};

/* Whether `to` may get one more answer or relayed note now: 1, 0 when it had its
 * NOTIFY_ANSWERS_PER_HOUR this hour (logged), -1 + err when the count fails. */
int notify_may_answer(const struct notify *n, const char *to, GError **err);

/* Pages a responder about inc (Reply-To carries the incident's reply token), and the
 * page_also addresses of their [person:] section in the short form. */
int notify_page(const struct notify *n, struct incident *inc, const char *to, GError **err);
/* Pages again: nobody acknowledged inc yet (page_also too). */
int notify_repage(const struct notify *n, struct incident *inc, const char *to, GError **err);
/* Confirms to the sender what a reply changed (and what it could not do). */
int notify_confirm(const struct notify *n, struct incident *inc, const char *to,
                   const struct incident_outcome *o, const char *in_reply_to, GError **err);
/* Tells the sender that nothing was done, and why. */
int notify_error(const struct notify *n, struct incident *inc, const char *to, const char *problem,
                 const char *in_reply_to, GError **err);
/* Tells a responder something (an alert's recovery, a reminder, who acknowledged, a new
 * commander): headline is the subject's words before the title, notice the text. */
int notify_notice(const struct notify *n, struct incident *inc, const char *to,
                  const char *headline, const char *notice, GError **err);
/* A mail of kind to one person about no incident (a handoff, an override's confirmation):
 * the template with vars (name and address are added; vars must free its values), under a
 * Message-ID made from key, so that one key is one mail. */
int notify_person(const struct notify *n, enum outbox_kind kind, const char *to,
                  const char *template, const char *key, GHashTable *vars, const char *in_reply_to,
                  GError **err);
/* Tells a responder how DECLARE is written. */
int notify_declare_syntax(const struct notify *n, const char *to, const char *in_reply_to,
                          GError **err);
/* Answers HELP with the command table. */
int notify_help(const struct notify *n, struct incident *inc, const char *to,
                const char *in_reply_to, GError **err);
/* Sends the communication template to every list whose severities include inc's (none
 * while the severity is not assessed), and, unless author is NULL, once more to everyone
 * taking part in the incident who is neither the author nor on one of those lists. */
int notify_status(const struct notify *n, struct incident *inc, const char *author, GError **err);
/* Sends the post-mortem (templates/postmortem.txt) to the incident's lists and to every
 * responder who acted on it, with an iCalendar invitation when meeting is given
 * ("2026-12-01 15:00[ +01:00]", [postmortem] timezone otherwise). */
int notify_postmortem(const struct notify *n, struct incident *inc, GPtrArray *events,
                      const char *meeting, GError **err);
/* The post-mortem as text ("Subject: ..." line, blank line, body). Caller frees. */
char *notify_postmortem_text(const struct config *cfg, const struct incident *inc,
                             GPtrArray *events, gint64 now, GError **err);
/* The war room: a responder's free-text lines go to everyone else on the incident, in its
 * thread. */
int notify_relay(const struct notify *n, struct incident *inc, const char *author, GPtrArray *notes,
                 GError **err);
/* Mail about a subscription: variant confirm (asks to reply with the token), welcome,
 * goodbye or notice (text says what happened). */
int notify_subscription(const struct notify *n, const struct list_config *l, const char *to,
                        const char *variant, const char *token, const char *action,
                        const char *text, GError **err);

/* A list's owner (l->owner, which the caller checked is set) hears that subscriber was
 * suspended from the list, and why. */
int notify_list_owner(const struct notify *n, const struct list_config *l, const char *subscriber,
                      const char *why, GError **err);

/* people (those paged for inc and its commander before the acknowledgement), but `by`: inc
 * was acknowledged by `by`. */
int notify_acknowledged(const struct notify *n, struct incident *inc, const char *by,
                        GPtrArray *people, GError **err);
/* The new commander (unless they set it themselves) and the old one (unless they made the
 * change) hear that inc->commander replaced old. */
int notify_commander(const struct notify *n, struct incident *inc, const char *old, const char *by,
                     GError **err);
/* A responder's mail was refused (why): one answer to their configured address, saying how
 * to act, within the answer limit. */
int notify_refused(const struct notify *n, struct incident *inc, const char *to, const char *why,
                   const char *in_reply_to, GError **err);

/* Renders every template against a sample incident: unknown placeholders and unreadable
 * files are errors naming the file and line. */
int notify_check_templates(const struct config *cfg, GError **err);

#endif
