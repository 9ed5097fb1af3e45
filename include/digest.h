/*
 * digest: SHA-256 and HMAC-SHA256, through GnuTLS (which uses the processor's SHA
 * instructions where it has them). The results are those of any SHA-256: tokens and hashes
 * made before stay what they were. Pure.
 */
#ifndef SEVMAIL_DIGEST_H
#define SEVMAIL_DIGEST_H

#include <glib.h>

#define DIGEST_SHA256_LEN 32

/* SHA-256 of len bytes, as 64 lowercase hex digits. Caller frees. */
char *digest_sha256_hex(const void *data, gsize len);

/* HMAC-SHA256 of msg under key. */
void digest_hmac_sha256(const void *key, gsize key_len, const void *msg, gsize msg_len,
                        guint8 out[DIGEST_SHA256_LEN]);
/* The same as 64 lowercase hex digits. Caller frees. */
char *digest_hmac_sha256_hex(const char *key, const char *msg);

#endif
