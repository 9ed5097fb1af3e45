/* authres: Authentication-Results read by the RFC 8601 grammar, and refused when malformed. */
#include "authres.h"

#include <string.h>

/* The one result of method in a, which must have exactly one. */
static const struct authres_result *
only(const struct authres *a, const char *method)
{
	const struct authres_result *found = NULL;

	for (guint i = 0; i < a->results->len; i++) {
		const struct authres_result *r = a->results->pdata[i];

		if (strcmp(r->method, method) == 0) {
			g_assert_null(found);
			found = r;
		}
	}
	g_assert_nonnull(found);
	return found;
}

/* Asserts that value is refused with an error, and returns nothing partial. */
static void
assert_malformed(const char *value)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(authres) a = authres_parse(value, &err);

	if (a != NULL)
		g_error("accepted as well-formed: %s", value);
	g_assert_error(err, AUTHRES_ERROR, 0);
	g_assert_true(g_str_has_prefix(err->message, "malformed Authentication-Results"));
}

static void
test_structure(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(authres) a = authres_parse(
	    "mx.example.com; spf=pass smtp.mailfrom=alice@example.com; dkim=pass "
	    "header.d=example.com header.i=@example.com; dmarc=pass header.from=example.com",
	    &err);
	const struct authres_result *r;

	g_assert_no_error(err);
	g_assert_cmpstr(a->authserv_id, ==, "mx.example.com");
	g_assert_cmpint(a->version, ==, 0);
	g_assert_cmpuint(a->results->len, ==, 3);
	r = a->results->pdata[0];
	g_assert_cmpstr(r->method, ==, "spf");
	g_assert_cmpstr(authres_prop(r, "smtp.mailfrom"), ==, "alice@example.com");
	r = only(a, "dkim");
	g_assert_cmpstr(authres_prop(r, "header.d"), ==, "example.com");
	g_assert_cmpstr(authres_prop(r, "header.i"), ==, "@example.com");
	g_assert_null(authres_prop(r, "header.from"));
	g_assert_cmpstr(authres_prop(only(a, "dmarc"), "header.from"), ==, "example.com");
}

static void
test_quoted_values_are_data(void)
{
	g_autoptr(authres) a = authres_parse(
	    "\"mx.example.com\"; spf=pass smtp.mailfrom=\"x;dmarc=pass(\"@example.org; "
	    "dkim=fail reason=\"bad \\\"sig\\\"; really\" header.d=\"example.com\"",
	    NULL);
	const struct authres_result *r;

	g_assert_nonnull(a);
	g_assert_cmpstr(a->authserv_id, ==, "mx.example.com");
	g_assert_cmpuint(a->results->len, ==, 2);
	g_assert_cmpstr(authres_prop(only(a, "spf"), "smtp.mailfrom"), ==,
	                "x;dmarc=pass(@example.org");
	r = only(a, "dkim");
	g_assert_cmpstr(r->result, ==, "fail");
	g_assert_cmpstr(r->reason, ==, "bad \"sig\"; really");
	g_assert_cmpstr(authres_prop(r, "header.d"), ==, "example.com");
}

static void
test_comments_nest_and_are_skipped(void)
{
	g_autoptr(authres) a =
	    authres_parse("(front) mx.example.com (outer (inner; dmarc=pass) \\) still; inside) 1 ;"
	                  " dmarc (m) = (r) fail (x (y) dmarc=pass header.from=example.com; z)"
	                  " header (p) . (q) from (v) = (w) example.net (end)",
	                  NULL);
	const struct authres_result *r;

	g_assert_nonnull(a);
	g_assert_cmpint(a->version, ==, 1);
	g_assert_cmpuint(a->results->len, ==, 1);
	r = only(a, "dmarc");
	g_assert_cmpstr(r->result, ==, "fail");
	g_assert_cmpuint(g_hash_table_size(r->props), ==, 1);
	g_assert_cmpstr(authres_prop(r, "header.from"), ==, "example.net");
}

static void
test_none_versions_and_case(void)
{
	g_autoptr(authres) none = authres_parse("mx.example.com 1; none (nothing checked)", NULL);
	g_autoptr(authres) v = authres_parse(
	    "MX.Example.COM; DKIM/1=Pass Header.D=Example.COM; DMARC / 1 = PASS HEADER.FROM=x",
	    NULL);
	const struct authres_result *r;

	g_assert_nonnull(none);
	g_assert_cmpint(none->version, ==, 1);
	g_assert_cmpuint(none->results->len, ==, 0);
	g_assert_nonnull(v);
	g_assert_cmpstr(v->authserv_id, ==, "MX.Example.COM");
	r = only(v, "dkim");
	g_assert_cmpint(r->version, ==, 1);
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(authres_prop(r, "header.d"), ==, "Example.COM");
	g_assert_cmpstr(only(v, "dmarc")->result, ==, "pass");
}

