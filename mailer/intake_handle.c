/*
 * intake_handle: the effects of a routed message: replies run commands on their incident;
 * DECLARE opens an incident by hand (alerts: intake_alerts.c). Runs inside the message's
 * transaction (intake.c).
 */
#include "intake_ctx.h"

#include "auth.h"
#include "escalate.h"
#include "incident.h"
#include "postmortem.h"
#include "reply.h"
#include "route.h"
#include "team.h"
#include "util.h"
#include <string.h>

const char *
intake_sender(const struct ctx *c)
{
	return c->mail->from_addr != NULL ? c->mail->from_addr : "unknown";
}

int
intake_store_outcome(struct ctx *c, struct incident *inc, struct incident_outcome *o, GError **err)
{
	if (store_incident_update(c->store, inc, err) != 0)
		return -1;
	for (guint i = 0; i < o->events->len; i++)
		if (store_event_add(c->store, inc->id, o->events->pdata[i], c->message_id, err) !=
		    0)
			return -1;
	return 0;
}

int
intake_add_event(struct ctx *c, gint64 incident_id, const char *actor, enum event_kind kind,
                 const char *detail, GError **err)
{
	struct event *e = event_make(c->notify.now, actor, kind, detail);
	int rc = store_event_add(c->store, incident_id, e, c->message_id, err);

	event_free(e);
	return rc;
}

GPtrArray *
intake_overrides(const struct config *cfg, struct store *s, gint64 now, GError **err)
{
	/* a month back is enough to tell since when the current person is on call */
	return cfg->schedules->len > 0 ? store_overrides(s, now - 31 * 86400, err) : NULL;
}

const char *
intake_first_oncall(const struct ctx *c, const struct incident *inc, const char *except)
{
	g_autoptr(GPtrArray) order =
	    escalate_first(c->cfg, inc, c->overrides, c->notify.now, except);

	return order->len > 0 ? order->pdata[0] : NULL;
}

int
intake_page(struct ctx *c, struct incident *inc, const char *oncall, struct incident_outcome *o,
            GError **err)
{
	g_autofree char *paged = NULL;

	if (oncall == NULL)
		return 0;
	paged = g_strdup_printf("Paged %s", oncall);
	g_ptr_array_add(o->events, event_make(c->notify.now, "sevmail", EVENT_PAGED, paged));
	if (store_participant_paged(c->store, inc->id, oncall, err) != 0)
		return -1;
	return notify_page(&c->notify, inc, oncall, err);
}

int
intake_page_first(struct ctx *c, struct incident *inc, const char *except,
                  struct incident_outcome *o, const char **who, GError **err)
{
	const struct team *t = team_find(c->cfg, inc->team);
	g_autoptr(GPtrArray) to = NULL;

	*who = NULL;
	/* who declares by mail is on it already: the on-call hears of it now */
	if (except == NULL && team_defers(t, inc->severity, c->notify.now)) {
		gint64 at = team_business_start(t, c->notify.now);
		g_autofree char *when = util_human_time(at);
		g_autofree char *detail = g_strdup_printf(
		    "Low urgency (SEV %d) outside business hours: the first page waits until %s",
		    inc->severity, when);

		inc->ladder_at = 0;
		g_ptr_array_add(o->events,
		                event_make(c->notify.now, "sevmail", EVENT_DEFERRED, detail));
		return 0;
	}
	to = escalate_first(c->cfg, inc, c->overrides, c->notify.now, except);
	for (guint i = 0; i < to->len; i++)
		if (intake_page(c, inc, to->pdata[i], o, err) != 0)
			return -1;
	*who = to->len > 0 ? to->pdata[0] : NULL;
	return 0;
}

/* --- replies --- */

/* Confirmation, error or help to the sender, unless the mail must not be answered or the
 * sender had their share of answers this hour (two auto-responders must not ping-pong). */
