/* SHA-256 and HMAC-SHA256: the published test vectors, the same bytes as GLib's for
 * inputs around the block sizes and keys longer than a block, and reply tokens made before
 * the hashes went through GnuTLS still verify. */
#include "auth.h"
#include "digest.h"

#include <string.h>

static void
test_sha256_vectors(void)
{
	/* FIPS 180-2, appendix B.1 and B.2; the empty message */
	static const struct {
		const char *in, *out;
	} v[] = {
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
		g_autofree char *got = digest_sha256_hex(v[i].in, strlen(v[i].in));

		g_assert_cmpstr(got, ==, v[i].out);
	}
}

static void
test_hmac_sha256_vectors(void)
{
	/* RFC 4231, test cases 2 and 6 (a key longer than the block is hashed first) */
	guint8 key6[131];
	const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	guint8 d[DIGEST_SHA256_LEN];
	g_autofree char *two = digest_hmac_sha256_hex("Jefe", "what do ya want for nothing?");
	g_autofree char *six = NULL;

	g_assert_cmpstr(two, ==,
	                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key6, 0xaa, sizeof key6);
	digest_hmac_sha256(key6, sizeof key6, msg6, strlen(msg6), d);
	six = g_strdup("");
	for (gsize i = 0; i < sizeof d; i++) {
		char *next = g_strdup_printf("%s%02x", six, d[i]);

		g_free(six);
		six = next;
	}
	g_assert_cmpstr(six, ==,
	                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* Every length up to a few blocks, NUL bytes and high bytes included, as GLib computes. */
static void
test_same_as_glib(void)
{
	guint8 buf[300];

	for (gsize i = 0; i < sizeof buf; i++)
		buf[i] = (guint8)(i * 37 + (i >> 3));
	for (gsize n = 0; n <= sizeof buf; n++) {
		g_autofree char *ours = digest_sha256_hex(buf, n);
		g_autofree char *glib = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, n);
		/* keys of every length from none to beyond the block, high bytes too */
		g_autofree char *key = g_malloc0(n % 150 + 1);
		g_autofree char *msg = NULL;
		g_autofree char *hmac = NULL, *glib_hmac = NULL;

		g_assert_cmpstr(ours, ==, glib);
		for (gsize j = 0; j < n % 150; j++)
			key[j] = (char)(j % 2 ? 'a' + j % 26 : 0x80 + j % 127);
		msg = g_strdup_printf("incident:%zu:%s", n, key);
		g_assert_cmpuint(strlen(key), ==, n % 150);
		hmac = digest_hmac_sha256_hex(key, msg);
		glib_hmac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, (const guchar *)key,
		                                      strlen(key), msg, -1);
		g_assert_cmpstr(hmac, ==, glib_hmac);
	}
}

/* Reply addresses as the GLib implementation made them: mail already sent can be answered. */
static void
test_tokens_made_before_still_verify(void)
{
	g_autofree char *a =
	    auth_reply_address("0123456789abcdef0123456789abcdef", "incidents@example.com", 42);
	g_autofree char *b = auth_reply_address("s", "incidents@example.com", 7);

	g_assert_cmpstr(a, ==, "incidents+42-h4shxfhdrbblrc3b@example.com");
	g_assert_cmpstr(b, ==, "incidents+7-6gwfmd7pdfufuvny@example.com");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/digest/sha256-vectors", test_sha256_vectors);
	g_test_add_func("/digest/hmac-sha256-vectors", test_hmac_sha256_vectors);
	g_test_add_func("/digest/same-as-glib", test_same_as_glib);
	g_test_add_func("/digest/tokens-made-before-still-verify",
	                test_tokens_made_before_still_verify);
	return g_test_run();
}
