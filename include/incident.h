/*
 * incident: the incident state machine. Pure: one transition table of (status, command)
 * with a reason for every refusal; applying a command changes the struct and lists the
 * events to store and the changes to confirm. Persisting is the caller's (store_incidents.c).
 */
#ifndef SEVMAIL_INCIDENT_H
#define SEVMAIL_INCIDENT_H

#include "command.h"
#include <glib.h>

enum incident_status {
	STATUS_TRIGGERED,
	STATUS_INVESTIGATING,
	STATUS_MITIGATING,
	STATUS_RESOLVED,
	STATUS_CLOSED,
};

struct incident {
	gint64 id; /* 0 until stored */
	char *title;
	int severity; /* 1-3, 0 = not yet assessed */
	enum incident_status status;
	char *commander;                          /* address or NULL */
	char *acked_by;                           /* address or NULL */
	gint64 created_at, acked_at, resolved_at; /* unix time, 0 = not yet */
	char *impact, *next_steps, *root_cause;   /* NULL when not given */
	GPtrArray *action_items;                  /* char * */
	char *latest_update; /* the last UPDATE: text, for the stakeholders, or NULL */
	char *fingerprint;   /* alert identity, or NULL for incidents declared by hand */
	char *source;        /* "alertmanager", "manual", ... */
	char *details;       /* the alert's labels and annotations, for the page */
	char *thread_id;     /* Message-ID (without <>) every mail about it references, or NULL */
	gboolean unverified; /* declared by an alert that was not authenticated, and nobody
	                      * acknowledged it yet: kept off lists and the status page */
	gint64 snooze_until; /* 0 = not snoozed; while acknowledged, back to triggered at this
	                      * time (the caller's timer calls incident_enter_status) */
	char *team;          /* the [team:NAME] it was routed to, or NULL for "default" */
	gint64 ladder_at;    /* when its escalation ladder started: the declaration, a deferred
	                      * first page, or its last return to triggered; 0 while a low-urgency
	                      * first page waits for business hours */
	char *group_key;     /* the alert group it takes (route_group_key), or NULL */
	gint64 merged_into;  /* the incident it was merged into (then it is closed), or 0 */
};

/* What an event records. Stored by name (event_kind_name); the names and what each kind
 * means to the timeline, the status page and the timers are one table in incident.c. */
enum event_kind {
	EVENT_UNKNOWN, /* a stored name this version does not know: shown as stored */
	EVENT_DECLARED,
	EVENT_PAGED,
	EVENT_ACKNOWLEDGED,
	EVENT_SEVERITY,
	EVENT_STATUS,
	EVENT_COMMANDER,
	EVENT_UPDATED, /* title, impact, next steps, root cause, action item */
	EVENT_NOTE,
	EVENT_ALERT_REPEAT,
	EVENT_ALERT_RESOLVED,
	EVENT_REJECTED,
	EVENT_ESCALATED,
	EVENT_REMINDED,            /* the commander, of a status update */
	EVENT_POSTMORTEM_REMINDED, /* the commander, of a post-mortem due */
	EVENT_POSTMORTEM,
	EVENT_DROPPED,
	EVENT_UNVERIFIED,
	EVENT_VERIFIED,
	EVENT_SNOOZED,
	EVENT_DEFERRED,     /* a low-urgency first page waits for business hours */
	EVENT_BOUNCED,      /* a page came back undeliverable (bounce.c reads the report) */
	EVENT_ALERT_JOINED, /* another alert joined it (grouping, the storm guard): no page */
	EVENT_MERGED,       /* it was merged into another incident (MERGE) */
	EVENT_TOLD,         /* who was informed of what (a summary of joined alerts, a merge) */
	EVENT_SUPPRESSED,   /* a maintenance window held the alert back until it ended */
	EVENT_HEARTBEAT_MISSING, /* the silence a heartbeat incident was declared for */
	EVENT_RESOLVED,          /* written by older versions only */
	EVENT_KIND_COUNT
};

struct event_kind_info {
	const char *name;  /* as stored */
	gboolean timeline; /* shown in the post-mortem's timeline */
	gboolean public;   /* on the status page, in statuspage.c's words */
	gboolean told;     /* the stakeholders were told, or the commander was asked to tell
	                    * them: the update reminder waits update_interval from it */
	gboolean pages;    /* someone was paged, or it became triggered: the next escalation
	                    * step waits ack_timeout from it */
};

const struct event_kind_info *event_kind_info(enum event_kind k);
/* The stored name; "unknown" for EVENT_UNKNOWN. */
const char *event_kind_name(enum event_kind k);
/* The kind of a stored name, EVENT_UNKNOWN when none. */
enum event_kind event_kind_parse(const char *name);

/* Which of the incident's fields an EVENT_UPDATED changed: decisions (what the status
 * page shows) read this, never the detail text. Stored by name (event_field_name). */
