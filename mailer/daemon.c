/*
 * daemon: IMAP pass, outbox pass, and the main loop that repeats them; with a database shared
 * by several machines, the loop acts only while this instance is the active one.
 */
#include "daemon.h"

#include "escalate.h"
#include "handoff.h"
#include "imap.h"
#include "intake.h"
#include "joins.h"
#include "noise.h"
#include "outbox.h"
#include "publish.h"
#include "relay.h"
#include "template.h"
#include "util.h"
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* A fetch of at least PROGRESS_MIN messages is a backlog worth a progress report. */
#define PROGRESS_MIN 100
#define PROGRESS_EVERY 50

/* Group commit: the messages of one fetch go into one transaction, each in a savepoint of
 * its own (store_batch_begin), with the checkpoint; the batch commits when the fetched
 * messages run out, after BATCH_COUNT messages or once it has taken BATCH_MS, and the mail
 * it queued (pages first of all) is sent right after its commit. A crash replays whole
 * messages: nothing of an uncommitted batch is stored, nor its checkpoint. */
#define BATCH_COUNT 50
#define BATCH_MS 100

/* A message of the open batch, reported once its batch committed. */
struct pending {
	struct intake_result res;
	guint32 uid;
	guint index, total;
};

struct fetch_ctx {
	const struct config *cfg;
	struct store *store;
	struct imap *imap;
	guint32 uidvalidity;
	struct pass_stats *stats;
	GError *error;
	GArray *committed; /* guint32 UIDs committed but not yet marked processed */
	GArray *pending;   /* struct pending: the open batch's messages */
	gint64 started;    /* when the open batch began (monotonic, microseconds) */
	/* The last message of a batch that rolled back whole (a message's failure took the
	 * transaction with it, as SQLite does on some errors, or the commit failed, as on a
	 * deferred constraint): lost_uid. The fetch is then read again with the messages
	 * through it each in a transaction of its own (alone_through), so that a bad one is
	 * tried and quarantined alone, as without group commit, instead of failing the
	 * batch, and every message before and behind it, on every pass. */
	guint32 lost_uid, alone_through;
};

/* Committed messages are marked processed a batch at a time: one command instead of a round
 * trip per message. A crash before the mark leaves them unmarked, not unprocessed: the
 * checkpoint and the de-duplication keep them from being applied twice. */
#define MARK_BATCH 500

static void
mark_committed(struct fetch_ctx *f)
{
	g_autoptr(GError) e = NULL;

	if (f->committed->len == 0)
		return;
	/* another instance may be reading the mailbox now: its flags, not ours */
	if (!store_active_held(f->store)) {
		g_array_set_size(f->committed, 0);
		return;
	}
	if (imap_mark_processed(f->imap, (const guint32 *)(void *)f->committed->data,
	                        f->committed->len, &e) != 0)
		g_message("%s: %u committed message(s) could not be marked processed: %s",
		          f->cfg->mailbox, f->committed->len, e->message);
	g_array_set_size(f->committed, 0);
}

void
daemon_log_result(const char *where, const struct intake_result *r)
{
	char inc[32] = "";

	if (r->incident_id != 0)
		g_snprintf(inc, sizeof inc, " INC-%" G_GINT64_FORMAT, r->incident_id);
	g_message("%s <%s>: %s%s: %s", where,
	          r->message_id != NULL ? r->message_id : "no Message-ID", r->route, inc,
	          r->reason);
}

/* A backlog shows its progress: on a terminal as a counter that rewrites itself, in a log
 * as one line per batch. */
static void
progress(const struct config *cfg, guint index, guint total)
{
	if (total < PROGRESS_MIN)
		return;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s: %u/%u%s", cfg->mailbox, index, total,
		        index == total ? "\n" : "");
	else if (index % PROGRESS_EVERY == 0 || index == total)
		g_message("%s: %u/%u messages processed", cfg->mailbox, index, total);
}

static void
pending_clear(GArray *pending)
{
	for (guint i = 0; i < pending->len; i++)
		intake_result_clear(&g_array_index(pending, struct pending, i).res);
	g_array_set_size(pending, 0);
}

