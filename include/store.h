/*
 * store: the one database, a SQLite file or a PostgreSQL database shared by several machines.
 * Schema and numbered migrations, every SQL statement, and the transactions (one per
 * inbound message: raw message, effects, outbox rows, checkpoint). The only module that
 * sees sqlite3 and libpq, and the only one that knows which of them runs; every value is a
 * bound parameter (only the outbox kind table's own names are written into SQL).
 */
#ifndef SEVMAIL_STORE_H
#define SEVMAIL_STORE_H

#include "incident.h"
#include "route.h"
#include <glib.h>

/* Error domain of the database; the code says what the caller can do about it. */
#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);
enum store_error_code {
	STORE_ERROR_FAILED,     /* the statement's own failure: trying again changes nothing */
	STORE_ERROR_TRANSIENT,  /* busy, locked, full, unwritable, out of memory: try later */
	STORE_ERROR_CONNECTION, /* the database server cannot be reached, or went away */
};

struct store;

enum store_kind { STORE_SQLITE, STORE_POSTGRESQL };

/* Where the database is. */
struct store_params {
	enum store_kind kind;
	const char *path;     /* SQLite: the file */
	const char *conninfo; /* PostgreSQL: libpq's connection string (host=... dbname=...) */
	const char *password; /* PostgreSQL: or NULL (then libpq's own ways, e.g. ~/.pgpass) */
	int busy_timeout;     /* seconds to wait for another writer */
};

/* Opens (creating and migrating) the database; waits up to busy_timeout seconds for
 * another writer. NULL + err on failure: the error names the database and what failed.
 * A database whose schema is newer than this sevmail is refused. */
struct store *store_open_params(const struct store_params *p, GError **err);
/* The SQLite file at path. */
struct store *store_open(const char *path, int busy_timeout, GError **err);
void store_close(struct store *s);

/* "sqlite" or "postgresql", the database as messages name it, and its schema version. */
const char *store_backend_name(const struct store *s);
const char *store_where(const struct store *s);
int store_schema_version(struct store *s, GError **err);

/* --- more than one machine: one active `sevmail run` per database --- */
/* TRUE when several machines may share the database (PostgreSQL), so that one `run` is
 * active and the others stand by. */
gboolean store_shared(const struct store *s);
/* Tries to become the active instance, reconnecting first when the connection was lost: 1
 * when this process is the active one (always, when not shared), 0 when another instance
 * is, -1 + err when the database cannot be reached. */
int store_active_take(struct store *s, GError **err);
/* FALSE when this process became active and is no longer sure to be: its database session
 * ended (and with it the lock), so another instance may be active now. It must not act on
 * the mailbox or send mail until store_active_take says 1 again. Asks the server (one
 * round trip). TRUE for a process that never asked to be active. */
gboolean store_active_held(struct store *s);
/* The active instance as "HOST pid PID" (caller frees) in *who, NULL when none is; 0, or -1
 * + err. Not shared: NULL. */
int store_active_holder(struct store *s, char **who, GError **err);

/* Copies every row of from (SQLite) into to, which must be empty and at the same schema
 * version, in one transaction of to, and compares the row counts of every table. On
 * success *report is one line per table (caller frees). */
int store_copy(struct store *from, struct store *to, char **report, GError **err);

/* BEGIN (writers one at a time) / COMMIT / ROLLBACK. Any step that fails inside the transaction
 * marks it failed: store_commit then refuses (with that first error) and rolls back, so a caller
 * that overlooked an error never commits half a message. */
int store_begin(struct store *s, GError **err);
int store_commit(struct store *s, GError **err);
void store_rollback(struct store *s);

/* Group commit: one transaction (one BEGIN, one COMMIT, one sync to disk) carries several
 * messages. Inside an open batch, store_begin, store_commit and store_rollback act on a
 * SAVEPOINT instead: a message that fails rolls back alone, and its failure is not the
 * batch's (the first-failure rule holds per savepoint). A failure outside a savepoint, or
 * a savepoint that cannot be rolled back (the connection or the transaction itself was
 * lost), fails the batch: store_batch_end then refuses and rolls back every message of it,
 * so they are all read again. One savepoint at a time. */
