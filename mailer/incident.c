/*
 * incident: the lifecycle of one incident as a table of (status, command) -> status, with
 * the reason for each refusal, plus the field commands of the communication template.
 * Pure: no I/O; the caller stores the events this produces.
 */
#include "incident.h"

#include "util.h"
#include <string.h>

static const char *const status_names[] = {
    [STATUS_TRIGGERED] = "triggered",   [STATUS_INVESTIGATING] = "investigating",
    [STATUS_MITIGATING] = "mitigating", [STATUS_RESOLVED] = "resolved",
    [STATUS_CLOSED] = "closed",
};

static const char *const status_words[] = {
    [STATUS_TRIGGERED] = "Investigating", [STATUS_INVESTIGATING] = "Investigating",
    [STATUS_MITIGATING] = "Mitigating",   [STATUS_RESOLVED] = "Resolved",
    [STATUS_CLOSED] = "Resolved",
};

/* Status words in the timeline: the spec's, but entering triggered or closed is told as such. */
static const char *const status_event_words[] = {
    [STATUS_TRIGGERED] = "Triggered (unacknowledged)",
    [STATUS_INVESTIGATING] = "Investigating",
    [STATUS_MITIGATING] = "Mitigating",
    [STATUS_RESOLVED] = "Resolved",
    [STATUS_CLOSED] = "Closed",
};

/* Every event kind and what it means to the readers of the events. */
static const struct event_kind_info event_kinds[EVENT_KIND_COUNT] = {
    [EVENT_UNKNOWN] = {.name = "unknown"},
    [EVENT_DECLARED] = {.name = "declared", .timeline = TRUE, .public = TRUE},
    [EVENT_PAGED] = {.name = "paged", .timeline = TRUE, .pages = TRUE},
    [EVENT_ACKNOWLEDGED] = {.name = "acknowledged", .timeline = TRUE, .public = TRUE},
    [EVENT_SEVERITY] = {.name = "severity", .timeline = TRUE, .public = TRUE, .told = TRUE},
    /* while triggered, the newest status event is the one that made it triggered */
    [EVENT_STATUS] =
        {.name = "status", .timeline = TRUE, .public = TRUE, .told = TRUE, .pages = TRUE},
    [EVENT_COMMANDER] = {.name = "commander", .timeline = TRUE},
    [EVENT_UPDATED] = {.name = "updated", .timeline = TRUE, .public = TRUE, .told = TRUE},
    [EVENT_NOTE] = {.name = "note", .timeline = TRUE},
    [EVENT_ALERT_REPEAT] = {.name = "alert_repeat", .timeline = TRUE},
    [EVENT_ALERT_RESOLVED] = {.name = "alert_resolved", .timeline = TRUE, .public = TRUE},
    [EVENT_REJECTED] = {.name = "rejected"},
    [EVENT_ESCALATED] = {.name = "escalated", .timeline = TRUE, .pages = TRUE},
    [EVENT_REMINDED] = {.name = "reminded", .timeline = TRUE, .told = TRUE},
    /* told as well: a reopened incident's update clock counts from it, as it always did */
    [EVENT_POSTMORTEM_REMINDED] = {.name = "postmortem_reminded", .timeline = TRUE, .told = TRUE},
    [EVENT_POSTMORTEM] = {.name = "postmortem"},
    [EVENT_DROPPED] = {.name = "dropped"},
    [EVENT_UNVERIFIED] = {.name = "unverified"},
    [EVENT_VERIFIED] = {.name = "verified"},
    [EVENT_SNOOZED] = {.name = "snoozed"},
    [EVENT_DEFERRED] = {.name = "deferred", .timeline = TRUE},
    [EVENT_BOUNCED] = {.name = "bounced", .timeline = TRUE},
    [EVENT_ALERT_JOINED] = {.name = "alert_joined", .timeline = TRUE},
    [EVENT_MERGED] = {.name = "merged", .timeline = TRUE},
    [EVENT_TOLD] = {.name = "told"},
    [EVENT_RESOLVED] = {.name = "resolved", .timeline = TRUE},
    [EVENT_SUPPRESSED] = {.name = "suppressed", .timeline = TRUE},
    [EVENT_HEARTBEAT_MISSING] = {.name = "heartbeat_missing", .timeline = TRUE},
};

#define KEEP (-1)    /* allowed, the status stays: the command's handler says what it did */
#define REFUSED (-2) /* forbidden, for the reason beside it */
#define SNOOZE_MAX (24 * 3600)

