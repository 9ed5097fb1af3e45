/*
 * intake: one inbound message, one transaction. Stores the raw message, decides its route
 * (alert, heartbeat, reply, list, declare, maintenance, ignored, other), applies the effects,
 * queues the mail they cause and advances the mailbox checkpoint, all committed together or not at
 * all.
 */
#ifndef SEVMAIL_INTAKE_H
#define SEVMAIL_INTAKE_H

#include "config.h"
#include "store.h"

/* Error domain of a message the intake could not apply (rolled back, tried again later). */
#define INTAKE_ERROR (intake_error_quark())
GQuark intake_error_quark(void);

struct intake_source {
	const char *mailbox;  /* IMAP mailbox, or "ingest" */
	guint32 uidvalidity;  /* with checkpoint: the mailbox's UIDVALIDITY */
	guint32 uid;          /* 0 for ingest */
	gboolean checkpoint;  /* advance (mailbox, uidvalidity, uid) in the same transaction */
	gsize truncated_from; /* raw is only the header of a message this large, or 0 */
	gboolean quarantine;  /* after INTAKE_TRIES failures of its own, keep it aside */
};

/* How often a message is tried before it is quarantined (its failures are its own: the
 * same bytes fail the same way, so the tries follow each other at once). */
#define INTAKE_TRIES 3

struct intake_result {
	gboolean duplicate; /* already stored before: nothing applied again */
	char *route;        /* alert, heartbeat, reply, list, declare, maintenance, ignored, other,
	                     * quarantined */
	char *reason;       /* one sentence for the log */
	gint64 incident_id; /* or 0 */
	char *message_id;   /* of the message, or NULL */
};
void intake_result_clear(struct intake_result *r);

/* How a message is read, for `sevmail explain` (DESIGN.md's explain --json). */
struct intake_explain {
	gboolean already_processed; /* the database holds it already */
	gboolean has_alert;
	char *alert_source, *alert_fingerprint, *alert_title;
	const char *alert_state; /* "firing", "resolved", "info" */
	gint64 incident;         /* matched (or created) incident, or 0 */
	const char *matched_by;  /* token, references, subject, or NULL */
	char *new_text;          /* the reply after quotes and signatures are cut, or NULL */
	GPtrArray *commands;     /* struct command *, or NULL */
	gboolean authorized;
	char *auth_reason;
};
void intake_explain_clear(struct intake_explain *x);

/* Processes one message. 0 when committed (or, with src->quarantine, quarantined after
 * INTAKE_TRIES failures); -1 + err when the transaction was rolled back for a reason the
 * message is not to blame for, such as a busy or full database (it stays unprocessed and
 * is tried again later). */
int intake_message(const struct config *cfg, struct store *s, const char *raw, gsize len,
                   const struct intake_source *src, struct intake_result *res, GError **err);

/* Reads the message exactly as intake_message would, then rolls everything back: nothing
 * is stored and no mail is queued. Fills res and x. */
int intake_explain(const struct config *cfg, struct store *s, const char *raw, gsize len,
                   struct intake_result *res, struct intake_explain *x, GError **err);

/* Declares an incident by hand (`sevmail declare`): severity 1-3, a title, an optional
 * impact and team (a [team:] name, or NULL for default); the team's first step is paged and
 * the lists told, in one transaction. by names who did it in the timeline. Sets *id. */
int intake_declare(const struct config *cfg, struct store *s, int severity, const char *title,
                   const char *impact, const char *team, const char *by, gint64 *id, GError **err);

/* The timers of noise control (noise.c), inside the caller's transaction. */
/* Window w is over: each alert identity it held back whose last mail was firing is read
 * as if that mail came now (declared and paged as usual), unless another window holds it
 * still, which then takes it over. The window is marked released. *declared: how many
 * were declared (or joined an open incident). */
int intake_release_window(const struct config *cfg, struct store *s, const struct window *w,
                          gint64 now, int *declared, GError **err);
/* Declares the incident of h's silence since `since` ("No heartbeat from NAME since …",
 * source heartbeat, h's severity and team), paged and told as usual. Sets *id. */
int intake_heartbeat_missing(const struct config *cfg, struct store *s, const struct heartbeat *h,
                             gint64 since, gint64 now, gint64 *id, GError **err);

#endif