int store_batch_begin(struct store *s, GError **err);
int store_batch_end(struct store *s, GError **err);
void store_batch_abort(struct store *s);
gboolean store_batch_open(const struct store *s);

/* --- inbound messages --- */
struct stored_message {
	const char *message_id;   /* or NULL */
	const char *hash;         /* SHA-256 of the raw bytes, hex */
	const char *content_hash; /* SHA-256 of sender, subject and text, hex (or NULL) */
	const char *mailbox;      /* IMAP mailbox, or "ingest" */
	guint32 uid;              /* 0 for ingest */
	gint64 received_at;
	const char *raw;
	gsize len;
};
/* Whether a message is stored already: the same bytes, or the same Message-ID with the
 * same content (sender, subject, text). A Message-ID stored with other content is
 * STORE_MESSAGE_REUSED_ID: a new message, not a duplicate. -1 + err when the look-up fails
 * (never "not found"). */
enum { STORE_MESSAGE_NEW, STORE_MESSAGE_KNOWN, STORE_MESSAGE_REUSED_ID };
int store_message_known(struct store *s, const char *message_id, const char *hash,
                        const char *content_hash, GError **err);
gint64 store_message_add(struct store *s, const struct stored_message *m, GError **err);
int store_message_outcome(struct store *s, gint64 id, const char *route, const char *reason,
                          gint64 incident_id, GError **err);

/* --- retention of inbound mail's raw bytes (store_retention.c) --- */
/* Rows pruned per transaction: intake waits for one batch at most. */
#define STORE_PRUNE_BATCH 500
/* Drops the raw bytes of the inbound messages received before `before` and marks them
 * pruned at now; their Message-ID, hashes, route, reason and incident stay (a copy of one
 * is still a duplicate), and so do events and incidents. The quarantine is not touched: a
 * message there is kept until it is dealt with. One transaction per STORE_PRUNE_BATCH rows,
 * at most max_batches of them (0: until none is left). The number pruned, -1 + err. */
gint64 store_prune_raw(struct store *s, gint64 before, gint64 now, int max_batches, GError **err);

/* How the database's file uses its pages (SQLite; known is FALSE on PostgreSQL, whose
 * autovacuum makes the space of pruned rows reusable by itself). */
struct store_space {
	gboolean known;
	gboolean incremental; /* auto_vacuum = incremental: free pages can go back to the
	                         file system without a VACUUM */
	gint64 page_size, pages, free_pages;
};
int store_space(struct store *s, struct store_space *sp, GError **err);
/* Gives up to `pages` free pages (0: all) back to the file system where the database can
 * (SQLite with auto_vacuum = incremental), a few at a time so that writers are not kept
 * waiting: the number given back, -1 + err. */
gint64 store_reclaim(struct store *s, gint64 pages, GError **err);
/* Rewrites the database so that it gives freed space back from now on: SQLite sets
 * auto_vacuum = incremental and VACUUMs (which waits for, and then holds up, the other
 * writers while it copies the file); PostgreSQL VACUUMs the messages table. 0, or -1 +
 * err. */
int store_compact(struct store *s, GError **err);
/* The daemon's timer pass: with keep > 0, a few batches of store_prune_raw of the mail
 * older than keep seconds (a large first prune is spread over several passes), then
 * store_reclaim of what they freed. Logs what it pruned; a failure is a warning, tried
 * again on a later pass. */
void store_retention_run(struct store *s, int keep, gint64 now);

/* TRUE when err is worth trying again later as it is: the database was busy, full,
 * unwritable, out of memory or unreachable. Other errors are the message's own. */
gboolean store_error_transient(const GError *err);

