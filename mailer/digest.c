/*
 * digest: SHA-256 and HMAC-SHA256 through GnuTLS, the only module that includes its crypto
 * header. Should GnuTLS refuse (a library built without SHA-256, a policy that forbids it),
 * GLib computes the same bytes instead, more slowly.
 */
#include "digest.h"

#include <gnutls/crypto.h>
#include <string.h>

static char *
hex(const guint8 *d, gsize n)
{
	static const char digits[] = "0123456789abcdef";
	char *out = g_malloc(2 * n + 1);

	for (gsize i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

char *
digest_sha256_hex(const void *data, gsize len)
{
	guint8 d[DIGEST_SHA256_LEN];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, len > 0 ? data : "", len, d) != 0)
		return g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		                                   len > 0 ? data : (const void *)"", len);
	return hex(d, sizeof d);
}

void
digest_hmac_sha256(const void *key, gsize key_len, const void *msg, gsize msg_len,
                   guint8 out[DIGEST_SHA256_LEN])
{
	g_autoptr(GHmac) h = NULL;
	gsize len = DIGEST_SHA256_LEN;

	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key_len > 0 ? key : "", key_len,
	                     msg_len > 0 ? msg : "", msg_len, out) == 0)
		return;
	h = g_hmac_new(G_CHECKSUM_SHA256, key_len > 0 ? key : (const guchar *)"", key_len);
	g_hmac_update(h, msg_len > 0 ? msg : (const guchar *)"", (gssize)msg_len);
	g_hmac_get_digest(h, out, &len);
}

char *
digest_hmac_sha256_hex(const char *key, const char *msg)
{
	guint8 d[DIGEST_SHA256_LEN];

	digest_hmac_sha256(key, strlen(key), msg, strlen(msg), d);
	return hex(d, sizeof d);
}
