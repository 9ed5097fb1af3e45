/* lists: which mail is a list request and what it asks, who is refused without an answer,
 * and the [list:NAME] domains rules (the incident address's domain by default, * for all). */
#include "lists.h"

#include <glib/gstdio.h>
#include <string.h>

#define TOKEN "3f2a9c7d1e5b4a608c2e4f1b"

static char *dir;

/* A configuration whose [list:...] sections are `lists`, loaded through config_load. */
static struct config *
load(const char *lists, GError **err)
{
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);
	g_autofree char *path = g_build_filename(dir, "sevmail.conf", NULL);
	g_autofree char *text =
	    g_strdup_printf("[general]\naddress = incidents@example.com\nsecret_file = %s\n\n"
	                    "[imap]\nsecurity = none\n[smtp]\nsecurity = none\n\n"
	                    "[responders]\nalice@example.com = oncall\n\n%s",
	                    secret, lists);

	g_assert_true(g_file_set_contents(secret, "0123456789abcdef0123456789abcdef\n", -1, NULL));
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return config_load(path, err);
}

static struct config *
load_ok(const char *lists)
{
	g_autoptr(GError) err = NULL;
	struct config *cfg = load(lists, &err);

	g_assert_no_error(err);
	return cfg;
}

static const char *const two_lists = "[list:stakeholders]\naddress = stakeholders@example.com\n"
                                     "domains = example.com, example.net\n\n"
                                     "[list:everyone]\naddress = everyone@example.com\n"
                                     "policy = open\ndomains = *\n\n"
                                     "[list:staff]\naddress = staff@example.com\n";

static struct mail *
request_mail(const char *from, const char *to, const char *subject, const char *extra)
{
	g_autofree char *raw =
	    g_strdup_printf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <r1@example.net>\r\n"
	                    "%s\r\nfirst line\r\n",
	                    from, to, subject, extra);
	g_autoptr(GError) err = NULL;
	struct mail *m = mime_parse(raw, strlen(raw), &err);

	g_assert_no_error(err);
	return m;
}

/* The action asked of a list, or -1 when the mail is not for a list. */
static int
action_of(const struct config *cfg, const char *to, const char *subject, char *token)
{
	g_autoptr(mail) m = request_mail("dave@example.net", to, subject, "");
	struct list_request r;

	if (!lists_request(cfg, m, &r))
		return (enum list_action) - 1;
	g_assert_nonnull(r.list);
	if (token != NULL)
		strcpy(token, r.token);
	return (int)r.action;
}

static void
test_request_words_and_addresses(void)
{
	g_autoptr(config) cfg = load_ok(two_lists);
	char token[32];

	g_assert_cmpint(action_of(cfg, "stakeholders-request@example.com", "subscribe", NULL), ==,
	                LIST_SUBSCRIBE);
	g_assert_cmpint(action_of(cfg, "Stakeholders-Request@Example.com", "AW: Unsubscribe", NULL),
	                ==, LIST_UNSUBSCRIBE);
	g_assert_cmpint(
	    action_of(cfg, "stakeholders-request@example.com", "Re: confirm " TOKEN, token), ==,
	    LIST_CONFIRM);
	g_assert_cmpstr(token, ==, TOKEN);
	/* a confirm without a well-formed token asks for nothing */
	g_assert_cmpint(action_of(cfg, "stakeholders-request@example.com", "confirm 12345", NULL),
	                ==, LIST_NONE);
	g_assert_cmpint(action_of(cfg, "stakeholders-request@example.com", "please add me", NULL),
	                ==, LIST_NONE);
	/* the plus addresses say what they want whatever the subject */
	g_assert_cmpint(
	    action_of(cfg, "incidents+stakeholders-subscribe@example.com", "please add me", NULL),
	    ==, LIST_SUBSCRIBE);
	g_assert_cmpint(action_of(cfg, "incidents+everyone-unsubscribe@example.com", "", NULL), ==,
	                LIST_UNSUBSCRIBE);
	g_assert_cmpint(action_of(cfg, "stakeholders@example.com", "subscribe", NULL), ==,
	                LIST_POST);
	/* not a list address at all */
	g_assert_cmpint(action_of(cfg, "incidents@example.com", "subscribe", NULL), ==, -1);
	g_assert_cmpint(action_of(cfg, "stakeholders-request@example.org", "subscribe", NULL), ==,
	                -1);
}