enum event_field {
	FIELD_NONE,
	FIELD_TITLE,
	FIELD_IMPACT,
	FIELD_NEXT_STEPS,
	FIELD_ROOT_CAUSE,
	FIELD_ACTION_ITEM,
	FIELD_COUNT,
};
/* "title", "impact", ...; NULL for FIELD_NONE. event_field_parse is its inverse (NULL and
 * unknown names give FIELD_NONE). */
const char *event_field_name(enum event_field f);
enum event_field event_field_parse(const char *name);

struct event {
	gint64 at;
	char *actor; /* address, or "sevmail" */
	enum event_kind kind;
	enum event_field field; /* for EVENT_UPDATED, else FIELD_NONE */
	char *unknown_name;     /* the stored name when kind is EVENT_UNKNOWN, else NULL */
	char *detail;           /* one line for people */
};

struct incident_outcome {
	GPtrArray *events;    /* struct event *, to store in order */
	GPtrArray *changes;   /* char *, "Status: Investigating -> Mitigating", for the sender */
	GPtrArray *refusals;  /* char *, what was not done and why */
	gboolean communicate; /* a stakeholder status mail is due */
};

struct incident *incident_new(const char *title, const char *source, gint64 now);
void incident_free(struct incident *inc);
typedef struct incident incident; /* for g_autoptr(incident) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(incident, incident_free)

struct event *event_make(gint64 at, const char *actor, enum event_kind kind, const char *detail);
/* The same by stored name (an unknown one is kept as such). */
struct event *event_new(gint64 at, const char *actor, const char *kind, const char *detail);
/* The name e is stored under. */
const char *event_name(const struct event *e);
void event_free(struct event *e);

/* One alert of an incident (DESIGN.md's show --json `alerts`): the one that declared it,
 * those that joined it, and those of incidents merged into it. */
struct incident_alert {
	char *fingerprint, *source, *title;
	gboolean resolved;        /* its latest mail reported a (verified) recovery */
	gint64 first_at, last_at; /* its first and latest mail */
	int count;                /* how many firing mails came */
	gint64 told_at;           /* when the responders heard of it (page, summary), or 0 */
};

struct incident_alert *incident_alert_new(const char *fingerprint, const char *source,
                                          const char *title, gint64 now);
void incident_alert_free(struct incident_alert *a);
typedef struct incident_alert incident_alert; /* for g_autoptr(incident_alert) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(incident_alert, incident_alert_free)
/* How many of alerts (struct incident_alert *) still fire. */
guint incident_alerts_firing(GPtrArray *alerts);

struct incident_outcome *incident_outcome_new(void);
void incident_outcome_free(struct incident_outcome *o);
typedef struct incident_outcome incident_outcome; /* for g_autoptr(incident_outcome) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(incident_outcome, incident_outcome_free)

/* Applies one command from actor at now: changes inc, appends to out, then records the
 * command's attached note (cmd->note) as a "note" event, whether the command was done or
 * refused. Commands that need no state here (HELP, UNKNOWN, POSTMORTEM, DECLARE, ESCALATE,
 * PAGE, MERGE, MAINTENANCE) are the caller's and leave inc unchanged. */
void incident_apply(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
                    struct incident_outcome *out);
/*
 * The one function that changes inc->status, to any status from any (no check: the
 * transition table is incident_apply's). Leaving triggered for an open or resolved status
 * acknowledges (acked_by, acked_at, commander if none; event "acknowledged"); entering
 * triggered clears acked_by and acked_at (the next ACK is a new acknowledgement); leaving
 * investigating/mitigating clears snooze_until; resolved_at is set on entering resolved and
 * cleared on leaving it for an open status. Records "status" "Status: Old -> New" when the
 * words differ ("Status: Investigating -> Triggered (unacknowledged)", "Status: Resolved ->
 * Closed") and sets out->communicate when the stakeholders' word changes or it resolves.
 */
void incident_enter_status(struct incident *inc, enum incident_status to, const char *actor,
                           gint64 now, struct incident_outcome *out);
/* Adds a timeline note. */
void incident_note(struct incident *inc, const char *text, const char *actor, gint64 now,
                   struct incident_outcome *out);

/* Why incident other_id (other, NULL when there is no such incident) cannot be merged into
 * `into`, or NULL when it can: not into itself, not into or from a closed (or merged) one.
 * One sentence without the final period. Caller frees. */
char *incident_merge_refusal(const struct incident *into, gint64 other_id,
                             const struct incident *other);
/* MERGE: other joins incident `into`: merged_into set, an event "merged" ("Merged into INC-M
 * by actor"), and closed through incident_enter_status. */
void incident_merge(struct incident *other, gint64 into, const char *actor, gint64 now,
                    struct incident_outcome *out);

/* "triggered", "investigating", ... as stored; incident_status_parse is its inverse. */
const char *incident_status_name(enum incident_status s);
gboolean incident_status_parse(const char *name, enum incident_status *s);
/* The spec's word for mail: Investigating | Mitigating | Resolved (triggered shows as
 * Investigating, closed as Resolved). */
const char *incident_status_word(enum incident_status s);
/* "SEV 1", or "SEV ?" when not assessed. Caller frees. */
char *incident_severity_label(const struct incident *inc);

#endif
