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
	const char *raw;          /* the message as it came, for readers of its parts */
	gsize raw_len;
};

void intake_decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* The sender's address for events, "unknown" when the mail has none. */
const char *intake_sender(const struct ctx *c);
/* Stores inc and the events of o (with the message's Message-ID). 0, or -1 + err. */
int intake_store_outcome(struct ctx *c, struct incident *inc, struct incident_outcome *o,
                         GError **err);
/* Stores one event of the incident, now. 0, or -1 + err. */
int intake_add_event(struct ctx *c, gint64 incident_id, const char *actor, enum event_kind kind,
                     const char *detail, GError **err);

/* Why the sender may not command, or NULL when they may (and records it for explain). */
const char *intake_refuse_sender(struct ctx *c, const struct match *m);

/* Stores inc and the events of o (in order). */
int intake_store_outcome(struct ctx *c, struct incident *inc, struct incident_outcome *o,
                         GError **err);

/* intake_alerts.c: a firing alert repeats the alert of its open incident, joins an open
 * incident of its group or the alert storm, or declares one; a recovery marks its alert
 * resolved. verified: the alert was authenticated (alert_verified in intake.c); an
 * unverified one is declared and paged all the same, but kept off the lists until
 * acknowledged, and its recoveries never resolve. */
int intake_handle_alert(struct ctx *c, const struct alert *a, gboolean verified, GError **err);
int intake_handle_reply(struct ctx *c, const struct match *m, GError **err);

/* The schedule overrides that can matter at now (struct schedule_override *), NULL when
 * there are no schedules, or NULL + err when they cannot be read. */
GPtrArray *intake_overrides(const struct config *cfg, struct store *s, gint64 now, GError **err);
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

/* intake_bounce.c: mail to a bounce address (local+bounce-ID-SIG@domain) is a report on
 * outbox message ID, whatever else it is: *handled is set, and it is read or, unsigned,
 * forged or about no stored message, kept with no effect. */
int intake_route_bounce(struct ctx *c, gboolean *handled, GError **err);

/* intake_verbs.c: the commands that reach beyond the incident's own fields */
/* IC me | address | name: a configured responder, or refused. */
void intake_commander(struct ctx *c, struct incident *inc, const struct command *cmd,
                      struct incident_outcome *o);
/* ESCALATE (the next step of the ladder now) and PAGE name|address (one more responder). */
int intake_page_more(struct ctx *c, struct incident *inc, const struct command *cmd,
                     struct incident_outcome *o, GError **err);
/* MERGE INC-n: incident n joins inc (its alerts and people come along, it is closed as
 * merged, its people and lists are told), or a refusal with the reason. 0, or -1 + err. */
int intake_merge(struct ctx *c, struct incident *inc, const struct command *cmd,
                 struct incident_outcome *o, GError **err);
/* The answer to a one-line reply that looks like a failed command. Caller frees. */
char *intake_unknown_problem(const struct command *cmd);
int intake_handle_declare(struct ctx *c, const struct command_list *cmds, GError **err);

/* intake_override.c: OVERRIDE by mail */
/* TRUE for OVERRIDE, and for a lone line that meant it (a CMD_UNKNOWN suggesting it). */
gboolean intake_override_wanted(const struct command *cmd);
/* Reads, checks and stores one OVERRIDE from the sender: what it did in o->changes, or why
 * not in o->refusals. 0, or -1 + err when the store fails. */
int intake_override(struct ctx *c, const struct command *cmd, struct incident_outcome *o,
                    GError **err);
/* A new mail whose first command is OVERRIDE: every OVERRIDE in it, from an authenticated
 * responder, answered by one mail about no incident. */
int intake_handle_override(struct ctx *c, const struct command_list *cmds, GError **err);

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
