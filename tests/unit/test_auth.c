/* Reply tokens, Authentication-Results and the never-answer rules. */
#include "auth.h"

#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef"

static void
test_token_round_trip(void)
{
	g_autofree char *addr = auth_reply_address(SECRET, "incidents@example.com", 42);
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	gboolean forged = TRUE;

	g_assert_true(g_str_has_prefix(addr, "incidents+42-"));
	g_assert_true(g_str_has_suffix(addr, "@example.com"));
	g_assert_cmpuint(strlen(addr), ==, strlen("incidents+42-") + 16 + strlen("@example.com"));
	g_ptr_array_add(rcpts, "incidents@example.com");
	g_ptr_array_add(rcpts, addr);
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                42);
	g_assert_false(forged);
}

static void
test_token_flipped_or_other_incident_is_forged(void)
{
	g_autofree char *addr = auth_reply_address(SECRET, "incidents@example.com", 1);
	g_autofree char *other = auth_reply_address(SECRET, "incidents@example.com", 2);
	g_autofree char *swapped = NULL;
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	gboolean forged = FALSE;
	char *t = strchr(addr, '-') + 1;

	t[0] = t[0] == 'a' ? 'b' : 'a';
	g_ptr_array_add(rcpts, addr);
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                0);
	g_assert_true(forged);
	/* incident 1 with incident 2's token */
	swapped = g_strdup_printf("incidents+1-%s", strchr(other, '-') + 1);
	g_ptr_array_index(rcpts, 0) = swapped;
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                0);
	g_assert_true(forged);
}

/* The envelope sender of outbox message 42, and what passes for it: only its own
 * signature, never a forged, truncated or other message's one, nor a reply token. */
static void
test_bounce_address_round_trip(void)
{
	g_autofree char *addr = auth_bounce_address(SECRET, "incidents@example.com", 42);
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	gboolean bounce = FALSE, forged = TRUE;

	g_assert_true(g_str_has_prefix(addr, "incidents+bounce-42-"));
	g_assert_true(g_str_has_suffix(addr, "@example.com"));
	g_assert_cmpuint(strlen(addr), ==,
	                 strlen("incidents+bounce-42-") + 16 + strlen("@example.com"));
	g_ptr_array_add(rcpts, "incidents@example.com");
	g_ptr_array_add(rcpts, addr);
	g_assert_cmpint(auth_bounce_outbox(SECRET, "incidents@example.com", rcpts, &bounce), ==,
	                42);
	g_assert_true(bounce);
	/* a bounce address is no reply token, nor a forged one */
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                0);
	g_assert_false(forged);
}

static gint64
bounce_id(const char *rcpt, gboolean *bounce)
{
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();

	g_ptr_array_add(rcpts, (gpointer)rcpt);
	return auth_bounce_outbox(SECRET, "incidents@example.com", rcpts, bounce);
}