/* --- quarantine: messages that could not be processed --- */
struct quarantined {
	gint64 id, received_at;
	char *message_id; /* or NULL */
	char *mailbox;
	guint32 uid;
	char *error;
	int tries;
	GBytes *raw; /* NULL in lists */
};
void quarantined_free(struct quarantined *q);
/* Keeps m (its raw bytes) with the error, in the caller's transaction. */
int store_quarantine_add(struct store *s, const struct stored_message *m, const char *error,
                         int tries, GError **err);
/* struct quarantined * without raw, oldest first; NULL + err on failure. */
GPtrArray *store_quarantine_list(struct store *s, GError **err);
/* One with its raw bytes: 1 when found, 0 when not, -1 + err. */
int store_quarantine_get(struct store *s, gint64 id, struct quarantined **out, GError **err);
int store_quarantine_remove(struct store *s, gint64 id, GError **err);

/* --- the lists an incident's status mail went to: they hear of it to the end --- */
int store_incident_list_told(struct store *s, gint64 incident_id, const char *list, GError **err);
/* 1 when list was told of the incident, 0 when not, -1 + err. */
int store_incident_list_was_told(struct store *s, gint64 incident_id, const char *list,
                                 GError **err);

/* --- IMAP checkpoints --- */
/* 1 and the values when the mailbox has a checkpoint, 0 when not, -1 + err when the read
 * fails. */
int store_checkpoint_get(struct store *s, const char *mailbox, guint32 *uidvalidity,
                         guint32 *last_uid, GError **err);
int store_checkpoint_set(struct store *s, const char *mailbox, guint32 uidvalidity,
                         guint32 last_uid, GError **err);

/* --- incidents and events --- */
/* Inserts inc and sets inc->id. */
int store_incident_insert(struct store *s, struct incident *inc, GError **err);
int store_incident_update(struct store *s, const struct incident *inc, GError **err);
/* 1 and *out (caller frees) when the incident exists, 0 and NULL when not, -1 + err when
 * the read fails (never "does not exist"). */
int store_incident_get(struct store *s, gint64 id, struct incident **out, GError **err);
/* Id of the open (not resolved or closed) incident with this fingerprint, 0 when there is
 * none, -1 + err when the look-up fails. */
gint64 store_incident_open_by_fingerprint(struct store *s, const char *fingerprint, GError **err);
/* Id of the incident a Message-ID (sent by us, or received for it) belongs to, 0 when
 * none, -1 + err when the look-up fails. */
gint64 store_incident_by_message_id(struct store *s, const char *message_id, GError **err);
/* struct incident *, newest first; all = FALSE lists only open ones. Caller frees. NULL +
 * err on failure (an empty array when there are none). */
GPtrArray *store_incident_list(struct store *s, gboolean all, GError **err);
/* The incidents a timer may act on: the open ones, and the resolved SEV 1 and 2 (reminded
 * of their post-mortem), newest first. Caller frees. NULL + err on failure. */
GPtrArray *store_incidents_for_timers(struct store *s, GError **err);
/* The resolved and closed incidents that ended (resolved_at, else created_at) at since or
 * later, neither unverified nor merged, the latest first, at most limit; *more: how many
 * more there are. Caller frees. NULL + err on failure. */
GPtrArray *store_incidents_ended(struct store *s, gint64 since, guint limit, guint *more,
                                 GError **err);
/* What stats reads: the incidents declared at since or later, with only their id,
 * severity, status, times and team (no action items), and how many of their events are
 * "escalated" and "alert_repeat". Caller frees. NULL + err on failure. */
GPtrArray *store_incidents_for_stats(struct store *s, gint64 since, gint64 *escalations,
                                     gint64 *repeats, GError **err);
int store_event_add(struct store *s, gint64 incident_id, const struct event *e,
                    const char *message_id, GError **err);
/* struct event *, oldest first. Caller frees. NULL + err on failure. */
GPtrArray *store_events(struct store *s, gint64 incident_id, GError **err);

/* The events of each incident (struct incident *), as a parallel array of the arrays
 * store_events returns. Caller frees. NULL + err when any read fails. */
GPtrArray *store_events_each(struct store *s, GPtrArray *incidents, GError **err);

