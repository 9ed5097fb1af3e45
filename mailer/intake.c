/*
 * intake: the per-message transaction of DESIGN.md and the routing decision: list, reply
 * (by token or references), heartbeat, alert (or held back by a maintenance window), reply
 * (by subject tag), declaration or maintenance window by a new mail, or nothing. The
 * effects live in intake_handle.c and intake_noise.c. `explain` runs the very same code
 * and rolls back.
 */
#include "intake_ctx.h"

#include "auth.h"
#include "digest.h"
#include "lists.h"
#include "reply.h"
#include "route.h"
#include "template.h"
#include "util.h"
#include <string.h>

G_DEFINE_QUARK(sevmail_intake_error, intake_error)

void
intake_decide(struct ctx *c, const char *route, gint64 incident_id, const char *fmt, ...)
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

/* -1 + err when a look-up fails: the message is tried again, never read as unmatched. */
static int
match_find(struct ctx *c, struct match *m, GError **err)
{
	const struct mail *msg = c->mail;

	memset(m, 0, sizeof *m);
	m->incident_id =
	    auth_token_incident(c->cfg->secret, c->cfg->address, msg->recipients, &m->token_forged);
	if (m->incident_id != 0) {
		m->by = "token";
		m->token_valid = TRUE;
		return 0;
	}
	if (msg->in_reply_to != NULL)
		m->incident_id = store_incident_by_message_id(c->store, msg->in_reply_to, err);
	for (guint i = msg->references->len; m->incident_id == 0 && i > 0; i--)
		m->incident_id =
		    store_incident_by_message_id(c->store, msg->references->pdata[i - 1], err);
	if (m->incident_id < 0)
		return -1;
	if (m->incident_id != 0) {
		m->by = "references";
		return 0;
	}
	m->incident_id = subject_tag(msg->subject);
	if (m->incident_id != 0)
		m->by = "subject";
	return 0;
}

/* The incident a reply is about: a merged incident's replies act on the one it was merged
 * into (DESIGN.md's MERGE). */
static int
match_incident(struct ctx *c, struct match *m, GError **err)
{
	gint64 id;

	if (match_find(c, m, err) != 0)
		return -1;
	if (m->incident_id == 0)
		return 0;
	if ((id = store_incident_follow(c->store, m->incident_id, err)) < 0)
		return -1;
	m->incident_id = id;
	return 0;
}

static const char *
refusal(struct ctx *c, const struct match *m)
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

const char *
intake_refuse_sender(struct ctx *c, const struct match *m)
{
	const char *why = refusal(c, m);

	if (c->x != NULL) {
		c->x->authorized = why == NULL;
		g_free(c->x->auth_reason);
		c->x->auth_reason =
		    g_strdup(why != NULL      ? why
		             : m->token_valid ? "responder with a valid reply token"
		             : c->cfg->sender_auth == AUTH_NONE ? "responder (sender_auth = none)"
		                                                : "responder with DMARC pass");
	}
	return why;
}

static gboolean
is_declare(const struct command *cmd)
{
	return cmd->kind == CMD_DECLARE;
}

static gboolean
is_maintenance(const struct command *cmd)
{
	return cmd->kind == CMD_MAINTENANCE;
}

/* A new mail whose subject, or first body command, is one that wanted takes (DECLARE SEVn
 * title, OVERRIDE ...). Returns the commands (that one first, then the body's) or NULL. */
static struct command_list *
new_mail_commands(const struct mail *msg, gboolean (*wanted)(const struct command *))
{
	g_autoptr(command_list) subject = command_parse(msg->subject);
	g_autofree char *text = reply_new_text(msg->text);
	struct command_list *body = command_parse(text);
	struct command *first;

	if (subject->commands->len > 0 && wanted(subject->commands->pdata[0])) {
		first = g_ptr_array_steal_index(subject->commands, 0);
		g_ptr_array_insert(body->commands, 0, first);
		return body;
	}
	if (body->commands->len > 0 && wanted(body->commands->pdata[0]))
		return body;
	command_list_free(body);
	return NULL;
}

static void
explain_alert(struct ctx *c, const struct alert *a)
{
	if (c->x == NULL)
		return;
	c->x->has_alert = TRUE;
	c->x->alert_source = g_strdup(a->source);
	c->x->alert_fingerprint = g_strdup(a->fingerprint);
	c->x->alert_title = g_strdup(a->title);
	c->x->alert_state = alert_state_name(a->state);
}

/* Whether an alert is who it says it is: it came to a secret alert address, or carries an
 * aligned DMARC (or DKIM) pass from our own server for a sender among [alerts] senders.
 * keyed: it came to a secret alert address. Sets *reason for explain and the log. */
