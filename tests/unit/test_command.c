/*
 * The command language as a responder types it on a phone: every keyword and synonym, the
 * separators and emoji after it, the note kept with it, questions and negations that never
 * act, keywords inside longer words, bullets, durations, PAGE, and the one-line reply that
 * looks like a failed command (what was read, the closest keyword).
 */
#include <string.h>

#include "command.h"

/* A command as these tests write it: "KEYWORD|argument", then " +note" when a note is kept
 * with it, and for CMD_UNKNOWN " >SUGGESTION" when there is one. */
static void
format_command(GString *s, const struct command *c)
{
	g_string_append_printf(s, "%s|%s", c->keyword, c->argument);
	if (c->note != NULL)
		g_string_append_printf(s, " +%s", c->note);
	if (c->suggestion != NULL)
		g_string_append_printf(s, " >%s", c->suggestion);
}

static void
assert_commands(const char *text, const char *const *expected, const char *const *notes)
{
	g_autoptr(command_list) l = command_parse(text);
	guint n = 0;

	for (; expected != NULL && expected[n] != NULL; n++) {
		g_autoptr(GString) got = g_string_new(NULL);

		g_assert_cmpuint(n, <, l->commands->len);
		format_command(got, g_ptr_array_index(l->commands, n));
		g_assert_cmpstr(got->str, ==, expected[n]);
	}
	g_assert_cmpuint(l->commands->len, ==, n);
	for (n = 0; notes != NULL && notes[n] != NULL; n++) {
		g_assert_cmpuint(n, <, l->notes->len);
		g_assert_cmpstr(g_ptr_array_index(l->notes, n), ==, notes[n]);
	}
	g_assert_cmpuint(l->notes->len, ==, n);
}

