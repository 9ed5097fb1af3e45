/*
 * relay: hands one composed message to the SMTP server and reports, per recipient, whether
 * it was accepted. The only module that sees libesmtp.
 */
#ifndef SEVMAIL_RELAY_H
#define SEVMAIL_RELAY_H

#include "config.h"
#include <glib.h>

struct relay_params {
	const char *host;
	int port;
	/* starttls verifies the server's certificate: its chain against ca_file (or the system
	 * CAs) and its names against host, which is also sent as SNI. */
	enum security_mode security;
	const char *user; /* NULL: no AUTH */
	const char *password;
	const char *ca_file; /* PEM file of the CAs to trust instead of the system's, or NULL */
	int timeout;         /* seconds; 0 = 60 */
};

/* Outcome classes: what the caller does next. */
enum relay_status {
	RELAY_SENT,     /* accepted by the server */
	RELAY_TEMPFAIL, /* 4xx or connection trouble: retry later */
	RELAY_PERMFAIL, /* 5xx: do not retry for this recipient */
};

/* Why nothing could be tried (GError code of a -1 from relay_send, domain RELAY_ERROR).
 * Every class is worth a retry later; CONNECT and PROTOCOL by themselves, TLS, AUTH and
 * UNSUPPORTED usually only after the configuration is fixed. */
enum relay_error {
	RELAY_ERROR_CONNECT,     /* no connection (refused, unreachable, unknown host) */
	RELAY_ERROR_TLS,         /* STARTTLS not offered, or the certificate not trusted */
	RELAY_ERROR_AUTH,        /* login failed, or no usable AUTH mechanism */
	RELAY_ERROR_PROTOCOL,    /* greeting refused, session broke off, bad sender */
	RELAY_ERROR_UNSUPPORTED, /* a setting this build cannot do (security = tls) */
};
#define RELAY_ERROR (relay_error_quark())
GQuark relay_error_quark(void);

struct relay_rcpt_result {
	char *address;
	enum relay_status status;
	char *reason; /* server's reply or the connection error; NULL when sent */
};

/* Sends raw (CRLF lines, complete headers) from envelope sender `from` to every address in
 * rcpts (const char *). Fills results (struct relay_rcpt_result *, one per recipient, in
 * order; free with relay_results_free). Returns 0 when the session ran (each recipient has
 * its own status), -1 + err when nothing could be tried at all; then every recipient is
 * RELAY_TEMPFAIL with the reason. In both cases an address that cannot go into an SMTP
 * command (empty, spaces, controls, <>) is RELAY_PERMFAIL "invalid recipient address". */
int relay_send(const struct relay_params *p, const char *from, GPtrArray *rcpts, const char *raw,
               gsize len, GPtrArray **results, GError **err);
void relay_results_free(GPtrArray *results);

/* Connects over plain TCP and reads the server's greeting: enough to tell an operator that
 * host and port are right (TLS and AUTH are relay_send's). -1 + err (RELAY_ERROR_CONNECT,
 * or RELAY_ERROR_PROTOCOL when what answers is not an SMTP server). */
int relay_greeting(const struct relay_params *p, GError **err);

#endif