static gboolean
intake_alert_verified(struct ctx *c, gboolean keyed, const char **reason)
{
	const struct config *cfg = c->cfg;
	gboolean listed = cfg->alert_senders != NULL && cfg->alert_senders[0] != NULL;

	if (keyed) {
		*reason = "verified: sent to the secret alert address";
		return TRUE;
	}
	if (!listed) {
		*reason = "unverified: [alerts] senders is not set and it did not come to a secret "
		          "alert address";
		return FALSE;
	}
	if (cfg->sender_auth == AUTH_NONE) {
		*reason = "verified: the sender is among [alerts] senders (sender_auth = none)";
		return TRUE;
	}
	if (auth_dmarc_pass(c->mail->auth_results, cfg->authserv_id, c->mail->from_addr)) {
		*reason = "verified: the sender is among [alerts] senders, with DMARC pass";
		return TRUE;
	}
	*reason = "unverified: the sender is among [alerts] senders, but without DMARC pass";
	return FALSE;
}

/* Heartbeats are matched before alerts (DESIGN.md, "Noise control"): a mail a
 * [heartbeat:] holds for is a heartbeat, whoever sent it. a: the alert a detector read
 * in it, or NULL. */
static int
route_heartbeat_mail(struct ctx *c, const struct alert *a, gboolean keyed, gboolean *handled,
                     GError **err)
{
	const struct heartbeat *h =
	    route_heartbeat(c->cfg, a, c->mail->from_addr, c->mail->subject);

	*handled = h != NULL;
	if (h == NULL)
		return 0;
	if (a != NULL)
		explain_alert(c, a);
	return intake_heartbeat(c, h, keyed, err);
}

static int
route_alert(struct ctx *c, gboolean *handled, GError **err)
{
	gboolean listed = c->cfg->alert_senders != NULL && c->cfg->alert_senders[0] != NULL;
	gboolean keyed = config_alert_key_source(c->cfg, c->mail->recipients) != NULL;
	gboolean sender = keyed || config_alert_sender_allowed(c->cfg, c->mail->from_addr);
	g_autoptr(alert) a = NULL;
	const char *why = NULL;
	gboolean verified, held;

	*handled = FALSE;
	if (!sender && c->cfg->heartbeats->len == 0)
		return 0;
	a = alert_parse(c->mail, sender && (listed || keyed));
	if (c->cfg->heartbeats->len > 0) {
		if (route_heartbeat_mail(c, a, keyed, handled, err) != 0)
			return -1;
		if (*handled)
			return 0;
	}
	if (!sender || a == NULL)
		return 0;
	*handled = TRUE;
	explain_alert(c, a);
	verified = intake_alert_verified(c, keyed, &why);
	if (c->x != NULL) {
		c->x->authorized = verified;
		c->x->auth_reason = g_strdup(why);
	}
	/* a maintenance window holds back what would declare; open incidents go on */
	if (intake_hold_back(c, a, verified, &held, err) != 0)
		return -1;
	return held ? 0 : intake_handle_alert(c, a, verified, err);
}

static int
route(struct ctx *c, GError **err)
{
	const struct mail *msg = c->mail;
	g_autoptr(command_list) declare = NULL;
	struct list_request request;
	const char *quiet;
	gboolean handled;
	struct match m;

	/* a report to a bounce address is about the mail sevmail sent, nothing else: never a
	 * reply, an alert or a list request, and never answered */
	if (intake_route_bounce(c, &handled, err) != 0)
		return -1;
	if (handled)
		return 0;
	/* a reply that carries its incident's token or references is a reply, even when it
	 * also went to a list address (Reply-All): its commands are never lost to the list */
	if (match_incident(c, &m, err) != 0)
		return -1;
	if (c->x != NULL) {
		c->x->incident = m.incident_id;
		c->x->matched_by = m.by;
	}
	if (m.incident_id != 0 && g_strcmp0(m.by, "subject") != 0)
		return intake_handle_reply(c, &m, err);
	if (lists_request(c->cfg, msg, &request)) {
		g_autofree char *reason = NULL;

		if (lists_handle(&c->notify, msg, &request, &reason, err) != 0)
			return -1;
		intake_decide(c, "list", 0, "%s", reason);
		return 0;
	}
	if (route_alert(c, &handled, err) != 0)
		return -1;
	if (handled)
		return 0;
	if (m.incident_id != 0)
		return intake_handle_reply(c, &m, err);
	if ((quiet = auth_no_answer(msg, c->cfg->address)) != NULL) {
		intake_decide(c, "ignored", 0, "not an alert, and %s", quiet);
		return 0;
	}
	if ((declare = new_mail_commands(msg, is_declare)) != NULL)
		return intake_handle_declare(c, declare, err);
	if ((declare = new_mail_commands(msg, intake_override_wanted)) != NULL)
		return intake_handle_override(c, declare, err);
	if ((declare = new_mail_commands(msg, is_maintenance)) != NULL)
		return intake_handle_maintenance(c, declare, err);
	if (!config_alert_sender_allowed(c->cfg, msg->from_addr))
		intake_decide(c, "other", 0,
		              "from %s, who is not among [alerts] senders, and not about a known "
		              "incident; stored with no effect",
		              msg->from_addr != NULL ? msg->from_addr : "an unknown sender");
	else
		intake_decide(c, "other", 0,
		              "not an alert and not about a known incident; stored with no effect");
	return 0;
}

