/*
 * The command language as a responder types it on a phone: every keyword form, synonyms,
 * case, punctuation, stop lines, notes, and the one-word body that is not a command.
 */
#include <string.h>

#include "command.h"

/* One expected command, written "KEYWORD|argument" ("SEV|1", "ACK|"). */
static void
assert_commands(const char *text, const char *const *expected, const char *const *notes)
{
	g_autoptr(command_list) l = command_parse(text);
	guint n = 0;

	for (; expected != NULL && expected[n] != NULL; n++) {
		struct command *c;
		g_autofree char *got = NULL;

		g_assert_cmpuint(n, <, l->commands->len);
		c = g_ptr_array_index(l->commands, n);
		got = g_strdup_printf("%s|%s", c->keyword, c->argument);
		g_assert_cmpstr(got, ==, expected[n]);
	}
	g_assert_cmpuint(l->commands->len, ==, n);
	for (n = 0; notes != NULL && notes[n] != NULL; n++) {
		g_assert_cmpuint(n, <, l->notes->len);
		g_assert_cmpstr(g_ptr_array_index(l->notes, n), ==, notes[n]);
	}
	g_assert_cmpuint(l->notes->len, ==, n);
}

/* The command a one-line text gives, as "KEYWORD|argument", or "note" / "none". */
static char *
one(const char *text)
{
	g_autoptr(command_list) l = command_parse(text);

	if (l->commands->len == 1 && l->notes->len == 0) {
		struct command *c = g_ptr_array_index(l->commands, 0);

		return g_strdup_printf("%s|%s", c->keyword, c->argument);
	}
	if (l->commands->len == 0 && l->notes->len == 1)
		return g_strdup("note");
	if (l->commands->len == 0 && l->notes->len == 0)
		return g_strdup("none");
	return g_strdup("several");
}

struct form {
	const char *text;
	const char *expect;
};

static void
check_forms(const struct form *forms, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		g_autofree char *got = one(forms[i].text);

		if (g_strcmp0(got, forms[i].expect) != 0)
			g_test_message("input: \"%s\"", forms[i].text);
		g_assert_cmpstr(got, ==, forms[i].expect);
	}
}