/* One row per status command: what it does from each status (a status to enter, KEEP or
 * REFUSED), and the reason for every refusal. */
struct transition {
	enum command_kind cmd;
	int to[5];
	const char *refusal[5];
};

#define CLOSED_REASON "the incident is closed (its post-mortem was published)"
#define RESOLVED_REASON "the incident is resolved; send REOPEN first"
#define NOT_RESOLVED "the incident is not resolved"
#define NOT_ACKED "it is not acknowledged"

static const struct transition transitions[] = {
    {CMD_ACK,
     {STATUS_INVESTIGATING, KEEP, KEEP, REFUSED, REFUSED},
     {NULL, NULL, NULL, RESOLVED_REASON, CLOSED_REASON}},
    {CMD_INVESTIGATING,
     {STATUS_INVESTIGATING, KEEP, STATUS_INVESTIGATING, REFUSED, REFUSED},
     {NULL, NULL, NULL, RESOLVED_REASON, CLOSED_REASON}},
    {CMD_MITIGATING,
     {STATUS_MITIGATING, STATUS_MITIGATING, KEEP, REFUSED, REFUSED},
     {NULL, NULL, NULL, RESOLVED_REASON, CLOSED_REASON}},
    {CMD_RESOLVED,
     {STATUS_RESOLVED, STATUS_RESOLVED, STATUS_RESOLVED, KEEP, REFUSED},
     {NULL, NULL, NULL, NULL, CLOSED_REASON}},
    {CMD_REOPEN,
     {REFUSED, REFUSED, REFUSED, STATUS_INVESTIGATING, REFUSED},
     {NOT_RESOLVED, NOT_RESOLVED, NOT_RESOLVED, NULL, CLOSED_REASON}},
    {CMD_UNACK,
     {REFUSED, STATUS_TRIGGERED, STATUS_TRIGGERED, REFUSED, REFUSED},
     {NOT_ACKED, NULL, NULL, "the incident is resolved", CLOSED_REASON}},
    /* only an acknowledged incident is snoozed: a triggered one is being paged already */
    {CMD_SNOOZE,
     {REFUSED, KEEP, KEEP, REFUSED, REFUSED},
     {NOT_ACKED " (reply ACK first)", NULL, NULL, "the incident is resolved", CLOSED_REASON}},
};

const char *
incident_status_name(enum incident_status s)
{
	return status_names[s];
}

gboolean
incident_status_parse(const char *name, enum incident_status *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(status_names); i++) {
		if (g_strcmp0(name, status_names[i]) == 0) {
			*s = (enum incident_status)i;
			return TRUE;
		}
	}
	return FALSE;
}

const struct event_kind_info *
event_kind_info(enum event_kind k)
{
	g_return_val_if_fail(k < EVENT_KIND_COUNT, &event_kinds[EVENT_UNKNOWN]);
	return &event_kinds[k];
}

const char *
event_kind_name(enum event_kind k)
{
	return event_kind_info(k)->name;
}

enum event_kind
event_kind_parse(const char *name)
{
	for (int k = EVENT_UNKNOWN + 1; k < EVENT_KIND_COUNT; k++)
		if (g_strcmp0(name, event_kinds[k].name) == 0)
			return (enum event_kind)k;
	return EVENT_UNKNOWN;
}

const char *
incident_status_word(enum incident_status s)
{
	return status_words[s];
}

char *
incident_severity_label(const struct incident *inc)
{
	if (inc->severity < 1 || inc->severity > 3)
		return g_strdup("SEV ?");
	return g_strdup_printf("SEV %d", inc->severity);
}

struct incident *
incident_new(const char *title, const char *source, gint64 now)
{
	struct incident *inc = g_new0(struct incident, 1);

	/* the title reaches mail headers: one clean line, whatever an alert brought */
	inc->title = title != NULL ? util_one_line(title, 300) : NULL;
	inc->source = g_strdup(source);
	inc->status = STATUS_TRIGGERED;
	inc->created_at = now;
	inc->ladder_at = now;
	inc->action_items = g_ptr_array_new_with_free_func(g_free);
	return inc;
}