void
intake_result_clear(struct intake_result *r)
{
	g_free(r->route);
	g_free(r->reason);
	g_free(r->message_id);
	memset(r, 0, sizeof *r);
}

void
intake_explain_clear(struct intake_explain *x)
{
	g_free(x->alert_source);
	g_free(x->alert_fingerprint);
	g_free(x->alert_title);
	g_free(x->new_text);
	if (x->commands != NULL)
		g_ptr_array_unref(x->commands);
	g_free(x->auth_reason);
	memset(x, 0, sizeof *x);
}

/* What makes two mails with one Message-ID the same mail: sender, subject and text (the
 * headers an MTA adds on the way differ between two deliveries of one message). */
static char *
content_hash(const struct mail *msg, const char *raw_hash)
{
	g_autoptr(GString) all = NULL;

	if (msg == NULL)
		return g_strdup(raw_hash);
	/* sender NUL subject NUL text */
	all = g_string_new(msg->from_addr ? msg->from_addr : "");
	g_string_append_len(all, "", 1);
	g_string_append(all, msg->subject ? msg->subject : "");
	g_string_append_len(all, "", 1);
	g_string_append(all, msg->text ? msg->text : "");
	return digest_sha256_hex(all->str, all->len);
}

/* Stored already? Sets the duplicate outcome and returns 1 when so; 0 to go on. */
static int
known(struct ctx *c, const struct stored_message *sm, GError **err)
{
	int k = store_message_known(c->store, sm->message_id, sm->hash, sm->content_hash, err);

	if (k < 0)
		return -1;
	if (k == STORE_MESSAGE_REUSED_ID)
		g_message("Message-ID <%s> was seen before with other content: read as a new "
		          "message",
		          sm->message_id);
	if (k != STORE_MESSAGE_KNOWN)
		return 0;
	if (c->x != NULL) {
		c->x->already_processed = TRUE; /* explain it all the same */
		return 0;
	}
	c->res->duplicate = TRUE;
	intake_decide(c, "duplicate", 0, "already processed; not applied again");
	return 1;
}

/* Everything of one message inside one transaction; commits (or, for explain, rolls
 * back) only when every step succeeded. */
static int
process(struct ctx *c, const char *raw, gsize len, const struct intake_source *src, GError **err)
{
	g_autofree char *hash = digest_sha256_hex(raw, len);
	g_autoptr(GError) parse_error = NULL;
	g_autoptr(mail) msg = mime_parse(raw, len, &parse_error);
	g_autofree char *content = content_hash(msg, hash);
	struct stored_message sm = {NULL,     hash,          content, src->mailbox,
	                            src->uid, c->notify.now, raw,     len};
	gint64 row = 0;
	int dup;

	c->mail = msg;
	c->raw = raw;
	c->raw_len = len;
	sm.message_id = c->message_id = msg != NULL ? msg->message_id : NULL;
	c->res->message_id = g_strdup(c->message_id);
	if (store_begin(c->store, err) != 0)
		return -1;
	if ((dup = known(c, &sm, err)) < 0)
		goto fail;
	if (dup > 0)
		goto done;
	if (!(c->x != NULL && c->x->already_processed) &&
	    (row = store_message_add(c->store, &sm, err)) < 0)
		goto fail;
	if (msg == NULL) {
		intake_decide(c, "other", 0, "cannot be read as mail: %s", parse_error->message);
	} else {
		/* who is on call is read in the message's own transaction */
		g_autoptr(GPtrArray) overrides =
		    intake_overrides(c->cfg, c->store, c->notify.now, err);
		int rc;

		if (c->cfg->schedules->len > 0 && overrides == NULL)
			goto fail;
		c->overrides = overrides;
		rc = route(c, err);
		c->overrides = NULL;
		if (rc != 0)
			goto fail;
	}
	if (src->truncated_from != 0) {
		g_autofree char *reason = c->res->reason;

		c->res->reason = g_strdup_printf("%s (only its header was read: the message has "
		                                 "%" G_GSIZE_FORMAT " bytes, over [general] "
		                                 "max_message_size)",
		                                 reason, src->truncated_from);
	}
	if (row > 0 && store_message_outcome(c->store, row, c->res->route, c->res->reason,
	                                     c->res->incident_id, err) != 0)
		goto fail;
done:
	if (c->x != NULL) {
		store_rollback(c->store);
		return 0;
	}
	if (src->checkpoint &&
	    store_checkpoint_set(c->store, src->mailbox, src->uidvalidity, src->uid, err) != 0)
		goto fail;
	if (store_commit(c->store, err) != 0)
		return -1;
	return 0;
fail:
	store_rollback(c->store);
	return -1;
}

