/* mailto: URIs (RFC 6068) for one-tap answers: read back by a URI parser, they give the
 * address, subject and body they were made from, whatever those hold. */
#include "mailto.h"

#include <string.h>

/* The URI's address and its subject and body fields, percent-decoded (GLib's parser, which
 * knows nothing of sevmail). */
static void
parse_back(const char *uri, char **to, char **subject, char **body)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_ENCODED, &e);
	g_autoptr(GHashTable) params = NULL;

	g_assert_no_error(e);
	g_assert_cmpstr(g_uri_get_scheme(u), ==, "mailto");
	*to = g_uri_unescape_string(g_uri_get_path(u), NULL);
	*subject = *body = NULL;
	if (g_uri_get_query(u) == NULL)
		return;
	params = g_uri_parse_params(g_uri_get_query(u), -1, "&", G_URI_PARAMS_NONE, &e);
	g_assert_no_error(e);
	*subject = g_strdup(g_hash_table_lookup(params, "subject"));
	*body = g_strdup(g_hash_table_lookup(params, "body"));
}

static void
test_reply_token_answer(void)
{
	g_autofree char *uri = mailto_uri("incidents+12-abcdefghij234567@example.com",
	                                  "Re: [INC-12] [SEV 1] checkout failing", "ACK");
	g_autofree char *to = NULL, *subject = NULL, *body = NULL;

	g_assert_cmpstr(
	    uri, ==,
	    "mailto:incidents+12-abcdefghij234567@example.com"
	    "?subject=Re:%20%5BINC-12%5D%20%5BSEV%201%5D%20checkout%20failing&body=ACK");
	parse_back(uri, &to, &subject, &body);
	g_assert_cmpstr(to, ==, "incidents+12-abcdefghij234567@example.com");
	g_assert_cmpstr(subject, ==, "Re: [INC-12] [SEV 1] checkout failing");
	g_assert_cmpstr(body, ==, "ACK");
}

/* What would end a field, start another, or end the URI is encoded; so is '+', which form
 * decoders read as a space; so is everything that is not ASCII. */
static void
test_hostile_values_round_trip(void)
{
	const char *subject = "Re: [INC-3] 50% & more? a=b #1 + x/y \"q\" <script> é 🔥";
	g_autofree char *uri =
	    mailto_uri("incidents+3-abcdefghij234567@example.com", subject, "a&body=b");
	g_autofree char *to = NULL, *s = NULL, *body = NULL;
	const char *query = strchr(uri, '?');

	g_assert_nonnull(query);
	/* two fields; nothing but qchar, '=' and '&' between them; every '%' an escape */
	g_assert_cmpuint(strspn(query + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                   "0123456789-._~!$'()*,;:@%=&"),
	                 ==, strlen(query + 1));
	g_assert_null(strchr(query + 1, '+'));
	g_assert_cmpint(strchr(query + 1, '&') - query, ==, strrchr(query, '&') - query);
	for (const char *p = strchr(query, '%'); p != NULL; p = strchr(p + 1, '%'))
		g_assert_true(g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2]));
	parse_back(uri, &to, &s, &body);
	g_assert_cmpstr(s, ==, subject);
	g_assert_cmpstr(body, ==, "a&body=b");
}

/* Line breaks are CRLF, as %0D%0A (RFC 6068, section 5), however they were written. */
static void
test_line_breaks(void)
{
	g_autofree char *uri = mailto_uri("a@example.com", NULL, "ACK\nNOTE: on it\r\nx\ry");
	g_autofree char *to = NULL, *subject = NULL, *body = NULL;

	g_assert_cmpstr(uri, ==,
	                "mailto:a@example.com?body=ACK%0D%0ANOTE:%20on%20it%0D%0Ax%0D%0Ay");
	parse_back(uri, &to, &subject, &body);
	g_assert_null(subject);
	g_assert_cmpstr(body, ==, "ACK\r\nNOTE: on it\r\nx\r\ny");
}

/* Without a subject or a body there is no '?' at all; an address keeps '+' and '@' but not
 * what would start a query or a fragment. */
static void
test_address_only(void)
{
	g_autofree char *plain = mailto_uri("alice+x@example.com", NULL, "");
	g_autofree char *odd = mailto_uri("a?b#c%d@example.com", NULL, NULL);
	g_autofree char *to = NULL, *subject = NULL, *body = NULL;

	g_assert_cmpstr(plain, ==, "mailto:alice+x@example.com");
	g_assert_cmpstr(odd, ==, "mailto:a%3Fb%23c%25d@example.com");
	parse_back(odd, &to, &subject, &body);
	g_assert_cmpstr(to, ==, "a?b#c%d@example.com");
	g_assert_null(subject);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mailto/reply-token-answer", test_reply_token_answer);
	g_test_add_func("/mailto/hostile-values-round-trip", test_hostile_values_round_trip);
	g_test_add_func("/mailto/line-breaks", test_line_breaks);
	g_test_add_func("/mailto/address-only", test_address_only);
	return g_test_run();
}
