/* Override requests as people write them, by mail and on the command line, read against a
 * configuration with two schedules: who, which schedule, FROM and UNTIL in the schedule's
 * zone, and every refusal saying what to write instead. Now is 2026-11-26 14:03 UTC. */
#include "override.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define NOW G_GINT64_CONSTANT(1795701780)

static struct config *
load(void)
{
	g_autofree char *dir = g_dir_make_tmp("sevmail-override-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "sevmail.conf", NULL);
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) e = NULL;
	struct config *c;

	g_assert_true(g_file_set_contents(secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	text = g_strdup_printf("[general]\naddress = incidents@example.com\nsecret_file = %s\n"
	                       "database = %s/db\n[responders]\nalice@example.com = oncall\n"
	                       "bob@example.com = oncall\ncarol@example.com = commander\n"
	                       "carol@example.net = oncall\n"
	                       "[schedule:payments-primary]\ntime_zone = Europe/Berlin\n"
	                       "rotation = alice@example.com, bob@example.com\n"
	                       "start = 2026-11-30 09:00\nshift = 1w\n"
	                       "[schedule:search]\nrotation = bob@example.com\n"
	                       "start = 2026-01-01 00:00\nshift = 1d\n",
	                       secret, dir);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	c = config_load(conf, &e);
	g_assert_no_error(e);
	g_unlink(conf);
	g_unlink(secret);
	g_rmdir(dir);
	return c;
}

static gint64
utc(const char *text)
{
	int y, mo, d, h, mi;
	g_autoptr(GDateTime) dt = NULL;

	g_assert_cmpint(sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), ==, 5);
	dt = g_date_time_new_utc(y, mo, d, h, mi, 0);
	return g_date_time_to_unix(dt);
}

/* text must read as person on the schedule from until (UTC). */
static void
reads(const struct config *c, const char *text, const char *me, const char *name,
      const char *person, const char *from, const char *until)
{
	const struct schedule *s = NULL;
	g_autoptr(GError) e = NULL;
	struct schedule_override *o = override_parse(c, text, me, NOW, &s, &e);

	if (o == NULL)
		g_error("\"%s\" refused: %s", text, e->message);
	g_assert_cmpstr(s->name, ==, name);
	g_assert_cmpstr(o->schedule, ==, name);
	g_assert_cmpstr(o->person, ==, person);
	g_assert_cmpint(o->from, ==, utc(from));
	g_assert_cmpint(o->until, ==, utc(until));
	g_assert_cmpint(o->id, ==, 0);
	schedule_override_free(o);
}

/* text must be refused with code, in a sentence that says words. */
static void
refused(const struct config *c, const char *text, const char *me, int code, const char *words)
{
	const struct schedule *s = (const struct schedule *)1;
	g_autoptr(GError) e = NULL;

	g_assert_null(override_parse(c, text, me, NOW, &s, &e));
	g_assert_null(s);
	g_assert_error(e, OVERRIDE_ERROR, code);
	if (strstr(e->message, words) == NULL)
		g_error("\"%s\": \"%s\" does not say \"%s\"", text, e->message, words);
}

static void
test_accepted(void)
{
	g_autoptr(config) c = load();

	/* Berlin wall clock: CET is UTC+1 in December */
	reads(c, "payments-primary me 2026-12-03 18:00 2026-12-04 09:00", "bob@example.com",
	      "payments-primary", "bob@example.com", "2026-12-03 17:00", "2026-12-04 08:00");
	reads(c, "Payments-Primary  Alice from 2026-12-03 18:00 until 2026-12-04 09:00", NULL,
	      "payments-primary", "alice@example.com", "2026-12-03 17:00", "2026-12-04 08:00");
	reads(c, "payments-primary BOB@example.com 2026-12-03 18:00 - 2026-12-04 09:00", NULL,
	      "payments-primary", "bob@example.com", "2026-12-03 17:00", "2026-12-04 08:00");
	/* two carols: only the address says which */
	reads(c, "search carol@example.net 2026-12-03 18:00 to 2026-12-04 09:00", NULL, "search",
	      "carol@example.net", "2026-12-03 18:00", "2026-12-04 09:00");
	/* begun already is fine, and 90 days exactly */
	reads(c, "search alice 2026-11-26 00:00 2027-02-24 00:00", NULL, "search",
	      "alice@example.com", "2026-11-26 00:00", "2027-02-24 00:00");
	/* across the March change: 02:00 CET to 04:00 CEST */
	reads(c, "payments-primary alice 2027-03-28 01:00 2027-03-28 04:00", NULL,
	      "payments-primary", "alice@example.com", "2027-03-28 00:00", "2027-03-28 02:00");
}

static void
test_refused(void)
{
	g_autoptr(config) c = load();

	refused(c, "", "bob@example.com", OVERRIDE_ERROR_SYNTAX, "SCHEDULE WHO FROM UNTIL");
	refused(c, "payments me 2026-12-03 18:00 2026-12-04 09:00", "bob@example.com",
	        OVERRIDE_ERROR_SCHEDULE,
	        "there is no schedule \"payments\"; the schedules are payments-primary, search");
	refused(c, "payments-primary dave 2026-12-03 18:00 2026-12-04 09:00", "bob@example.com",
	        OVERRIDE_ERROR_PERSON,
	        "\"dave\" is not a responder; name one of alice@example.com, bob@example.com, "
	        "carol@example.com, carol@example.net");
	refused(c, "payments-primary carol 2026-12-03 18:00 2026-12-04 09:00", NULL,
	        OVERRIDE_ERROR_PERSON, "\"carol\" is not a responder");
	refused(c, "payments-primary mallory@example.org 2026-12-03 18:00 2026-12-04 09:00", NULL,
	        OVERRIDE_ERROR_PERSON, "mallory@example.org is not a responder");
	/* "me" means nobody on the command line */
	refused(c, "payments-primary me 2026-12-03 18:00 2026-12-04 09:00", NULL,
	        OVERRIDE_ERROR_PERSON, "\"me\" is not a responder");
	/* the format, with an example that would be accepted now, as the sender writes it */
	refused(c, "payments-primary me tomorrow 18:00 until friday", "bob@example.com",
	        OVERRIDE_ERROR_TIME,
	        "FROM and UNTIL are local times in Europe/Berlin written YYYY-MM-DD HH:MM, such "
	        "as OVERRIDE payments-primary me 2026-11-27 18:00 2026-11-28 09:00");
	refused(c, "payments-primary alice 2026-12-3 18:00 2026-12-04 09:00", NULL,
	        OVERRIDE_ERROR_TIME,
	        "such as sevmail override payments-primary alice@example.com '2026-11-27 18:00' "
	        "'2026-11-28 09:00'");
	refused(c, "payments-primary me", "bob@example.com", OVERRIDE_ERROR_TIME,
	        "YYYY-MM-DD HH:MM");
	refused(c, "payments-primary", "bob@example.com", OVERRIDE_ERROR_TIME,
	        "say who, and from when until when");
	refused(c, "payments-primary me 2026-12-03 18:00", "bob@example.com", OVERRIDE_ERROR_TIME,
	        "YYYY-MM-DD HH:MM");
	refused(c, "payments-primary me 2026-02-30 18:00 2026-03-01 09:00", "bob@example.com",
	        OVERRIDE_ERROR_TIME, "YYYY-MM-DD HH:MM");
	refused(c, "payments-primary me 2027-03-28 02:30 2027-03-28 09:00", "bob@example.com",
	        OVERRIDE_ERROR_TIME,
	        "2027-03-28 02:30 does not exist in Europe/Berlin (the clocks skip it)");
	refused(c, "payments-primary me 2026-12-04 09:00 2026-12-03 18:00", "bob@example.com",
	        OVERRIDE_ERROR_TIME,
	        "UNTIL (2026-12-03 18:00) is not after FROM (2026-12-04 09:00)");
	refused(c, "payments-primary me 2026-12-03 18:00 2026-12-03 18:00", "bob@example.com",
	        OVERRIDE_ERROR_TIME, "is not after FROM");
	refused(c, "payments-primary me 2026-11-20 18:00 2026-11-26 15:03", "bob@example.com",
	        OVERRIDE_ERROR_TIME, "UNTIL (2026-11-26 15:03) is past already");
	refused(c, "search me 2026-11-26 00:00 2027-02-24 00:01", "bob@example.com",
	        OVERRIDE_ERROR_TIME, "at most 90 days");
}

static void
test_no_schedules(void)
{
	g_autoptr(config) c = load();

	g_ptr_array_set_size(c->schedules, 0);
	refused(c, "payments-primary me 2026-12-03 18:00 2026-12-04 09:00", "bob@example.com",
	        OVERRIDE_ERROR_SCHEDULE, "the configuration has no [schedule:NAME] section");
}

static char *
described(const struct config *c, const char *text, GPtrArray *others)
{
	const struct schedule *s = NULL;
	g_autoptr(GError) e = NULL;
	struct schedule_override *o = override_parse(c, text, NULL, NOW, &s, &e);
	char *sentence;

	g_assert_no_error(e);
	sentence = override_describe(s, o, others);
	schedule_override_free(o);
	return sentence;
}

/* The confirmation names whom the override displaces, in the schedule's local time. */
static void
test_described(void)
{
	g_autoptr(config) c = load();
	g_autoptr(GPtrArray) others =
	    g_ptr_array_new_with_free_func((GDestroyNotify)schedule_override_free);
	struct schedule_override *carol = g_new0(struct schedule_override, 1);
	g_autofree char *one = NULL, *across = NULL, *anyway = NULL, *around = NULL;

	one = described(c, "payments-primary bob 2026-12-03 18:00 2026-12-04 09:00", NULL);
	g_assert_cmpstr(one, ==,
	                "bob@example.com is on call for payments-primary from 2026-12-03 18:00 "
	                "CET until 2026-12-04 09:00 CET instead of alice@example.com");
	/* alice until Monday's 09:00 handoff, bob after it */
	across = described(c,
	                   "payments-primary carol@example.com 2026-12-06 18:00 "
	                   "2026-12-07 18:00",
	                   NULL);
	g_assert_cmpstr(across, ==,
	                "carol@example.com is on call for payments-primary from 2026-12-06 18:00 "
	                "CET until 2026-12-07 18:00 CET instead of alice@example.com from "
	                "2026-12-06 18:00 CET until 2026-12-07 09:00 CET and bob@example.com "
	                "from 2026-12-07 09:00 CET until 2026-12-07 18:00 CET");
	anyway = described(c, "payments-primary alice 2026-12-03 18:00 2026-12-04 09:00", NULL);
	g_assert_true(g_str_has_suffix(anyway, "09:00 CET (on call then anyway)"));
	/* an earlier override is displaced where it was on call */
	carol->id = 1;
	carol->schedule = g_strdup("payments-primary");
	carol->person = g_strdup("carol@example.com");
	carol->from = utc("2026-12-03 19:00");
	carol->until = utc("2026-12-03 21:00");
	g_ptr_array_add(others, carol);
	around = described(c, "payments-primary bob 2026-12-03 18:00 2026-12-03 22:00", others);
	g_assert_cmpstr(around, ==,
	                "bob@example.com is on call for payments-primary from 2026-12-03 18:00 "
	                "CET until 2026-12-03 22:00 CET instead of alice@example.com from "
	                "2026-12-03 18:00 CET until 2026-12-03 20:00 CET and carol@example.com "
	                "from 2026-12-03 20:00 CET until 2026-12-03 22:00 CET");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/override/accepted", test_accepted);
	g_test_add_func("/override/refused", test_refused);
	g_test_add_func("/override/no-schedules", test_no_schedules);
	g_test_add_func("/override/described", test_described);
	return g_test_run();
}
