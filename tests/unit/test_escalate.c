/* The escalation ladder: who is paged next when nobody acknowledges, and whose turn the
 * [oncall] rotation gives at a fixed time. */
#include "escalate.h"

#include <glib/gstdio.h>
#include <string.h>

#define DAY 86400
/* 2026-01-05T00:00:00Z, the rotation_start of the configurations below */
#define START G_GINT64_CONSTANT(1767571200)

/* A config file in a fresh temp dir with a secret file beside it; caller frees. */
static struct config *
load(const char *extra, char **dir)
{
	g_autofree char *conf = NULL, *secret = NULL, *text = NULL;
	g_autoptr(GError) e = NULL;
	struct config *c;

	*dir = g_dir_make_tmp("sevmail-escalate-XXXXXX", NULL);
	conf = g_build_filename(*dir, "sevmail.conf", NULL);
	secret = g_build_filename(*dir, "secret", NULL);
	g_assert_true(g_file_set_contents(secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	text = g_strdup_printf("[general]\naddress = incidents@example.com\nsecret_file = %s\n"
	                       "database = %s/db\n[responders]\nalice@example.com = oncall\n"
	                       "carol@example.com = commander\ncarol@example.net = oncall\n"
	                       "bob@example.com = oncall\nerin@example.com = commander\n%s",
	                       secret, *dir, extra);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	c = config_load(conf, &e);
	g_assert_no_error(e);
	g_unlink(conf);
	g_unlink(secret);
	g_rmdir(*dir);
	g_clear_pointer(dir, g_free);
	return c;
}

/* The addresses joined by spaces, to compare an order at a glance. */
static char *
names(GPtrArray *a)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; a != NULL && i < a->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (const char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

static char *
order_at(const struct config *c, gint64 now)
{
	g_autoptr(GPtrArray) order = escalate_oncall_order(c, now);

	return names(order);
}

static void
test_without_rotation_oncall_responders_in_config_order(void)
{
	char *dir = NULL;
	g_autoptr(config) c = load("", &dir);
	g_autofree char *order = order_at(c, START);

	g_assert_cmpstr(order, ==, "alice@example.com carol@example.net bob@example.com");
}

static void
test_rotation_turns_with_time(void)
{
	char *dir = NULL;
	g_autoptr(config) c =
	    load("[oncall]\nrotation = bob@example.com, alice@example.com, carol@example.net\n"
	         "rotation_start = 2026-01-05T00:00:00Z\nrotation_length = 86400\n",
	         &dir);
	const char *bob_first = "bob@example.com alice@example.com carol@example.net";
	const char *alice_first = "alice@example.com carol@example.net bob@example.com";
	const char *carol_first = "carol@example.net bob@example.com alice@example.com";
	struct {
		gint64 now;
		const char *order;
	} cases[] = {
	    {START - DAY, bob_first}, /* before the rotation starts: its first */
	    {START, bob_first},
	    {START + DAY - 1, bob_first},
	    {START + DAY, alice_first},
	    {START + 2 * DAY + 3600, carol_first},
	    {START + 3 * DAY, bob_first}, /* round again */
	    {START + 31 * DAY, alice_first},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *order = order_at(c, cases[i].now);

		g_assert_cmpstr(order, ==, cases[i].order);
	}
}

/* The step after `done` escalations (with a page among them, which is no step), or "". */
static char *
step_after(const struct config *c, int done, gint64 now, int *round)
{
	g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	g_autoptr(incident) inc = incident_new("Disk full", "manual", now - 600);
	struct escalate_step st;
	char *who;

	g_ptr_array_add(events, event_make(now - 600, "sevmail", EVENT_PAGED, "Paged"));
	for (int i = 0; i < done; i++)
		g_ptr_array_add(events,
		                event_make(now - 300 + i, "sevmail", EVENT_ESCALATED, "Escalated"));
	*round = 0;
	if (!escalate_next(c, inc, events, NULL, now, &st))
		return names(NULL);
	*round = st.round;
	who = names(st.to);
	escalate_step_clear(&st);
	return who;
}

static void
test_ladder_oncall_then_commanders_for_repeat_rounds(void)
{
	char *dir = NULL;
	g_autoptr(config) c = load("[escalation]\nrepeat = 2\n", &dir);
	/* the first on-call again, each next on-call, then every commander as one step */
	const char *ladder[] = {"alice@example.com", "carol@example.net", "bob@example.com",
	                        "carol@example.com erin@example.com"};

	for (int done = 0; done < 8; done++) {
		int round;
		g_autofree char *to = step_after(c, done, START, &round);

		g_assert_cmpstr(to, ==, ladder[done % 4]);
		g_assert_cmpint(round, ==, done / 4 + 1);
	}
	for (int done = 8; done < 10; done++) {
		int round;
		g_autofree char *to = step_after(c, done, START, &round);

		g_assert_cmpstr(to, ==, ""); /* after `repeat` rounds the ladder is done */
	}
}

static void
test_ladder_follows_the_rotation_turn(void)
{
	char *dir = NULL;
	g_autoptr(config) c =
	    load("[escalation]\nrepeat = 1\n[oncall]\nrotation = bob@example.com, "
	         "alice@example.com\nrotation_start = 2026-01-05T00:00:00Z\n"
	         "rotation_length = 86400\n",
	         &dir);
	int round;
	g_autofree char *today = step_after(c, 0, START + 3600, &round);
	g_autofree char *tomorrow = step_after(c, 0, START + DAY + 3600, &round);
	g_autofree char *next = step_after(c, 1, START + DAY + 3600, &round);
	g_autofree char *last = step_after(c, 2, START + DAY + 3600, &round);
	g_autofree char *done = step_after(c, 3, START + DAY + 3600, &round);

	g_assert_cmpstr(today, ==, "bob@example.com");
	g_assert_cmpstr(tomorrow, ==, "alice@example.com");
	g_assert_cmpstr(next, ==, "bob@example.com");
	g_assert_cmpstr(last, ==, "carol@example.com erin@example.com");
	g_assert_cmpstr(done, ==, "");
}

static void
test_no_oncall_and_no_commander_is_no_ladder(void)
{
	char *dir = NULL;
	g_autoptr(config) c = load("", &dir);
	int round;
	g_autofree char *to = NULL;

	/* a config whose responders hold neither role pages nobody */
	for (guint i = 0; i < c->responders->len; i++)
		((struct responder *)c->responders->pdata[i])->roles = 0;
	to = step_after(c, 0, START, &round);
	g_assert_cmpstr(to, ==, "");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/escalate/without_rotation_oncall_responders_in_config_order",
	                test_without_rotation_oncall_responders_in_config_order);
	g_test_add_func("/escalate/rotation_turns_with_time", test_rotation_turns_with_time);
	g_test_add_func("/escalate/ladder_oncall_then_commanders_for_repeat_rounds",
	                test_ladder_oncall_then_commanders_for_repeat_rounds);
	g_test_add_func("/escalate/ladder_follows_the_rotation_turn",
	                test_ladder_follows_the_rotation_turn);
	g_test_add_func("/escalate/no_oncall_and_no_commander_is_no_ladder",
	                test_no_oncall_and_no_commander_is_no_ladder);
	return g_test_run();
}
