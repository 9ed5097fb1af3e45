/* The incident state machine: the whole transition table, refusals, events, the one function
 * that changes a status, UNACK, SNOOZE, and when stakeholders hear. */
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
		if (strcmp(event_name(o->events->pdata[i]), kind) == 0)
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

/* --- the whole transition table -------------------------------------------------------- */

#define NOW 1795700000 /* 2026-11-26 13:33:20 UTC */

/* An incident in status from: acknowledged by alice (commander) unless triggered. */
static struct incident *
incident_in(enum incident_status from)
{
	struct incident *inc = incident_new("db down", "manual", NOW - 600);

	inc->status = from;
	if (from != STATUS_TRIGGERED) {
		inc->acked_by = g_strdup("alice@example.com");
		inc->acked_at = NOW - 500;
		inc->commander = g_strdup("alice@example.com");
	}
	if (from == STATUS_RESOLVED || from == STATUS_CLOSED)
		inc->resolved_at = NOW - 100;
	return inc;
}

/* What bob's command does from a status: "refused: <reason>", or the status it leaves the
 * incident in and the changes confirmed to bob, joined by "; ". */
static char *
outcome_of(enum incident_status from, enum command_kind kind, const char *argument)
{
	g_autoptr(incident) inc = incident_in(from);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command c = cmd(kind, command_name(kind), argument);
	GString *s = g_string_new(NULL);

	incident_apply(inc, &c, "bob@example.com", NOW, o);
	if (o->refusals->len > 0) {
		g_assert_cmpuint(o->refusals->len, ==, 1);
		g_assert_cmpuint(o->events->len, ==, 0); /* a refusal changes nothing */
		g_assert_cmpint(inc->status, ==, from);
		g_string_append_printf(s, "refused: %s", (char *)o->refusals->pdata[0]);
		return g_string_free(s, FALSE);
	}
	g_string_append(s, incident_status_name(inc->status));
	for (guint i = 0; i < o->changes->len; i++)
		g_string_append_printf(s, "; %s", (char *)o->changes->pdata[i]);
	return g_string_free(s, FALSE);
}

struct cell {
	enum incident_status from;
	enum command_kind kind;
	const char *expect;
};

#define BOB_ACKS "Acknowledged by bob@example.com; Incident commander: bob@example.com"
#define SNOOZED "Snoozed for 30 min, until 2026-11-26 14:03 UTC"
#define REFUSED_CLOSED(k)                                                                          \
	"refused: " k " not done: the incident is closed (its post-mortem was published)."
#define REFUSED_RESOLVED(k) "refused: " k " not done: the incident is resolved; send REOPEN first."
#define REFUSED_OPEN "refused: REOPEN not done: the incident is not resolved."

