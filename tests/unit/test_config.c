/* The configuration: alert keys, responders by name, schedules, and the warnings about
 * secrets and schedules. */
#include "config.h"
#include "schedule.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/* A config file in a fresh temp dir with a secret file beside it; caller frees. */
static struct config *
load(const char *extra, char **dir, GError **err)
{
	g_autofree char *conf = NULL, *secret = NULL, *text = NULL;

	*dir = g_dir_make_tmp("sevmail-config-XXXXXX", NULL);
	conf = g_build_filename(*dir, "sevmail.conf", NULL);
	secret = g_build_filename(*dir, "secret", NULL);
	g_assert_true(g_file_set_contents(secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	g_chmod(secret, 0600);
	text = g_strdup_printf("[general]\naddress = incidents@example.com\nsecret_file = %s\n"
	                       "database = %s/db\n[responders]\nalice@example.com = oncall\n"
	                       "carol@example.com = commander\ncarol@example.net = oncall\n"
	                       "bob@example.com = oncall\n%s",
	                       secret, *dir, extra);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	g_chmod(conf, 0600);
	return config_load(conf, err);
}

static void
cleanup(char *dir)
{
	g_autofree char *conf = g_build_filename(dir, "sevmail.conf", NULL);
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);

	g_unlink(conf);
	g_unlink(secret);
	g_rmdir(dir);
	g_free(dir);
}

static void
test_alert_keys_name_their_source(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c =
	    load("[alerts]\nkeys = alertmanager:abcdefghijklmnop0123, grafana:q3vd7kx2m9wz4hbt\n",
	         &dir, &e);
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();

	g_assert_no_error(e);
	g_ptr_array_add(rcpts, "incidents@example.com");
	g_assert_null(config_alert_key_source(c, rcpts));
	g_ptr_array_add(rcpts, "incidents+alert-wrongwrongwrongwrong@example.com");
	g_assert_null(config_alert_key_source(c, rcpts));
	g_ptr_array_add(rcpts, "incidents+alert-q3vd7kx2m9wz4hbt@evil.test");
	g_assert_null(config_alert_key_source(c, rcpts)); /* another domain */
	g_ptr_array_add(rcpts, "incidents+alert-q3vd7kx2m9wz4hbt@example.com");
	g_assert_cmpstr(config_alert_key_source(c, rcpts), ==, "grafana");
	g_assert_true(config_alerts_verifiable(c));
	cleanup(dir);
}

static void
test_short_or_odd_alert_keys_are_refused(void)
{
	const char *bad[] = {"alertmanager:short", "alertmanager:has space in it 123456",
	                     "alertmanager:UPPERCASEKEY1234567", "alertmanager"};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_autofree char *extra = g_strdup_printf("[alerts]\nkeys = %s\n", bad[i]);
		char *dir = NULL;
		g_autoptr(config) c = load(extra, &dir, &e);

		g_assert_null(c);
		g_assert_nonnull(e);
		g_assert_nonnull(strstr(e->message, "[alerts] keys"));
		cleanup(dir);
	}
}

/* Noise control: grouping off and the storm guard at 20/5m unless set; durations and rates
 * as written, "off", and what cannot be read named by section and key. */
