/*
 * intake: the routing decision and the per-message transaction of DESIGN.md.
 */
#include "intake.h"

#include "alert.h"
#include "auth.h"
#include "command.h"
#include "incident.h"
#include "mime.h"
#include "notify.h"
#include "reply.h"
#include "util.h"
#include <string.h>

/* Everything one message's processing needs, inside its transaction. */
struct ctx {
	const struct config *cfg;
	struct store *store;
	struct notify notify;
	const struct mail *mail;
	const char *message_id; /* of the inbound message, for events; may be NULL */
	struct intake_result *res;
};

static void decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
{
	va_list ap;

	g_free(c->res->route);
	g_free(c->res->reason);
	c->res->route = g_strdup(route);
	c->res->incident_id = incident_id;
	va_start(ap, fmt);
	c->res->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static int
store_outcome(struct ctx *c, struct incident *inc, struct incident_outcome *o, GError **err)
{
	if (store_incident_update(c->store, inc, err) != 0)
		return -1;
	for (guint i = 0; i < o->events->len; i++)
		if (store_event_add(c->store, inc->id, o->events->pdata[i], c->message_id, err) !=
		    0)
			return -1;
	return 0;
}

static int
add_event(struct ctx *c, gint64 incident_id, const char *actor, const char *kind,
          const char *detail, GError **err)
{
	g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);

	g_ptr_array_add(one, event_new(c->notify.now, actor, kind, detail));
	return store_event_add(c->store, incident_id, one->pdata[0], c->message_id, err);
}

static const struct responder *
first_oncall(const struct config *cfg)
{
	for (guint i = 0; i < cfg->responders->len; i++) {
		const struct responder *r = cfg->responders->pdata[i];

		if (r->roles & ROLE_ONCALL)
			return r;
	}
	return NULL;
}

/* --- alerts --- */

static int
declare_from_alert(struct ctx *c, const struct alert *a, GError **err)
{
	const char *actor = c->mail->from_addr != NULL ? c->mail->from_addr : "unknown";
	g_autoptr(incident) inc = incident_new(a->title, a->source, c->notify.now);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	const struct responder *oncall = first_oncall(c->cfg);
	g_autofree char *declared =
	    g_strdup_printf("Declared by alert (%s): %s", a->source, a->title);
	gpointer sev = a->severity_label == NULL
	                   ? NULL
	                   : g_hash_table_lookup(c->cfg->severity_labels, a->severity_label);

	inc->fingerprint = g_strdup(a->fingerprint);
	inc->details = g_strdup(a->details);
	if (store_incident_insert(c->store, inc, err) != 0)
		return -1;
	g_ptr_array_add(o->events, event_new(c->notify.now, actor, "declared", declared));
	if (sev != NULL) {
		g_autofree char *detail = NULL;

		inc->severity = GPOINTER_TO_INT(sev);
		detail = g_strdup_printf("Severity: SEV %d (the alert says \"%s\")", inc->severity,
		                         a->severity_label);
		g_ptr_array_add(o->events, event_new(c->notify.now, actor, "severity", detail));
	}
	if (oncall != NULL) {
		g_autofree char *paged = g_strdup_printf("Paged %s", oncall->address);

		g_ptr_array_add(o->events, event_new(c->notify.now, "sevmail", "paged", paged));
		if (notify_page(&c->notify, inc, oncall->address, err) != 0)
			return -1;
	}
	if (store_outcome(c, inc, o, err) != 0 || notify_status(&c->notify, inc, err) != 0)
		return -1;
	decide(c, "alert", inc->id, "new incident INC-%" G_GINT64_FORMAT " from an alert (%s)%s%s",
	       inc->id, a->source,
	       oncall != NULL ? ", paged " : ", nobody to page (no oncall responder)",
	       oncall != NULL ? oncall->address : "");
	return 0;
}

static int
handle_alert(struct ctx *c, const struct alert *a, GError **err)
{
	gint64 open = store_incident_open_by_fingerprint(c->store, a->fingerprint);
	const char *actor = c->mail->from_addr != NULL ? c->mail->from_addr : "unknown";

	if (a->state == ALERT_FIRING && open == 0)
		return declare_from_alert(c, a, err);
	if (a->state == ALERT_FIRING) {
		if (add_event(c, open, actor, "alert_repeat", "Alert repeated", err) != 0)
			return -1;
		decide(c, "alert", open,
		       "repeat of the alert of open INC-%" G_GINT64_FORMAT ", nobody paged", open);
		return 0;
	}
	if (open == 0) {
		decide(c, "alert", 0, "a %s recovery with no open incident for it", a->source);
		return 0;
	}
	if (add_event(c, open, actor, "alert_resolved", "The alert reports it is resolved", err) !=
	    0)
		return -1;
	decide(c, "alert", open, "recovery of the alert of INC-%" G_GINT64_FORMAT, open);
	return 0;
}