/* --- outbox --- */
/* What a queued mail is. Stored by name (also its template's and its Message-ID's word);
 * the names and how each kind is delivered and counted are one table in store_outbox.c. */
enum outbox_kind {
	OUTBOX_UNKNOWN, /* a stored name this version does not know */
	OUTBOX_PAGE,
	OUTBOX_REPAGE,
	OUTBOX_CONFIRM,
	OUTBOX_ERROR,
	OUTBOX_HELP,
	OUTBOX_NOTICE,
	OUTBOX_RELAY,
	OUTBOX_STATUS,
	OUTBOX_POSTMORTEM,
	OUTBOX_SUBSCRIPTION,
	OUTBOX_OWNER,      /* to a list's owner: a subscriber was suspended */
	OUTBOX_HEARTBEAT,  /* sevmail's own, to [general] heartbeat_to */
	OUTBOX_SHORT_PAGE, /* a page's short form for a [person:] page_also address */
	OUTBOX_KIND_COUNT
};

struct outbox_kind_info {
	const char *name;     /* as stored */
	gboolean ordered;     /* waits while an older one of its kind about the same incident
	                       * waits for its retry (pages never wait) */
	gboolean answer;      /* caused by mail from people: counts toward the answer limit */
	gboolean reply_token; /* a responder's copy carries the incident's reply token */
	gboolean pages;       /* it pages someone: its bounce is an event of the incident */
	gboolean html;        /* has an HTML alternative (templates/NAME.html) */
};

const struct outbox_kind_info *outbox_kind_info(enum outbox_kind k);
/* The stored name; "unknown" for OUTBOX_UNKNOWN. */
const char *outbox_kind_name(enum outbox_kind k);
/* The kind of a stored name, OUTBOX_UNKNOWN when none. */
enum outbox_kind outbox_kind_parse(const char *name);

struct outbox_item {
	gint64 id;
	enum outbox_kind kind;
	char *message_id;
	char *sender;
	GBytes *raw;
	GPtrArray *rcpts; /* char *, recipients still to deliver */
	int attempts;
	gint64 created_at;
	gint64 incident_id; /* or 0 */
};
void outbox_item_free(struct outbox_item *it);
int store_outbox_add(struct store *s, enum outbox_kind kind, gint64 incident_id,
                     const char *message_id, const char *sender, GPtrArray *rcpts, const char *raw,
                     gsize len, gint64 now, GError **err);
/* How many messages of this kind were queued for the incident (numbering Message-IDs);
 * -1 + err when the count fails. */
int store_outbox_count(struct store *s, gint64 incident_id, enum outbox_kind kind, GError **err);
/* Messages with recipients due for an attempt at now, oldest first. A message waits while
 * an older one of the same kind about the same incident still waits for its retry, so
 * status mails and confirmations arrive in order after an outage; pages and re-pages
 * (the kinds not marked ordered) never wait, and one greylisted subscriber holds up only
 * later status mails. Caller frees. NULL + err on failure. */
GPtrArray *store_outbox_due(struct store *s, gint64 now, GError **err);
/* Records one recipient's outcome: state "sent", "failed" or "queued" with the error (a
 * recipient whose mail bounced stays bounced). */
int store_outbox_rcpt(struct store *s, gint64 id, const char *address, const char *state,
                      const char *error, GError **err);
/* Records an attempt: the message is sent when no recipient is queued, failed when none is
 * queued and one failed, otherwise queued again at next_attempt. */
int store_outbox_attempt(struct store *s, gint64 id, gint64 next_attempt, const char *error,
                         GError **err);

/* One outbox row for people (`sevmail outbox`). */
struct outbox_row {
	gint64 id, incident_id, created_at, next_attempt;
	char *kind, *message_id, *state, *last_error;
	int attempts;
	GPtrArray *rcpts; /* struct outbox_rcpt_row * */
};
struct outbox_rcpt_row {
	char *address, *state, *error;
};
void outbox_row_free(struct outbox_row *r);
/* Rows still queued or failed, or with a recipient whose mail bounced (all = TRUE: sent
 * ones too), oldest first. Caller frees. NULL + err on failure. */