static void
test_noise_control_keys(void)
{
	const char *bad[] = {"group_window = 10", "group_window = 30s", "group_window = 2d",
	                     "storm = 20",        "storm = 0/5m",       "storm = 20/fast",
	                     "storm = x/5m",      "storm = 20/10s"};
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) def = load("", &dir, &e);
	g_autoptr(config) set = NULL;

	g_assert_no_error(e);
	g_assert_null(def->group_by[0]);
	g_assert_cmpint(def->group_window, ==, 600);
	g_assert_cmpint(def->storm.limit, ==, 20);
	g_assert_cmpint(def->storm.period, ==, 300);
	cleanup(dir);
	set = load("[alerts]\ngroup_by = AlertName, service\ngroup_window = 1h30m\n"
	           "storm = 50 / 10m\n",
	           &dir, &e);
	g_assert_no_error(e);
	g_assert_cmpstr(set->group_by[0], ==, "alertname");
	g_assert_cmpstr(set->group_by[1], ==, "service");
	g_assert_null(set->group_by[2]);
	g_assert_cmpint(set->group_window, ==, 5400);
	g_assert_cmpint(set->storm.limit, ==, 50);
	g_assert_cmpint(set->storm.period, ==, 600);
	cleanup(dir);
	g_clear_pointer(&set, config_free);
	set = load("[alerts]\nstorm = off\n", &dir, &e);
	g_assert_no_error(e);
	g_assert_cmpint(set->storm.limit, ==, 0);
	cleanup(dir);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) why = NULL;
		g_autofree char *extra = g_strdup_printf("[alerts]\n%s\n", bad[i]);
		g_autofree char *key = g_strndup(bad[i], strcspn(bad[i], " "));
		g_autofree char *where = g_strdup_printf("[alerts] %s", key);
		g_autoptr(config) c = load(extra, &dir, &why);

		g_assert_null(c);
		g_assert_nonnull(why);
		g_test_message("%s: %s", bad[i], why->message);
		g_assert_nonnull(strstr(why->message, where));
		cleanup(dir);
	}
}

static void
test_responders_by_address_or_unique_name(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c = load("", &dir, &e);

	g_assert_no_error(e);
	g_assert_cmpstr(config_responder_named(c, "alice")->address, ==, "alice@example.com");
	g_assert_cmpstr(config_responder_named(c, "BOB")->address, ==, "bob@example.com");
	g_assert_cmpstr(config_responder_named(c, "<carol@example.net>")->address, ==,
	                "carol@example.net");
	g_assert_null(config_responder_named(c, "carol")); /* two carols: ambiguous */
	g_assert_null(config_responder_named(c, "mallory@evil.example"));
	g_assert_null(config_responder_named(c, "bob@example.com>x"));
	g_assert_null(config_responder_named(c, "ali"));
	g_assert_null(config_responder_named(c, ""));
	g_assert_false(config_alerts_verifiable(c));
	cleanup(dir);
}

static gboolean
warns(struct config *c, const char *needle)
{
	g_auto(GStrv) w = config_warnings(c);

	for (char **p = w; *p != NULL; p++)
		if (strstr(*p, needle) != NULL)
			return TRUE;
	return FALSE;
}

static void
test_secrets_anyone_may_read_are_warned_about(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c =
	    load("[alerts]\nkeys = alertmanager:abcdefghijklmnop0123\n", &dir, &e);
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);

	g_assert_no_error(e);
	g_assert_false(warns(c, "every user of this machine may read it"));
	g_chmod(secret, 0640); /* root:sevmail 0640 is how the service reads it */
	g_assert_false(warns(c, "the secret file"));
	g_chmod(secret, 0644);
	g_assert_true(warns(c, "the secret file"));
	g_chmod(c->path, 0644);
	g_assert_true(warns(c, "the configuration file (it holds passwords or alert keys)"));
	cleanup(dir);
}

#define BERLIN                                                                                     \
	"[schedule:primary]\ntime_zone = Europe/Berlin\nstart = 2026-03-23 09:00\nshift = 1w\n"

static void
test_schedules_are_read_in_file_order(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c = load(BERLIN "rotation = Alice@Example.com, bob@example.com\n"
	                                  "[schedule:Nights]\nrotation = carol@example.net\n"
	                                  "start = 2026-01-01 00:00\nshift = 1d\n",
	                           &dir, &e);
	const struct schedule *s;

	g_assert_no_error(e);
	g_assert_cmpuint(c->schedules->len, ==, 2);
	s = c->schedules->pdata[0];
	g_assert_cmpstr(s->name, ==, "primary");
	g_assert_cmpstr(s->rotation[0], ==, "alice@example.com");
	g_assert_cmpstr(g_time_zone_get_identifier(s->tz), ==, "Europe/Berlin");
	s = c->schedules->pdata[1];
	g_assert_cmpstr(s->name, ==, "nights");
	g_assert_cmpstr(g_time_zone_get_identifier(s->tz), ==, "UTC"); /* the default */
	g_assert_false(warns(c, "[schedule:"));
	cleanup(dir);
}