static const struct cell transition_cells[] = {
    {STATUS_TRIGGERED, CMD_ACK, "investigating; " BOB_ACKS},
    {STATUS_TRIGGERED, CMD_INVESTIGATING, "investigating; " BOB_ACKS},
    {STATUS_TRIGGERED, CMD_MITIGATING,
     "mitigating; " BOB_ACKS "; Status: Investigating -> Mitigating"},
    {STATUS_TRIGGERED, CMD_RESOLVED, "resolved; " BOB_ACKS "; Status: Investigating -> Resolved"},
    {STATUS_TRIGGERED, CMD_REOPEN, REFUSED_OPEN},
    {STATUS_TRIGGERED, CMD_UNACK, "refused: UNACK not done: it is not acknowledged."},
    {STATUS_TRIGGERED, CMD_SNOOZE,
     "refused: SNOOZE not done: it is not acknowledged (reply ACK first)."},

    {STATUS_INVESTIGATING, CMD_ACK, "investigating; Already acknowledged by alice@example.com"},
    {STATUS_INVESTIGATING, CMD_INVESTIGATING, "investigating; Status already Investigating"},
    {STATUS_INVESTIGATING, CMD_MITIGATING, "mitigating; Status: Investigating -> Mitigating"},
    {STATUS_INVESTIGATING, CMD_RESOLVED, "resolved; Status: Investigating -> Resolved"},
    {STATUS_INVESTIGATING, CMD_REOPEN, REFUSED_OPEN},
    {STATUS_INVESTIGATING, CMD_UNACK,
     "triggered; Status: Investigating -> Triggered (unacknowledged)"},
    {STATUS_INVESTIGATING, CMD_SNOOZE, "investigating; " SNOOZED},

    {STATUS_MITIGATING, CMD_ACK, "mitigating; Already acknowledged by alice@example.com"},
    {STATUS_MITIGATING, CMD_INVESTIGATING, "investigating; Status: Mitigating -> Investigating"},
    {STATUS_MITIGATING, CMD_MITIGATING, "mitigating; Status already Mitigating"},
    {STATUS_MITIGATING, CMD_RESOLVED, "resolved; Status: Mitigating -> Resolved"},
    {STATUS_MITIGATING, CMD_REOPEN, REFUSED_OPEN},
    {STATUS_MITIGATING, CMD_UNACK, "triggered; Status: Mitigating -> Triggered (unacknowledged)"},
    {STATUS_MITIGATING, CMD_SNOOZE, "mitigating; " SNOOZED},

    {STATUS_RESOLVED, CMD_ACK, REFUSED_RESOLVED("ACK")},
    {STATUS_RESOLVED, CMD_INVESTIGATING, REFUSED_RESOLVED("INVESTIGATING")},
    {STATUS_RESOLVED, CMD_MITIGATING, REFUSED_RESOLVED("MITIGATING")},
    {STATUS_RESOLVED, CMD_RESOLVED, "resolved; Status already Resolved"},
    {STATUS_RESOLVED, CMD_REOPEN, "investigating; Status: Resolved -> Investigating"},
    {STATUS_RESOLVED, CMD_UNACK, "refused: UNACK not done: the incident is resolved."},
    {STATUS_RESOLVED, CMD_SNOOZE, "refused: SNOOZE not done: the incident is resolved."},

    {STATUS_CLOSED, CMD_ACK, REFUSED_CLOSED("ACK")},
    {STATUS_CLOSED, CMD_INVESTIGATING, REFUSED_CLOSED("INVESTIGATING")},
    {STATUS_CLOSED, CMD_MITIGATING, REFUSED_CLOSED("MITIGATING")},
    {STATUS_CLOSED, CMD_RESOLVED, REFUSED_CLOSED("RESOLVED")},
    {STATUS_CLOSED, CMD_REOPEN, REFUSED_CLOSED("REOPEN")},
    {STATUS_CLOSED, CMD_UNACK, REFUSED_CLOSED("UNACK")},
    {STATUS_CLOSED, CMD_SNOOZE, REFUSED_CLOSED("SNOOZE")},
};

/* Every status against every status command: 5 x 7 cells, none missing. */
static void
test_transition_table(void)
{
	static const enum command_kind kinds[] = {CMD_ACK,      CMD_INVESTIGATING, CMD_MITIGATING,
	                                          CMD_RESOLVED, CMD_REOPEN,        CMD_UNACK,
	                                          CMD_SNOOZE};

	g_assert_cmpuint(G_N_ELEMENTS(transition_cells), ==, 5 * G_N_ELEMENTS(kinds));
	for (gsize i = 0; i < G_N_ELEMENTS(transition_cells); i++) {
		const struct cell *c = &transition_cells[i];
		g_autofree char *got = outcome_of(c->from, c->kind, "1800");

		g_test_message("%s from %s", command_name(c->kind), incident_status_name(c->from));
		g_assert_cmpint(c->kind, ==, kinds[i % G_N_ELEMENTS(kinds)]);
		g_assert_cmpint(c->from, ==, (enum incident_status)(i / G_N_ELEMENTS(kinds)));
		g_assert_cmpstr(got, ==, c->expect);
	}
}