GPtrArray *store_outbox_list(struct store *s, gboolean all, GError **err);
/* One row with its recipients: 1 and *out (caller frees) when it exists, 0 when not, -1 +
 * err when the read fails. */
int store_outbox_get(struct store *s, gint64 id, struct outbox_row **out, GError **err);

/* --- bounces: reports that mail to a recipient came back --- */
/* Marks a recipient of message id bounced at now with the diagnostic in its error: 1 when
 * marked, 0 when it was bounced already (a replayed report) or is no recipient, -1 + err. */
int store_outbox_bounced(struct store *s, gint64 id, const char *address, const char *error,
                         gint64 now, GError **err);
/* Records a report of delay in a delivered recipient's error; its state stays. */
int store_outbox_delayed(struct store *s, gint64 id, const char *address, const char *error,
                         GError **err);
/* The addresses whose mail about incident_id bounced (char *). NULL + err. */
GPtrArray *store_incident_bounced(struct store *s, gint64 incident_id, GError **err);
/* How many messages queued since sent_since bounced for address since bounced_since; -1 +
 * err when the count fails (never "none"). */
int store_bounces_since(struct store *s, const char *address, gint64 bounced_since,
                        gint64 sent_since, GError **err);
/* Requeues a message's failed recipients for now, with a fresh max_age. Returns 1 when
 * the message exists, 0 when not, -1 on error. */
int store_outbox_retry(struct store *s, gint64 id, gint64 now, GError **err);

/* How many answers and relayed notes (the kinds marked answer) were queued to address
 * since t: what mail from people (or their auto-responders) caused them to receive. -1 +
 * err when the count fails (never "none"). */
int store_answers_since(struct store *s, const char *address, gint64 t, GError **err);

/* --- lists --- */
/* How many subscription mails (confirmations, welcomes, goodbyes, notices) were queued
 * since t to mailbox (local@domain, lower-case, without +detail) or to any of its
 * local+detail@domain forms; -1 + err when the count fails. */
int store_subscription_mails_since(struct store *s, const char *mailbox, gint64 t, GError **err);
/* Subscribes address (lifting a suspension: the subscription starts anew at now). */
int store_subscribe(struct store *s, const char *list, const char *address, gint64 now,
                    GError **err);
/* Returns 1 when removed, 0 when not subscribed, -1 on error. */
int store_unsubscribe(struct store *s, const char *list, const char *address, GError **err);
/* Suspends a subscription (its mail bounced): the member gets no list mail until they
 * subscribe again. */
int store_suspend(struct store *s, const char *list, const char *address, gint64 now,
                  const char *reason, GError **err);
/* The subscribers who get the list's mail (not the suspended ones), char *, sorted.
 * Caller frees. NULL + err on failure. */
GPtrArray *store_subscribers(struct store *s, const char *list, GError **err);
/* Whether address is on list: STORE_SUBSCRIBED (and *since, when given, the time its
 * subscription began), STORE_SUSPENDED, STORE_NOT_SUBSCRIBED, or -1 + err. */
enum { STORE_NOT_SUBSCRIBED, STORE_SUBSCRIBED, STORE_SUSPENDED };
int store_subscribed(struct store *s, const char *list, const char *address, gint64 *since,
                     GError **err);

/* One member of a list, for `sevmail members`. */
struct member {
	char *address;
	gint64 since;           /* when the subscription began */
	gint64 suspended_at;    /* 0 when not suspended */
	char *suspended_reason; /* or NULL */
};
void member_free(struct member *m);
/* Every member (struct member *), suspended ones too, by address. Caller frees. NULL + err
 * on failure. */
GPtrArray *store_members(struct store *s, const char *list, GError **err);

/* Confirmation tokens of subscriptions by mail: valid once, for STORE_TOKEN_LIFETIME. */
#define STORE_TOKEN_LIFETIME (7 * 24 * 3600)
int store_list_token_add(struct store *s, const char *token, const char *list, const char *address,
                         const char *action, gint64 now, GError **err);
