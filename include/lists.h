/*
 * lists: stakeholder lists run by mail. Recognises requests (subscribe, unsubscribe,
 * confirm TOKEN) sent to NAME-request@domain or local+NAME-subscribe@domain, and carries
 * them out with double opt-in: only a reply carrying the confirmation token changes a
 * subscription. Runs inside the message's transaction.
 */
#ifndef SEVMAIL_LISTS_H
#define SEVMAIL_LISTS_H

#include "config.h"
#include "mime.h"
#include "notify.h"
#include "store.h"

enum list_action { LIST_NONE, LIST_SUBSCRIBE, LIST_UNSUBSCRIBE, LIST_CONFIRM, LIST_POST };

/* Subscription mail sent in answer to requests: at most LISTS_MAILS_PER_ADDRESS to one
 * address (its +detail forms included) per LISTS_MAIL_WINDOW seconds (counted from the
 * outbox), so that forged
 * requests cannot flood the address they name. The welcome or goodbye that follows a
 * confirmed token is not limited: each token confirms once, and tokens go out only within
 * the limit. */
#define LISTS_MAILS_PER_ADDRESS 3
#define LISTS_MAIL_WINDOW (24 * 3600)

/* A subscriber whose mail bounced for good LISTS_BOUNCES_TO_SUSPEND times within
 * LISTS_BOUNCE_WINDOW seconds (counting mail sent since the subscription began) is
 * suspended: no more list mail until they subscribe again. */
#define LISTS_BOUNCES_TO_SUSPEND 3
#define LISTS_BOUNCE_WINDOW (30 * 24 * 3600)

struct list_request {
	const struct list_config *list;
	enum list_action action;
	char token[32]; /* for LIST_CONFIRM */
};

/* TRUE when the mail is addressed to a list (its address, its -request address, or our
 * +NAME-subscribe / +NAME-unsubscribe address); fills r. Pure. */
gboolean lists_request(const struct config *cfg, const struct mail *m, struct list_request *r);

/* Why a list request is stored with no effect and no answer (caller frees), or NULL when
 * it may be carried out: mail to a list's own address, mail that must never be answered
 * (auth_no_answer), a sender address that is missing, not a plain address
 * (util_address_valid) or sevmail's own, or a domain the list does not take. Pure. */
char *lists_refusal(const struct config *cfg, const struct mail *m, const struct list_request *r);

/* Carries the request out: subscriptions, tokens, and the mail they cause. Sets *reason to
 * a sentence for the log (caller frees). */
int lists_handle(const struct notify *n, const struct mail *m, const struct list_request *r,
                 char **reason, GError **err);

/* After a permanent bounce of mail to address (diagnostic: the report's one line):
 * suspends it on every list where it is an active subscriber with
 * LISTS_BOUNCES_TO_SUSPEND bounces in the window, and tells each such list's owner (never
 * the address itself). Appends what it did to done (", suspended from NAME, its owner
 * told"). 0, or -1 + err. */
int lists_bounced(const struct notify *n, const char *address, const char *diagnostic,
                  GString *done, GError **err);

#endif