/* Who hears of it: the stakeholders when the spec's word changes, and on every resolution. */
static void
test_transition_communicates(void)
{
	static const struct {
		enum incident_status from;
		enum command_kind kind;
		gboolean communicate;
	} cases[] = {
	    {STATUS_TRIGGERED, CMD_ACK, FALSE},         {STATUS_TRIGGERED, CMD_MITIGATING, TRUE},
	    {STATUS_INVESTIGATING, CMD_RESOLVED, TRUE}, {STATUS_RESOLVED, CMD_REOPEN, TRUE},
	    {STATUS_INVESTIGATING, CMD_UNACK, FALSE},   {STATUS_MITIGATING, CMD_UNACK, TRUE},
	    {STATUS_INVESTIGATING, CMD_SNOOZE, FALSE},  {STATUS_RESOLVED, CMD_ACK, FALSE},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(incident) inc = incident_in(cases[i].from);
		g_autoptr(incident_outcome) o = incident_outcome_new();
		struct command c = cmd(cases[i].kind, command_name(cases[i].kind), "1800");

		incident_apply(inc, &c, "bob@example.com", NOW, o);
		g_assert_cmpint(o->communicate, ==, cases[i].communicate);
	}
}

/* --- incident_enter_status -------------------------------------------------------------- */

static const char *
event_detail(const struct incident_outcome *o, guint i, const char *kind)
{
	const struct event *e;

	g_assert_cmpuint(i, <, o->events->len);
	e = o->events->pdata[i];
	g_assert_cmpstr(event_name(e), ==, kind);
	return e->detail;
}

static void
test_enter_status_acknowledges(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_TRIGGERED);
	g_autoptr(incident_outcome) o = incident_outcome_new();

	incident_enter_status(inc, STATUS_INVESTIGATING, "carol@example.com", NOW, o);
	g_assert_cmpint(inc->status, ==, STATUS_INVESTIGATING);
	g_assert_cmpstr(inc->acked_by, ==, "carol@example.com");
	g_assert_cmpint(inc->acked_at, ==, NOW);
	g_assert_cmpstr(event_detail(o, 0, "acknowledged"), ==,
	                "Acknowledged by carol@example.com");
	g_assert_cmpstr(event_detail(o, 1, "commander"), ==,
	                "Incident commander: carol@example.com");
	g_assert_cmpuint(o->events->len, ==, 2); /* Investigating is what triggered shows as */
	g_assert_false(o->communicate);
	/* the same status again: nothing at all */
	incident_enter_status(inc, STATUS_INVESTIGATING, "carol@example.com", NOW + 1, o);
	g_assert_cmpuint(o->events->len, ==, 2);
	g_assert_cmpint(inc->acked_at, ==, NOW);
}

/* A snooze ending (the caller's timer) puts it back to triggered, as UNACK does. */
static void
test_enter_status_back_to_triggered(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_MITIGATING);
	g_autoptr(incident_outcome) o = incident_outcome_new();

	inc->snooze_until = NOW;
	incident_enter_status(inc, STATUS_TRIGGERED, "sevmail", NOW, o);
	g_assert_cmpint(inc->status, ==, STATUS_TRIGGERED);
	g_assert_null(inc->acked_by);
	g_assert_cmpint(inc->acked_at, ==, 0);
	g_assert_cmpint(inc->snooze_until, ==, 0);
	g_assert_cmpstr(inc->commander, ==, "alice@example.com");
	g_assert_cmpstr(event_detail(o, 0, "status"), ==,
	                "Status: Mitigating -> Triggered (unacknowledged)");
	g_assert_cmpstr(((struct event *)o->events->pdata[0])->actor, ==, "sevmail");
	g_assert_true(o->communicate); /* the lists were told Mitigating */
}