/* Consumes an unused, unexpired token issued to address: 1 and its list and action (caller
 * frees) when it was one, 0 when not, -1 on error. */
int store_list_token_use(struct store *s, const char *token, const char *address, char **list,
                         char **action, gint64 now, GError **err);

/* --- handoffs of on-call schedules: one notice each --- */

/* 1 when the handoff of schedule to person at since was noticed (told or logged), 0 when
 * not, -1 + err. */
int store_handoff_seen(struct store *s, const char *schedule, gint64 since, const char *person,
                       GError **err);
/* The latest handoff of schedule noticed so far in *since: 1, 0 when none, -1 + err. */
int store_handoff_last(struct store *s, const char *schedule, gint64 *since, GError **err);
/* Records it; sent is FALSE when it was only logged (it happened while sevmail was
 * stopped). Recording it twice changes nothing. */
int store_handoff_add(struct store *s, const char *schedule, gint64 since, const char *person,
                      gint64 now, gboolean sent, GError **err);

/* --- schedule overrides (struct schedule_override of schedule.h) --- */
struct schedule_override;
/* The overrides not removed whose until is after ending_after, as struct
 * schedule_override * (the array frees them), ordered by id. NULL + err on failure. */
GPtrArray *store_overrides(struct store *s, gint64 ending_after, GError **err);
/* Stores o (its schedule, person, from and until), added by `by` at now; sets o->id. */
int store_override_add(struct store *s, struct schedule_override *o, const char *by, gint64 now,
                       GError **err);
/* Marks override id removed at now; an unknown or already removed id is an error that
 * says so. */
int store_override_remove(struct store *s, gint64 id, gint64 now, GError **err);
/* When the newest message of kind was queued: 1 and *t, 0 when there is none, -1 + err. */
int store_outbox_last(struct store *s, enum outbox_kind kind, gint64 *t, GError **err);

/* --- noise control: maintenance windows, what they held back, heartbeats --- */

/* Stores w (its id is set). */
int store_window_add(struct store *s, struct window *w, gint64 now, GError **err);
/* struct window * not over at now (in force, or to come), by start. NULL + err. */
GPtrArray *store_windows(struct store *s, gint64 now, GError **err);
/* 1 and *out (caller frees) when window id exists, 0 when not, -1 + err. */
int store_window_get(struct store *s, gint64 id, struct window **out, GError **err);
/* Ends window id at now (`maintenance end`). */
int store_window_end(struct store *s, gint64 id, gint64 now, GError **err);
/* struct window * over at now whose held-back alerts were not released yet, oldest
 * first. NULL + err. store_window_released marks one released: 1, or 0 when it was
 * already (another process was quicker), -1 + err. */
GPtrArray *store_windows_to_release(struct store *s, gint64 now, GError **err);
int store_window_released(struct store *s, gint64 id, gint64 now, GError **err);

/* One alert mail a maintenance window held back. */
struct suppressed {
	gint64 window_id, at;
	gint64 first_at; /* store_suppressed_last: the identity's first mail in the window */
	char *message_id, *sender, *subject; /* of the mail; any may be NULL */
	char *source, *fingerprint, *title;  /* the alert's */
	char *severity_label, *details;      /* or NULL */
	char *labels;                        /* route_labels_text */
	enum alert_state state;              /* firing or resolved */
	gboolean verified;
};
void suppressed_free(struct suppressed *r);
int store_suppressed_add(struct store *s, const struct suppressed *r, GError **err);
/* The last mail of each alert identity window_id held back, in the order they came.
 * NULL + err. */
GPtrArray *store_suppressed_last(struct store *s, gint64 window_id, GError **err);
/* Hands what window `from` held back of one identity to window `to`, which holds it still. */
int store_suppressed_move(struct store *s, gint64 from, gint64 to, const char *fingerprint,
                          GError **err);