static void
test_bounce_signatures_that_fail(void)
{
	g_autofree char *addr = auth_bounce_address(SECRET, "incidents@example.com", 42);
	g_autofree char *other = auth_bounce_address(SECRET, "incidents@example.com", 43);
	g_autofree char *other_secret =
	    auth_bounce_address("another secret", "incidents@example.com", 42);
	g_autofree char *token = auth_reply_address(SECRET, "incidents@example.com", 42);
	const char *sig = strrchr(addr, '-') + 1;
	const char *other_sig = strrchr(other, '-') + 1;
	g_autofree char *flipped = g_strdup(addr);
	g_autofree char *truncated = g_strdup_printf("incidents+bounce-42-%.15s@example.com", sig);
	g_autofree char *longer = g_strdup_printf("incidents+bounce-42-%.16sa@example.com", sig);
	g_autofree char *swapped =
	    g_strdup_printf("incidents+bounce-42-%.16s@example.com", other_sig);
	g_autofree char *as_token =
	    g_strdup_printf("incidents+bounce-42-%.16s@example.com", strchr(token, '-') + 1);
	g_autofree char *sig_as_token = g_strdup_printf("incidents+42-%.16s@example.com", sig);
	const char *const refused[] = {flipped,
	                               truncated,
	                               longer,
	                               swapped,
	                               other_secret,
	                               as_token,
	                               "incidents+bounce-42@example.com",
	                               "incidents+bounce-42-@example.com",
	                               "incidents+bounce--42-abcdefghijklmnop@example.com",
	                               "incidents+bounce-x-abcdefghijklmnop@example.com",
	                               "incidents+bounce-@example.com"};
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	gboolean bounce, forged = FALSE;

	flipped[strlen("incidents+bounce-42-")] ^= 1;
	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		bounce = FALSE;
		g_assert_cmpint(bounce_id(refused[i], &bounce), ==, 0);
		g_assert_true(bounce); /* a bounce address all the same: kept, never routed on */
	}
	/* another domain, or another local part, is no bounce address of ours */
	bounce = TRUE;
	g_assert_cmpint(bounce_id("incidents+bounce-42-abcdefghijklmnop@example.org", &bounce), ==,
	                0);
	g_assert_false(bounce);
	g_assert_cmpint(bounce_id("other+bounce-42-abcdefghijklmnop@example.com", &bounce), ==, 0);
	g_assert_false(bounce);
	/* nor does a bounce signature pass as a reply token */
	g_ptr_array_add(rcpts, sig_as_token);
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                0);
	g_assert_true(forged);
}

static void
test_other_plus_details_are_not_tokens(void)
{
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	gboolean forged = TRUE;

	g_ptr_array_add(rcpts, "incidents+stakeholders-subscribe@example.com");
	g_ptr_array_add(rcpts, "incidents+1-abc@example.org");
	g_assert_cmpint(auth_token_incident(SECRET, "incidents@example.com", rcpts, &forged), ==,
	                0);
	g_assert_false(forged);
}

static void
test_dmarc_topmost_trusted_header_only(void)
{
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_ptr_array_add(ar, "mx.example.com; dkim=none; spf=pass smtp.mailfrom=mallory@example.org;"
	                    " dmarc=fail header.from=example.com");
	g_ptr_array_add(ar, "mx.example.com; dmarc=pass header.from=example.com");
	g_assert_false(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com"));
	g_ptr_array_remove_index(ar, 0);
	g_assert_true(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mx.example.net", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com.evil.org"));
	g_assert_false(auth_dmarc_pass(ar, NULL, "alice@example.com"));
}

static void
test_dmarc_ignores_other_servers_headers(void)
{
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_ptr_array_add(ar, "evil.example.org; dmarc=pass header.from=example.com");
	g_ptr_array_add(ar,
	                "mx.example.com;\n\tdkim=pass header.d=example.com header.i=@example.com;"
	                "\n\tspf=pass; dmarc=pass (p=NONE) header.from=example.com");
	g_assert_true(auth_dmarc_pass(ar, "mx.example.com", "carol@example.com"));
}

/* TRUE when the one header value, from mx.example.com, is a pass for alice@example.com. */
static gboolean
passes(const char *value)
{
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_ptr_array_add(ar, (gpointer)value);
	return auth_dmarc_pass(ar, "mx.example.com", "alice@example.com");
}

static void
test_dmarc_pass_inside_quoted_sender_is_data(void)
{
	/* split on every ';', the quoted local part read as "dmarc=pass(" */
	g_assert_false(
	    passes("mx.example.com; spf=pass smtp.mailfrom=\"x;dmarc=pass(\"@example.org;"
	           " dkim=none; dmarc=fail (p=reject) header.from=example.com"));
	g_assert_false(passes("mx.example.com; spf=pass smtp.mailfrom=\"x;dmarc=pass "
	                      "header.from=example.com;\"@example.org"));
	g_assert_true(passes("mx.example.com; spf=pass smtp.mailfrom=\"x;dmarc=fail(\"@example.org;"
	                     " dmarc=pass header.from=example.com"));
}