static int
answer(struct ctx *c, struct incident *inc, const struct command_list *cmds,
       const struct incident_outcome *o, GError **err)
{
	const char *to = c->mail->from_addr;
	const char *re = c->mail->message_id;
	int allowed;

	if (auth_no_answer(c->mail, c->cfg->address) != NULL)
		return 0;
	if ((allowed = notify_may_answer(&c->notify, to, err)) <= 0)
		return allowed;
	for (guint i = 0; i < cmds->commands->len; i++) {
		const struct command *cmd = cmds->commands->pdata[i];

		if (cmd->kind == CMD_UNKNOWN) {
			g_autofree char *problem = intake_unknown_problem(cmd);

			return notify_error(&c->notify, inc, to, problem, re, err);
		}
		if (cmd->kind == CMD_HELP)
			return notify_help(&c->notify, inc, to, re, err);
	}
	if (o->changes->len == 0 && o->refusals->len == 0)
		return notify_error(&c->notify, inc, to,
		                    "the reply had no command and no text for the timeline.", re,
		                    err);
	if (o->changes->len == 0)
		return notify_error(&c->notify, inc, to, o->refusals->pdata[0], re, err);
	return notify_confirm(&c->notify, inc, to, o, re, err);
}

static void
explain_commands(struct ctx *c, const char *text, const struct command_list *cmds)
{
	if (c->x == NULL)
		return;
	c->x->new_text = g_strdup(text);
	c->x->commands = g_ptr_array_ref(cmds->commands);
}

/* POSTMORTEM [MEETING time]: after RESOLVED, the post-mortem goes to the lists and the
 * responders (with an invitation for a meeting), and the incident is closed. */
static int
send_postmortem(struct ctx *c, struct incident *inc, const struct command *cmd,
                struct incident_outcome *o, GError **err)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(c->cfg->timezone);
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GError) bad = NULL;
	const char *meeting = NULL;
	gint64 start = 0;
	char *was;

	if (inc->status != STATUS_RESOLVED) {
		g_ptr_array_add(
		    o->refusals,
		    g_strdup_printf("POSTMORTEM not done: %s.",
		                    inc->status == STATUS_CLOSED
		                        ? "its post-mortem was sent already"
		                        : "the incident is not resolved; reply RESOLVED "
		                          "first"));
		return 0;
	}
	if (g_str_has_prefix(cmd->argument, "MEETING ")) {
		meeting = cmd->argument + strlen("MEETING ");
		if (!postmortem_parse_meeting(meeting, tz, &start, &bad)) {
			g_ptr_array_add(o->refusals,
			                g_strdup_printf("POSTMORTEM not done: %s.", bad->message));
			return 0;
		}
	}
	/* the post-mortem is built from the events: store this reply's first */
	if (intake_store_outcome(c, inc, o, err) != 0)
		return -1;
	g_ptr_array_set_size(o->events, 0);
	if ((events = store_events(c->store, inc->id, err)) == NULL)
		return -1;
	if (notify_postmortem(&c->notify, inc, events, meeting, err) != 0)
		return -1;
	was = meeting != NULL ? g_strdup_printf("Post-mortem sent, meeting %s", meeting)
	                      : g_strdup("Post-mortem sent");
	g_ptr_array_add(o->events,
	                event_make(c->notify.now, c->mail->from_addr, EVENT_POSTMORTEM, was));
	g_ptr_array_add(o->changes, was);
	incident_enter_status(inc, STATUS_CLOSED, c->mail->from_addr, c->notify.now, o);
	o->communicate = FALSE; /* the post-mortem itself is what the lists get */
	return 0;
}

/* An incident declared by an unverified alert becomes real to the stakeholders once a
 * responder acknowledged it: from then on the lists and the status page hear of it. */
static void
vouch(struct ctx *c, struct incident *inc, struct incident_outcome *o)
{
	if (!inc->unverified || inc->status == STATUS_TRIGGERED)
		return;
	inc->unverified = FALSE;
	g_ptr_array_add(o->events, event_make(c->notify.now, c->mail->from_addr, EVENT_VERIFIED,
	                                      "Acknowledged by a responder: the stakeholders hear "
	                                      "of it from now on"));
	if (inc->severity >= 1)
		o->communicate = TRUE;
}

/* Applies a reply's commands in order; POSTMORTEM is only noted, for the caller sends it
 * after the notes. applied gets the keywords done, for the decision log. 0, or -1 + err. */
