/* util: one-line cleaning and truncation, addresses, the test clock. */
#include "util.h"

static void
test_one_line_cleans(void)
{
	g_autofree char *a = util_one_line("  Disk\r\nBcc: x@example.org\t full  ", 0);
	g_autofree char *b = util_one_line("a\xff"
	                                   "b",
	                                   0);

	g_assert_cmpstr(a, ==, "Disk Bcc: x@example.org full");
	g_assert_true(g_utf8_validate(b, -1, NULL));
}

static void
test_one_line_never_longer_than_asked(void)
{
	GString *s = g_string_new(NULL);

	for (int cut = 3; cut < 40; cut++) {
		for (int space = 0; space < cut + 3; space++) {
			g_autofree char *out = NULL;

			g_string_assign(s, "");
			for (int i = 0; i < cut + 5; i++)
				g_string_append(s, i == space ? " " : "ü");
			out = util_one_line(s->str, cut);
			g_assert_cmpint(g_utf8_strlen(out, -1), <=, cut);
			g_assert_true(g_str_has_suffix(out, "…"));
		}
	}
	g_string_free(s, TRUE);
}

static void
test_one_line_keeps_what_fits(void)
{
	g_autofree char *exact = util_one_line("abcde", 5);

	g_assert_cmpstr(exact, ==, "abcde");
}

static void
test_address_and_domain(void)
{
	g_autofree char *a = util_address(" <Alice@Example.COM> ");

	g_assert_cmpstr(a, ==, "alice@example.com");
	g_assert_cmpstr(util_domain(a), ==, "example.com");
	g_assert_cmpstr(util_domain("nobody"), ==, "");
}

static void
test_clock_can_be_set(void)
{
	g_setenv("SEVMAIL_NOW", "1795701792", TRUE);
	g_assert_cmpint(util_now(), ==, 1795701792);
	g_autofree char *iso = util_iso8601(util_now());
	g_assert_cmpstr(iso, ==, "2026-11-26T14:03:12Z");
	g_unsetenv("SEVMAIL_NOW");

	/* unset, it is the real clock, whatever the date on this machine */
	gint64 before = g_get_real_time() / G_USEC_PER_SEC;
	gint64 now = util_now();
	gint64 after = g_get_real_time() / G_USEC_PER_SEC;

	g_assert_cmpint(now, >=, before);
	g_assert_cmpint(now, <=, after);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/util/one-line/cleans", test_one_line_cleans);
	g_test_add_func("/util/one-line/bounded", test_one_line_never_longer_than_asked);
	g_test_add_func("/util/one-line/fits", test_one_line_keeps_what_fits);
	g_test_add_func("/util/address", test_address_and_domain);
	g_test_add_func("/util/clock", test_clock_can_be_set);
	return g_test_run();
}