/* POSTMORTEM's resolved -> closed keeps the resolution time and mails no status. */
static void
test_enter_status_closed(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_RESOLVED);
	g_autoptr(incident_outcome) o = incident_outcome_new();

	incident_enter_status(inc, STATUS_CLOSED, "alice@example.com", NOW, o);
	g_assert_cmpint(inc->status, ==, STATUS_CLOSED);
	g_assert_cmpint(inc->resolved_at, ==, NOW - 100);
	g_assert_cmpstr(event_detail(o, 0, "status"), ==, "Status: Resolved -> Closed");
	g_assert_cmpuint(o->events->len, ==, 1);
	g_assert_false(o->communicate);
}

static void
test_enter_status_resolution_time(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_INVESTIGATING);
	g_autoptr(incident_outcome) o = incident_outcome_new();

	inc->snooze_until = NOW + 600;
	incident_enter_status(inc, STATUS_RESOLVED, "alice@example.com", NOW, o);
	g_assert_cmpint(inc->resolved_at, ==, NOW);
	g_assert_cmpint(inc->snooze_until, ==, 0); /* nothing pages a resolved incident */
	g_assert_true(o->communicate);
	incident_enter_status(inc, STATUS_INVESTIGATING, "alice@example.com", NOW + 60, o);
	g_assert_cmpint(inc->resolved_at, ==, 0);
	g_assert_cmpstr(inc->acked_by, ==, "alice@example.com"); /* still acknowledged */
}

/* --- UNACK and SNOOZE ------------------------------------------------------------------ */

/* UNACK hands it back: the next ACK is a new acknowledgement, by whoever sends it. */
static void
test_unack_then_ack(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_INVESTIGATING);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command unack = cmd(CMD_UNACK, "UNACK", "");
	struct command ack = cmd(CMD_ACK, "ACK", "");

	incident_apply(inc, &unack, "alice@example.com", NOW, o);
	g_assert_cmpint(inc->status, ==, STATUS_TRIGGERED);
	g_assert_null(inc->acked_by);
	g_assert_cmpstr(inc->commander, ==, "alice@example.com");
	incident_apply(inc, &ack, "bob@example.com", NOW + 60, o);
	g_assert_cmpint(inc->status, ==, STATUS_INVESTIGATING);
	g_assert_cmpstr(inc->acked_by, ==, "bob@example.com");
	g_assert_cmpint(inc->acked_at, ==, NOW + 60);
	g_assert_cmpstr(inc->commander, ==, "alice@example.com"); /* kept: alice is still IC */
	g_assert_cmpstr(event_detail(o, 1, "acknowledged"), ==, "Acknowledged by bob@example.com");
	g_assert_cmpuint(o->events->len, ==, 2);
}

static void
test_snooze_limits(void)
{
	static const struct {
		const char *argument;
		const char *refusal; /* NULL: snoozed */
	} cases[] = {
	    {"", "SNOOZE not done: give a duration such as 30m, 1h or 2h."},
	    {"0", "SNOOZE not done: give a duration such as 30m, 1h or 2h."},
	    {"86401", "SNOOZE not done: at most a day (24h)."},
	    {"2147483647", "SNOOZE not done: at most a day (24h)."},
	    {"45", NULL},
	    {"86400", NULL},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(incident) inc = incident_in(STATUS_INVESTIGATING);
		g_autoptr(incident_outcome) o = incident_outcome_new();
		struct command snooze = cmd(CMD_SNOOZE, "SNOOZE", cases[i].argument);

		incident_apply(inc, &snooze, "alice@example.com", NOW, o);
		if (cases[i].refusal != NULL) {
			g_assert_cmpuint(o->refusals->len, ==, 1);
			g_assert_cmpstr(o->refusals->pdata[0], ==, cases[i].refusal);
			g_assert_cmpint(inc->snooze_until, ==, 0);
			continue;
		}
		g_assert_cmpuint(o->refusals->len, ==, 0);
		g_assert_cmpint(inc->snooze_until, ==,
		                NOW + g_ascii_strtoll(cases[i].argument, NULL, 10));
		g_assert_nonnull(strstr(event_detail(o, 0, "snoozed"), "Snoozed for "));
	}
}