static int
apply_commands(struct ctx *c, struct incident *inc, const struct command_list *cmds,
               struct incident_outcome *o, GString *applied, const struct command **postmortem,
               GError **err)
{
	for (guint i = 0; i < cmds->commands->len; i++) {
		const struct command *cmd = cmds->commands->pdata[i];

		if (cmd->kind == CMD_DECLARE) {
			g_ptr_array_add(
			    o->refusals,
			    g_strdup("DECLARE not done: it opens a new incident; write a "
			             "new mail instead of a reply."));
			continue;
		}
		if (cmd->kind == CMD_POSTMORTEM) {
			*postmortem = cmd;
			continue;
		}
		if (cmd->kind == CMD_IC) {
			intake_commander(c, inc, cmd, o);
			continue;
		}
		if (cmd->kind == CMD_OVERRIDE) { /* a schedule's: the incident stays as it is */
			if (intake_override(c, cmd, o, err) != 0)
				return -1;
			g_string_append_printf(applied, "%sOVERRIDE", applied->len ? ", " : "");
			continue;
		}
		if (cmd->kind == CMD_MERGE) {
			if (intake_merge(c, inc, cmd, o, err) != 0)
				return -1;
			g_string_append_printf(applied, "%sMERGE", applied->len ? ", " : "");
			continue;
		}
		if (cmd->kind == CMD_MAINTENANCE) {
			if (intake_maintenance(c, cmd, o, err) != 0)
				return -1;
			continue;
		}
		if ((cmd->kind == CMD_ESCALATE || cmd->kind == CMD_PAGE) &&
		    intake_page_more(c, inc, cmd, o, err) != 0)
			return -1;
		incident_apply(inc, cmd, c->mail->from_addr, c->notify.now, o);
		if (cmd->kind == CMD_UPDATE && *cmd->argument != '\0') {
			g_free(inc->latest_update);
			inc->latest_update = util_one_line(cmd->argument, 1000);
		}
		g_string_append_printf(applied, "%s%s", applied->len ? ", " : "", cmd->keyword);
	}
	return 0;
}

/* The people around the incident: on the first ACK those paged (waiting, NULL when the
 * incident was not triggered) and the former commander stand down; a new commander hears
 * of it. 0, or -1 + err. */
static int
tell_people(struct ctx *c, struct incident *inc, GPtrArray *waiting, const char *old_commander,
            GError **err)
{
	if (waiting != NULL && old_commander != NULL &&
	    !g_ptr_array_find_with_equal_func(waiting, old_commander, g_str_equal, NULL))
		g_ptr_array_add(waiting, g_strdup(old_commander));
	if (waiting != NULL && inc->status != STATUS_TRIGGERED && inc->acked_by != NULL &&
	    notify_acknowledged(&c->notify, inc, inc->acked_by, waiting, err) != 0)
		return -1;
	return notify_commander(&c->notify, inc, old_commander, c->mail->from_addr, err);
}

static int
apply_reply(struct ctx *c, struct incident *inc, const char *by, GError **err)
{
	const char *actor = c->mail->from_addr;
	g_autofree char *text = reply_new_text(c->mail->text);
	g_autoptr(command_list) cmds = command_parse(text);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autoptr(GString) applied = g_string_new(NULL);
	const struct command *postmortem = NULL;
	g_autofree char *old_commander = g_strdup(inc->commander);
	gboolean was_triggered = inc->status == STATUS_TRIGGERED;
	/* who stands down on an ACK: those paged before this reply, and the commander */
	g_autoptr(GPtrArray) waiting = NULL;

	if (was_triggered && (waiting = store_participants(c->store, inc->id, err)) == NULL)
		return -1;
	explain_commands(c, text, cmds);
	if (apply_commands(c, inc, cmds, o, applied, &postmortem, err) != 0)
		return -1;
	for (guint i = 0; i < cmds->notes->len; i++)
		incident_note(inc, cmds->notes->pdata[i], actor, c->notify.now, o);
	vouch(c, inc, o);
	/* last, so that ROOT CAUSE and ACTION lines of the same reply are in it */
	if (postmortem != NULL && send_postmortem(c, inc, postmortem, o, err) != 0)
		return -1;
	if (store_participant_add(c->store, inc->id, actor, err) != 0 ||
	    intake_store_outcome(c, inc, o, err) != 0 || answer(c, inc, cmds, o, err) != 0 ||
	    notify_relay(&c->notify, inc, actor, cmds->notes, err) != 0)
		return -1;
	if (o->communicate && notify_status(&c->notify, inc, actor, err) != 0)
		return -1;
	if (tell_people(c, inc, waiting, old_commander, err) != 0)
		return -1;
	intake_decide(c, "reply", inc->id,
	              "reply from %s to INC-%" G_GINT64_FORMAT " (matched by %s): %s%s", actor,
	              inc->id, by, applied->len ? applied->str : "no command",
	              o->refusals->len ? " (some refused)" : "");
	return 0;
}