void
incident_free(struct incident *inc)
{
	if (inc == NULL)
		return;
	g_free(inc->title);
	g_free(inc->commander);
	g_free(inc->acked_by);
	g_free(inc->impact);
	g_free(inc->next_steps);
	g_free(inc->root_cause);
	g_ptr_array_unref(inc->action_items);
	g_free(inc->fingerprint);
	g_free(inc->source);
	g_free(inc->details);
	g_free(inc->thread_id);
	g_free(inc->latest_update);
	g_free(inc->team);
	g_free(inc->group_key);
	g_free(inc);
}

struct event *
event_make(gint64 at, const char *actor, enum event_kind kind, const char *detail)
{
	struct event *e = g_new0(struct event, 1);

	e->at = at;
	e->actor = g_strdup(actor);
	e->kind = kind;
	e->detail = g_strdup(detail != NULL ? detail : "");
	return e;
}

struct event *
event_new(gint64 at, const char *actor, const char *kind, const char *detail)
{
	struct event *e = event_make(at, actor, event_kind_parse(kind), detail);

	if (e->kind == EVENT_UNKNOWN)
		e->unknown_name = g_strdup(kind);
	return e;
}

const char *
event_name(const struct event *e)
{
	return e->kind == EVENT_UNKNOWN && e->unknown_name != NULL ? e->unknown_name
	                                                           : event_kind_name(e->kind);
}

void
event_free(struct event *e)
{
	if (e == NULL)
		return;
	g_free(e->actor);
	g_free(e->unknown_name);
	g_free(e->detail);
	g_free(e);
}

struct incident_outcome *
incident_outcome_new(void)
{
	struct incident_outcome *o = g_new0(struct incident_outcome, 1);

	o->events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	o->changes = g_ptr_array_new_with_free_func(g_free);
	o->refusals = g_ptr_array_new_with_free_func(g_free);
	return o;
}

void
incident_outcome_free(struct incident_outcome *o)
{
	if (o == NULL)
		return;
	g_ptr_array_unref(o->events);
	g_ptr_array_unref(o->changes);
	g_ptr_array_unref(o->refusals);
	g_free(o);
}

static void
record(struct incident_outcome *out, gint64 now, const char *actor, enum event_kind kind,
       char *detail)
{
	g_ptr_array_add(out->events, event_make(now, actor, kind, detail));
	g_ptr_array_add(out->changes, detail);
}

static void
refuse(struct incident_outcome *out, const char *what, const char *why)
{
	g_ptr_array_add(out->refusals, g_strdup_printf("%s not done: %s.", what, why));
}

static void
acknowledge(struct incident *inc, const char *actor, gint64 now, struct incident_outcome *out)
{
	inc->acked_by = g_strdup(actor);
	inc->acked_at = now;
	record(out, now, actor, EVENT_ACKNOWLEDGED, g_strdup_printf("Acknowledged by %s", actor));
	if (inc->commander == NULL) {
		inc->commander = g_strdup(actor);
		record(out, now, actor, EVENT_COMMANDER,
		       g_strdup_printf("Incident commander: %s", actor));
	}
}

/* The fields that follow the status: acknowledgement, resolution time, snooze. */
static void
enter_fields(struct incident *inc, enum incident_status from, enum incident_status to, gint64 now)
{
	if (to == STATUS_RESOLVED)
		inc->resolved_at = now;
	else if (from == STATUS_RESOLVED && to != STATUS_CLOSED)
		inc->resolved_at = 0;
	if (to == STATUS_TRIGGERED) {
		g_clear_pointer(&inc->acked_by, g_free);
		inc->acked_at = 0;
		inc->ladder_at = now; /* escalation starts again from the first step */
	}
	if (to != STATUS_INVESTIGATING && to != STATUS_MITIGATING)
		inc->snooze_until = 0;
}

void
incident_enter_status(struct incident *inc, enum incident_status to, const char *actor, gint64 now,
                      struct incident_outcome *out)
{
	enum incident_status from = inc->status;

	if (from == to)
		return;
	/* whoever takes it out of triggered has it, unless someone acknowledged it before */
	if (from == STATUS_TRIGGERED && to != STATUS_CLOSED && inc->acked_by == NULL)
		acknowledge(inc, actor, now, out);
	inc->status = to;
	enter_fields(inc, from, to, now);
	if (strcmp(status_words[from], status_event_words[to]) != 0 || to == STATUS_RESOLVED)
		record(out, now, actor, EVENT_STATUS,
		       g_strdup_printf("Status: %s -> %s", status_words[from],
		                       status_event_words[to]));
	/* the stakeholders hear of a change in the spec's words, and of every resolution */
	if (status_words[from] != status_words[to] || to == STATUS_RESOLVED)
		out->communicate = TRUE;
}

