/*
 * intake_ctx: what intake.c (routing, transaction) shares with intake_handle.c (the effects
 * of alerts, replies and declarations). Private to those two files.
 */
#ifndef SEVMAIL_INTAKE_CTX_H
#define SEVMAIL_INTAKE_CTX_H

#include "alert.h"
#include "command.h"
#include "config.h"
#include "intake.h"
#include "mime.h"
#include "notify.h"
#include "store.h"

/* Which incident a reply is about, and how that was found (DESIGN: first that applies). */
struct match {
	gint64 incident_id;
	const char *by; /* "token", "references", "subject", or NULL */
	gboolean token_valid;
	gboolean token_forged;
};

/* Everything one message's processing needs, inside its transaction. */
struct ctx {
	const struct config *cfg;
	struct store *store;
	struct notify notify;
	const struct mail *mail;
	const char *message_id; /* of the inbound message, for events; may be NULL */
	struct intake_result *res;
	struct intake_explain *x; /* filled for `explain`, or NULL */
};

void intake_decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Why the sender may not command, or NULL when they may (and records it for explain). */
const char *intake_refuse_sender(struct ctx *c, const struct match *m);

/* verified: the alert was authenticated (alert_verified in intake.c); an unverified one
 * is declared and paged all the same, but kept off the lists until acknowledged, and its
 * recoveries never resolve. */
int intake_handle_alert(struct ctx *c, const struct alert *a, gboolean verified, GError **err);
int intake_handle_reply(struct ctx *c, const struct match *m, GError **err);
int intake_handle_declare(struct ctx *c, const struct command_list *cmds, GError **err);

#endif