/* A snooze lasts while it stays acknowledged, and ends with the acknowledgement. */
static void
test_snooze_kept_and_cleared(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_INVESTIGATING);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command snooze = cmd(CMD_SNOOZE, "SNOOZE", "3600");
	struct command mitigating = cmd(CMD_MITIGATING, "MITIGATING", "");
	struct command unack = cmd(CMD_UNACK, "UNACK", "");

	incident_apply(inc, &snooze, "alice@example.com", NOW, o);
	g_assert_cmpstr(event_detail(o, 0, "snoozed"), ==,
	                "Snoozed for 1 h, until 2026-11-26 14:33 UTC");
	incident_apply(inc, &mitigating, "alice@example.com", NOW + 10, o);
	g_assert_cmpint(inc->snooze_until, ==, NOW + 3600);
	incident_apply(inc, &unack, "alice@example.com", NOW + 20, o);
	g_assert_cmpint(inc->snooze_until, ==, 0);
}

/* --- notes kept with a command, and the commands that are the caller's ----------------- */

static void
test_attached_note(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_TRIGGERED);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command ack = cmd(CMD_ACK, "ACK", "");

	ack.note = (char *)"looking now";
	incident_apply(inc, &ack, "bob@example.com", NOW, o);
	g_assert_cmpuint(o->events->len, ==, 3);
	event_detail(o, 0, "acknowledged");
	g_assert_cmpstr(event_detail(o, 2, "note"), ==, "Note: looking now");
}

/* Refused or not, what was written stays in the timeline. */
static void
test_attached_note_of_refused_command(void)
{
	g_autoptr(incident) inc = incident_in(STATUS_CLOSED);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command resolved = cmd(CMD_RESOLVED, "RESOLVED", "");

	resolved.note = (char *)"rolled back";
	incident_apply(inc, &resolved, "bob@example.com", NOW, o);
	g_assert_cmpuint(o->refusals->len, ==, 1);
	g_assert_cmpuint(o->events->len, ==, 1);
	g_assert_cmpstr(event_detail(o, 0, "note"), ==, "Note: rolled back");
}

static void
test_escalate_and_page_are_the_callers(void)
{
	static const enum command_kind kinds[] = {CMD_ESCALATE, CMD_PAGE, CMD_HELP, CMD_UNKNOWN};

	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		g_autoptr(incident) inc = incident_in(STATUS_INVESTIGATING);
		g_autoptr(incident_outcome) o = incident_outcome_new();
		struct command c = cmd(kinds[i], command_name(kinds[i]), "bob");

		incident_apply(inc, &c, "alice@example.com", NOW, o);
		g_assert_cmpint(inc->status, ==, STATUS_INVESTIGATING);
		g_assert_cmpuint(o->events->len, ==, 0);
		g_assert_cmpuint(o->changes->len, ==, 0);
		g_assert_cmpuint(o->refusals->len, ==, 0);
		g_assert_false(o->communicate);
		c.note = (char *)"DB team silent";
		incident_apply(inc, &c, "alice@example.com", NOW, o);
		g_assert_cmpstr(event_detail(o, 0, "note"), ==, "Note: DB team silent");
	}
}

/* MERGE is refused into itself, into or from a closed (or merged) incident, and for an
 * unknown one; a merge closes the other incident as merged. */