static void
test_request_in_first_body_line(void)
{
	g_autoptr(config) cfg = load_ok(two_lists);
	g_autofree char *raw =
	    g_strdup("From: dave@example.net\r\nTo: staff-request@example.com\r\n"
	             "Subject: hello\r\n\r\nunsubscribe\r\nthanks\r\n");
	g_autoptr(mail) m = mime_parse(raw, strlen(raw), NULL);
	struct list_request r;

	g_assert_true(lists_request(cfg, m, &r));
	g_assert_cmpstr(r.list->name, ==, "staff");
	g_assert_cmpint(r.action, ==, LIST_UNSUBSCRIBE);
}

/* The refusal for a subscribe from `from` to list `to`, or NULL when it may go ahead. */
static char *
refusal(const struct config *cfg, const char *from, const char *to, const char *extra)
{
	g_autoptr(mail) m = request_mail(from, to, "subscribe", extra);
	struct list_request r;

	g_assert_true(lists_request(cfg, m, &r));
	return lists_refusal(cfg, m, &r);
}

static void
test_refusals(void)
{
	g_autoptr(config) cfg = load_ok(two_lists);
	static const struct {
		const char *from, *to, *extra, *why; /* why: NULL = carried out */
	} cases[] = {
	    {"dave@example.net", "stakeholders-request@example.com", "", NULL},
	    {"carol@example.com", "stakeholders-request@example.com", "", NULL},
	    {"mallory@example.org", "stakeholders-request@example.com", "", "domain example.org"},
	    {"mallory@evil.test", "everyone-request@example.com", "", NULL},
	    /* no domains: only the incident address's domain */
	    {"carol@example.com", "staff-request@example.com", "", NULL},
	    {"dave@example.net", "staff-request@example.com", "", "domain example.net"},
	    {"\"a,b\"@evil.test", "everyone-request@example.com", "", "not a plain mail address"},
	    {"\"o'neil;--\"@evil.test", "everyone-request@example.com", "",
	     "not a plain mail address"},
	    {"dave@example.net", "stakeholders-request@example.com",
	     "Auto-Submitted: auto-replied\r\n", "auto-submitted"},
	    {"dave@example.net", "stakeholders-request@example.com", "Precedence: bulk\r\n",
	     "bulk"},
	    {"stakeholders-request@example.com", "everyone-request@example.com", "",
	     "sevmail's own addresses"},
	    {"incidents+1-abcdefgh@example.com", "staff-request@example.com", "",
	     "sevmail's own addresses"},
	    {"dave@example.net", "stakeholders@example.com", "", "does not forward"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *why = refusal(cfg, cases[i].from, cases[i].to, cases[i].extra);

		if (cases[i].why == NULL ? why != NULL : why == NULL || !strstr(why, cases[i].why))
			g_error("%s to %s: expected %s, got %s", cases[i].from, cases[i].to,
			        cases[i].why != NULL ? cases[i].why : "no refusal",
			        why != NULL ? why : "no refusal");
	}
}

static void
test_overlong_sender_is_refused(void)
{
	g_autoptr(config) cfg = load_ok(two_lists);
	g_autofree char *local = g_strnfill(300, 'a');
	g_autofree char *from = g_strdup_printf("%s@evil.test", local);
	g_autofree char *why = refusal(cfg, from, "everyone-request@example.com", "");

	g_assert_nonnull(strstr(why, "not a plain mail address"));
	g_assert_cmpint(strlen(why), <, 250); /* the log line shows the address cut short */
}

static void
test_domains_default_star_and_warning(void)
{
	g_autoptr(config) cfg = load_ok(two_lists);
	g_auto(GStrv) warnings = config_warnings(cfg);
	const struct list_config *staff = config_list_by_name(cfg, "staff");
	const struct list_config *everyone = config_list_by_name(cfg, "everyone");
	int open = 0;

	g_assert_false(staff->any_domain);
	g_assert_cmpstr(staff->domains[0], ==, "example.com");
	g_assert_null(staff->domains[1]);
	g_assert_true(everyone->any_domain);
	for (char **w = warnings; *w != NULL; w++)
		if (strstr(*w, "domains = *") != NULL) {
			g_assert_nonnull(strstr(*w, "[list:everyone]"));
			g_assert_nonnull(strstr(*w, "name the domains"));
			open++;
		}
	g_assert_cmpint(open, ==, 1);
}

static void
test_closed_open_list_is_no_warning(void)
{
	g_autoptr(config) cfg =
	    load_ok("[list:all]\naddress = all@example.com\npolicy = closed\ndomains = *\n");
	g_auto(GStrv) warnings = config_warnings(cfg);

	for (char **w = warnings; *w != NULL; w++)
		g_assert_null(strstr(*w, "domains = *"));
}

static void
test_bad_domains_are_errors(void)
{
	static const char *const bad[] = {"domains =\n", "domains = *.example.com\n",
	                                  "domains = example.com, *\n",
	                                  "domains = a@example.com\n"};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *lists =
		    g_strdup_printf("[list:x]\naddress = x@example.com\n%s", bad[i]);
		g_autoptr(GError) err = NULL;
		g_autoptr(config) cfg = load(lists, &err);

		g_assert_null(cfg);
		g_assert_nonnull(strstr(err->message, "[list:x] domains"));
	}
}

