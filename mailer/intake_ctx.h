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
	GPtrArray *overrides;     /* schedule overrides (struct schedule_override *), or NULL */
};

void intake_decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Why the sender may not command, or NULL when they may (and records it for explain). */
const char *intake_refuse_sender(struct ctx *c, const struct match *m);

/* Stores inc and the events of o (in order). */
int intake_store_outcome(struct ctx *c, struct incident *inc, struct incident_outcome *o,
                         GError **err);

/* verified: the alert was authenticated (alert_verified in intake.c); an unverified one
 * is declared and paged all the same, but kept off the lists until acknowledged, and its
 * recoveries never resolve. */
int intake_handle_alert(struct ctx *c, const struct alert *a, gboolean verified, GError **err);
int intake_handle_reply(struct ctx *c, const struct match *m, GError **err);

/* Who is on call now for inc (its team's first step, or the default team's first on-call
 * responder) and is not `except`, or NULL. */
const char *intake_first_oncall(const struct ctx *c, const struct incident *inc,
                                const char *except);
/* Pages one responder about inc: event, participant, the page with its reply token. */
int intake_page(struct ctx *c, struct incident *inc, const char *oncall, struct incident_outcome *o,
                GError **err);
/* The first page of a new incident: everyone of its team's first step (but `except`), or
 * the default team's first on-call; a low-urgency incident outside its team's business
 * hours pages no one and records when it will (event deferred). *who: for the log, static
 * storage or NULL when nobody was paged. */
int intake_page_first(struct ctx *c, struct incident *inc, const char *except,
                      struct incident_outcome *o, const char **who, GError **err);

/* intake_verbs.c: the commands that reach beyond the incident's own fields */
/* IC me | address | name: a configured responder, or refused. */
void intake_commander(struct ctx *c, struct incident *inc, const struct command *cmd,
                      struct incident_outcome *o);
/* ESCALATE (the next step of the ladder now) and PAGE name|address (one more responder). */
int intake_page_more(struct ctx *c, struct incident *inc, const struct command *cmd,
                     struct incident_outcome *o, GError **err);
/* The answer to a one-line reply that looks like a failed command. Caller frees. */
char *intake_unknown_problem(const struct command *cmd);
int intake_handle_declare(struct ctx *c, const struct command_list *cmds, GError **err);

/* intake_noise.c: noise control (DESIGN.md, "Noise control") */
/* A mail h's match holds for: its time is kept, and the open incident of h's silence
 * recovers (resolved when the mail is verified: keyed, it came to a secret alert
 * address, or it carries a DMARC pass). */
int intake_heartbeat(struct ctx *c, const struct heartbeat *h, gboolean keyed, GError **err);
/* An alert (firing or resolved) of no open incident that an active maintenance window holds
 * for is held back: recorded for the window's end, nothing declared; *held says so. */
int intake_hold_back(struct ctx *c, const struct alert *a, gboolean verified, gboolean *held,
                     GError **err);
/* MAINTENANCE in a reply: the window made (o->changes, a timeline note) or why not
 * (o->refusals). */
int intake_maintenance(struct ctx *c, const struct command *cmd, struct incident_outcome *o,
                       GError **err);
/* A new mail whose first command is MAINTENANCE: the window made and the sender told, or
 * refused with the reason (strangers hear nothing). */
int intake_handle_maintenance(struct ctx *c, const struct command_list *cmds, GError **err);

#endif