/* A message that failed INTAKE_TRIES times with an error of its own is kept aside with
 * that error, and the checkpoint moves past it: one bad message never blocks the ones
 * behind it. */
static int
quarantine(struct ctx *c, const char *raw, gsize len, const struct intake_source *src,
           const GError *why, GError **err)
{
	g_autofree char *hash = digest_sha256_hex(raw, len);
	struct stored_message sm = {c->res->message_id, hash,          NULL, src->mailbox,
	                            src->uid,           c->notify.now, raw,  len};

	if (store_begin(c->store, err) != 0)
		return -1;
	if (store_quarantine_add(c->store, &sm, why->message, INTAKE_TRIES, err) != 0 ||
	    (src->checkpoint &&
	     store_checkpoint_set(c->store, src->mailbox, src->uidvalidity, src->uid, err) != 0)) {
		store_rollback(c->store);
		return -1;
	}
	if (store_commit(c->store, err) != 0)
		return -1;
	g_free(c->res->route);
	g_free(c->res->reason);
	c->res->route = g_strdup("quarantined");
	c->res->reason = g_strdup_printf("could not be processed (%s); quarantined after %d "
	                                 "tries, see `sevmail quarantine`",
	                                 why->message, INTAKE_TRIES);
	g_warning("message <%s> quarantined: %s", c->res->message_id ? c->res->message_id : "?",
	          why->message);
	return 0;
}

/* Errors that trying again later can cure and that are not the message's: a busy or full
 * database, a template missing or broken during an upgrade. Such a message is never
 * quarantined; the daemon backs off and reads it again. */
static gboolean
retry_later(const GError *e)
{
	return store_error_transient(e) ||
	       (e != NULL && (e->domain == TEMPLATE_ERROR || e->domain == G_FILE_ERROR));
}

int
intake_message(const struct config *cfg, struct store *s, const char *raw, gsize len,
               const struct intake_source *src, struct intake_result *res, GError **err)
{
	struct ctx c = {cfg, s, {cfg, s, util_now()}, NULL, NULL, res, NULL, NULL, NULL, 0};
	struct intake_source cut = *src;
	g_autoptr(GError) last = NULL;
	g_autofree char *message_id = NULL;

	memset(res, 0, sizeof *res);
	if (src->truncated_from == 0 && len > (gsize)cfg->max_message_size) {
		/* never parse a huge message whole: its header is what routing needs */
		const char *end = g_strstr_len(raw, (gssize)len, "\n\n");
		const char *crlf = g_strstr_len(raw, (gssize)len, "\r\n\r\n");

		if (crlf != NULL && (end == NULL || crlf < end))
			end = crlf + 2;
		cut.truncated_from = len;
		len = end != NULL ? (gsize)(end - raw) + 2 : MIN(len, 65536);
		src = &cut;
	}
	for (int tries = 1;; tries++) {
		g_clear_error(&last);
		if (process(&c, raw, len, src, &last) == 0)
			return 0;
		g_free(message_id); /* what the tries read, for the quarantine */
		message_id = g_steal_pointer(&res->message_id);
		intake_result_clear(res);
		/* a busy or full database is the machine's problem, not the message's: the
		 * caller tries it again later, and it is never quarantined for that */
		if (retry_later(last) || !src->quarantine || tries >= INTAKE_TRIES)
			break;
	}
	if (retry_later(last) || !src->quarantine) {
		g_propagate_error(err, g_steal_pointer(&last));
		return -1;
	}
	res->message_id = g_steal_pointer(&message_id);
	if (quarantine(&c, raw, len, src, last, err) != 0) {
		intake_result_clear(res);
		return -1;
	}
	return 0;
}

int
intake_explain(const struct config *cfg, struct store *s, const char *raw, gsize len,
               struct intake_result *res, struct intake_explain *x, GError **err)
{
	struct intake_source src = {"explain", 0, 0, FALSE, 0, FALSE};
	struct ctx c = {cfg, s, {cfg, s, util_now()}, NULL, NULL, res, x, NULL, NULL, 0};

	memset(res, 0, sizeof *res);
	memset(x, 0, sizeof *x);
	if (process(&c, raw, len, &src, err) != 0) {
		intake_result_clear(res);
		intake_explain_clear(x);
		return -1;
	}
	return 0;
}