/* SNOOZE on an acknowledged incident: back to triggered after the duration (the caller's
 * timer), at most a day so that nothing is forgotten. */
static void
apply_snooze(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
             struct incident_outcome *out)
{
	gint64 seconds = g_ascii_strtoll(cmd->argument != NULL ? cmd->argument : "", NULL, 10);
	g_autofree char *how_long = NULL, *until = NULL;

	if (seconds <= 0) {
		refuse(out, cmd->keyword, "give a duration such as 30m, 1h or 2h");
		return;
	}
	if (seconds > SNOOZE_MAX) {
		refuse(out, cmd->keyword, "at most a day (24h)");
		return;
	}
	inc->snooze_until = now + seconds;
	how_long = util_duration(seconds);
	until = util_human_time(inc->snooze_until);
	record(out, now, actor, EVENT_SNOOZED,
	       g_strdup_printf("Snoozed for %s, until %s", how_long, until));
}

static const struct transition *
transition_of(enum command_kind kind)
{
	for (gsize i = 0; i < G_N_ELEMENTS(transitions); i++)
		if (transitions[i].cmd == kind)
			return &transitions[i];
	return NULL;
}

static void
apply_status(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
             struct incident_outcome *out)
{
	const struct transition *t = transition_of(cmd->kind);
	enum incident_status from = inc->status;
	int to;

	g_return_if_fail(t != NULL);
	to = t->to[from];
	if (to == REFUSED)
		refuse(out, cmd->keyword, t->refusal[from]);
	else if (to != KEEP)
		incident_enter_status(inc, (enum incident_status)to, actor, now, out);
	else if (cmd->kind == CMD_SNOOZE)
		apply_snooze(inc, cmd, actor, now, out);
	else if (cmd->kind == CMD_ACK)
		g_ptr_array_add(out->changes,
		                g_strdup_printf("Already acknowledged by %s", inc->acked_by));
	else
		g_ptr_array_add(out->changes,
		                g_strdup_printf("Status already %s", status_words[from]));
}

/* The text fields of the communication and post-mortem templates. */
static char **
text_field(struct incident *inc, enum command_kind kind, const char **label,
           enum event_field *which)
{
	switch (kind) {
	case CMD_TITLE:
		*label = "Title";
		*which = FIELD_TITLE;
		return &inc->title;
	case CMD_IMPACT:
		*label = "Impact";
		*which = FIELD_IMPACT;
		return &inc->impact;
	case CMD_NEXT:
		*label = "Next steps";
		*which = FIELD_NEXT_STEPS;
		return &inc->next_steps;
	case CMD_ROOT_CAUSE:
		*label = "Root cause";
		*which = FIELD_ROOT_CAUSE;
		return &inc->root_cause;
	default:
		return NULL;
	}
}

static const char *const field_names[FIELD_COUNT] = {
    [FIELD_TITLE] = "title",
    [FIELD_IMPACT] = "impact",
    [FIELD_NEXT_STEPS] = "next_steps",
    [FIELD_ROOT_CAUSE] = "root_cause",
    [FIELD_ACTION_ITEM] = "action_item",
};

const char *
event_field_name(enum event_field f)
{
	return f > FIELD_NONE && f < FIELD_COUNT ? field_names[f] : NULL;
}

enum event_field
event_field_parse(const char *name)
{
	for (int f = FIELD_NONE + 1; name != NULL && f < FIELD_COUNT; f++)
		if (strcmp(name, field_names[f]) == 0)
			return (enum event_field)f;
	return FIELD_NONE;
}

/* Records an EVENT_UPDATED of one field. */
static void
record_update(struct incident_outcome *out, gint64 now, const char *actor, enum event_field which,
              char *detail)
{
	record(out, now, actor, EVENT_UPDATED, detail);
	((struct event *)out->events->pdata[out->events->len - 1])->field = which;
}

static void
apply_field(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
            struct incident_outcome *out)
{
	const char *label = NULL;
	enum event_field which = FIELD_NONE;
	char **field = text_field(inc, cmd->kind, &label, &which);
	g_autofree char *value = util_one_line(cmd->argument, 1000);