/* What a one-line text gives: its command as above, or "note" / "none" / "several". */
static char *
one(const char *text)
{
	g_autoptr(command_list) l = command_parse(text);
	GString *s = g_string_new(NULL);

	if (l->commands->len == 1 && l->notes->len == 0)
		format_command(s, g_ptr_array_index(l->commands, 0));
	else if (l->commands->len == 0 && l->notes->len == 1)
		g_string_append(s, "note");
	else if (l->commands->len == 0 && l->notes->len == 0)
		g_string_append(s, "none");
	else
		g_string_append(s, "several");
	return g_string_free(s, FALSE);
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

/* The text of a lone CMD_UNKNOWN's understood field. */
static char *
understood(const char *text)
{
	g_autoptr(command_list) l = command_parse(text);
	const struct command *c;

	g_assert_cmpuint(l->commands->len, ==, 1);
	c = g_ptr_array_index(l->commands, 0);
	g_assert_cmpint(c->kind, ==, CMD_UNKNOWN);
	g_assert_cmpuint(l->notes->len, ==, 0);
	return g_strdup(c->understood);
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
	    {"RESOLVED", "RESOLVED|"},
	    {"Resolved.", "RESOLVED|"},
	    {"REOPEN", "REOPEN|"},
	    {"reopen", "REOPEN|"},
	    {"ESCALATE", "ESCALATE|"},
	    {"Escalate!", "ESCALATE|"},
	    {"UNACK", "UNACK|"},
	    {"unack", "UNACK|"},
	    {"HELP", "HELP|"},
	    {"help?", "HELP|"},
	    {"Help ?", "HELP|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* Every synonym of DESIGN.md's table, with the apostrophes phones type. */
static void
test_synonyms(void)
{
	static const struct form forms[] = {
	    {"acked", "ACK|"},
	    {"Acked.", "ACK|"},
	    {"ack'd", "ACK|"},
	    {"Ack\xE2\x80\x99"
	     "d",
	     "ACK|"},
	    {"acknowledge", "ACK|"},
	    {"Acknowledged", "ACK|"},
	    {"mitigate", "MITIGATING|"},
	    {"MITIGATED", "MITIGATING|"},
	    {"resolve", "RESOLVED|"},
	    {"Fixed!", "RESOLVED|"},
	    {"fixed", "RESOLVED|"},
	    {"severity 2", "SEV|2"},
	    {"Next steps: roll back", "NEXT|roll back"},
	    {"Action item: add a canary", "ACTION|add a canary"},
	    {"Post-Mortem", "POSTMORTEM|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* After the keyword: the end, a blank, . , ! : ; - – — … or an emoji, glued or not. */
static void
test_separators(void)
{
	static const char *const separators[] = {
	    " ",
	    ".",
	    ",",
	    "!",
	    ":",
	    ";",
	    " -",
	    " - ",
	    "-",
	    "\xE2\x80\x93",
	    " \xE2\x80\x93 ",
	    "\xE2\x80\x94",
	    " \xE2\x80\x94 ",
	    "\xE2\x80\xA6",
	    " \xF0\x9F\x91\x8D",
	    "\xF0\x9F\x91\x8D",
	    " \xF0\x9F\x99\x8F",
	    " \xE2\x9C\x85",
	    "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
	    " \xE2\x9D\xA4\xEF\xB8\x8F",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(separators); i++) {
		g_autofree char *bare = g_strdup_printf("Ack%s", separators[i]);
		g_autofree char *noted = g_strdup_printf("Ack%s on it", separators[i]);
		g_autofree char *resolved = g_strdup_printf("resolved%s", separators[i]);
		g_autofree char *got_bare = one(bare);
		g_autofree char *got_noted = one(noted);
		g_autofree char *got_resolved = one(resolved);

		g_test_message("separator \"%s\"", separators[i]);
		g_assert_cmpstr(got_bare, ==, "ACK|");
		g_assert_cmpstr(got_noted, ==, "ACK| +on it");
		g_assert_cmpstr(got_resolved, ==, "RESOLVED|");
	}
	/* anything else glued to the keyword is another word */
	check_forms((const struct form[]){{"ack/resolved and more", "note"},
	                                  {"ack1 and more", "note"},
	                                  {"ack's fine\nok", "several"},
	                                  {"ack) and more", "note"}},
	            4);
}

/* What follows the keyword is a note kept with the command, unless it adds nothing. */
static void
test_attached_notes(void)
{
	static const struct form forms[] = {
	    {"ack - looking now", "ACK| +looking now"},
	    {"Ack \xF0\x9F\x91\x8D on it", "ACK| +on it"},
	    {"Ack\xF0\x9F\x91\x8D on it", "ACK| +on it"},
	    {"acknowledged, on my way to a laptop", "ACK| +on my way to a laptop"},
	    {"Ack. Will look in 5.", "ACK| +Will look in 5."},
	    {"resolved - rolled back", "RESOLVED| +rolled back"},
	    {"Resolved \xE2\x80\x93 rolled back to 2.41.3", "RESOLVED| +rolled back to 2.41.3"},
	    {"Fixed by the rollback", "RESOLVED| +by the rollback"},
	    {"resolved the issue by restarting", "RESOLVED| +the issue by restarting"},
	    {"Mitigating, failing over to eu-west", "MITIGATING| +failing over to eu-west"},
	    {"ack ack", "ACK| +ack"},
	    {"Resolved - thanks to Bob's rollback", "RESOLVED| +thanks to Bob's rollback"},
	    /* nothing to keep: an emoji, punctuation, a thank-you, "now" */
	    {"Ack \xF0\x9F\x91\x8D", "ACK|"},
	    {"ack :)", "ACK|"},
	    {"Resolved, thanks!", "RESOLVED|"},
	    {"Resolved. Thank you all! \xF0\x9F\x99\x8F", "RESOLVED|"},
	    {"ack, thx", "ACK|"},
	    {"Mitigating now", "MITIGATING|"},
	    {"ack ok", "ACK|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_severity_forms(void)
{
	static const struct form forms[] = {
	    {"SEV1", "SEV|1"},
	    {"sev2", "SEV|2"},
	    {"Sev3", "SEV|3"},
	    {"SEV 1", "SEV|1"},
	    {"SEV-1", "SEV|1"},
	    {"sev - 2", "SEV|2"},
	    {"sev:1", "SEV|1"},
	    {"SEV\xE2\x80\x93"
	     "2",
	     "SEV|2"},
	    {"SEV1.", "SEV|1"},
	    {"Sev1!", "SEV|1"},
	    {"Sev1 \xF0\x9F\x94\xA5", "SEV|1"},
	    {"SEVERITY 2", "SEV|2"},
	    {"severity 1", "SEV|1"},
	    {"severity: 3", "SEV|3"},
	    {"sev 2 - checkout only", "SEV|2 +checkout only"},
	    {"SEV2, EU only", "SEV|2 +EU only"},
	    {"sev 2 customers affected", "SEV|2 +customers affected"},
	    /* not a severity: prose in a longer line */
	    {"sev 2.5 maybe", "note"},
	    {"Severity is low, EU only", "note"},
	    {"Severe errors in the EU", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* A line that ends with '?' never acts; alone, a question to a keyword is answered. */
static void
test_questions(void)
{
	static const struct form forms[] = {
	    {"Resolved?", "UNKNOWN|Resolved? >RESOLVED"},
	    {"resolved ?", "UNKNOWN|resolved ? >RESOLVED"},
	    {"Resolved? \xF0\x9F\xA4\x94", "UNKNOWN|Resolved? \xF0\x9F\xA4\x94 >RESOLVED"},
	    {"Resolved?!", "UNKNOWN|Resolved? >RESOLVED"},
	    {"Resolved\xEF\xBC\x9F", "UNKNOWN|Resolved\xEF\xBC\x9F >RESOLVED"},
	    {"ack?", "UNKNOWN|ack? >ACK"},
	    {"SEV1?", "UNKNOWN|SEV1? >SEV"},
	    {"Resolved yet?", "UNKNOWN|Resolved yet? >RESOLVED"},
	    {"Resolved? not sure", "UNKNOWN|Resolved? not sure >RESOLVED"},
	    {"Help me?", "UNKNOWN|Help me? >HELP"},
	    {"Is this resolved?", "note"},
	    {"Can someone ack?", "note"},
	    {"IMPACT: is it EU only?", "note"},
	    {"NOTE: anyone seen this before?", "note"},
	};
	g_autofree char *why = understood("Resolved?");
	g_autofree char *why2 = understood("Resolved? not sure");

	check_forms(forms, G_N_ELEMENTS(forms));
	g_assert_cmpstr(why, ==, "a question (it ends with ?)");
	g_assert_cmpstr(why2, ==, "a question (a ? follows the keyword)");
	/* in a longer reply a question is a note like any other line */
	assert_commands("Resolved?\nStill seeing 502s", NULL,
	                (const char *const[]){"Resolved?", "Still seeing 502s", NULL});
	assert_commands("ack\nResolved?", (const char *const[]){"ACK|", NULL},
	                (const char *const[]){"Resolved?", NULL});
}

/* Negations and other first words are simply no keyword. */
static void
test_negations(void)
{
	static const struct form forms[] = {
	    {"not resolved yet", "note"},     {"Not resolved", "note"},
	    {"Will ack in 5 min", "note"},    {"no ack from me, driving", "note"},
	    {"Can't ack, driving", "note"},   {"NOT FIXED", "note"},
	    {"Don't resolve it yet", "note"}, {"Never mind, resolved", "note"},
	    {"I ack this", "note"},           {"We are mitigating", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* A keyword inside a longer word is none: in prose a note, alone an unknown word. */
static void
test_inside_words(void)
{
	static const struct form forms[] = {
	    {"Ackerman is on it", "note"},
	    {"resolution pending", "note"},
	    {"Acknowledgement sent to the vendor", "note"},
	    {"Pagerduty fired too", "note"},
	    {"Icinga says it is fine", "note"},
	    {"Snoozed my alarm, sorry", "note"},
	    {"Fixedly watching the graphs", "note"},
	    {"Updated the runbook: step 3", "note"},
	    {"Impacted: EU only", "note"},
	    {"Declared it done", "note"},
	    /* alone, a word that starts with a keyword is a mangled one */
	    {"Ackerman", "UNKNOWN|Ackerman >ACK"},
	    {"Acknowledgement", "UNKNOWN|Acknowledgement >ACK"},
	    {"resolution", "UNKNOWN|resolution"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_bullets(void)
{
	static const struct form forms[] = {
	    {"- ack", "ACK|"},
	    {"-  ack - on it", "ACK| +on it"},
	    {"* SEV1", "SEV|1"},
	    {"\xE2\x80\xA2 resolved", "RESOLVED|"},
	    {"- IMPACT: EU only", "IMPACT|EU only"},
	    {"-ack", "note"},
	    {"- - -", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
	assert_commands("- SEV2\n- IMPACT: EU only\n- ack",
	                (const char *const[]){"SEV|2", "IMPACT|EU only", "ACK|", NULL}, NULL);
}

/* Words that look like a command but are not: in a multi-line text they are notes. */
static void
test_not_commands(void)
{
	static const char *const texts[] = {
	    "SEV4\nok",
	    "SEV12\nok",
	    "Next week we move the gateway\nok",
	    "Update on the rollout\nok",
	    "IC is on the bridge now\nok",
	    "Akc\nok",
	    "Impact\nok",
	    "Page the DBA team\nok",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autoptr(command_list) l = command_parse(texts[i]);

		g_assert_cmpuint(l->commands->len, ==, 0);
		g_assert_cmpuint(l->notes->len, ==, 2);
	}
	check_forms((const struct form[]){{"Next week we move the gateway", "note"},
	                                  {"Update on the rollout", "note"},
	                                  {"Note that the DB is slow", "note"}},
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
	    {"IC me.", "IC|me"},
	    {"IC bob@example.com", "IC|bob@example.com"},
	    {"IC <bob@example.com>", "IC|bob@example.com"},
	    {"IC: Bob Example <bob@example.com>", "IC|bob@example.com"},
	    {"IC carol", "IC|carol"},
	    {"IC me - on the bridge", "IC|me +on the bridge"},
	    {"IC carol, she knows the db", "IC|carol +she knows the db"},
	    {"IC is on the bridge now", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_page(void)
{
	static const struct form forms[] = {
	    {"PAGE bob", "PAGE|bob"},
	    {"page bob@example.com", "PAGE|bob@example.com"},
	    {"Page: Bob Example <bob@example.com>", "PAGE|bob@example.com"},
	    {"PAGE carol.", "PAGE|carol"},
	    {"PAGE", "PAGE|"},
	    {"page bob - he knows the db", "PAGE|bob +he knows the db"},
	    {"Page bob@example.com, db expert", "PAGE|bob@example.com +db expert"},
	    {"Page \xF0\x9F\x99\x8F", "PAGE|"},
	    {"Page the DBA team", "note"},
	    {"Paged the DBA already", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* SNOOZE's argument is seconds; "" when there is no duration it can read. */
static void
test_snooze(void)
{
	static const struct form forms[] = {
	    {"SNOOZE 30m", "SNOOZE|1800"},
	    {"snooze 30 min", "SNOOZE|1800"},
	    {"Snooze 30 minutes", "SNOOZE|1800"},
	    {"snooze 1h", "SNOOZE|3600"},
	    {"snooze 2 h", "SNOOZE|7200"},
	    {"Snooze 2 hours", "SNOOZE|7200"},
	    {"snooze 90m", "SNOOZE|5400"},
	    {"snooze 1d", "SNOOZE|86400"},
	    {"snooze 1h30m", "SNOOZE|5400"},
	    {"snooze 1h 30m", "SNOOZE|5400"},
	    {"snooze 45s", "SNOOZE|45"},
	    {"snooze for 30m", "SNOOZE|1800"},
	    {"SNOOZE: 1 hr", "SNOOZE|3600"},
	    {"snooze 48h", "SNOOZE|172800"},
	    {"snooze 0m", "SNOOZE|0"},
	    {"snooze 99999999999999h", "SNOOZE|2147483647"},
	    {"Snooze 30m - driving home", "SNOOZE|1800 +driving home"},
	    {"snooze 1h, in a meeting", "SNOOZE|3600 +in a meeting"},
	    {"SNOOZE 30m \xF0\x9F\x98\xB4", "SNOOZE|1800"},
	    /* no duration it can read: the lifecycle refuses it with the syntax */
	    {"SNOOZE", "SNOOZE|"},
	    {"Snooze.", "SNOOZE|"},
	    {"snooze 30", "SNOOZE|"},
	    {"snooze 1h30", "SNOOZE|"},
	    {"snooze 30 parsecs", "SNOOZE|"},
	    {"Snooze for ten minutes", "SNOOZE|"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_escalate_unack_help(void)
{
	static const struct form forms[] = {
	    {"escalate - nobody from the DB team answers",
	     "ESCALATE| +nobody from the DB team answers"},
	    {"UNACK, handing it back", "UNACK| +handing it back"},
	    {"Escalating to the DB team", "note"},
	    /* HELP takes nothing after it: its answer replaces the confirmation */
	    {"Help!", "HELP|"},
	    {"Help is on the way", "note"},
	    {"help - what now", "note"},
	    {"unacked", "UNKNOWN|unacked >UNACK"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* OVERRIDE takes the rest of its line when a date is in it; a war-room line that starts
 * with the word is a note, and alone the word meant the command. */
static void
test_override(void)
{
	static const struct form forms[] = {
	    {"OVERRIDE payments-primary me 2026-12-03 18:00 2026-12-04 09:00",
	     "OVERRIDE|payments-primary me 2026-12-03 18:00 2026-12-04 09:00"},
	    {"- override: search bob from 2026-12-3 18:00 until 2026-12-04 09:00",
	     "OVERRIDE|search bob from 2026-12-3 18:00 until 2026-12-04 09:00"},
	    {"Override search carol 2026-12-03 18:00 to tomorrow",
	     "OVERRIDE|search carol 2026-12-03 18:00 to tomorrow"},
	    {"Override the feature flag for EU users, then retry", "note"},
	    {"Overrides are in place until 2026-12-03", "note"},
	    {"override", "UNKNOWN|override >OVERRIDE"},
	    {"override payments me tomorrow 18:00",
	     "UNKNOWN|override payments me tomorrow 18:00 >OVERRIDE"},
	    {"override payments me tomorrow", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

static void
test_merge(void)
{
	static const struct form forms[] = {
	    {"MERGE INC-4", "MERGE|4"},
	    {"merge inc-12 - same outage", "MERGE|12 +same outage"},
	    {"Merge INC 4", "MERGE|4"},
	    {"merge #4", "MERGE|4"},
	    {"merge 4.", "MERGE|4"},
	    {"- MERGE INC-4 \xF0\x9F\x91\x8D", "MERGE|4"},
	    /* no incident it can read: the lifecycle refuses it with the syntax */
	    {"MERGE", "MERGE|"},
	    {"merge inc", "MERGE|"},
	    /* prose */
	    {"Merge the fix first", "note"},
	    {"merge INC-4?", "UNKNOWN|merge INC-4? >MERGE"},
	    {"Merged INC-4 yesterday", "note"},
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
	    {"Impact - EU only", "IMPACT|EU only"},
	    {"Impact \xE2\x80\x93 EU only", "IMPACT|EU only"},
	    {"NEXT: rolling back", "NEXT|rolling back"},
	    {"Next steps: rolling back", "NEXT|rolling back"},
	    {"Next steps - rolling back", "NEXT|rolling back"},
	    {"NOTE: paged the DBA", "NOTE|paged the DBA"},
	    {"Note - paged the DBA", "NOTE|paged the DBA"},
	    {"UPDATE: 5xx down to 3.1%", "UPDATE|5xx down to 3.1%"},
	    {"UPDATE - rolled back", "UPDATE|rolled back"},
	    {"ROOT CAUSE: pool too small", "ROOT CAUSE|pool too small"},
	    {"root cause: pool too small", "ROOT CAUSE|pool too small"},
	    {"Root-Cause: pool too small", "ROOT CAUSE|pool too small"},
	    {"ACTION: add a canary stage", "ACTION|add a canary stage"},
	    {"Action item: add a canary stage", "ACTION|add a canary stage"},
	    {"IMPACT:", "IMPACT|"},
	    /* without ':' or ' - ' the text is prose */
	    {"Impact checkout down", "note"},
	    {"Impact-wise we are fine", "note"},
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
	assert_commands("ack - on it\nsev 2 - checkout only\nno idea yet what it is",
	                (const char *const[]){"ACK| +on it", "SEV|2 +checkout only", NULL},
	                (const char *const[]){"no idea yet what it is", NULL});
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

/* A one-line reply that looks like a failed command: what was written, the closest
 * keyword, and what was read. */
static void
test_suggestions(void)
{
	static const struct form forms[] = {
	    {"Akc", "UNKNOWN|Akc >ACK"},
	    {"ackk", "UNKNOWN|ackk >ACK"},
	    {"  Akc!  ", "UNKNOWN|Akc >ACK"},
	    {"Resolvd", "UNKNOWN|Resolvd >RESOLVED"},
	    {"fxed", "UNKNOWN|fxed >RESOLVED"},
	    {"Mitigation", "UNKNOWN|Mitigation >MITIGATING"},
	    {"Snoozed", "UNKNOWN|Snoozed >SNOOZE"},
	    {"Escalte", "UNKNOWN|Escalte >ESCALATE"},
	    {"Reopne", "UNKNOWN|Reopne >REOPEN"},
	    {"SEV4", "UNKNOWN|SEV4 >SEV"},
	    {"SEV5", "UNKNOWN|SEV5 >SEV"},
	    {"sev", "UNKNOWN|sev >SEV"},
	    {"Sev 0", "UNKNOWN|Sev 0 >SEV"},
	    {"Impact", "UNKNOWN|Impact >IMPACT"},
	    {"POSTMORTEMS", "UNKNOWN|POSTMORTEMS >POSTMORTEM"},
	    /* nothing close */
	    {"ok", "UNKNOWN|ok"},
	    {"Noted", "UNKNOWN|Noted"},
	    {"Banana", "UNKNOWN|Banana"},
	};
	g_autofree char *akc = understood("Akc");
	g_autofree char *sev5 = understood("SEV5");
	g_autofree char *sev = understood("sev");
	g_autofree char *impact = understood("Impact");

	check_forms(forms, G_N_ELEMENTS(forms));
	g_assert_cmpstr(akc, ==, "\"Akc\" is not a command");
	g_assert_cmpstr(sev5, ==, "SEV5 is not a severity (1, 2 or 3)");
	g_assert_cmpstr(sev, ==, "SEV needs a severity: SEV1, SEV2 or SEV3");
	g_assert_cmpstr(impact, ==, "IMPACT needs a text after a colon (IMPACT: text)");
	/* beside a command, or in a longer text, an unknown word is just a note */
	assert_commands("ack\nAkc", (const char *const[]){"ACK|", NULL},
	                (const char *const[]){"Akc", NULL});
	assert_commands("Akc on it", NULL, (const char *const[]){"Akc on it", NULL});
	assert_commands("\n  Akc.  \n\n", (const char *const[]){"UNKNOWN|Akc >ACK", NULL}, NULL);
	assert_commands("", NULL, NULL);
	assert_commands(NULL, NULL, NULL);
}

/* Real commands carry no suggestion and no understood text. */
static void
test_fields_of_commands(void)
{
	g_autoptr(command_list) l = command_parse("ack - on it\nSEV1");

	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		g_assert_null(c->suggestion);
		g_assert_null(c->understood);
	}
	g_assert_cmpstr(((struct command *)l->commands->pdata[0])->note, ==, "on it");
	g_assert_null(((struct command *)l->commands->pdata[1])->note);
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
	assert_commands("ack\xC2\xA0-\xC2\xA0looking now",
	                (const char *const[]){"ACK| +looking now", NULL}, NULL);
}

static void
test_invalid_utf8(void)
{
	g_autoptr(command_list) l = command_parse("ACK\nbroken \xFF\xFE bytes");

	g_assert_cmpuint(l->commands->len, ==, 1);
	g_assert_cmpuint(l->notes->len, ==, 1);
	g_assert_true(g_utf8_validate(g_ptr_array_index(l->notes, 0), -1, NULL));
	check_forms((const struct form[]){{"\xFF\xFE", "note"}, {"\xC3", "note"}}, 2);
}

/* Bad input gives no command, a note at most, and no crash. */
static void
test_bad_input(void)
{
	g_autofree char *xs = g_strnfill(10000, 'x');
	g_autofree char *words = NULL;
	g_autofree char *long_note = g_strconcat("ack, ", xs, NULL);
	g_autoptr(command_list) l = NULL;

	{
		GString *s = g_string_new(NULL);

		while (s->len < 10000)
			g_string_append(s, "word ");
		words = g_string_free(s, FALSE);
	}
	check_forms((const struct form[]){{"\xF0\x9F\x91\x8D", "note"},
	                                  {"\xF0\x9F\x91\x8D\xF0\x9F\x99\x8F\xE2\x9C\x85", "note"},
	                                  {"!!!???", "note"},
	                                  {"?", "note"},
	                                  {"...", "note"},
	                                  {"+1", "note"},
	                                  {xs, "note"},
	                                  {words, "note"}},
	            8);
	/* a long line after a keyword is still that command, the rest its note */
	l = command_parse(long_note);
	g_assert_cmpuint(l->commands->len, ==, 1);
	g_assert_cmpuint(strlen(((struct command *)l->commands->pdata[0])->note), ==, 10000);
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
	    {"Postmortem, thanks!", "POSTMORTEM|"},
	    {"Postmortem \xF0\x9F\x91\x8D", "POSTMORTEM|"},
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
	    {"Postmortem - on Friday", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
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

/* MAINTENANCE takes the rest of the line as written when its first word names a label or
 * is a duration (route.c reads it); alone it is a malformed MAINTENANCE; prose after the
 * word is a note. */
static void
test_maintenance(void)
{
	static const struct form forms[] = {
	    {"MAINTENANCE host=db-1 2h kernel upgrade", "MAINTENANCE|host=db-1 2h kernel upgrade"},
	    {"maintenance: host=db-1, host=db-2 30m", "MAINTENANCE|host=db-1, host=db-2 30m"},
	    {"- Maintenance host=db-1 1h", "MAINTENANCE|host=db-1 1h"},
	    {"MAINTENANCE 2h", "MAINTENANCE|2h"},
	    {"MAINTENANCE", "MAINTENANCE|"},
	    {"Maintenance is over for today", "note"},
	    {"Maintenance host=db-1 2h?", "UNKNOWN|Maintenance host=db-1 2h? >MAINTENANCE"},
	    {"Maintenances host=db-1 2h", "note"},
	};

	check_forms(forms, G_N_ELEMENTS(forms));
}

/* HELP is generated from the verb table: every keyword, its usage, its synonyms. */
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
	                                       "POSTMORTEM [MEETING",
	                                       "DECLARE SEV",
	                                       "ESCALATE",
	                                       "PAGE name",
	                                       "SNOOZE 30m",
	                                       "UNACK",
	                                       "MERGE INC-n",
	                                       "MAINTENANCE host=db-1 2h",
	                                       "also: acked, ack'd, acknowledge, acknowledged",
	                                       "also: mitigate, mitigated",
	                                       "also: resolve, fixed",
	                                       "also: severity 1",
	                                       "also: next steps:",
	                                       "ends with ?"};
	const char *help = command_help();

	for (gsize i = 0; i < G_N_ELEMENTS(keywords); i++) {
		g_test_message("looking for %s", keywords[i]);
		g_assert_nonnull(strstr(help, keywords[i]));
	}
	g_assert_true(help == command_help()); /* static storage, built once */
}

/* The page's few lines, as templates/page.txt has always shown them. */
static void
test_help_short(void)
{
	g_assert_cmpstr(command_help_short(), ==,
	                "  ACK                   you are on it\n"
	                "  SEV1, SEV2 or SEV3    how bad it is\n"
	                "  IMPACT: text          who or what is affected\n"
	                "  NEXT: text            what happens next\n"
	                "  MITIGATING            a fix is being applied\n"
	                "  RESOLVED              it is over\n"
	                "\n"
	                "HELP lists every command.\n");
}

static void
test_names(void)
{
	g_assert_cmpstr(command_name(CMD_ACK), ==, "ACK");
	g_assert_cmpstr(command_name(CMD_SEV), ==, "SEV");
	g_assert_cmpstr(command_name(CMD_ROOT_CAUSE), ==, "ROOT CAUSE");
	g_assert_cmpstr(command_name(CMD_ESCALATE), ==, "ESCALATE");
	g_assert_cmpstr(command_name(CMD_PAGE), ==, "PAGE");
	g_assert_cmpstr(command_name(CMD_SNOOZE), ==, "SNOOZE");
	g_assert_cmpstr(command_name(CMD_UNACK), ==, "UNACK");
	g_assert_cmpstr(command_name(CMD_UNKNOWN), ==, "UNKNOWN");
	/* every kind but UNKNOWN has a row of its own */
	g_assert_cmpstr(command_name(CMD_OVERRIDE), ==, "OVERRIDE");
	for (int k = CMD_ACK; k <= CMD_OVERRIDE; k++)
		if (k != CMD_UNKNOWN)
			g_assert_cmpstr(command_name((enum command_kind)k), !=, "UNKNOWN");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/command/word-commands", test_word_commands);
	g_test_add_func("/command/synonyms", test_synonyms);
	g_test_add_func("/command/separators", test_separators);
	g_test_add_func("/command/attached-notes", test_attached_notes);
	g_test_add_func("/command/severity-forms", test_severity_forms);
	g_test_add_func("/command/questions", test_questions);
	g_test_add_func("/command/negations", test_negations);
	g_test_add_func("/command/inside-words", test_inside_words);
	g_test_add_func("/command/bullets", test_bullets);
	g_test_add_func("/command/not-commands", test_not_commands);
	g_test_add_func("/command/incident-commander", test_incident_commander);
	g_test_add_func("/command/page", test_page);
	g_test_add_func("/command/snooze", test_snooze);
	g_test_add_func("/command/escalate-unack-help", test_escalate_unack_help);
	g_test_add_func("/command/override", test_override);
	g_test_add_func("/command/merge", test_merge);
	g_test_add_func("/command/text-commands", test_text_commands);
	g_test_add_func("/command/argument-kept", test_argument_kept);
	g_test_add_func("/command/multi-line", test_multi_line);
	g_test_add_func("/command/notes", test_notes);
	g_test_add_func("/command/stop-lines", test_stop_lines);
	g_test_add_func("/command/suggestions", test_suggestions);
	g_test_add_func("/command/fields-of-commands", test_fields_of_commands);
	g_test_add_func("/command/invisible-blanks", test_invisible_blanks);
	g_test_add_func("/command/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/command/bad-input", test_bad_input);
	g_test_add_func("/command/postmortem", test_postmortem);
	g_test_add_func("/command/declare", test_declare);
	g_test_add_func("/command/maintenance", test_maintenance);
	g_test_add_func("/command/help", test_help);
	g_test_add_func("/command/help-short", test_help_short);
	g_test_add_func("/command/names", test_names);
	return g_test_run();
}
