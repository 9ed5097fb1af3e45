/*
 * intake_verbs: the reply commands that reach beyond an incident's own fields: IC names a
 * configured responder, ESCALATE pages the next step of the ladder now, PAGE brings in one
 * more responder, MERGE makes another incident part of this one; and the answer to a reply
 * that looks like a failed command.
 */
#include "intake_ctx.h"

#include "escalate.h"
#include "util.h"
#include <string.h>

/* "alice@example.com, bob@example.com": who may be named, for refusals. Caller frees. */
static char *
responders_list(const struct config *cfg)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < cfg->responders->len; i++) {
		const struct responder *r = cfg->responders->pdata[i];

		g_string_append_printf(s, "%s%s", i ? ", " : "", r->address);
	}
	return g_string_free(s, FALSE);
}

/* IC names a configured responder ("me", an address, or a name such as carol): the
 * address is checked here, when the command is read, so that a stranger's address (or a
 * broken one) never becomes the commander that reminders are mailed to. */
void
intake_commander(struct ctx *c, struct incident *inc, const struct command *cmd,
                 struct incident_outcome *o)
{
	g_autofree char *word = util_one_line(cmd->argument, 200);
	const struct responder *r = *word == '\0' || g_ascii_strcasecmp(word, "me") == 0
	                                ? config_responder(c->cfg, c->mail->from_addr)
	                                : config_responder_named(c->cfg, word);
	struct command ic = {.kind = CMD_IC, .keyword = "IC", .note = cmd->note};

	if (r == NULL) {
		g_autofree char *who = responders_list(c->cfg);

		g_ptr_array_add(o->refusals,
		                g_strdup_printf("IC not done: \"%s\" is not a configured responder "
		                                "(give \"me\", or one of: %s).",
		                                word, who));
		if (cmd->note != NULL)
			incident_note(inc, cmd->note, c->mail->from_addr, c->notify.now, o);
		return;
	}
	ic.argument = r->address;
	incident_apply(inc, &ic, c->mail->from_addr, c->notify.now, o);
}

/* PAGE: one more responder, named or by address; strangers are refused with the list. */
static int
page_one(struct ctx *c, struct incident *inc, const struct command *cmd, struct incident_outcome *o,
         GError **err)
{
	g_autofree char *word = util_one_line(cmd->argument, 200);
	const struct responder *r = config_responder_named(c->cfg, word);
	g_autofree char *who = NULL;

	if (r == NULL) {
		who = responders_list(c->cfg);
		g_ptr_array_add(o->refusals,
		                g_strdup_printf("PAGE not done: %s (page one of: %s).",
		                                *word == '\0'
		                                    ? "say whom to page"
		                                    : "that is not a configured responder",
		                                who));
		return 0;
	}
	g_ptr_array_add(o->changes, g_strdup_printf("Paged %s", r->address));
	return intake_page(c, inc, r->address, o, err);
}

/* ESCALATE: the next step of the ladder, now, whatever the timers say. */
static int
intake_escalate_now(struct ctx *c, struct incident *inc, struct incident_outcome *o, GError **err)
{
	g_autoptr(GPtrArray) events = store_events(c->store, inc->id, err);
	struct escalate_step st = {0};
	GPtrArray *to;
	g_autoptr(GString) who = g_string_new(NULL);
	g_autofree char *detail = NULL;
	int rc = 0;

	if (events == NULL)
		return -1;
	if (!escalate_next(c->cfg, inc, events, c->overrides, c->notify.now, &st)) {
		g_ptr_array_add(o->refusals,
		                g_strdup("ESCALATE not done: every step of the escalation was "
		                         "paged already; PAGE a responder by name."));
		return 0;
	}
	to = st.to;
	for (guint i = 0; rc == 0 && i < to->len; i++) {
		g_string_append_printf(who, "%s%s", i ? ", " : "", (const char *)to->pdata[i]);
		if (store_participant_paged(c->store, inc->id, to->pdata[i], err) != 0 ||
		    notify_page(&c->notify, inc, to->pdata[i], err) != 0)
			rc = -1;
	}
	if (to->len == 0)
		g_string_append(who, "nobody (the step names no one)");
	detail = g_strdup_printf("Escalated by %s: paged %s (round %d of %d)", c->mail->from_addr,
	                         who->str, st.round, st.rounds);
	escalate_step_clear(&st);
	if (rc != 0)
		return -1;
	g_ptr_array_add(o->events,
	                event_make(c->notify.now, c->mail->from_addr, EVENT_ESCALATED, detail));
	g_ptr_array_add(o->changes, g_strdup_printf("Escalated: paged %s", who->str));
	return 0;
}

int
intake_page_more(struct ctx *c, struct incident *inc, const struct command *cmd,
                 struct incident_outcome *o, GError **err)
{
	int rc;

	if (inc->status == STATUS_RESOLVED || inc->status == STATUS_CLOSED) {
		g_ptr_array_add(o->refusals,
		                g_strdup_printf("%s not done: the incident is %s.", cmd->keyword,
		                                incident_status_name(inc->status)));
		return 0;
	}
	rc = cmd->kind == CMD_PAGE ? page_one(c, inc, cmd, o, err)
	                           : intake_escalate_now(c, inc, o, err);
	if (rc == 0 && cmd->note != NULL)
		incident_note(inc, cmd->note, c->mail->from_addr, c->notify.now, o);
	return rc;
}

/* "alice@example.com, bob@example.com", or "nobody". Caller frees. */
static char *
merge_people(GPtrArray *people)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < people->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)people->pdata[i]);
	if (s->len == 0)
		g_string_append(s, "nobody");
	return g_string_free(s, FALSE);
}