/* The owner who hears of suspended subscribers: a plain address, or an error. */
static void
test_owner(void)
{
	static const char *const bad[] = {"owner =\n", "owner = ops team\n",
	                                  "owner = \"a b\"@example.com\n", "owner = ops@\n",
	                                  "owner = a@example.com, b@example.com\n"};
	g_autoptr(config) cfg =
	    load_ok("[list:x]\naddress = x@example.com\nowner = <Ops@Example.COM>\n\n"
	            "[list:y]\naddress = y@example.com\n");

	g_assert_cmpstr(((struct list_config *)cfg->lists->pdata[0])->owner, ==, "ops@example.com");
	g_assert_null(((struct list_config *)cfg->lists->pdata[1])->owner);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *lists =
		    g_strdup_printf("[list:x]\naddress = x@example.com\n%s", bad[i]);
		g_autoptr(GError) err = NULL;
		g_autoptr(config) broken = load(lists, &err);

		g_assert_null(broken);
		g_assert_nonnull(strstr(err->message, "[list:x] owner"));
	}
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	dir = g_dir_make_tmp("sevmail-lists-XXXXXX", NULL);
	g_test_add_func("/lists/request/words-and-addresses", test_request_words_and_addresses);
	g_test_add_func("/lists/request/first-body-line", test_request_in_first_body_line);
	g_test_add_func("/lists/refusal/who", test_refusals);
	g_test_add_func("/lists/refusal/overlong-sender", test_overlong_sender_is_refused);
	g_test_add_func("/lists/domains/default-and-star", test_domains_default_star_and_warning);
	g_test_add_func("/lists/domains/closed-is-fine", test_closed_open_list_is_no_warning);
	g_test_add_func("/lists/domains/bad", test_bad_domains_are_errors);
	g_test_add_func("/lists/owner", test_owner);
	rc = g_test_run();
	g_autofree char *secret = g_build_filename(dir, "secret", NULL);
	g_autofree char *conf = g_build_filename(dir, "sevmail.conf", NULL);
	g_unlink(secret);
	g_unlink(conf);
	g_rmdir(dir);
	g_free(dir);
	return rc;
}