	if (*value == '\0') {
		refuse(out, cmd->keyword, "it needs a text after the colon");
		return;
	}
	if (g_strcmp0(*field, value) == 0)
		return;
	g_free(*field);
	*field = g_strdup(value);
	record_update(out, now, actor, which, g_strdup_printf("%s: %s", label, value));
	if (cmd->kind != CMD_ROOT_CAUSE && inc->status != STATUS_CLOSED)
		out->communicate = TRUE;
}

static void
apply_severity(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
               struct incident_outcome *out)
{
	int sev = (int)g_ascii_strtoll(cmd->argument, NULL, 10);

	if (sev < 1 || sev > 3) {
		refuse(out, "SEV", "the severity must be 1, 2 or 3");
		return;
	}
	if (inc->status == STATUS_CLOSED) {
		refuse(out, "SEV", CLOSED_REASON);
		return;
	}
	if (inc->severity == sev) {
		g_ptr_array_add(out->changes, g_strdup_printf("Severity already SEV %d", sev));
		return;
	}
	if (inc->severity == 0)
		record(out, now, actor, EVENT_SEVERITY, g_strdup_printf("Severity: SEV %d", sev));
	else
		record(out, now, actor, EVENT_SEVERITY,
		       g_strdup_printf("Severity: SEV %d -> SEV %d", inc->severity, sev));
	inc->severity = sev;
	out->communicate = TRUE;
}

static void
apply_commander(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
                struct incident_outcome *out)
{
	g_autofree char *who = util_address(cmd->argument);

	if (*who == '\0' || g_strcmp0(who, "me") == 0) {
		g_free(who);
		who = g_strdup(actor);
	}
	if (strchr(who, '@') == NULL) {
		refuse(out, "IC", "give an address or \"me\"");
		return;
	}
	if (g_strcmp0(inc->commander, who) == 0)
		return;
	g_free(inc->commander);
	inc->commander = g_strdup(who);
	record(out, now, actor, EVENT_COMMANDER, g_strdup_printf("Incident commander: %s", who));
}

/* One post-mortem action item per ACTION line. */
static void
apply_action(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
             struct incident_outcome *out)
{
	g_autofree char *item = util_one_line(cmd->argument, 1000);

	if (*item == '\0') {
		refuse(out, "ACTION", "it needs a text after the colon");
		return;
	}
	g_ptr_array_add(inc->action_items, g_strdup(item));
	record_update(out, now, actor, FIELD_ACTION_ITEM, g_strdup_printf("Action item: %s", item));
}

void
incident_note(struct incident *inc, const char *text, const char *actor, gint64 now,
              struct incident_outcome *out)
{
	g_autofree char *line = util_one_line(text, 1000);

	if (*line != '\0')
		record(out, now, actor, EVENT_NOTE, g_strdup_printf("Note: %s", line));
}

void
incident_apply(struct incident *inc, const struct command *cmd, const char *actor, gint64 now,
               struct incident_outcome *out)
{
	switch (cmd->kind) {
	case CMD_ACK:
	case CMD_INVESTIGATING:
	case CMD_MITIGATING:
	case CMD_RESOLVED:
	case CMD_REOPEN:
	case CMD_UNACK:
	case CMD_SNOOZE:
		apply_status(inc, cmd, actor, now, out);
		break;
	case CMD_SEV:
		apply_severity(inc, cmd, actor, now, out);
		break;
	case CMD_IC:
		apply_commander(inc, cmd, actor, now, out);
		break;
	case CMD_TITLE:
	case CMD_IMPACT:
	case CMD_NEXT:
	case CMD_ROOT_CAUSE:
		apply_field(inc, cmd, actor, now, out);
		break;
	case CMD_ACTION:
		apply_action(inc, cmd, actor, now, out);
		break;
	case CMD_NOTE:
		incident_note(inc, cmd->argument, actor, now, out);
		break;
	case CMD_UPDATE:
		incident_note(inc, cmd->argument, actor, now, out);
		if (inc->status != STATUS_CLOSED)
			out->communicate = TRUE;
		break;
	case CMD_HELP:
	case CMD_UNKNOWN:
	case CMD_POSTMORTEM: /* the caller's: they send mail, they change no field here */
	case CMD_DECLARE:
	case CMD_ESCALATE:
	case CMD_PAGE:
	case CMD_OVERRIDE: /* a schedule's, not the incident's */
	case CMD_MERGE:
	case CMD_MAINTENANCE:
		break;
	}
	/* what was written after the keyword belongs in the timeline, done or refused */
	if (cmd->note != NULL)
		incident_note(inc, cmd->note, actor, now, out);
}