/* --- replies --- */

/* Which incident a reply is about, and how that was found (DESIGN: first that applies). */
struct match {
	gint64 incident_id;
	const char *by; /* token, references, subject */
	gboolean token_valid;
	gboolean token_forged;
};

static gint64
subject_tag(const char *subject)
{
	const char *p = subject != NULL ? strstr(subject, "[INC-") : NULL;
	char *end = NULL;
	gint64 id;

	if (p == NULL)
		return 0;
	id = g_ascii_strtoll(p + 5, &end, 10);
	return id > 0 && *end == ']' ? id : 0;
}

static void
match_incident(struct ctx *c, struct match *m)
{
	const struct mail *mail = c->mail;

	memset(m, 0, sizeof *m);
	m->incident_id = auth_token_incident(c->cfg->secret, c->cfg->address, mail->recipients,
	                                     &m->token_forged);
	if (m->incident_id != 0) {
		m->by = "token";
		m->token_valid = TRUE;
		return;
	}
	if (mail->in_reply_to != NULL)
		m->incident_id = store_incident_by_message_id(c->store, mail->in_reply_to);
	for (guint i = mail->references->len; m->incident_id == 0 && i > 0; i--)
		m->incident_id =
		    store_incident_by_message_id(c->store, mail->references->pdata[i - 1]);
	if (m->incident_id != 0) {
		m->by = "references";
		return;
	}
	m->incident_id = subject_tag(mail->subject);
	if (m->incident_id != 0)
		m->by = "subject";
}

/* Why the sender may not command this incident, or NULL when they may. */
static const char *
refuse_sender(struct ctx *c, const struct match *m)
{
	const struct config *cfg = c->cfg;
	gboolean dmarc;

	if (c->mail->from_addr == NULL || config_responder(cfg, c->mail->from_addr) == NULL)
		return "the sender is not a responder";
	if (m->token_forged)
		return "the reply token does not verify";
	dmarc = auth_dmarc_pass(c->mail->auth_results, cfg->authserv_id, c->mail->from_addr);
	switch (cfg->sender_auth) {
	case AUTH_NONE:
		return NULL;
	case AUTH_TOKEN:
		return m->token_valid ? NULL : "sender authentication failed (no reply token)";
	case AUTH_DMARC:
		return dmarc ? NULL : "sender authentication failed (no DMARC pass)";
	case AUTH_TOKEN_OR_DMARC:
		break;
	}
	return m->token_valid || dmarc
	           ? NULL
	           : "sender authentication failed (no reply token, no DMARC pass)";
}

static int
answer(struct ctx *c, struct incident *inc, const struct command_list *cmds,
       const struct incident_outcome *o, GError **err)
{
	const char *to = c->mail->from_addr;
	const char *re = c->mail->message_id;

	for (guint i = 0; i < cmds->commands->len; i++) {
		const struct command *cmd = cmds->commands->pdata[i];

		if (cmd->kind == CMD_UNKNOWN) {
			g_autofree char *problem = g_strdup_printf(
			    "\"%s\" is not a command sevmail knows.", cmd->argument);

			return notify_error(&c->notify, inc, to, problem, re, err);
		}
		if (cmd->kind == CMD_HELP)
			return notify_help(&c->notify, inc, to, re, err);
	}
	if (o->changes->len == 0 && o->refusals->len == 0)
		return notify_error(&c->notify, inc, to,
		                    "the reply had no command and no text for the timeline.", re,
		                    err);
	return notify_confirm(&c->notify, inc, to, o, re, err);
}

static int
apply_reply(struct ctx *c, struct incident *inc, const char *by, GError **err)
{
	const char *actor = c->mail->from_addr;
	g_autofree char *text = reply_new_text(c->mail->text);
	g_autoptr(command_list) cmds = command_parse(text);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	gboolean quiet = auth_no_answer(c->mail, c->cfg->address) != NULL;
	g_autoptr(GString) applied = g_string_new(NULL);

	for (guint i = 0; i < cmds->commands->len; i++) {
		const struct command *cmd = cmds->commands->pdata[i];

		incident_apply(inc, cmd, actor, c->notify.now, o);
		g_string_append_printf(applied, "%s%s", applied->len ? ", " : "", cmd->keyword);
	}
	for (guint i = 0; i < cmds->notes->len; i++)
		incident_note(inc, cmds->notes->pdata[i], actor, c->notify.now, o);
	if (store_outcome(c, inc, o, err) != 0)
		return -1;
	if (!quiet && answer(c, inc, cmds, o, err) != 0)
		return -1;
	if (o->communicate && notify_status(&c->notify, inc, err) != 0)
		return -1;
	decide(c, "reply", inc->id,
	       "reply from %s to INC-%" G_GINT64_FORMAT " (matched by %s): %s%s", actor, inc->id,
	       by, applied->len ? applied->str : "no command",
	       o->refusals->len ? " (some refused)" : "");
	return 0;
}

