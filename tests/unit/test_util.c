/* util: one-line cleaning and truncation, addresses and their checks, the test clock, durations for
 * people. */
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
test_plain_addresses_are_valid(void)
{
	static const char *const good[] = {
	    "alice@example.com",           "o'neil@example.com", "Dave.Smith+ops@mail.example.net",
	    "x_y-z=1/2!#$%&*?^`{|}~@a.io", "root@localhost",     "a@b-c.example",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
		g_assert_true(util_address_valid(good[i]));
}

static void
test_hostile_addresses_are_not(void)
{
	static const char *const bad[] = {
	    "\"a,b\"@evil.test",
	    "\"o'neil;--\"@evil.test",
	    "a,b@evil.test",
	    "a;b@evil.test",
	    "a b@evil.test",
	    "a\tb@evil.test",
	    "a\r\nbcc@evil.test",
	    "a\x01@evil.test",
	    "<a@evil.test>",
	    "a@b@evil.test",
	    "@evil.test",
	    "a@",
	    "nobody",
	    "",
	    ".a@evil.test",
	    "a.@evil.test",
	    "a..b@evil.test",
	    "a@evil..test",
	    "a@-evil.test",
	    "a@evil-.test",
	    "a@evil.test.",
	    "a@.evil.test",
	    "a@evil_x.test",
	    "a@[192.0.2.1]",
	    "a@192.0.2.1",
	    "ü@evil.test",
	    "a@ëvil.test",
	    "a(c)@evil.test",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (util_address_valid(bad[i]))
			g_error("%s was taken for a plain address", bad[i]);
	}
	g_assert_false(util_address_valid(NULL));
}

static void
test_address_lengths(void)
{
	g_autofree char *local64 = g_strnfill(64, 'a');
	g_autofree char *local65 = g_strnfill(65, 'a');
	g_autofree char *local300 = g_strnfill(300, 'a');
	g_autofree char *label63 = g_strnfill(63, 'b');
	g_autofree char *label64 = g_strnfill(64, 'b');
	g_autofree char *ok = g_strdup_printf("%s@evil.test", local64);
	g_autofree char *long_local = g_strdup_printf("%s@evil.test", local65);
	g_autofree char *huge_local = g_strdup_printf("%s@evil.test", local300);
	g_autofree char *ok_label = g_strdup_printf("a@%s.test", label63);
	g_autofree char *long_label = g_strdup_printf("a@%s.test", label64);
	/* 64 + 1 + 63 * 3 + 3 dots: 257 characters, each part within its own limit */
	g_autofree char *too_long =
	    g_strdup_printf("%s@%s.%s.%s.t", local64, label63, label63, label63);

	g_assert_true(util_address_valid(ok));
	g_assert_false(util_address_valid(long_local));
	g_assert_false(util_address_valid(huge_local));
	g_assert_true(util_address_valid(ok_label));
	g_assert_false(util_address_valid(long_label));
	g_assert_false(util_address_valid(too_long));
	g_assert_true(util_hostname_valid("example.com"));
	g_assert_false(util_hostname_valid("*"));
	g_assert_false(util_hostname_valid("10.0.0.1"));
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

/* Minutes round to the nearest; hours and minutes up to two days, then days and hours. */
static void
test_duration(void)
{
	static const struct {
		gint64 s;
		const char *text;
	} cases[] = {
	    {-5, "0 s"},
	    {45, "45 s"},
	    {89, "1 min"},
	    {90, "2 min"},
	    {240, "4 min"},
	    {3570, "1 h"},
	    {5879, "1 h 38 min"},
	    {5880, "1 h 38 min"},
	    {7200, "2 h"},
	    {86400, "24 h"},
	    {48 * 3600 - 31, "47 h 59 min"},
	    {2 * 86400, "2 d"},
	    {3 * 86400 + 4 * 3600 + 59, "3 d 4 h"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *d = util_duration(cases[i].s);

		g_assert_cmpstr(d, ==, cases[i].text);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/util/one-line/cleans", test_one_line_cleans);
	g_test_add_func("/util/one-line/bounded", test_one_line_never_longer_than_asked);
	g_test_add_func("/util/one-line/fits", test_one_line_keeps_what_fits);
	g_test_add_func("/util/address", test_address_and_domain);
	g_test_add_func("/util/address/plain-is-valid", test_plain_addresses_are_valid);
	g_test_add_func("/util/address/hostile-is-not", test_hostile_addresses_are_not);
	g_test_add_func("/util/address/lengths", test_address_lengths);
	g_test_add_func("/util/clock", test_clock_can_be_set);
	g_test_add_func("/util/duration", test_duration);
	return g_test_run();
}