static void
test_dmarc_pass_inside_comment_is_data(void)
{
	g_assert_false(passes("mx.example.com; spf=fail (mx.example.com: x;dmarc=pass "
	                      "header.from=example.com; see) smtp.mailfrom=example.org;"
	                      " dmarc=fail header.from=example.com"));
	g_assert_false(passes("mx.example.com; spf=fail (a (b; dmarc=pass header.from=example.com;)"
	                      " c) smtp.mailfrom=example.org"));
	g_assert_false(passes("mx.example.com; dmarc=fail (x (y) dmarc=pass "
	                      "header.from=example.com; z) header.from=example.com"));
	g_assert_true(passes("mx.example.com; dmarc=pass (a (b; dmarc=fail) \\) c)"
	                     " header.from=example.com"));
}

static void
test_dkim_verdict_and_domain_from_one_resinfo(void)
{
	/* a passing signature of another domain beside a failing one of the From domain */
	g_assert_false(passes("mx.example.com; dkim=pass header.d=evil.test header.i=@evil.test;"
	                      " dkim=fail (bad signature) header.d=example.com;"
	                      " spf=none smtp.mailfrom=evil.test"));
	g_assert_false(passes("mx.example.com; dkim=fail header.d=example.com;"
	                      " dkim=pass header.d=evil.test"));
	g_assert_false(
	    passes("mx.example.com; dkim=pass header.d=evil.test header.i=@example.com"));
	g_assert_false(passes("mx.example.com; dkim=pass header.d=mail.example.com"));
	g_assert_false(passes("mx.example.com; dkim=pass header.s=s1"));
	g_assert_true(passes("mx.example.com; dkim=fail header.d=example.com;"
	                     " dkim=pass header.d=example.com"));
	g_assert_true(passes("mx.example.com; dkim=pass header.i=alice@Example.COM"));
}

static void
test_dmarc_decides_when_present(void)
{
	g_assert_false(passes("mx.example.com; dkim=pass header.d=example.com; dmarc=none"
	                      " header.from=example.com"));
	g_assert_false(passes("mx.example.com; dkim=pass header.d=example.com;"
	                      " dmarc=pass header.from=example.org"));
	g_assert_false(passes("mx.example.com; dmarc=pass header.from=example.com;"
	                      " dmarc=fail header.from=example.com"));
	g_assert_false(passes("mx.example.com; dmarc=pass"));
	g_assert_true(passes("mx.example.com; dkim=fail header.d=example.com;"
	                     " dmarc=pass header.from=example.com"));
}

static void
test_quoted_values_versions_case_none(void)
{
	g_assert_true(passes("\"mx.example.com\"; dmarc=pass header.from=\"example.com\""));
	g_assert_true(passes("mx.example.com 1; dkim/1=pass header.d=example.com"));
	g_assert_true(passes("MX.EXAMPLE.COM; DMARC=Pass Header.From=Example.COM"));
	g_assert_false(passes("mx.example.com; none"));
	g_assert_false(passes("mx.example.com; dmarc=passed header.from=example.com"));
}