/* What is known of a [heartbeat:NAME]: 0 means never. */
struct heartbeat_seen {
	gint64 first_seen;   /* when sevmail first saw the section */
	gint64 last_seen;    /* the last heartbeat */
	gint64 declared_for; /* the silence (its start) an incident was declared for */
};
/* 1 and *out when the heartbeat is known, 0 (and zeros) when not, -1 + err. */
int store_heartbeat_get(struct store *s, const char *name, struct heartbeat_seen *out,
                        GError **err);
/* Records that sevmail sees the section from now on (nothing when it did before). */
int store_heartbeat_first(struct store *s, const char *name, gint64 now, GError **err);
/* A heartbeat came at now. */
int store_heartbeat_beat(struct store *s, const char *name, gint64 now, GError **err);
/* An incident was declared for the silence since `since`. */
int store_heartbeat_declared(struct store *s, const char *name, gint64 since, GError **err);

/* --- participants: everyone paged for, or acting on, an incident --- */
int store_participant_add(struct store *s, gint64 incident_id, const char *address, GError **err);
/* The same for someone paged about it (show --json `paged`). */
int store_participant_paged(struct store *s, gint64 incident_id, const char *address, GError **err);
/* char *, in the order they joined. Caller frees. NULL + err on failure. */
GPtrArray *store_participants(struct store *s, gint64 incident_id, GError **err);
/* Those of them who were paged, the same way. */
GPtrArray *store_participants_paged(struct store *s, gint64 incident_id, GError **err);

/* --- noise control: the alerts of incidents, the storm guard, merges (store_alerts.c) --- */
/* Adds an alert to an incident; a firing mail of an alert it holds already counts as one
 * more mail of it. */
int store_incident_alert_add(struct store *s, gint64 incident_id, const struct incident_alert *a,
                             GError **err);
/* One more mail of an alert the incident holds, at now: a firing one counts, a resolved one
 * marks the alert resolved. */
int store_incident_alert_seen(struct store *s, gint64 incident_id, const char *fingerprint,
                              gboolean resolved, gint64 now, GError **err);
/* struct incident_alert *, in the order they came. Caller frees. NULL + err on failure. */
GPtrArray *store_incident_alerts(struct store *s, gint64 incident_id, GError **err);
/* The responders heard at now of every alert of the incident they had not heard of. */
int store_incident_alerts_told(struct store *s, gint64 incident_id, gint64 now, GError **err);
/* The open incidents (gint64 ids) with alerts the responders have not heard of. Caller
 * frees. NULL + err on failure. */
GArray *store_incidents_untold(struct store *s, GError **err);
/* How many incidents alerts declared after since (the storm incident, which no single
 * alert declared, aside); -1 + err when the count fails. */
int store_alert_incidents_since(struct store *s, gint64 since, GError **err);
/* The newest open incident of a source ("storm") and its declaration time: its id, 0 when
 * there is none, -1 + err when the look-up fails. */
gint64 store_incident_open_by_source(struct store *s, const char *source, gint64 *created_at,
                                     GError **err);
/* MERGE: the alerts of incident `from` become alerts of `to` too (one both hold is counted
 * once, with the mails of both); its people take part in `to`, and the lists told of it
 * hear of `to` to the end. */
int store_incident_alerts_copy(struct store *s, gint64 from, gint64 to, GError **err);
int store_incident_people_copy(struct store *s, gint64 from, gint64 to, GError **err);
/* The incident that id became through merges (id itself when it was never merged), -1 +
 * err when the look-up fails. */
gint64 store_incident_follow(struct store *s, gint64 id, GError **err);

/* The statements that must cost the same after a year of history as on the first day
 * (intake, the timers, list, show, stats, the status page): each by name, the very SQL the
 * store runs, and the tables it may read whole (a space-separated list, or ""), for a test
 * of their query plans. The last entry's name is NULL. */
struct store_hot_sql {
	const char *name;
	const char *(*sql)(void);
	const char *may_scan;
};
extern const struct store_hot_sql store_hot_statements[];

#endif