/* Reports the committed messages of f->pending and sends what they queued at once. */
static void
report_committed(struct fetch_ctx *f)
{
	g_autoptr(GError) e = NULL;

	for (guint i = 0; i < f->pending->len; i++) {
		struct pending *p = &g_array_index(f->pending, struct pending, i);

		if (p->total < PROGRESS_MIN || !isatty(STDERR_FILENO)) {
			g_autofree char *where =
			    g_strdup_printf("%s UID %u", f->cfg->mailbox, p->uid);

			daemon_log_result(where, &p->res);
		}
		progress(f->cfg, p->index, p->total);
		f->stats->fetched++;
		f->stats->duplicates += p->res.duplicate;
		g_array_append_val(f->committed, p->uid);
	}
	pending_clear(f->pending);
	/* another instance may be active now: its mail to send, not ours */
	if (store_active_held(f->store) && daemon_send(f->cfg, f->store, f->stats, &e) != 0)
		g_warning("%s (the outbox will retry)", e->message);
	if (f->committed->len >= MARK_BATCH)
		mark_committed(f);
}

/* Commits the open batch, reports its messages, and sends what it queued at once: a page
 * waits for its batch's commit, never for the rest of the fetch, the marking or the timers.
 * -1 (the batch rolled back whole, f->error set unless it was already) when the commit
 * failed. */
static int
batch_commit(struct fetch_ctx *f)
{
	g_autoptr(GError) e = NULL;

	if (!store_batch_open(f->store))
		return 0;
	if (store_batch_end(f->store, &e) != 0) {
		if (f->pending->len > 0)
			f->lost_uid =
			    MAX(f->lost_uid,
			        g_array_index(f->pending, struct pending, f->pending->len - 1).uid);
		pending_clear(f->pending);
		if (f->error == NULL)
			f->error = g_steal_pointer(&e);
		return -1;
	}
	report_committed(f);
	return 0;
}

static int
on_message(const struct imap_message *m, void *data)
{
	struct fetch_ctx *f = data;
	struct intake_source src = {
	    f->cfg->mailbox, f->uidvalidity, m->uid, TRUE, m->headers_only ? m->size : 0, TRUE};
	struct pending p = {{0}, m->uid, m->index, m->total};

	if (m->uid <= f->alone_through) {
		/* read again after its batch rolled back whole: in a transaction of its own */
		if (batch_commit(f) != 0 ||
		    intake_message(f->cfg, f->store, m->raw, m->len, &src, &p.res, &f->error) != 0)
			return -1;
		g_array_append_val(f->pending, p);
		report_committed(f);
		return 0;
	}
	if (!store_batch_open(f->store)) {
		if (store_batch_begin(f->store, &f->error) != 0)
			return -1;
		f->started = g_get_monotonic_time();
	}
	if (intake_message(f->cfg, f->store, m->raw, m->len, &src, &p.res, &f->error) != 0) {
		/* it rolled back alone, and stays unprocessed for the next pass; those before
		 * it in the batch are committed (unless the batch itself failed: then they and
		 * it are applied one by one on the next pass) */
		if (batch_commit(f) != 0)
			f->lost_uid = m->uid;
		return -1;
	}
	g_array_append_val(f->pending, p);
	if (m->last_of_batch || f->pending->len >= BATCH_COUNT ||
	    g_get_monotonic_time() - f->started >= BATCH_MS * 1000)
		return batch_commit(f);
	return 0;
}

static void
daemon_imap_params(const struct config *cfg, struct imap_params *p)
{
	p->host = cfg->imap.host;
	p->port = cfg->imap.port;
	p->security = cfg->imap.security;
	p->user = cfg->imap.user;
	p->password = cfg->imap.password;
	p->ca_file = cfg->imap.ca_file;
	p->mailbox = cfg->mailbox;
	p->processed = cfg->processed;
	p->timeout = cfg->imap.timeout;
	p->max_message_size = (gsize)cfg->max_message_size;
}

