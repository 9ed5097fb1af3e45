/*
 * relay_tls: the OpenSSL context and certificate messages of relay.c's STARTTLS (private
 * to the relay module).
 */
#ifndef SEVMAIL_RELAY_TLS_H
#define SEVMAIL_RELAY_TLS_H

#include "relay.h"

#include <openssl/ssl.h>

/* A fresh context for one session to p->host, checking chain and name. NULL + *why (caller
 * frees) when TLS cannot be set up. The caller frees the context with SSL_CTX_free. */
SSL_CTX *relay_tls_new(const struct relay_params *p, char **why);

/* Why OpenSSL refused the certificate of the server at `where` (verify code `code`), with
 * what to set. Caller frees. */
char *relay_tls_untrusted(const struct relay_params *p, const char *where, long code, SSL *ssl);

#endif
