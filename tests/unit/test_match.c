/* The `key=glob&key=glob, …` expressions that route alerts: alternatives, all-of items,
 * case-insensitive globs, missing keys as empty, and the errors of what cannot be read. */
#include "match.h"

#include <string.h>

/* key=value pairs of one thing being matched, in a NULL-terminated array. */
static const char *
lookup(const char *key, gconstpointer data)
{
	const char *const *kv = data;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], key) == 0)
			return kv[1];
	return NULL;
}

static gboolean
holds(const char *expr, const char *const *kv)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(match) m = match_parse(expr, &e);

	g_assert_no_error(e);
	return match_test(m, lookup, kv);
}

static void
test_alternatives_and_items(void)
{
	const char *const pay[] = {"service", "payments", "severity", "critical", NULL};
	const char *const card[] = {"alertname", "PaymentGatewayDown", "severity", "warning", NULL};
	const char *const mail[] = {"sender", "nagios@payments.example.com", NULL};
	const char *const expr = "service=payments, sender=*@payments.example.com, "
	                         "alertname=Payment*&severity=critical";

	g_assert_true(holds(expr, pay));
	g_assert_true(holds(expr, mail));
	/* the third alternative needs both items */
	g_assert_false(holds(expr, card));
	g_assert_true(holds("alertname=payment*&severity=WARNING", card));
}

static void
test_globs_are_case_insensitive_and_whole(void)
{
	const char *const kv[] = {"instance", "DB-1.example.com:9100", NULL};

	g_assert_true(holds("instance=db-?.example.com:*", kv));
	g_assert_false(holds("instance=db-1", kv)); /* a glob matches the whole value */
	g_assert_true(holds("instance=*db-1*", kv));
}

static void
test_a_missing_key_is_empty(void)
{
	const char *const kv[] = {"service", "search", NULL};

	g_assert_false(holds("team=search", kv));
	g_assert_true(holds("team=&service=search", kv));
	g_assert_true(holds("team=*&service=search", kv));
}

static void
test_text_is_normalised(void)
{
	g_autoptr(match) m = match_parse("  service = payments ,sender=*@x.example  ", NULL);

	g_assert_nonnull(m);
	g_assert_cmpstr(match_text(m), ==, "service = payments, sender=*@x.example");
}

static void
test_what_cannot_be_read(void)
{
	const char *const bad[] = {"",           " , ", "payments", "service=payments&",
	                           "ser vice=x", "=x",  "a=b,c"};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(match) m = match_parse(bad[i], &e);

		g_assert_null(m);
		g_assert_error(e, MATCH_ERROR, 0);
		g_assert_cmpuint(strlen(e->message), >, 10);
	}
}

static void
test_some_only(void)
{
	const char *const sender[] = {"sender", NULL};
	g_autoptr(match) only = match_parse("sender=alertmanager@example.com", NULL);
	g_autoptr(match) narrow =
	    match_parse("sender=alertmanager@example.com&alertname=Watchdog", NULL);
	g_autoptr(match) mixed = match_parse("alertname=Watchdog, sender=x@example.com", NULL);

	g_assert_true(match_some_only(only, sender));
	g_assert_false(match_some_only(narrow, sender));
	g_assert_true(match_some_only(mixed, sender));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/match/alternatives_and_items", test_alternatives_and_items);
	g_test_add_func("/match/globs_are_case_insensitive_and_whole",
	                test_globs_are_case_insensitive_and_whole);
	g_test_add_func("/match/a_missing_key_is_empty", test_a_missing_key_is_empty);
	g_test_add_func("/match/text_is_normalised", test_text_is_normalised);
	g_test_add_func("/match/what_cannot_be_read", test_what_cannot_be_read);
	g_test_add_func("/match/some_only", test_some_only);
	return g_test_run();
}