/* Hands every new message of the open mailbox to the intake. */
static int
fetch(const struct config *cfg, struct store *s, struct imap *im, struct pass_stats *st,
      GError **err)
{
	g_autoptr(GArray) committed = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GArray) pending = g_array_new(FALSE, FALSE, sizeof(struct pending));
	struct fetch_ctx f = {cfg, s, im, imap_uidvalidity(im), st, NULL, committed, pending,
	                      0,   0, 0};
	guint32 stored_validity = 0, last_uid = 0;
	int rc = store_checkpoint_get(s, cfg->mailbox, &stored_validity, &last_uid, err);

	/* an unread checkpoint is never "none": that would read the mailbox from the start */
	if (rc < 0)
		return -1;
	if (rc > 0 && stored_validity != f.uidvalidity) {
		/* The server renumbered the mailbox: read it again from the start; the
		 * Message-ID and hash de-duplication keeps anything from applying twice. */
		g_message("%s: UIDVALIDITY changed from %u to %u; re-reading the mailbox, "
		          "already processed messages are skipped",
		          cfg->mailbox, stored_validity, f.uidvalidity);
		last_uid = 0;
	}
	for (;;) {
		rc = imap_fetch_new(im, last_uid, on_message, &f, err);
		/* a batch still open (the fetch broke off between messages): what it holds is
		 * applied whole, and committed like any other */
		if (store_batch_open(s) && batch_commit(&f) != 0 && rc >= 0)
			rc = -1;
		if (rc < 0 || f.lost_uid == 0 || f.alone_through != 0 ||
		    store_error_transient(f.error))
			break;
		/* once: from what is committed, the lost batch's messages one by one */
		f.alone_through = f.lost_uid;
		g_clear_error(&f.error);
		g_clear_error(err);
		if (store_checkpoint_get(s, cfg->mailbox, &stored_validity, &last_uid, err) < 0)
			return -1;
		if (stored_validity != f.uidvalidity)
			last_uid = 0;
	}
	if (rc >= 0 || f.error != NULL)
		mark_committed(&f); /* what was committed, even when a later message failed */
	if (f.error != NULL) {
		g_clear_error(err);
		g_propagate_error(err, f.error);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

static struct imap *
connect_imap(const struct config *cfg, GError **err)
{
	struct imap_params p = {0};

	daemon_imap_params(cfg, &p);
	return imap_open(&p, err);
}

/* The timers of the checklist, then what the outbox has due; with [status_page] output,
 * the page is written again when mail or a timer changed something. */
static int
timers_and_send(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err)
{
	g_autoptr(GError) e = NULL;
	int steps = escalate_run(cfg, s, util_now(), err);

	handoff_run(cfg, s, util_now());
	joins_run(cfg, s, util_now());
	steps += noise_run(cfg, s, util_now());
	store_retention_run(s, cfg->keep_raw, util_now());

	if (cfg->status_page_output != NULL && (steps > 0 || st->fetched > st->duplicates) &&
	    publish_status_page(cfg, s, cfg->status_page_output, &e) != 0)
		g_warning("status page not written: %s", e->message);
	return daemon_send(cfg, s, st, err);
}

int
daemon_send(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err)
{
	struct outbox_stats os = {0};
	int rc = outbox_flush(s, cfg, util_now(), &os, err);

	st->sent += os.sent;
	st->deferred += os.deferred;
	st->failed += os.failed;
	return rc;
}

int
daemon_check_connect(const struct config *cfg, GError **err)
{
	struct relay_params p = {0};
	struct imap *im = connect_imap(cfg, err);

	if (im == NULL)
		return -1;
	imap_close(im);
	outbox_relay_params(cfg, &p);
	return relay_greeting(&p, err);
}

int
daemon_pass(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err)
{
	g_autoptr(GError) fetch_error = NULL;
	struct imap *im = connect_imap(cfg, &fetch_error);
	int rc = -1;

	if (im != NULL) {
		rc = fetch(cfg, s, im, st, &fetch_error);
		imap_close(im);
	}
	/* Timers run and queued mail goes out even when the mailbox cannot be read. */
	if (timers_and_send(cfg, s, st, err) != 0)
		return -1;
	if (rc != 0) {
		g_propagate_error(err, g_steal_pointer(&fetch_error));
		return -1;
	}
	return 0;
}

/* The daemon's state between callbacks of the main loop. */
struct loop {
	GMainLoop *main;
	const char *config_path;
	struct config *cfg;
	struct store *store;
	struct imap *imap;  /* the open connection, or NULL */
	guint poll_timer;   /* a pass every poll_interval (a safety net under IDLE) */
	guint retry_timer;  /* the next connection attempt after a failure */
	guint idle_watch;   /* the IDLE socket, while waiting in IDLE */
	guint idle_refresh; /* re-issues IDLE before the server's 29-minute limit */
	guint outbox_timer; /* retries of deferred mail */
	int failures;       /* consecutive failures, for the backoff */
	char *last_error;   /* logged once per change of state, not once per try */
	gboolean active;    /* the active instance: reads mail, runs the timers, sends */
	guint takeover;     /* a standby's next try to become the active instance */
	char *standby;      /* why it stands by, logged once per change */
};

#define IDLE_REFRESH_SECONDS (25 * 60)
#define OUTBOX_SECONDS 15
#define BACKOFF_MAX_SECONDS 300

static void run_pass(struct loop *l);
static void stand_by(struct loop *l, const char *why);

static void
clear_source(guint *id)
{
	if (*id != 0)
		g_source_remove(*id);
	*id = 0;
}

static void
disconnect(struct loop *l)
{
	clear_source(&l->idle_watch);
	clear_source(&l->idle_refresh);
	if (l->imap != NULL)
		imap_close(l->imap);
	l->imap = NULL;
}

static gboolean
on_retry(gpointer data)
{
	struct loop *l = data;

	l->retry_timer = 0;
	run_pass(l);
	return G_SOURCE_REMOVE;
}

/* Exponential backoff with jitter, capped: 1, 2, 4 ... 300 s, each +-20 %. */
static void
fail(struct loop *l, const char *message)
{
	guint delay = 1000u << MIN(l->failures, 9);

	delay = MIN(delay, BACKOFF_MAX_SECONDS * 1000u);
	delay = delay * 4 / 5 + g_random_int_range(0, (gint32)(delay * 2 / 5) + 1);
	if (g_strcmp0(l->last_error, message) != 0)
		g_warning("%s (retrying, at most every %d s)", message, BACKOFF_MAX_SECONDS);
	g_free(l->last_error);
	l->last_error = g_strdup(message);
	l->failures++;
	disconnect(l);
	clear_source(&l->retry_timer);
	l->retry_timer = g_timeout_add(delay, on_retry, l);
}

static gboolean
on_idle_input(gint fd, GIOCondition condition, gpointer data)
{
	struct loop *l = data;

	l->idle_watch = 0;
	clear_source(&l->idle_refresh);
	run_pass(l); /* the fetch ends IDLE itself */
	return G_SOURCE_REMOVE;
}

static gboolean
on_idle_refresh(gpointer data)
{
	struct loop *l = data;

	l->idle_refresh = 0;
	clear_source(&l->idle_watch);
	run_pass(l);
	return G_SOURCE_REMOVE;
}

static void
wait_in_idle(struct loop *l)
{
	g_autoptr(GError) e = NULL;

	if (!l->cfg->idle || !imap_has_idle(l->imap))
		return; /* the poll timer does the work */
	switch (imap_idle_start(l->imap, &e)) {
	case -1:
		fail(l, e->message);
		return;
	case 1:
		/* mail came during the pass: another pass, from the loop (not from here) */
		l->idle_refresh = g_idle_add(on_idle_refresh, l);
		return;
	}
	l->idle_watch =
	    g_unix_fd_add(imap_idle_fd(l->imap), G_IO_IN | G_IO_HUP | G_IO_ERR, on_idle_input, l);
	l->idle_refresh = g_timeout_add_seconds(IDLE_REFRESH_SECONDS, on_idle_refresh, l);
}

/* FALSE, after standing by, when this instance lost its hold on the database: another one
 * may be active now, so it stops acting at once (no flags, no mail) until it holds the lock
 * again. Always TRUE for a database of one machine. */
static gboolean
still_active(struct loop *l)
{
	if (!l->active)
		return FALSE;
	if (store_active_held(l->store))
		return TRUE;
	stand_by(l, "lost its database session");
	return FALSE;
}

/* Connects when needed, reads and applies new mail, sends what is due, then waits in
 * IDLE (or for the next poll). */
static void
run_pass(struct loop *l)
{
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;

	if (l->retry_timer != 0)
		return; /* backing off: the retry timer runs the next pass */
	if (!still_active(l))
		return;
	clear_source(&l->idle_watch);
	clear_source(&l->idle_refresh);
	if (l->imap == NULL && (l->imap = connect_imap(l->cfg, &e)) == NULL) {
		fail(l, e->message);
		return;
	}
	if (fetch(l->cfg, l->store, l->imap, &st, &e) != 0) {
		fail(l, e->message);
		return;
	}
	if (timers_and_send(l->cfg, l->store, &st, &e) != 0)
		g_warning("%s", e->message);
	if (l->last_error != NULL)
		g_message("%s: working again", l->cfg->imap.host);
	g_clear_pointer(&l->last_error, g_free);
	l->failures = 0;
	wait_in_idle(l);
}

static gboolean
on_poll(gpointer data)
{
	run_pass(data);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_outbox(gpointer data)
{
	struct loop *l = data;
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;

	if (still_active(l) && timers_and_send(l->cfg, l->store, &st, &e) != 0)
		g_warning("%s", e->message);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_stop(gpointer data)
{
	struct loop *l = data;

	g_message("stopping");
	g_main_loop_quit(l->main);
	return G_SOURCE_CONTINUE;
}

static void
schedule(struct loop *l)
{
	clear_source(&l->poll_timer);
	l->poll_timer = g_timeout_add_seconds((guint)l->cfg->poll_interval, on_poll, l);
}

static gboolean
on_reload(gpointer data)
{
	struct loop *l = data;
	g_autoptr(GError) e = NULL;
	struct config *fresh = config_load(l->config_path, &e);

	if (fresh == NULL) {
		g_warning("reload refused, keeping the running configuration: %s", e->message);
		return G_SOURCE_CONTINUE;
	}
	if (g_strcmp0(fresh->database, l->cfg->database) != 0 ||
	    fresh->store.postgresql != l->cfg->store.postgresql ||
	    g_strcmp0(fresh->store.conninfo, l->cfg->store.conninfo) != 0)
		g_warning("reload: a new [general] database or [store] takes effect after a "
		          "restart");
	disconnect(l); /* the server settings may have changed */
	config_free(l->cfg);
	l->cfg = fresh;
	template_cache_clear(); /* templates are reloaded with the configuration */
	if (l->active)
		schedule(l);
	g_message("configuration reloaded from %s", l->config_path);
	run_pass(l);
	return G_SOURCE_CONTINUE;
}

/* --- one active instance per database (DESIGN.md, "Store backends") --- */

static void try_active(struct loop *l);

static gboolean
on_takeover(gpointer data)
{
	struct loop *l = data;

	try_active(l);
	if (!l->active)
		return G_SOURCE_CONTINUE;
	l->takeover = 0;
	return G_SOURCE_REMOVE;
}

static void
become_active(struct loop *l)
{
	clear_source(&l->takeover);
	l->active = TRUE;
	if (store_shared(l->store))
		g_message("active: this instance reads %s, runs the timers and sends mail%s",
		          l->cfg->mailbox, l->standby != NULL ? " (took over)" : "");
	g_clear_pointer(&l->standby, g_free);
	schedule(l);
	l->outbox_timer = g_timeout_add_seconds(OUTBOX_SECONDS, on_outbox, l);
	run_pass(l);
}

/* Says once why this instance waits, and tries again every takeover_interval. */
static void
wait_for_turn(struct loop *l, const char *why)
{
	if (g_strcmp0(l->standby, why) != 0)
		g_message("standby: %s; trying every %d s", why, l->cfg->store.takeover_interval);
	g_free(l->standby);
	l->standby = g_strdup(why);
	if (l->takeover == 0)
		l->takeover =
		    g_timeout_add_seconds((guint)l->cfg->store.takeover_interval, on_takeover, l);
}

static void
try_active(struct loop *l)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *who = NULL, *why = NULL;
	int rc = store_active_take(l->store, &e);

	if (rc > 0) {
		become_active(l);
		return;
	}
	if (rc < 0)
		why = g_strdup_printf("the database cannot be reached: %s", e->message);
	else if (store_active_holder(l->store, &who, NULL) == 0 && who != NULL)
		why = g_strdup_printf("%s is the active instance", who);
	else
		why = g_strdup("another instance is active");
	wait_for_turn(l, why);
}

static void
stand_by(struct loop *l, const char *why)
{
	l->active = FALSE;
	disconnect(l);
	clear_source(&l->poll_timer);
	clear_source(&l->retry_timer);
	clear_source(&l->outbox_timer);
	g_warning("this instance %s: it stopped reading the mailbox and sending mail until it "
	          "holds the database's lock again",
	          why);
	wait_for_turn(l, why);
}

int
daemon_run(const char *config_path, struct config *cfg, struct store *s)
{
	struct loop l = {.main = g_main_loop_new(NULL, FALSE),
	                 .config_path = config_path,
	                 .cfg = cfg,
	                 .store = s};

	signal(SIGPIPE, SIG_IGN); /* a dropped connection is an error to handle, not a death */
	g_unix_signal_add(SIGTERM, on_stop, &l);
	g_unix_signal_add(SIGINT, on_stop, &l);
	g_unix_signal_add(SIGHUP, on_reload, &l);
	g_message("running: %s on %s:%d, %s", cfg->mailbox, cfg->imap.host, cfg->imap.port,
	          cfg->idle ? "waiting in IDLE where the server offers it"
	                    : "polling every poll_interval");
	try_active(&l);
	g_main_loop_run(l.main);
	disconnect(&l);
	clear_source(&l.poll_timer);
	clear_source(&l.retry_timer);
	clear_source(&l.outbox_timer);
	clear_source(&l.takeover);
	g_main_loop_unref(l.main);
	g_free(l.last_error);
	g_free(l.standby);
	config_free(l.cfg);
	return 0;
}
