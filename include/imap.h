/*
 * imap: the incident mailbox over IMAP. The only module that sees libetpan. Opaque handle;
 * messages are handed to a callback one at a time so the caller commits each before the
 * next, and marks it processed only after its commit.
 */
#ifndef SEVMAIL_IMAP_H
#define SEVMAIL_IMAP_H

#include "config.h"
#include <glib.h>

struct imap_params {
	const char *host;
	int port;
	/* tls and starttls verify the server's certificate: its chain against ca_file (or the
	 * system CAs) and its names against host, which is also sent as SNI. */
	enum security_mode security;
	const char *user;
	const char *password;
	const char *ca_file;    /* PEM file of the CAs to trust instead of the system's, or NULL */
	const char *mailbox;    /* "INBOX" by default */
	const char *processed;  /* folder to move processed mail into, or NULL: flag \Seen */
	int timeout;            /* seconds for connect and every read; 0 = 60 */
	gsize max_message_size; /* larger messages are fetched as headers only; 0 = no limit */
};

/* Failure classes, for retry decisions (set as the GError code, domain IMAP_ERROR).
 * TLS: the server's certificate is not trusted or not for the host (a retry helps only
 * once the configuration or the server is fixed). */
enum imap_error {
	IMAP_ERROR_CONNECT,
	IMAP_ERROR_AUTH,
	IMAP_ERROR_PROTOCOL,
	IMAP_ERROR_MAILBOX,
	IMAP_ERROR_TLS,
};
#define IMAP_ERROR (imap_error_quark())
GQuark imap_error_quark(void);

struct imap;

/* Connects, logs in and selects the mailbox. NULL + err on failure. */
struct imap *imap_open(const struct imap_params *p, GError **err);
void imap_close(struct imap *im);

guint32 imap_uidvalidity(struct imap *im);

/* One message handed over by imap_fetch_new. */
struct imap_message {
	guint32 uid;
	const char *raw; /* the whole message, or only its header (headers_only) */
	gsize len;
	gboolean headers_only;  /* larger than max_message_size: the body was not fetched */
	gsize size;             /* the message's size on the server */
	guint index, total;     /* 1-based position among the messages of this fetch */
	gboolean last_of_batch; /* no more messages follow before the next round trip */
};

/* Called for each message with UID > after_uid, in UID order. Return 0 to go on, -1 to
 * stop (the error is the caller's). It may call imap_mark_processed() on the same handle. */
typedef int (*imap_message_cb)(const struct imap_message *m, void *data);

/* Fetches (with BODY.PEEK, so nothing is marked by fetching) every message with a UID above
 * after_uid. Returns the number handed to cb, or -1 + err. A stop from cb is not an
 * error: the count so far (including the message that said stop) is returned. */
int imap_fetch_new(struct imap *im, guint32 after_uid, imap_message_cb cb, void *data,
                   GError **err);

/* Marks committed messages processed: \Seen, or moved to p->processed when set. One
 * command for all of them: the caller marks a batch at a time. */
int imap_mark_processed(struct imap *im, const guint32 *uids, guint n, GError **err);

/* IDLE (RFC 2177) for an event loop: imap_idle_start() sends IDLE; watch imap_idle_fd()
 * for input, then call imap_idle_done() (also before ~29 minutes pass). fetch and mark
 * end a running IDLE themselves. imap_idle_start() returns 1 when the server already told
 * of new mail (since the last fetch began, or right after IDLE began): fetch now, the
 * socket will not say it again. After an IMAP_ERROR_CONNECT from any call the handle is
 * dead: close it and open a new one. */
gboolean imap_has_idle(struct imap *im);
int imap_idle_start(struct imap *im, GError **err);
int imap_idle_fd(struct imap *im);
int imap_idle_done(struct imap *im, GError **err);

#endif