static void
test_malformed_trusted_header_is_no_pass(void)
{
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_assert_false(passes("mx.example.com; dmarc=pass header.from=example.com;"
	                      " spf=pass smtp.mailfrom=\"x"));
	g_assert_false(passes("mx.example.com; dmarc=pass (p=none header.from=example.com"));
	g_assert_false(passes("mx.example.com; dmarc=pass header.from=example.com; none"));
	/* nor does it let a lower header from the same id speak instead */
	g_ptr_array_add(ar, "mx.example.com; dmarc=fail (unterminated header.from=example.com");
	g_ptr_array_add(ar, "mx.example.com; dmarc=pass header.from=example.com");
	g_assert_false(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com"));
	g_ptr_array_remove_index(ar, 0);
	g_assert_true(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com"));
}

static void
test_gmail(void)
{
	static const char gmail[] =
	    "mx.google.com;\n       dkim=pass header.i=@example.com header.s=20230601 "
	    "header.b=Qm9/xY+z;\n       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass "
	    "dkdomain=example.com dmarc=pass fromdomain=example.com);\n       spf=pass "
	    "(google.com: "
	    "domain of alice@example.com designates 209.85.220.41 as permitted sender) "
	    "smtp.mailfrom=alice@example.com;\n       dmarc=pass (p=NONE sp=NONE dis=NONE) "
	    "header.from=example.com";
	static const char dkim_only[] =
	    "mx.google.com;\n       dkim=pass header.i=@evil.test header.s=s1 header.b=AbCd;\n"
	    "       arc=pass (i=1 dkim=pass dkdomain=example.com dmarc=pass "
	    "fromdomain=example.com);"
	    "\n       spf=pass (google.com: domain of x@evil.test designates 192.0.2.1 as permitted"
	    " sender) smtp.mailfrom=x@evil.test";
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_ptr_array_add(ar, (gpointer)gmail);
	g_assert_true(auth_dmarc_pass(ar, "mx.google.com", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mx.google.com", "alice@example.org"));
	g_ptr_array_index(ar, 0) = (gpointer)dkim_only;
	g_assert_false(auth_dmarc_pass(ar, "mx.google.com", "alice@example.com"));
	g_assert_true(auth_dmarc_pass(ar, "mx.google.com", "x@evil.test"));
}

static void
test_microsoft_365(void)
{
	static const char body[] =
	    "spf=pass (sender IP is 40.107.22.52) smtp.mailfrom=example.com; dkim=pass (signature "
	    "was verified) header.d=example.com;dmarc=pass action=none "
	    "header.from=example.com;compauth=pass reason=100";
	static const char bad_dkim[] =
	    "mx.example.com; spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=evil.test; dkim=pass "
	    "(signature was verified) header.d=evil.test;dmarc=fail action=quarantine "
	    "header.from=example.com;compauth=fail reason=000";
	g_autofree char *with_id = g_strconcat("mx.example.com; ", body, NULL);
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_assert_true(passes(with_id));
	g_assert_false(passes(bad_dkim));
	/* Exchange Online writes no authserv-id: nothing says whose verdict it is */
	g_ptr_array_add(ar, (gpointer)body);
	g_assert_false(auth_dmarc_pass(ar, "spf=pass", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mx.example.com", "alice@example.com"));
}

static void
test_fastmail_and_postfix(void)
{
	static const char fastmail[] =
	    "mx3.messagingengine.com;\n    arc=none (no signatures found);\n"
	    "    dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com "
	    "header.b=Ab/Cd+Ef header.a=rsa-sha256 header.s=fm1 x-bits=2048;\n"
	    "    dmarc=pass policy.published-domain-policy=reject (p=reject,d=none) "
	    "policy.policy-from=p header.from=example.com;\n"
	    "    spf=pass smtp.mailfrom=alice@example.com "
	    "smtp.helo=out1-smtp.messagingengine.com;\n"
	    "    x-aligned-from=pass (Address match);\n    x-me-sender=none;\n"
	    "    x-return-mx=pass header.domain=example.com policy.is_org=yes (MX found);\n"
	    "    x-tls=pass smtp.version=TLSv1.3 smtp.bits=256/256";
	g_autoptr(GPtrArray) ar = g_ptr_array_new();

	g_ptr_array_add(ar, (gpointer)fastmail);
	g_assert_true(auth_dmarc_pass(ar, "mx3.messagingengine.com", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mx3.messagingengine.com", "alice@example.net"));
	/* Postfix with OpenDMARC's header above OpenDKIM's, both under the MX's id */
	g_ptr_array_index(ar, 0) = "mail.example.net; dmarc=pass (p=reject dis=none)"
	                           " header.from=example.com";
	g_ptr_array_add(ar, "mail.example.net;\n\tdkim=pass (2048-bit key; unprotected)"
	                    " header.d=example.com header.i=@example.com header.a=rsa-sha256"
	                    " header.s=default header.b=AbCdEf12;\n\tdkim-atps=neutral");
	g_assert_true(auth_dmarc_pass(ar, "mail.example.net", "alice@example.com"));
	g_ptr_array_index(ar, 0) = "mail.example.net; dmarc=fail (p=reject dis=reject)"
	                           " header.from=example.com";
	g_assert_false(auth_dmarc_pass(ar, "mail.example.net", "alice@example.com"));
	/* OpenDKIM alone, the ';' in its comment is no separator */
	g_ptr_array_remove_index(ar, 0);
	g_assert_true(auth_dmarc_pass(ar, "mail.example.net", "alice@example.com"));
	g_assert_false(auth_dmarc_pass(ar, "mail.example.net", "alice@unprotected"));
}

static void
test_no_answer_rules(void)
{
	struct mail m = {0};

	m.from_addr = "alice@example.com";
	m.return_path = "alice@example.com";
	g_assert_null(auth_no_answer(&m, "incidents@example.com"));
	m.auto_submitted = "auto-replied";
	g_assert_nonnull(auth_no_answer(&m, "incidents@example.com"));
	m.auto_submitted = "no";
	g_assert_null(auth_no_answer(&m, "incidents@example.com"));
	m.precedence = "bulk";
	g_assert_nonnull(auth_no_answer(&m, "incidents@example.com"));
	m.precedence = NULL;
	m.return_path = "";
	g_assert_nonnull(auth_no_answer(&m, "incidents@example.com"));
	m.return_path = NULL;
	m.x_loops = g_ptr_array_new();
	g_ptr_array_add(m.x_loops, "incidents@example.com");
	g_assert_nonnull(auth_no_answer(&m, "incidents@example.com"));
	g_clear_pointer(&m.x_loops, g_ptr_array_unref);
	m.from_addr = "incidents@example.com";
	g_assert_nonnull(auth_no_answer(&m, "incidents@example.com"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/bounce/round-trip", test_bounce_address_round_trip);
	g_test_add_func("/auth/bounce/signatures-that-fail", test_bounce_signatures_that_fail);
	g_test_add_func("/auth/token-round-trip", test_token_round_trip);
	g_test_add_func("/auth/token-forged", test_token_flipped_or_other_incident_is_forged);
	g_test_add_func("/auth/plus-details", test_other_plus_details_are_not_tokens);
	g_test_add_func("/auth/dmarc-topmost", test_dmarc_topmost_trusted_header_only);
	g_test_add_func("/auth/dmarc-other-servers", test_dmarc_ignores_other_servers_headers);
	g_test_add_func("/auth/dmarc-quoted-sender", test_dmarc_pass_inside_quoted_sender_is_data);
	g_test_add_func("/auth/dmarc-comment", test_dmarc_pass_inside_comment_is_data);
	g_test_add_func("/auth/dkim-one-resinfo", test_dkim_verdict_and_domain_from_one_resinfo);
	g_test_add_func("/auth/dmarc-decides", test_dmarc_decides_when_present);
	g_test_add_func("/auth/quoted-versions-case-none", test_quoted_values_versions_case_none);
	g_test_add_func("/auth/malformed", test_malformed_trusted_header_is_no_pass);
	g_test_add_func("/auth/gmail", test_gmail);
	g_test_add_func("/auth/microsoft-365", test_microsoft_365);
	g_test_add_func("/auth/fastmail-postfix", test_fastmail_and_postfix);
	g_test_add_func("/auth/no-answer", test_no_answer_rules);
	return g_test_run();
}