/* Everyone on the merged incident but the one who merged it hears where it went (with its
 * reply token: a reply acts on the survivor), and so does every list that heard of it. */
static int
merge_tell(struct ctx *c, struct incident *gone, const struct incident *into,
           struct incident_outcome *o, GError **err)
{
	const char *actor = c->mail->from_addr;
	g_autoptr(GPtrArray) people = store_participants(c->store, gone->id, err);
	g_autofree char *headline = NULL, *text = NULL, *who = NULL, *told = NULL;

	if (people == NULL)
		return -1;
	for (guint i = people->len; i > 0; i--)
		if (g_strcmp0(people->pdata[i - 1], actor) == 0)
			g_ptr_array_remove_index(people, i - 1);
	headline = g_strdup_printf("Merged into INC-%" G_GINT64_FORMAT, into->id);
	text = g_strdup_printf("INC-%" G_GINT64_FORMAT " was merged into INC-%" G_GINT64_FORMAT
	                       " (%s) by %s. Its alerts and timeline go on there, and a reply to "
	                       "any mail about INC-%" G_GINT64_FORMAT
	                       " acts on INC-%" G_GINT64_FORMAT ".",
	                       gone->id, into->id, into->title, actor, gone->id, into->id);
	for (guint i = 0; i < people->len; i++)
		if (notify_notice(&c->notify, gone, people->pdata[i], headline, text, err) != 0)
			return -1;
	if (notify_status(&c->notify, gone, NULL, err) != 0)
		return -1;
	who = merge_people(people);
	told = g_strdup_printf(
	    "Told %s, and the lists that heard of it: merged into INC-%" G_GINT64_FORMAT, who,
	    into->id);
	g_ptr_array_add(o->events, event_make(c->notify.now, "sevmail", EVENT_TOLD, told));
	return 0;
}

/* The survivor is at least as severe as what joined it: a SEV2 merged into an incident not
 * yet assessed makes it a SEV2, and the lists hear of it. */
static void
merge_severity(struct ctx *c, struct incident *inc, const struct incident *other,
               struct incident_outcome *o)
{
	char digit[2] = {(char)('0' + other->severity), '\0'};
	struct command sev = {.kind = CMD_SEV, .keyword = "SEV", .argument = digit};

	if (other->severity >= 1 && other->severity <= 3 &&
	    (inc->severity == 0 || other->severity < inc->severity))
		incident_apply(inc, &sev, c->mail->from_addr, c->notify.now, o);
}

/* other joins inc: its alerts and people, an event on both, closed, its people told. */
static int
merge(struct ctx *c, struct incident *inc, struct incident *other, struct incident_outcome *o,
      GError **err)
{
	const char *actor = c->mail->from_addr;
	g_autoptr(incident_outcome) gone = incident_outcome_new();
	g_autoptr(GPtrArray) alerts = store_incident_alerts(c->store, other->id, err);
	g_autofree char *note = NULL;

	if (alerts == NULL)
		return -1;
	incident_merge(other, inc->id, actor, c->notify.now, gone);
	if (store_incident_alerts_copy(c->store, other->id, inc->id, err) != 0 ||
	    store_incident_people_copy(c->store, other->id, inc->id, err) != 0 ||
	    merge_tell(c, other, inc, gone, err) != 0 ||
	    intake_store_outcome(c, other, gone, err) != 0)
		return -1;
	note = g_strdup_printf("INC-%" G_GINT64_FORMAT " (%s) was merged into this incident by "
	                       "%s, with its %u alert%s",
	                       other->id, other->title, actor, alerts->len,
	                       alerts->len == 1 ? "" : "s");
	g_ptr_array_add(o->events, event_make(c->notify.now, actor, EVENT_NOTE, note));
	g_ptr_array_add(o->changes, g_strdup_printf("Merged INC-%" G_GINT64_FORMAT " (%s) into "
	                                            "INC-%" G_GINT64_FORMAT ", with its %u alert%s",
	                                            other->id, other->title, inc->id, alerts->len,
	                                            alerts->len == 1 ? "" : "s"));
	merge_severity(c, inc, other, o);
	return 0;
}

int
intake_merge(struct ctx *c, struct incident *inc, const struct command *cmd,
             struct incident_outcome *o, GError **err)
{
	gint64 id = g_ascii_strtoll(cmd->argument, NULL, 10);
	g_autoptr(incident) other = NULL;
	g_autofree char *why = NULL;

	if (id <= 0) {
		g_ptr_array_add(o->refusals, g_strdup("MERGE not done: say which incident joins "
		                                      "this one, such as MERGE INC-4."));
	} else if (id != inc->id && store_incident_get(c->store, id, &other, err) < 0) {
		return -1;
	} else if ((why = incident_merge_refusal(inc, id, other)) != NULL) {
		g_ptr_array_add(
		    o->refusals,
		    g_strdup_printf("MERGE INC-%" G_GINT64_FORMAT " not done: %s.", id, why));
	} else if (merge(c, inc, other, o, err) != 0) {
		return -1;
	}
	if (cmd->note != NULL)
		incident_note(inc, cmd->note, c->mail->from_addr, c->notify.now, o);
	return 0;
}

char *
intake_unknown_problem(const struct command *cmd)
{
	const char *read = cmd->understood != NULL ? cmd->understood : "it is not a command";

	if (cmd->suggestion != NULL)
		return g_strdup_printf("\"%s\" was not carried out: %s. Did you mean %s?",
		                       cmd->argument, read, cmd->suggestion);
	return g_strdup_printf("\"%s\" was not carried out: %s.", cmd->argument, read);
}
