/*
 * imap_tls: certificate and host name verification for imap.c (private to the module).
 */
#ifndef SEVMAIL_IMAP_TLS_H
#define SEVMAIL_IMAP_TLS_H

#include "imap.h"

#include <libetpan/libetpan.h>

/* libetpan's callback before a TLS handshake: sends SNI (data is the host name). */
void imap_tls_setup(struct mailstream_ssl_context *ctx, void *data);

/* Verifies the chain stream's server presented against p->ca_file or the system CAs, and
 * its certificate against p->host. 0, or -1 + err (IMAP_ERROR_TLS) saying what to set. */
int imap_tls_verify(const char *where, mailstream *stream, const struct imap_params *p,
                    GError **err);

#endif