int
intake_handle_reply(struct ctx *c, const struct match *m, GError **err)
{
	g_autoptr(incident) inc = NULL;
	const char *quiet = auth_no_answer(c->mail, c->cfg->address);
	const char *refusal;
	int found = store_incident_get(c->store, m->incident_id, &inc, err);

	if (found < 0)
		return -1;
	if (found == 0) {
		intake_decide(c, "other", 0,
		              "refers to INC-%" G_GINT64_FORMAT ", which does not exist",
		              m->incident_id);
		return 0;
	}
	if (quiet != NULL) {
		/* never take commands from an auto-reply, not even from its subject */
		intake_decide(c, "ignored", inc->id, "not read for commands: %s", quiet);
		return 0;
	}
	refusal = intake_refuse_sender(c, m);
	if (refusal != NULL) {
		g_autofree char *detail =
		    g_strdup_printf("Rejected mail from %s: %s", intake_sender(c), refusal);

		if (intake_add_event(c, inc->id, intake_sender(c), EVENT_REJECTED, detail, err) !=
		    0)
			return -1;
		intake_decide(c, "reply", inc->id, "rejected: %s", refusal);
		/* a responder hears why (at their configured address, not a Reply-To); a
		 * stranger never hears anything */
		if (config_responder(c->cfg, c->mail->from_addr) != NULL)
			return notify_refused(&c->notify, inc, c->mail->from_addr, refusal,
			                      c->mail->message_id, err);
		return 0;
	}
	return apply_reply(c, inc, m->by, err);
}

/* --- declarations by hand --- */

/* A DECLARE without a severity or title is answered with the syntax, within the limit on
 * answers per hour. 0, or -1 + err. */
static int
declare_syntax(struct ctx *c, GError **err)
{
	const char *actor = c->mail->from_addr;
	int allowed;

	intake_decide(c, "declare", 0,
	              "not declared: DECLARE without SEV1, SEV2 or SEV3 "
	              "and a title");
	/* the answer limit holds for this answer too */
	if ((allowed = notify_may_answer(&c->notify, actor, err)) <= 0)
		return allowed;
	return notify_declare_syntax(&c->notify, actor, c->mail->message_id, err);
}

/* Who declares is on it: acknowledged and commander; then the severity, the mail's other
 * commands and its notes. */
static void
declare_apply(struct ctx *c, struct incident *inc, const struct command_list *cmds, int sev,
              struct incident_outcome *o)
{
	const char *actor = c->mail->from_addr;
	char digit[2] = {(char)('0' + sev), '\0'};
	struct command ack = {.kind = CMD_ACK, .keyword = "ACK", .argument = ""};
	struct command severity = {.kind = CMD_SEV, .keyword = "SEV", .argument = digit};

	incident_apply(inc, &ack, actor, c->notify.now, o);
	incident_apply(inc, &severity, actor, c->notify.now, o);
	for (guint i = 1; i < cmds->commands->len; i++)
		incident_apply(inc, cmds->commands->pdata[i], actor, c->notify.now, o);
	for (guint i = 0; i < cmds->notes->len; i++)
		incident_note(inc, cmds->notes->pdata[i], actor, c->notify.now, o);
}

