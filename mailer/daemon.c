/*
 * daemon: IMAP pass, outbox pass, and the main loop that repeats them.
 */
#include "daemon.h"

#include "imap.h"
#include "intake.h"
#include "outbox.h"
#include "util.h"
#include <glib-unix.h>
#include <signal.h>

struct fetch_ctx {
	const struct config *cfg;
	struct store *store;
	struct imap *imap;
	guint32 uidvalidity;
	struct pass_stats *stats;
	GError *error;
};

void
daemon_log_result(const char *where, const struct intake_result *r)
{
	char inc[32] = "";

	if (r->incident_id != 0)
		g_snprintf(inc, sizeof inc, " INC-%" G_GINT64_FORMAT, r->incident_id);
	g_message("%s: %s%s: %s", where, r->route, inc, r->reason);
}

static int
on_message(guint32 uid, const char *raw, gsize len, void *data)
{
	struct fetch_ctx *f = data;
	struct intake_source src = {f->cfg->mailbox, f->uidvalidity, uid, TRUE};
	struct intake_result res;
	g_autoptr(GError) e = NULL;
	g_autofree char *where = g_strdup_printf("%s UID %u", f->cfg->mailbox, uid);

	if (intake_message(f->cfg, f->store, raw, len, &src, &res, &f->error) != 0)
		return -1; /* rolled back: the message stays unprocessed for the next pass */
	daemon_log_result(where, &res);
	f->stats->fetched++;
	f->stats->duplicates += res.duplicate;
	intake_result_clear(&res);
	/* Only after the commit: a crash before this line re-fetches the message, and the
	 * checkpoint and de-duplication keep it from being applied twice. */
	if (imap_mark_processed(f->imap, uid, &e) != 0)
		g_message("%s: committed, but could not be marked processed: %s", where,
		          e->message);
	return 0;
}

static void
imap_params(const struct config *cfg, struct imap_params *p)
{
	p->host = cfg->imap.host;
	p->port = cfg->imap.port;
	p->security = cfg->imap.security == SECURITY_TLS        ? IMAP_SECURITY_TLS
	              : cfg->imap.security == SECURITY_STARTTLS ? IMAP_SECURITY_STARTTLS
	                                                        : IMAP_SECURITY_NONE;
	p->user = cfg->imap.user;
	p->password = cfg->imap.password;
	p->mailbox = cfg->mailbox;
	p->processed = cfg->processed;
	p->timeout = 60;
}

static int
fetch(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err)
{
	struct imap_params p = {0};
	struct fetch_ctx f = {cfg, s, NULL, 0, st, NULL};
	guint32 stored_validity = 0, last_uid = 0;
	int rc;

	imap_params(cfg, &p);
	f.imap = imap_open(&p, err);
	if (f.imap == NULL)
		return -1;
	f.uidvalidity = imap_uidvalidity(f.imap);
	if (store_checkpoint_get(s, cfg->mailbox, &stored_validity, &last_uid) &&
	    stored_validity != f.uidvalidity) {
		/* The server renumbered the mailbox: read it again from the start; the
		 * Message-ID and hash de-duplication keeps anything from applying twice. */
		g_message("%s: UIDVALIDITY changed from %u to %u; re-reading the mailbox, "
		          "already processed messages are skipped",
		          cfg->mailbox, stored_validity, f.uidvalidity);
		last_uid = 0;
	}
	rc = imap_fetch_new(f.imap, last_uid, on_message, &f, err);
	imap_close(f.imap);
	if (f.error != NULL) {
		g_propagate_error(err, f.error);
		return -1;
	}
	return rc < 0 ? -1 : 0;
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
daemon_pass(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err)
{
	g_autoptr(GError) fetch_error = NULL;
	int rc = fetch(cfg, s, st, &fetch_error);

	/* Mail already queued goes out even when the mailbox cannot be read. */
	if (daemon_send(cfg, s, st, err) != 0)
		return -1;
	if (rc != 0) {
		g_propagate_error(err, g_steal_pointer(&fetch_error));
		return -1;
	}
	return 0;
}

struct loop {
	GMainLoop *main;
	const char *config_path;
	struct config *cfg;
	struct store *store;
	guint timer;
	char *last_error; /* logged once per change, not once per try */
};

static gboolean
tick(gpointer data)
{
	struct loop *l = data;
	struct pass_stats st = {0};
	g_autoptr(GError) e = NULL;

	if (daemon_pass(l->cfg, l->store, &st, &e) != 0) {
		if (g_strcmp0(l->last_error, e->message) != 0)
			g_warning("%s (will try again every %d s)", e->message,
			          l->cfg->poll_interval);
		g_free(l->last_error);
		l->last_error = g_strdup(e->message);
	} else if (l->last_error != NULL) {
		g_message("working again");
		g_clear_pointer(&l->last_error, g_free);
	}
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
	if (l->timer != 0)
		g_source_remove(l->timer);
	l->timer = g_timeout_add_seconds((guint)l->cfg->poll_interval, tick, l);
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
	if (g_strcmp0(fresh->database, l->cfg->database) != 0)
		g_warning("reload: a new [general] database takes effect after a restart");
	config_free(l->cfg);
	l->cfg = fresh;
	schedule(l);
	g_message("configuration reloaded from %s", l->config_path);
	return G_SOURCE_CONTINUE;
}

int
daemon_run(const char *config_path, struct config *cfg, struct store *s)
{
	struct loop l = {g_main_loop_new(NULL, FALSE), config_path, cfg, s, 0, NULL};

	signal(SIGPIPE, SIG_IGN); /* a dropped connection is an error to handle, not a death */
	g_unix_signal_add(SIGTERM, on_stop, &l);
	g_unix_signal_add(SIGINT, on_stop, &l);
	g_unix_signal_add(SIGHUP, on_reload, &l);
	g_message("running: polling %s on %s every %d s", cfg->mailbox, cfg->imap.host,
	          cfg->poll_interval);
	tick(&l);
	schedule(&l);
	g_main_loop_run(l.main);
	g_main_loop_unref(l.main);
	g_free(l.last_error);
	config_free(l.cfg);
	return 0;
}