static void
test_word_commands(void)
{
	static const struct form forms[] = {
	    {"ACK", "ACK|"},
	    {"ack", "ACK|"},
	    {"Ack", "ACK|"},
	    {"ack.", "ACK|"},
	    {"Ack!", "ACK|"},
	    {"ACK!!", "ACK|"},
	    {"INVESTIGATING", "INVESTIGATING|"},
	    {"investigating…", "INVESTIGATING|"},
	    {"Mitigating", "MITIGATING|"},
	    {"MITIGATED", "MITIGATING|"},
	    {"RESOLVED", "RESOLVED|"},
	    {"Resolved.", "RESOLVED|"},
	    {"resolve", "RESOLVED|"},
	    {"Fixed!", "RESOLVED|"},
	    {"REOPEN", "REOPEN|"},
	    {"reopen", "REOPEN|"},
	    {"HELP", "HELP|"},
	    {"help?", "HELP|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_severity_forms(void)
{
	static const struct form forms[] = {
	    {"SEV1", "SEV|1"},        {"sev2", "SEV|2"},  {"Sev3", "SEV|3"},
	    {"SEV 1", "SEV|1"},       {"SEV-1", "SEV|1"}, {"sev - 2", "SEV|2"},
	    {"SEV1.", "SEV|1"},       {"Sev1!", "SEV|1"}, {"SEVERITY 2", "SEV|2"},
	    {"severity: 3", "SEV|3"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* Words that look like a command but are not: in a multi-line text they are notes. */
static void
test_not_commands(void)
{
	static const struct form forms[] = {
	    {"resolved the issue by restarting\nok", "several"},
	    {"ACKNOWLEDGE\nok", "several"},
	    {"SEV4\nok", "several"},
	    {"SEV12\nok", "several"},
	    {"Next week we move the gateway\nok", "several"},
	    {"Update on the rollout\nok", "several"},
	    {"IC is on the bridge now\nok", "several"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
		g_autoptr(command_list) l = command_parse(forms[i].text);

		g_assert_cmpuint(l->commands->len, ==, 0);
		g_assert_cmpuint(l->notes->len, ==, 2);
	}
	check_forms((const struct form[]){{"resolved the issue by restarting", "note"},
	                                  {"Next week we move the gateway", "note"},
	                                  {"ack ack", "note"}},
	            3);
}

static void
test_incident_commander(void)
{
	static const struct form forms[] = {
	    {"IC", "IC|"},
	    {"IC me", "IC|me"},
	    {"ic ME", "IC|me"},
	    {"IC: me", "IC|me"},
	    {"IC bob@example.com", "IC|bob@example.com"},
	    {"IC <bob@example.com>", "IC|bob@example.com"},
	    {"IC: Bob Example <bob@example.com>", "IC|bob@example.com"},
	    {"IC carol", "IC|carol"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_text_commands(void)
{
	static const struct form forms[] = {
	    {"TITLE: Checkout down", "TITLE|Checkout down"},
	    {"IMPACT: checkout failing for all users", "IMPACT|checkout failing for all users"},
	    {"impact:checkout failing", "IMPACT|checkout failing"},
	    {"Impact : EU only", "IMPACT|EU only"},
	    {"IMPACT: - EU only", "IMPACT|EU only"},
	    {"NEXT: rolling back", "NEXT|rolling back"},
	    {"Next steps: rolling back", "NEXT|rolling back"},
	    {"NOTE: paged the DBA", "NOTE|paged the DBA"},
	    {"UPDATE: 5xx down to 3.1%", "UPDATE|5xx down to 3.1%"},
	    {"ROOT CAUSE: pool too small", "ROOT CAUSE|pool too small"},
	    {"root cause: pool too small", "ROOT CAUSE|pool too small"},
	    {"Root-Cause: pool too small", "ROOT CAUSE|pool too small"},
	    {"ACTION: add a canary stage", "ACTION|add a canary stage"},
	    {"Action item: add a canary stage", "ACTION|add a canary stage"},
	    {"IMPACT:", "IMPACT|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* Arguments keep their case, their UTF-8 and any command words inside them. */
static void
test_argument_kept(void)
{
	static const char *const expect[] = {
	    "NEXT|Überwachung der Fehlerquote für 15 Minuten, danach RESOLVED", NULL};

	assert_commands("NEXT: Überwachung der Fehlerquote für 15 Minuten, danach RESOLVED", expect,
	                NULL);
}

static void
test_multi_line(void)
{
	static const char *const expect[] = {
	    "SEV|1",
	    "IMPACT|checkout failing for all users",
	    "NEXT|rolling back",
	    NULL,
	};

	assert_commands("SEV1\nIMPACT: checkout failing for all users\nNEXT: rolling back", expect,
	                NULL);
	assert_commands("\n\nSEV1\r\n\r\nIMPACT: checkout failing for all users\r\n"
	                "NEXT: rolling back\r\n\n",
	                expect, NULL);
}

static void
test_notes(void)
{
	static const char *const ack[] = {"ACK|", NULL};
	static const char *const sev2[] = {"SEV|2", NULL};
	static const char *const forwarded[] = {
	    "Got this on my personal address only, forwarding so it is on record.", NULL};
	static const char *const downgrading[] = {"EU only, downgrading.", NULL};
	static const char *const still[] = {
	    "Still seeing a few 502s from the EU edge, keeping an eye on it.", NULL};

	assert_commands("ack\nGot this on my personal address only, forwarding so it is on "
	                "record.",
	                ack, forwarded);
	assert_commands("SEV2\n\nEU only, downgrading.", sev2, downgrading);
	assert_commands("Still seeing a few 502s from the EU edge, keeping an eye on it.", NULL,
	                still);
}

static void
test_stop_lines(void)
{
	static const char *const resolved[] = {"RESOLVED|", NULL};
	static const char *const postmortem[] = {
	    "ROOT CAUSE|api-gateway 2.42.0 lowered the upstream connection pool",
	    "ACTION|add a canary stage",
	    "ACTION|alert on upstream connection pool saturation above 80%",
	    NULL,
	};
	static const char *const stops[] = {"--",      "thanks",     "Thanks!", "thanks,",
	                                    "THANKS.", "Thank you!", "-- "};

	for (gsize i = 0; i < G_N_ELEMENTS(stops); i++) {
		g_autofree char *text = g_strdup_printf("resolved\n%s\nSEV1\nAlice", stops[i]);

		assert_commands(text, resolved, NULL);
	}
	assert_commands("ROOT CAUSE: api-gateway 2.42.0 lowered the upstream connection pool\n"
	                "ACTION: add a canary stage\n"
	                "ACTION: alert on upstream connection pool saturation above 80%\n"
	                "thanks\nAlice",
	                postmortem, NULL);
	{
		g_autofree char *none = one("thanks");

		g_assert_cmpstr(none, ==, "none");
	}
}

static void
test_unknown_single_word(void)
{
	static const char *const snooze[] = {"UNKNOWN|Snooze", NULL};
	static const char *const snooze_note[] = {"Snooze", NULL};
	static const char *const ack[] = {"ACK|", NULL};

	assert_commands("Snooze", snooze, NULL);
	assert_commands("\n  Snooze.  \n\n", snooze, NULL);
	assert_commands("SEV4", (const char *const[]){"UNKNOWN|SEV4", NULL}, NULL);
	/* Beside a command, or in a longer text, an unknown word is just a note. */
	assert_commands("ack\nSnooze", ack, snooze_note);
	assert_commands("Snooze for ten minutes", NULL,
	                (const char *const[]){"Snooze for ten minutes", NULL});
	assert_commands("", NULL, NULL);
	assert_commands(NULL, NULL, NULL);
}

/* Phones and HTML conversion leave NBSP, U+202F and U+FEFF around what the user typed. */
static void
test_invisible_blanks(void)
{
	static const char *const expect[] = {"ACK|", "SEV|1", "IMPACT|EU only", NULL};

	assert_commands("\xEF\xBB\xBF"
	                "ACK\xC2\xA0\n"
	                "\xE2\x80\xAF"
	                "SEV1 \t\n"
	                "\xC2\xA0\xC2\xA0IMPACT: EU only\xE2\x80\xAF\xEF\xBB\xBF",
	                expect, NULL);
	assert_commands("  \t ack  ", (const char *const[]){"ACK|", NULL}, NULL);
}

static void
test_invalid_utf8(void)
{
	g_autoptr(command_list) l = command_parse("ACK\nbroken \xFF\xFE bytes");

	g_assert_cmpuint(l->commands->len, ==, 1);
	g_assert_cmpuint(l->notes->len, ==, 1);
	g_assert_true(g_utf8_validate(g_ptr_array_index(l->notes, 0), -1, NULL));
}

/* POSTMORTEM alone, or with a meeting time that is normalised; other text is prose. */
static void
test_postmortem(void)
{
	static const struct form forms[] = {
	    {"POSTMORTEM", "POSTMORTEM|"},
	    {"postmortem.", "POSTMORTEM|"},
	    {"Post-Mortem", "POSTMORTEM|"},
	    {"post mortem!", "POSTMORTEM|"},
	    {"POSTMORTEM MEETING 2026-12-01 15:00", "POSTMORTEM|MEETING 2026-12-01 15:00"},
	    {"POSTMORTEM MEETING 2026-12-01 15:00 +01:00",
	     "POSTMORTEM|MEETING 2026-12-01 15:00 +01:00"},
	    {"postmortem meeting 2026-12-01 9:05 +0100.",
	     "POSTMORTEM|MEETING 2026-12-01 09:05 +01:00"},
	    {"POSTMORTEM: meeting: 2026-12-01T15:00Z",
	     "POSTMORTEM|MEETING 2026-12-01 15:00 +00:00"},
	    {"POSTMORTEM MEETING 2026-12-01 15:00 -05:00",
	     "POSTMORTEM|MEETING 2026-12-01 15:00 -05:00"},
	    /* not a date, not a time, not an offset: prose, kept as a note */
	    {"POSTMORTEM MEETING 2026-02-30 15:00", "note"},
	    {"POSTMORTEM MEETING 2026-12-01 24:00", "note"},
	    {"POSTMORTEM MEETING 2026-12-01 15:00 +15:00", "note"},
	    {"POSTMORTEM MEETING tomorrow at 3", "note"},
	    {"Postmortem is on Friday", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
	check_forms((const struct form[]){{"POSTMORTEMS", "UNKNOWN|POSTMORTEMS"}}, 1);
}

/* DECLARE SEVn title gives "n title"; any other text after DECLARE is a malformed DECLARE
 * (argument ""), which the caller answers with the syntax. */
static void
test_declare(void)
{
	static const struct form forms[] = {
	    {"DECLARE SEV2 Checkout latency above 2s", "DECLARE|2 Checkout latency above 2s"},
	    {"declare sev 1: payments down", "DECLARE|1 payments down"},
	    {"Declare SEV-3 - slow search", "DECLARE|3 slow search"},
	    {"DECLARE SEVERITY 2 Checkout", "DECLARE|2 Checkout"},
	    {"DECLARE: SEV1 Checkout", "DECLARE|1 Checkout"},
	    {"DECLARE SEV2 Überweisungen hängen", "DECLARE|2 Überweisungen hängen"},
	    {"DECLARE", "DECLARE|"},
	    {"DECLARE SEV2", "DECLARE|"},
	    {"DECLARE SEV4 Checkout", "DECLARE|"},
	    {"DECLARE SEV12 Checkout", "DECLARE|"},
	    {"DECLARE Checkout down", "DECLARE|"},
	    {"Declared it done", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_help(void)
{
	static const char *const keywords[] = {"ACK",
	                                       "SEV1",
	                                       "INVESTIGATING",
	                                       "MITIGATING",
	                                       "RESOLVED",
	                                       "REOPEN",
	                                       "IC",
	                                       "TITLE:",
	                                       "IMPACT:",
	                                       "NEXT:",
	                                       "NOTE:",
	                                       "UPDATE:",
	                                       "ROOT CAUSE:",
	                                       "ACTION:",
	                                       "HELP",
	                                       "POSTMORTEM",
	                                       "POSTMORTEM MEETING",
	                                       "DECLARE SEV"};
	const char *help = command_help();

	for (gsize i = 0; i < G_N_ELEMENTS(keywords); i++)
		g_assert_nonnull(strstr(help, keywords[i]));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/command/word-commands", test_word_commands);
	g_test_add_func("/command/severity-forms", test_severity_forms);
	g_test_add_func("/command/not-commands", test_not_commands);
	g_test_add_func("/command/incident-commander", test_incident_commander);
	g_test_add_func("/command/text-commands", test_text_commands);
	g_test_add_func("/command/argument-kept", test_argument_kept);
	g_test_add_func("/command/multi-line", test_multi_line);
	g_test_add_func("/command/notes", test_notes);
	g_test_add_func("/command/stop-lines", test_stop_lines);
	g_test_add_func("/command/unknown-single-word", test_unknown_single_word);
	g_test_add_func("/command/invisible-blanks", test_invisible_blanks);
	g_test_add_func("/command/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/command/postmortem", test_postmortem);
	g_test_add_func("/command/declare", test_declare);
	g_test_add_func("/command/help", test_help);
	return g_test_run();
}
