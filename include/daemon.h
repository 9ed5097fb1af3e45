/*
 * daemon: the event loop. A pass fetches new mail from IMAP and hands each message to the
 * intake, then delivers what the outbox has due; `run` repeats passes on GLib's main loop
 * (every poll_interval) until SIGTERM or SIGINT, and reloads the config on SIGHUP.
 */
#ifndef SEVMAIL_DAEMON_H
#define SEVMAIL_DAEMON_H

#include "config.h"
#include "store.h"

struct pass_stats {
	int fetched;    /* messages handed to the intake */
	int duplicates; /* of those, already processed before */
	int sent;       /* recipients the SMTP server accepted */
	int deferred;   /* recipients to retry later */
	int failed;     /* recipients given up */
};

/* One full pass. -1 + err when the mailbox or the database could not be used; what was
 * committed before the failure stays committed. */
int daemon_pass(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err);

/* Delivers what the outbox has due (also used after `ingest`). */
int daemon_send(const struct config *cfg, struct store *s, struct pass_stats *st, GError **err);

/* Tries the servers as `check --connect` does: IMAP login and mailbox, and the SMTP
 * server's greeting. 0 when both answer, -1 + err naming the first problem. */
int daemon_check_connect(const struct config *cfg, GError **err);

/* Logs one line for a handled message. */
struct intake_result;
void daemon_log_result(const char *where, const struct intake_result *r);

/* Runs until a stop signal; takes ownership of cfg (a reload replaces it). Returns the
 * process exit code. */
int daemon_run(const char *config_path, struct config *cfg, struct store *s);

#endif