static void
test_merge_refusals(void)
{
	g_autoptr(incident) into = incident_new("checkout down", "manual", 100);
	g_autoptr(incident) other = incident_new("payments slow", "manual", 110);
	g_autoptr(incident) closed = incident_new("old", "manual", 50);
	g_autoptr(incident) merged = incident_new("dup", "manual", 60);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *self = NULL, *unknown = NULL, *from_closed = NULL;
	g_autofree char *from_merged = NULL, *into_merged = NULL, *ok = NULL;

	into->id = 5;
	other->id = 4;
	closed->id = 2;
	closed->status = STATUS_CLOSED;
	merged->id = 3;
	merged->status = STATUS_CLOSED;
	merged->merged_into = 5;
	self = incident_merge_refusal(into, 5, into);
	unknown = incident_merge_refusal(into, 9, NULL);
	from_closed = incident_merge_refusal(into, 2, closed);
	from_merged = incident_merge_refusal(into, 3, merged);
	into_merged = incident_merge_refusal(merged, 4, other);
	ok = incident_merge_refusal(into, 4, other);
	g_assert_cmpstr(self, ==, "an incident cannot be merged into itself");
	g_assert_cmpstr(unknown, ==, "there is no incident INC-9");
	g_assert_cmpstr(from_closed, ==, "INC-2 is closed (its post-mortem was published)");
	g_assert_cmpstr(from_merged, ==, "INC-3 was merged into INC-5 already");
	g_assert_cmpstr(into_merged, ==, "INC-3 was merged into INC-5 already");
	g_assert_null(ok);
	/* a resolved incident may still be merged, and merged into */
	other->status = STATUS_RESOLVED;
	g_assert_null(incident_merge_refusal(into, 4, other));
	incident_merge(other, 5, "alice@example.com", 200, o);
	g_assert_cmpint(other->status, ==, STATUS_CLOSED);
	g_assert_cmpint(other->merged_into, ==, 5);
	g_assert_true(has_event(o, "merged"));
	g_assert_cmpstr(((struct event *)o->events->pdata[0])->detail, ==,
	                "Merged into INC-5 by alice@example.com");
	g_assert_true(has_event(o, "status"));
}

static void
test_alerts_firing(void)
{
	g_autoptr(GPtrArray) alerts =
	    g_ptr_array_new_with_free_func((GDestroyNotify)incident_alert_free);
	struct incident_alert *a =
	    incident_alert_new("nagios:host=web-1;service=HTTP", "nagios", "web-1 HTTP", 100);

	g_assert_cmpuint(incident_alerts_firing(alerts), ==, 0);
	g_ptr_array_add(alerts, a);
	g_ptr_array_add(alerts, incident_alert_new("nagios:host=web-1;service=SSH", "nagios",
	                                           "web-1 SSH", 110));
	g_assert_cmpint(a->count, ==, 1);
	g_assert_cmpint(a->first_at, ==, 100);
	g_assert_cmpuint(incident_alerts_firing(alerts), ==, 2);
	a->resolved = TRUE;
	g_assert_cmpuint(incident_alerts_firing(alerts), ==, 1);
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
	g_test_add_func("/incident/transition-table", test_transition_table);
	g_test_add_func("/incident/transition-communicates", test_transition_communicates);
	g_test_add_func("/incident/enter-status/acknowledges", test_enter_status_acknowledges);
	g_test_add_func("/incident/enter-status/back-to-triggered",
	                test_enter_status_back_to_triggered);
	g_test_add_func("/incident/enter-status/closed", test_enter_status_closed);
	g_test_add_func("/incident/enter-status/resolution-time",
	                test_enter_status_resolution_time);
	g_test_add_func("/incident/unack-then-ack", test_unack_then_ack);
	g_test_add_func("/incident/snooze-limits", test_snooze_limits);
	g_test_add_func("/incident/snooze-kept-and-cleared", test_snooze_kept_and_cleared);
	g_test_add_func("/incident/attached-note", test_attached_note);
	g_test_add_func("/incident/attached-note-of-refused",
	                test_attached_note_of_refused_command);
	g_test_add_func("/incident/escalate-and-page-are-the-callers",
	                test_escalate_and_page_are_the_callers);
	g_test_add_func("/incident/merge-refusals", test_merge_refusals);
	g_test_add_func("/incident/alerts-firing", test_alerts_firing);
	return g_test_run();
}
