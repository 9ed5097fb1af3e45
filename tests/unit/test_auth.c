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
	g_test_add_func("/auth/token-round-trip", test_token_round_trip);
	g_test_add_func("/auth/token-forged", test_token_flipped_or_other_incident_is_forged);
	g_test_add_func("/auth/plus-details", test_other_plus_details_are_not_tokens);
	g_test_add_func("/auth/dmarc-topmost", test_dmarc_topmost_trusted_header_only);
	g_test_add_func("/auth/dmarc-other-servers", test_dmarc_ignores_other_servers_headers);
	g_test_add_func("/auth/no-answer", test_no_answer_rules);
	return g_test_run();
}