/* Each bad section is refused with file, section and key named. */
static void
test_bad_schedules_name_section_and_key(void)
{
	const char *bad[][2] = {
	    {"[schedule:primary]\ntime_zone = Mars/Base\nrotation = bob@example.com\n"
	     "start = 2026-03-23 09:00\nshift = 1w\n",
	     "[schedule:primary] time_zone: unknown time zone \"Mars/Base\"; use an IANA name"},
	    {BERLIN, "[schedule:primary] rotation: is required"},
	    {BERLIN "rotation = bob@example.com\nowner = bob@example.com\n",
	     "[schedule:primary] owner: unknown key"},
	    {"[schedule:primary]\nrotation = bob@example.com\nstart = 2026-03-23 09:00\n"
	     "shift = 2m\n",
	     "[schedule:primary] shift: \"2m\" is not a shift length"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		char *dir = NULL;
		g_autoptr(config) c = load(bad[i][0], &dir, &e);

		g_assert_null(c);
		g_assert_nonnull(e);
		g_assert_nonnull(strstr(e->message, "sevmail.conf: "));
		if (strstr(e->message, bad[i][1]) == NULL)
			g_error("\"%s\" does not say \"%s\"", e->message, bad[i][1]);
		cleanup(dir);
	}
}

static void
test_schedule_people_who_are_not_responders_are_warned_about(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c =
	    load(BERLIN "rotation = alice@example.com, dave@example.org\n", &dir, &e);

	g_assert_no_error(e);
	g_assert_true(warns(c, "[schedule:primary] rotation: dave@example.org is not in "
	                       "[responders]"));
	g_assert_false(warns(c, "alice@example.com is not"));
	cleanup(dir);
}

/* [person:ADDRESS] page_also: addresses in lower case, found by the person's address in
 * any case; a person nobody pages is warned about, a responder or a team's person is not. */
static void
test_people_page_also(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) c =
	    load("[person:Alice@Example.com]\n"
	         "page_also = 15551234567@SMS.example.net, alice-pager@example.org\n"
	         "[person:dave@example.org]\npage_also = 15550000000@sms.example.net\n"
	         "[person:erin@example.com]\npage_also = 15551111111@sms.example.net\n" BERLIN
	         "rotation = erin@example.com\n"
	         "[team:payments]\nescalation = schedule:primary\n",
	         &dir, &e);
	const struct person *p;

	g_assert_no_error(e);
	g_assert_cmpuint(c->people->len, ==, 3);
	p = config_person(c, "ALICE@example.com");
	g_assert_nonnull(p);
	g_assert_cmpstr(p->address, ==, "alice@example.com");
	g_assert_cmpstr(p->page_also[0], ==, "15551234567@sms.example.net");
	g_assert_cmpstr(p->page_also[1], ==, "alice-pager@example.org");
	g_assert_null(p->page_also[2]);
	g_assert_null(config_person(c, "bob@example.com"));
	g_assert_true(warns(c, "[person:dave@example.org] is neither in [responders] nor in a "
	                       "team"));
	g_assert_false(warns(c, "[person:alice@example.com]"));
	g_assert_false(warns(c, "[person:erin@example.com]")); /* a team's person */
	cleanup(dir);
}

