/* The incident state machine: transitions, refusals, events and when stakeholders hear. */
#include "incident.h"

#include <string.h>

static struct command
cmd(enum command_kind kind, const char *keyword, const char *argument)
{
	return (struct command){
	    .kind = kind, .keyword = (char *)keyword, .argument = (char *)argument};
}

static gboolean
has_event(const struct incident_outcome *o, const char *kind)
{
	for (guint i = 0; i < o->events->len; i++)
		if (strcmp(((struct event *)o->events->pdata[i])->kind, kind) == 0)
			return TRUE;
	return FALSE;
}

static void
test_ack_makes_commander(void)
{
	g_autoptr(incident) inc = incident_new("db down", "manual", 100);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command ack = cmd(CMD_ACK, "ACK", "");

	incident_apply(inc, &ack, "alice@example.com", 160, o);
	g_assert_cmpint(inc->status, ==, STATUS_INVESTIGATING);
	g_assert_cmpstr(inc->acked_by, ==, "alice@example.com");
	g_assert_cmpstr(inc->commander, ==, "alice@example.com");
	g_assert_cmpint(inc->acked_at, ==, 160);
	g_assert_true(has_event(o, "acknowledged"));
	g_assert_true(has_event(o, "commander"));
	g_assert_false(o->communicate);
}

static void
test_second_ack_is_a_no_op(void)
{
	g_autoptr(incident) inc = incident_new("db down", "manual", 100);
	g_autoptr(incident_outcome) o1 = incident_outcome_new();
	g_autoptr(incident_outcome) o2 = incident_outcome_new();
	struct command ack = cmd(CMD_ACK, "ACK", "");

	incident_apply(inc, &ack, "alice@example.com", 160, o1);
	incident_apply(inc, &ack, "bob@example.com", 170, o2);
	g_assert_cmpstr(inc->acked_by, ==, "alice@example.com");
	g_assert_cmpuint(o2->events->len, ==, 0);
	g_assert_cmpuint(o2->refusals->len, ==, 0);
	g_assert_cmpuint(o2->changes->len, ==, 1);
}

static void
test_resolved_refuses_mitigating_until_reopen(void)
{
	g_autoptr(incident) inc = incident_new("db down", "manual", 100);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command resolved = cmd(CMD_RESOLVED, "RESOLVED", "");
	struct command mitigating = cmd(CMD_MITIGATING, "MITIGATING", "");
	struct command reopen = cmd(CMD_REOPEN, "REOPEN", "");

	incident_apply(inc, &resolved, "alice@example.com", 200, o);
	g_assert_cmpint(inc->status, ==, STATUS_RESOLVED);
	g_assert_cmpint(inc->resolved_at, ==, 200);
	g_assert_true(o->communicate);
	incident_apply(inc, &mitigating, "alice@example.com", 210, o);
	g_assert_cmpint(inc->status, ==, STATUS_RESOLVED);
	g_assert_cmpuint(o->refusals->len, ==, 1);
	g_assert_nonnull(strstr(o->refusals->pdata[0], "REOPEN"));
	incident_apply(inc, &reopen, "alice@example.com", 220, o);
	g_assert_cmpint(inc->status, ==, STATUS_INVESTIGATING);
	g_assert_cmpint(inc->resolved_at, ==, 0);
}

static void
test_reopen_refused_when_open(void)
{
	g_autoptr(incident) inc = incident_new("db down", "manual", 100);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command reopen = cmd(CMD_REOPEN, "REOPEN", "");

	incident_apply(inc, &reopen, "alice@example.com", 110, o);
	g_assert_cmpint(inc->status, ==, STATUS_TRIGGERED);
	g_assert_cmpuint(o->refusals->len, ==, 1);
	g_assert_cmpuint(o->events->len, ==, 0);
}

static void
test_severity_and_fields_start_communication(void)
{
	g_autoptr(incident) inc = incident_new("checkout slow", "manual", 100);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command sev = cmd(CMD_SEV, "SEV", "2");
	struct command bad = cmd(CMD_SEV, "SEV", "7");
	struct command impact = cmd(CMD_IMPACT, "IMPACT", "EU users\r\nBcc: x@example.org");
	struct command empty = cmd(CMD_NEXT, "NEXT", "   ");

	incident_apply(inc, &sev, "bob@example.com", 110, o);
	g_assert_cmpint(inc->severity, ==, 2);
	g_assert_true(o->communicate);
	incident_apply(inc, &bad, "bob@example.com", 111, o);
	g_assert_cmpint(inc->severity, ==, 2);
	g_assert_cmpuint(o->refusals->len, ==, 1);
	incident_apply(inc, &impact, "bob@example.com", 112, o);
	g_assert_cmpstr(inc->impact, ==, "EU users Bcc: x@example.org"); /* one line, always */
	incident_apply(inc, &empty, "bob@example.com", 113, o);
	g_assert_null(inc->next_steps);
	g_assert_cmpuint(o->refusals->len, ==, 2);
}

static void
test_ic_and_action_items(void)
{
	g_autoptr(incident) inc = incident_new("x", "manual", 100);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command ic = cmd(CMD_IC, "IC", "me");
	struct command ic2 = cmd(CMD_IC, "IC", "<Carol@Example.com>");
	struct command action = cmd(CMD_ACTION, "ACTION", "add a canary stage");

	incident_apply(inc, &ic, "bob@example.com", 110, o);
	g_assert_cmpstr(inc->commander, ==, "bob@example.com");
	incident_apply(inc, &ic2, "bob@example.com", 111, o);
	g_assert_cmpstr(inc->commander, ==, "carol@example.com");
	incident_apply(inc, &action, "bob@example.com", 112, o);
	g_assert_cmpuint(inc->action_items->len, ==, 1);
	g_assert_cmpstr(inc->action_items->pdata[0], ==, "add a canary stage");
}

static void
test_status_words(void)
{
	enum incident_status s;

	g_assert_cmpstr(incident_status_word(STATUS_TRIGGERED), ==, "Investigating");
	g_assert_cmpstr(incident_status_word(STATUS_CLOSED), ==, "Resolved");
	g_assert_true(incident_status_parse("mitigating", &s));
	g_assert_cmpint(s, ==, STATUS_MITIGATING);
	g_assert_false(incident_status_parse("bogus", &s));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/incident/ack-makes-commander", test_ack_makes_commander);
	g_test_add_func("/incident/second-ack-no-op", test_second_ack_is_a_no_op);
	g_test_add_func("/incident/resolved-needs-reopen",
	                test_resolved_refuses_mitigating_until_reopen);
	g_test_add_func("/incident/reopen-refused-when-open", test_reopen_refused_when_open);
	g_test_add_func("/incident/severity-and-fields",
	                test_severity_and_fields_start_communication);
	g_test_add_func("/incident/ic-and-action-items", test_ic_and_action_items);
	g_test_add_func("/incident/status-words", test_status_words);
	return g_test_run();
}