int
intake_handle_declare(struct ctx *c, const struct command_list *cmds, GError **err)
{
	const struct command *declare = cmds->commands->pdata[0];
	struct match none = {0};
	const char *actor = c->mail->from_addr;
	const char *refusal = intake_refuse_sender(c, &none);
	char *rest = NULL;
	int sev = (int)g_ascii_strtoll(declare->argument, &rest, 10);
	g_autofree char *title = g_strstrip(g_strdup(rest));
	g_autoptr(incident) inc = NULL;
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *what = NULL;
	const char *paged = NULL;

	if (c->x != NULL) {
		g_autofree char *text = reply_new_text(c->mail->text);

		explain_commands(c, text, cmds);
	}
	if (refusal != NULL) {
		intake_decide(c, "declare", 0, "not declared: %s", refusal);
		return 0;
	}
	if (sev < 1 || sev > 3) {
		return declare_syntax(c, err);
	}
	inc = incident_new(*title != '\0' ? title : "Incident declared by mail", "manual",
	                   c->notify.now);
	if (store_incident_insert(c->store, inc, err) != 0)
		return -1;
	what = g_strdup_printf("Declared by %s: %s", actor, inc->title);
	g_ptr_array_add(o->events, event_make(c->notify.now, actor, EVENT_DECLARED, what));
	g_ptr_array_add(o->changes, g_strdup_printf("Declared INC-%" G_GINT64_FORMAT ": %s",
	                                            inc->id, inc->title));
	declare_apply(c, inc, cmds, sev, o);
	inc->team = g_strdup(
	    team_of_person(c->cfg, actor) != NULL ? team_of_person(c->cfg, actor)->name : NULL);
	if (c->x != NULL)
		c->x->incident = inc->id;
	if (store_participant_add(c->store, inc->id, actor, err) != 0 ||
	    intake_page_first(c, inc, actor, o, &paged, err) != 0 ||
	    intake_store_outcome(c, inc, o, err) != 0 || answer(c, inc, cmds, o, err) != 0 ||
	    notify_status(&c->notify, inc, NULL, err) != 0) /* the page tells the on-call */
		return -1;
	intake_decide(c, "declare", inc->id, "INC-%" G_GINT64_FORMAT " declared by %s", inc->id,
	              actor);
	return 0;
}

/* --- declarations on the command line --- */

int
intake_declare(const struct config *cfg, struct store *s, int severity, const char *title,
               const char *impact, const char *team, const char *by, gint64 *id, GError **err)
{
	struct intake_result res = {0};
	struct ctx c = {cfg, s, {cfg, s, util_now()}, NULL, NULL, &res, NULL, NULL, NULL, 0};
	g_autoptr(incident) inc = incident_new(title, "manual", c.notify.now);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *what = NULL;
	const char *paged = NULL;
	char digit[2] = {(char)('0' + severity), '\0'};
	struct command sev = {.kind = CMD_SEV, .keyword = "SEV", .argument = digit};
	struct command imp = {.kind = CMD_IMPACT, .keyword = "IMPACT", .argument = (char *)impact};

	inc->team = g_strdup(team);
	if (store_begin(s, err) != 0)
		return -1;
	c.overrides = intake_overrides(cfg, s, c.notify.now, err);
	if (cfg->schedules->len > 0 && c.overrides == NULL)
		goto fail;
	if (store_incident_insert(s, inc, err) != 0)
		goto fail;
	what = g_strdup_printf("Declared on the command line by %s: %s", by, inc->title);
	g_ptr_array_add(o->events, event_make(c.notify.now, by, EVENT_DECLARED, what));
	incident_apply(inc, &sev, by, c.notify.now, o);
	if (impact != NULL)
		incident_apply(inc, &imp, by, c.notify.now, o);
	if (intake_page_first(&c, inc, NULL, o, &paged, err) != 0 ||
	    intake_store_outcome(&c, inc, o, err) != 0 ||
	    notify_status(&c.notify, inc, NULL, err) != 0 || store_commit(s, err) != 0)
		goto fail;
	*id = inc->id;
	intake_result_clear(&res);
	g_clear_pointer(&c.overrides, g_ptr_array_unref);
	return 0;
fail:
	store_rollback(s);
	intake_result_clear(&res);
	g_clear_pointer(&c.overrides, g_ptr_array_unref);
	return -1;
}