/* Each bad [person:] section is refused with file, section and key named. */
static void
test_bad_people_name_section_and_key(void)
{
	const char *bad[][2] = {
	    {"[person:alice]\npage_also = 15551234567@sms.example.net\n",
	     "[person:alice]: \"alice\" is not an address"},
	    {"[person:alice@example.com]\npage_also = 15551234567\n",
	     "[person:alice@example.com] page_also: \"15551234567\" is not an address"},
	    {"[person:alice@example.com]\npage_also = x@sms.example.net, a b@example.net\n",
	     "[person:alice@example.com] page_also: \"a b@example.net\" is not an address"},
	    {"[person:alice@example.com]\npage_also = ,\n",
	     "[person:alice@example.com] page_also: is empty"},
	    {"[person:alice@example.com]\npage_also = incidents+x@example.com\n",
	     "[person:alice@example.com] page_also: incidents+x@example.com is sevmail's own "
	     "address"},
	    {"[person:alice@example.com]\npage_also = Alice@example.com\n",
	     "[person:alice@example.com] page_also: alice@example.com is the person's own"},
	    {"[person:alice@example.com]\nphone = 15551234567\n",
	     "[person:alice@example.com] phone: unknown key (people have page_also)"},
	    {"[person:alice@example.com]\npage_also = a@example.net\n"
	     "[person:ALICE@example.com]\npage_also = b@example.net\n",
	     "[person:ALICE@example.com]: alice@example.com has another [person:] section"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		char *dir = NULL;
		g_autoptr(config) c = load(bad[i][0], &dir, &e);

		g_assert_null(c);
		g_assert_nonnull(e);
		g_assert_nonnull(strstr(e->message, "sevmail.conf: "));
		if (strstr(e->message, bad[i][1]) == NULL)
			g_error("\"%s\" does not say \"%s\"", e->message, bad[i][1]);
		cleanup(dir);
	}
}

/* Raw mail is kept forever unless keep_raw says how long, in a duration from a day to a
 * year; what cannot be read is named by section and key. */
static void
test_keep_raw(void)
{
	const char *bad[] = {"0", "90", "12h", "400d", "ever", "-5d", ""};
	const char *good[][2] = {{"90d", "7776000"}, {"12w", "7257600"}, {"FOREVER", "0"}};
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	g_autoptr(config) def = load("", &dir, &e);

	g_assert_no_error(e);
	g_assert_cmpint(def->keep_raw, ==, 0);
	cleanup(dir);
	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree char *extra = g_strdup_printf("[general]\nkeep_raw = %s\n", good[i][0]);
		g_autoptr(config) c = load(extra, &dir, &e);

		g_assert_no_error(e);
		g_assert_cmpint(c->keep_raw, ==, atoi(good[i][1]));
		cleanup(dir);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) why = NULL;
		g_autofree char *extra = g_strdup_printf("[general]\nkeep_raw = %s\n", bad[i]);
		g_autoptr(config) c = load(extra, &dir, &why);

		g_assert_null(c);
		g_assert_nonnull(why);
		g_test_message("%s: %s", bad[i], why->message);
		g_assert_nonnull(strstr(why->message, "[general] keep_raw: "));
		g_assert_nonnull(strstr(why->message, "forever or a duration from 1d to 366d"));
		cleanup(dir);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/config/alert_keys_name_their_source", test_alert_keys_name_their_source);
	g_test_add_func("/config/noise_control_keys", test_noise_control_keys);
	g_test_add_func("/config/keep_raw", test_keep_raw);
	g_test_add_func("/config/short_or_odd_alert_keys_are_refused",
	                test_short_or_odd_alert_keys_are_refused);
	g_test_add_func("/config/responders_by_address_or_unique_name",
	                test_responders_by_address_or_unique_name);
	g_test_add_func("/config/secrets_anyone_may_read_are_warned_about",
	                test_secrets_anyone_may_read_are_warned_about);
	g_test_add_func("/config/schedules_are_read_in_file_order",
	                test_schedules_are_read_in_file_order);
	g_test_add_func("/config/bad_schedules_name_section_and_key",
	                test_bad_schedules_name_section_and_key);
	g_test_add_func("/config/schedule_people_who_are_not_responders_are_warned_about",
	                test_schedule_people_who_are_not_responders_are_warned_about);
	g_test_add_func("/config/people_page_also", test_people_page_also);
	g_test_add_func("/config/bad_people_name_section_and_key",
	                test_bad_people_name_section_and_key);
	return g_test_run();
}