/* Fastmail's shape: underscores, '/' and bare name=value extensions, ';' in a comment. */
static void
test_fastmail_shape(void)
{
	g_autoptr(authres) a = authres_parse(
	    "mx3.messagingengine.com;\n    arc=none (no signatures found);\n"
	    "    dkim=pass (2048-bit rsa key sha256; ok) header.d=example.com "
	    "header.i=@example.com header.b=Ab/Cd+Ef header.a=rsa-sha256 header.s=fm1 "
	    "x-bits=2048;\n"
	    "    dmarc=pass policy.published-domain-policy=none (p=none,d=none) "
	    "policy.policy-from=p header.from=example.com;\n"
	    "    x-return-mx=pass header.domain=example.com policy.is_org=yes (MX found);\n"
	    "    x-tls=pass smtp.version=TLSv1.3 smtp.bits=256/256;\n    x-vs=clean score=-100 "
	    "state=0",
	    NULL);

	g_assert_nonnull(a);
	g_assert_cmpuint(a->results->len, ==, 6);
	g_assert_cmpstr(authres_prop(only(a, "dkim"), "header.b"), ==, "Ab/Cd+Ef");
	g_assert_cmpstr(authres_prop(only(a, "dkim"), "x-bits"), ==, "2048");
	g_assert_cmpstr(authres_prop(only(a, "dmarc"), "header.from"), ==, "example.com");
	g_assert_cmpstr(authres_prop(only(a, "x-return-mx"), "policy.is_org"), ==, "yes");
	g_assert_cmpstr(authres_prop(only(a, "x-vs"), "score"), ==, "-100");
}

static void
test_empty_resinfo_tolerated(void)
{
	g_autoptr(authres) a = authres_parse("mx.example.com; spf=pass;; dkim=none ; ", NULL);

	g_assert_nonnull(a);
	g_assert_cmpuint(a->results->len, ==, 2);
	assert_malformed("mx.example.com;");
	assert_malformed("mx.example.com");
}

static void
test_malformed_is_refused(void)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "mx.example.com; dmarc=pass header.from=\"example.com",
	    "mx.example.com; dmarc=pass header.from=example.com; spf=pass smtp.mailfrom=\"x",
	    "mx.example.com; dmarc=pass (p=none header.from=example.com",
	    "mx.example.com; dmarc=pass (a (b) header.from=example.com",
	    "mx.example.com; dmarc=pass header.from=example.com (ends in \\",
	    "mx.example.com; dmarc=pass header.from=\"example.com\\",
	    "mx.example.com; dmarc=pass header.from=example.com)",
	    "mx.example.com; dmarc pass header.from=example.com",
	    "mx.example.com; dmarc=pass header.from example.com",
	    "mx.example.com; dmarc=pass header.=example.com",
	    "mx.example.com; dmarc=pass header.from=",
	    "mx.example.com; dmarc=pass header.from=a\"b\"",
	    "mx.example.com; dmarc=pass header.from=example.com header.from=example.org",
	    "mx.example.com; dmarc=pass reason=a reason=b",
	    "mx.example.com; dkim/=pass",
	    "mx.example.com; dkim/1234567890=pass",
	    "mx.example.com; none; dmarc=pass header.from=example.com",
	    "mx.example.com; dmarc=pass header.from=example.com; none",
	    "mx.example.com dmarc=pass header.from=example.com",
	    "mx.example.com x; dmarc=pass",
	    "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dmarc=pass "
	    "action=none header.from=example.com",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_malformed(bad[i]);
	assert_malformed(NULL);
}

static void
test_bounds(void)
{
	g_autoptr(GString) s = g_string_new("mx.example.com");
	g_autoptr(GString) p = g_string_new("mx.example.com; dkim=pass");
	g_autofree char *long_value = NULL;
	g_autofree char *ok_value = NULL;
	g_autoptr(authres) ok = NULL;

	for (int i = 0; i < AUTHRES_MAX_RESULTS; i++)
		g_string_append(s, "; spf=pass");
	ok = authres_parse(s->str, NULL);
	g_assert_nonnull(ok);
	g_assert_cmpuint(ok->results->len, ==, AUTHRES_MAX_RESULTS);
	g_string_append(s, "; spf=pass");
	assert_malformed(s->str);
	for (int i = 0; i <= AUTHRES_MAX_PROPERTIES; i++)
		g_string_append_printf(p, " x.p%d=v", i);
	assert_malformed(p->str);
	ok_value = g_strdup_printf("mx.example.com; dkim=pass header.b=%0*d", AUTHRES_MAX_VALUE, 0);
	g_clear_pointer(&ok, authres_free);
	ok = authres_parse(ok_value, NULL);
	g_assert_nonnull(ok);
	long_value = g_strdup_printf("mx.example.com; dkim=pass header.b=\"%0*d\"",
	                             AUTHRES_MAX_VALUE + 1, 0);
	assert_malformed(long_value);
}

static void
test_authserv_id_alone(void)
{
	g_autofree char *a = authres_authserv_id(" (c) mx.example.com; dmarc=pass (unterminated");
	g_autofree char *q = authres_authserv_id("\"mx.example.com\" 1; none");
	g_autofree char *none = authres_authserv_id("spf=pass smtp.mailfrom=example.com");
	g_autofree char *open = authres_authserv_id("(mx.example.com; dmarc=pass");

	g_assert_cmpstr(a, ==, "mx.example.com");
	g_assert_cmpstr(q, ==, "mx.example.com");
	g_assert_null(none);
	g_assert_null(open);
	g_assert_null(authres_authserv_id(NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/authres/structure", test_structure);
	g_test_add_func("/authres/quoted-values", test_quoted_values_are_data);
	g_test_add_func("/authres/comments", test_comments_nest_and_are_skipped);
	g_test_add_func("/authres/none-versions-case", test_none_versions_and_case);
	g_test_add_func("/authres/fastmail-shape", test_fastmail_shape);
	g_test_add_func("/authres/empty-resinfo", test_empty_resinfo_tolerated);
	g_test_add_func("/authres/malformed", test_malformed_is_refused);
	g_test_add_func("/authres/bounds", test_bounds);
	g_test_add_func("/authres/authserv-id", test_authserv_id_alone);
	return g_test_run();
}