static int
handle_reply(struct ctx *c, const struct match *m, GError **err)
{
	g_autoptr(incident) inc = store_incident_get(c->store, m->incident_id);
	const char *quiet = auth_no_answer(c->mail, c->cfg->address);
	const char *refusal;

	if (inc == NULL) {
		decide(c, "other", 0, "refers to INC-%" G_GINT64_FORMAT ", which does not exist",
		       m->incident_id);
		return 0;
	}
	if (quiet != NULL) {
		decide(c, "ignored", inc->id, "not read for commands: %s", quiet);
		return 0;
	}
	refusal = refuse_sender(c, m);
	if (refusal != NULL) {
		g_autofree char *detail =
		    g_strdup_printf("Rejected mail from %s: %s",
		                    c->mail->from_addr ? c->mail->from_addr : "unknown", refusal);

		if (add_event(c, inc->id, c->mail->from_addr ? c->mail->from_addr : "unknown",
		              "rejected", detail, err) != 0)
			return -1;
		decide(c, "reply", inc->id, "rejected: %s", refusal);
		return 0;
	}
	return apply_reply(c, inc, m->by, err);
}

/* --- routing --- */

static int
route(struct ctx *c, GError **err)
{
	const struct mail *mail = c->mail;
	struct match m;
	g_autoptr(alert) a = NULL;

	for (guint i = 0; i < mail->recipients->len; i++) {
		const struct list_config *l =
		    config_list_by_address(c->cfg, mail->recipients->pdata[i]);

		if (l != NULL) {
			decide(c, "list", 0,
			       "mail to list %s: subscriptions by mail are not handled by this "
			       "version; an administrator uses 'sevmail subscribe'",
			       l->name);
			return 0;
		}
	}
	match_incident(c, &m);
	if (m.incident_id != 0 && g_strcmp0(m.by, "subject") != 0)
		return handle_reply(c, &m, err);
	if (config_alert_sender_allowed(c->cfg, mail->from_addr)) {
		gboolean listed = c->cfg->alert_senders != NULL && c->cfg->alert_senders[0] != NULL;

		a = alert_parse(mail, listed);
		if (a != NULL)
			return handle_alert(c, a, err);
	}
	if (m.incident_id != 0)
		return handle_reply(c, &m, err);
	decide(c, "other", 0, "not an alert and not about a known incident; stored with no effect");
	return 0;
}

void
intake_result_clear(struct intake_result *r)
{
	g_free(r->route);
	g_free(r->reason);
	memset(r, 0, sizeof *r);
}

static int
finish(struct store *s, const struct intake_source *src, GError **err)
{
	if (src->checkpoint &&
	    store_checkpoint_set(s, src->mailbox, src->uidvalidity, src->uid, err) != 0)
		return -1;
	return store_commit(s, err);
}

int
intake_message(const struct config *cfg, struct store *s, const char *raw, gsize len,
               const struct intake_source *src, struct intake_result *res, GError **err)
{
	g_autofree char *hash =
	    g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, len);
	g_autoptr(GError) parse_error = NULL;
	g_autoptr(mail) mail = mime_parse(raw, len, &parse_error);
	struct ctx c = {cfg, s, {cfg, s, util_now()}, mail, NULL, res};
	struct stored_message sm = {NULL, hash, src->mailbox, src->uid, c.notify.now, raw, len};
	gint64 row;

	memset(res, 0, sizeof *res);
	sm.message_id = c.message_id = mail != NULL ? mail->message_id : NULL;
	if (store_begin(s, err) != 0)
		return -1;
	if (store_message_known(s, sm.message_id, hash)) {
		res->duplicate = TRUE;
		decide(&c, "duplicate", 0, "already processed; not applied again");
		return finish(s, src, err) == 0 ? 0 : (store_rollback(s), -1);
	}
	if ((row = store_message_add(s, &sm, err)) < 0)
		goto fail;
	if (mail == NULL)
		decide(&c, "other", 0, "cannot be read as mail: %s", parse_error->message);
	else if (route(&c, err) != 0)
		goto fail;
	if (store_message_outcome(s, row, res->route, res->reason, res->incident_id, err) != 0 ||
	    finish(s, src, err) != 0)
		goto fail;
	return 0;
fail:
	store_rollback(s);
	intake_result_clear(res);
	return -1;
}
