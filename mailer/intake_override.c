/*
 * intake_override: OVERRIDE by mail (DESIGN.md, "Teams, schedules and escalation
 * policies"). In a reply to any incident it is done beside the reply's other commands and
 * confirmed with them, leaving the incident as it is; as the first command of a new mail it
 * is answered by a mail about no incident. From responders only, authenticated as DECLARE.
 */
#include "intake_ctx.h"

#include "override.h"
#include "reply.h"
#include "util.h"
#include <string.h>

gboolean
intake_override_wanted(const struct command *cmd)
{
	return cmd->kind == CMD_OVERRIDE ||
	       (cmd->kind == CMD_UNKNOWN && g_strcmp0(cmd->suggestion, "OVERRIDE") == 0);
}

/* What to read: the argument, or for a lone OVERRIDE line that was no command (no date in
 * it), what was written after the word, so that the answer can say what is wrong. */
static const char *
request_text(const struct command *cmd)
{
	const char *p = cmd->argument;

	if (cmd->kind == CMD_OVERRIDE)
		return p;
	if (g_ascii_strncasecmp(p, "OVERRIDE", strlen("OVERRIDE")) == 0)
		p += strlen("OVERRIDE");
	return p + strspn(p, " :-");
}

int
intake_override(struct ctx *c, const struct command *cmd, struct incident_outcome *o, GError **err)
{
	const char *by = c->mail->from_addr;
	const struct schedule *s = NULL;
	g_autoptr(GError) bad = NULL;
	g_autoptr(GPtrArray) others = NULL;
	g_autofree char *said = NULL;
	struct schedule_override *ov =
	    override_parse(c->cfg, request_text(cmd), by, c->notify.now, &s, &bad);
	int rc = -1;

	if (ov == NULL) {
		g_ptr_array_add(o->refusals,
		                g_strdup_printf("OVERRIDE not done: %s.", bad->message));
		return 0;
	}
	/* whom it displaces: the overrides that could overlap it, before it is stored */
	if ((others = store_overrides(c->store, ov->from, err)) != NULL &&
	    store_override_add(c->store, ov, by, c->notify.now, err) == 0) {
		said = override_describe(s, ov, others);
		if (c->x == NULL) /* explain rolls it back */
			g_message("override %" G_GINT64_FORMAT " by %s: %s", ov->id, by, said);
		g_ptr_array_add(o->changes,
		                g_strdup_printf("Override %" G_GINT64_FORMAT ": %s", ov->id, said));
		rc = 0;
	}
	schedule_override_free(ov);
	return rc;
}

/* A list value for the template: one item per line. */
static char *
lines(GPtrArray *items)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < items->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "\n" : "", (const char *)items->pdata[i]);
	return g_string_free(s, FALSE);
}

/* The one answer to a new mail: what was done and what not, within the answer limit. */
static int
answer(struct ctx *c, const struct incident_outcome *o, GError **err)
{
	const char *to = c->mail->from_addr;
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autofree char *subject = o->changes->len > 0
	                               ? g_strdup_printf("Done: %s", (char *)o->changes->pdata[0])
	                               : g_strdup(o->refusals->pdata[0]);
	g_autofree char *done = lines(o->changes);
	g_autofree char *refused = lines(o->refusals);
	g_autofree char *key = NULL;
	int allowed;

	if ((allowed = notify_may_answer(&c->notify, to, err)) <= 0)
		return allowed;
	g_hash_table_insert(vars, "summary", util_one_line(subject, 80));
	g_hash_table_insert(vars, "done", g_steal_pointer(&done));
	g_hash_table_insert(vars, "refused", g_steal_pointer(&refused));
	/* one answer per message read, whatever retries of it happen */
	key = g_strdup_printf("%s %s %" G_GINT64_FORMAT,
	                      c->mail->message_id != NULL ? c->mail->message_id : "", to,
	                      c->notify.now);
	return notify_person(&c->notify, o->changes->len > 0 ? OUTBOX_CONFIRM : OUTBOX_ERROR, to,
	                     "override", key, vars, c->mail->message_id, err);
}

static void
explain(struct ctx *c, const struct command_list *cmds)
{
	if (c->x == NULL)
		return;
	c->x->new_text = reply_new_text(c->mail->text);
	c->x->commands = g_ptr_array_ref(cmds->commands);
}

int
intake_handle_override(struct ctx *c, const struct command_list *cmds, GError **err)
{
	struct match none = {0};
	const char *refusal = intake_refuse_sender(c, &none);
	g_autoptr(incident_outcome) o = incident_outcome_new();

	explain(c, cmds);
	if (refusal != NULL) {
		intake_decide(c, "override", 0, "not done: %s", refusal);
		/* a responder hears why, at their configured address; a stranger nothing */
		if (config_responder(c->cfg, c->mail->from_addr) == NULL)
			return 0;
		g_ptr_array_add(o->refusals,
		                g_strdup_printf("OVERRIDE not done: %s; reply to a page or a "
		                                "confirmation instead (they carry a reply token).",
		                                refusal));
		return answer(c, o, err);
	}
	for (guint i = 0; i < cmds->commands->len; i++)
		if (intake_override_wanted(cmds->commands->pdata[i]) &&
		    intake_override(c, cmds->commands->pdata[i], o, err) != 0)
			return -1;
	intake_decide(c, "override", 0, "from %s: %s", c->mail->from_addr,
	              o->changes->len > 0 ? (char *)o->changes->pdata[0]
	                                  : (char *)o->refusals->pdata[0]);
	return answer(c, o, err);
}
