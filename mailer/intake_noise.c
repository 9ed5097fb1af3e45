/*
 * intake_noise: noise control as mail meets it (DESIGN.md, "Noise control"): a heartbeat is
 * kept and recovers the incident of its silence; an alert a maintenance window holds is
 * held back; MAINTENANCE makes a window. And the declarations the timers make (noise.c):
 * what a window held back once it is over, the silence of a heartbeat.
 */
#include "intake_ctx.h"

#include "auth.h"
#include "reply.h"
#include "route.h"
#include "util.h"
#include <string.h>

static const char *
sender(const struct ctx *c)
{
	return c->mail->from_addr != NULL ? c->mail->from_addr : "unknown";
}

/* --- heartbeats --- */

/* A heartbeat is trusted as alerts are: it came to a secret alert address, or with a DMARC
 * pass from our server (sender_auth = none trusts every mail). */
static gboolean
heartbeat_verified(struct ctx *c, gboolean keyed, const char **why)
{
	if (keyed) {
		*why = "verified: sent to the secret alert address";
		return TRUE;
	}
	if (c->cfg->sender_auth == AUTH_NONE) {
		*why = "verified: sender_auth = none";
		return TRUE;
	}
	if (auth_dmarc_pass(c->mail->auth_results, c->cfg->authserv_id, c->mail->from_addr)) {
		*why = "verified: DMARC pass";
		return TRUE;
	}
	*why = "unverified: not sent to a secret alert address, no DMARC pass";
	return FALSE;
}

/* The incident of h's silence: the heartbeat is recorded on it, a verified one resolves
 * it, and the commander (or the on-call) hears of it. */
static int
heartbeat_recover(struct ctx *c, const struct heartbeat *h, gint64 id, gboolean verified,
                  GError **err)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(incident_outcome) o = incident_outcome_new();
	struct command resolved = {.kind = CMD_RESOLVED, .keyword = "RESOLVED", .argument = ""};
	g_autofree char *back = g_strdup_printf("A heartbeat from %s came again", h->name);
	const char *to;
	int found = store_incident_get(c->store, id, &inc, err);

	if (found == 0)
		g_set_error(err, INTAKE_ERROR, 0, "INC-%" G_GINT64_FORMAT " could not be read", id);
	if (found <= 0)
		return -1;
	/* whoever has it now hears of it (resolving makes the monitor acknowledge it) */
	to = inc->commander != NULL ? inc->commander : intake_first_oncall(c, inc, NULL);
	g_ptr_array_add(
	    o->events, event_make(c->notify.now, sender(c), EVENT_ALERT_RESOLVED,
	                          verified ? back : "An unverified mail looks like the heartbeat"));
	/* a forged heartbeat must never end a real silence */
	if (verified)
		incident_apply(inc, &resolved, sender(c), c->notify.now, o);
	if (intake_store_outcome(c, inc, o, err) != 0)
		return -1;
	if (to != NULL &&
	    notify_notice(&c->notify, inc, to,
	                  verified ? "Heartbeat again" : "Unverified heartbeat",
	                  verified ? "The heartbeat came again, and the incident is resolved "
	                             "with it."
	                           : "A mail that could not be verified looks like the "
	                             "heartbeat. Check, and reply RESOLVED if it is.",
	                  err) != 0)
		return -1;
	return o->communicate ? notify_status(&c->notify, inc, sender(c), err) : 0;
}

int
intake_heartbeat(struct ctx *c, const struct heartbeat *h, gboolean keyed, GError **err)
{
	const char *why = NULL;
	gboolean verified = heartbeat_verified(c, keyed, &why);
	g_autofree char *fingerprint = route_heartbeat_fingerprint(h);
	gint64 open;

	if (c->x != NULL) {
		c->x->authorized = verified;
		g_free(c->x->auth_reason);
		c->x->auth_reason = g_strdup(why);
	}
	/* only a verified heartbeat counts: a forged one every few minutes must not keep the
	 * switch quiet while the monitoring is dead */
	if ((verified && store_heartbeat_beat(c->store, h->name, c->notify.now, err) != 0) ||
	    (open = store_incident_open_by_fingerprint(c->store, fingerprint, err)) < 0)
		return -1;
	if (c->x != NULL)
		c->x->incident = open;
	if (open > 0 && verified &&
	    store_incident_alert_seen(c->store, open, fingerprint, TRUE, c->notify.now, err) != 0)
		return -1;
	if (open > 0 && heartbeat_recover(c, h, open, verified, err) != 0)
		return -1;
	intake_decide(c, "heartbeat", open, "heartbeat of [heartbeat:%s]%s%s", h->name,
	              open == 0  ? (verified ? "" : " (unverified: not counted)")
	              : verified ? ": the incident of its silence is resolved"
	                         : " (unverified): the incident of its silence stays open",
	              open == 0 ? ", kept" : "");
	return 0;
}

/* --- alerts held back by a maintenance window --- */

int
intake_hold_back(struct ctx *c, const struct alert *a, gboolean verified, gboolean *held,
                 GError **err)
{
	g_autoptr(GPtrArray) windows = NULL;
	g_autofree char *labels = NULL, *until = NULL;
	const struct window *w;
	gint64 open;

	*held = FALSE;
	if (a->state == ALERT_INFO)
		return 0;
	if ((windows = store_windows(c->store, c->notify.now, err)) == NULL)
		return -1;
	w = route_window_for(windows, a, c->mail->from_addr, c->mail->subject, c->notify.now);
	if (w == NULL)
		return 0;
	/* an incident open already goes on as usual: its repeats, its recovery */
	if ((open = store_incident_open_by_fingerprint(c->store, a->fingerprint, err)) != 0)
		return open < 0 ? -1 : 0;
	labels = route_labels_text(a);
	{
		struct suppressed r = {.window_id = w->id,
		                       .at = c->notify.now,
		                       .message_id = (char *)c->message_id,
		                       .sender = c->mail->from_addr,
		                       .subject = c->mail->subject,
		                       .source = a->source,
		                       .fingerprint = a->fingerprint,
		                       .title = a->title,
		                       .severity_label = a->severity_label,
		                       .details = a->details,
		                       .labels = labels,
		                       .state = a->state,
		                       .verified = verified};

		if (store_suppressed_add(c->store, &r, err) != 0)
			return -1;
	}
	*held = TRUE;
	until = util_human_time(route_window_end(w));
	intake_decide(
	    c, "alert", 0,
	    "%s by maintenance window %" G_GINT64_FORMAT " (%s, until %s): nothing "
	    "declared%s",
	    a->state == ALERT_FIRING ? "suppressed" : "a recovery, recorded", w->id, w->match,
	    until,
	    a->state == ALERT_FIRING ? "; it declares when the window ends if it still fires" : "");
	return 0;
}

/* --- MAINTENANCE --- */

/* The window a MAINTENANCE asks for, from now: 1 and *made (caller frees), 0 and *problem
 * (why, to follow "not done: "; caller frees) when it cannot be made, -1 + err when
 * storing fails. */
static int
window_make(struct ctx *c, const struct command *cmd, struct window **made, char **problem,
            GError **err)
{
	g_autoptr(GError) bad = NULL;
	struct window *w = g_new0(struct window, 1);
	gint64 seconds = 0;

	*made = NULL;
	*problem = NULL;
	if (route_window_request(cmd->argument, &w->match, &seconds, &w->reason, &bad) != 0) {
		*problem = g_strdup(bad->message);
		route_window_free(w);
		return 0;
	}
	w->starts_at = c->notify.now;
	w->ends_at = c->notify.now + seconds;
	w->by = g_strdup(c->mail->from_addr);
	if (store_window_add(c->store, w, c->notify.now, err) != 0) {
		route_window_free(w);
		return -1;
	}
	*made = w;
	return 1;
}

/* "Maintenance window 3 for host=db-1 until 2026-12-02 16:00 UTC: kernel upgrade". Caller
 * frees. */
static char *
window_summary(const struct window *w)
{
	g_autofree char *until = util_human_time(route_window_end(w));

	return g_strdup_printf("Maintenance window %" G_GINT64_FORMAT " for %s until %s%s%s", w->id,
	                       w->match, until, w->reason != NULL ? ": " : "",
	                       w->reason != NULL ? w->reason : "");
}

int
intake_maintenance(struct ctx *c, const struct command *cmd, struct incident_outcome *o,
                   GError **err)
{
	struct window *w = NULL;
	char *problem = NULL, *done;
	int rc = window_make(c, cmd, &w, &problem, err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		g_ptr_array_add(o->refusals, g_strdup_printf("MAINTENANCE not done: %s.", problem));
		g_free(problem);
		return 0;
	}
	done = window_summary(w);
	g_ptr_array_add(o->events, event_make(c->notify.now, c->mail->from_addr, EVENT_NOTE, done));
	g_ptr_array_add(o->changes, done);
	route_window_free(w);
	return 0;
}

/* The answer to a new mail's MAINTENANCE cmd: template "maintenance" for the window made,
 * or "maintenance-refused" with why not (problem), within the answer limit. */
static int
window_answer(struct ctx *c, const struct command *cmd, const struct window *w, const char *problem,
              GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	const char *to = c->mail->from_addr;
	g_autofree char *key = NULL;
	int allowed = notify_may_answer(&c->notify, to, err);

	if (allowed <= 0)
		return allowed;
	if (w == NULL) {
		key = g_strdup_printf("%s %s %" G_GINT64_FORMAT, to,
		                      c->message_id != NULL ? c->message_id : "", c->notify.now);
		g_autofree char *asked = g_strdup_printf("MAINTENANCE %s", cmd->argument);

		g_hash_table_insert(vars, "problem", g_strdup_printf("%s.", problem));
		g_hash_table_insert(vars, "summary", util_one_line(asked, 80));
		return notify_person(&c->notify, OUTBOX_ERROR, to, "maintenance-refused", key, vars,
		                     c->mail->message_id, err);
	}
	key = g_strdup_printf("window %" G_GINT64_FORMAT, w->id);
	g_hash_table_insert(vars, "window", g_strdup_printf("%" G_GINT64_FORMAT, w->id));
	g_hash_table_insert(vars, "match", g_strdup(w->match));
	g_hash_table_insert(vars, "from", util_human_time(w->starts_at));
	g_hash_table_insert(vars, "until", util_human_time(route_window_end(w)));
	g_hash_table_insert(vars, "reason", g_strdup(w->reason != NULL ? w->reason : ""));
	return notify_person(&c->notify, OUTBOX_CONFIRM, to, "maintenance", key, vars,
	                     c->mail->message_id, err);
}

int
intake_handle_maintenance(struct ctx *c, const struct command_list *cmds, GError **err)
{
	struct match none = {0};
	const char *refusal = intake_refuse_sender(c, &none);
	const struct command *cmd = cmds->commands->pdata[0];
	struct window *w = NULL;
	g_autofree char *problem = NULL;
	int rc;

	if (c->x != NULL) {
		c->x->new_text = reply_new_text(c->mail->text);
		c->x->commands = g_ptr_array_ref(cmds->commands);
	}
	if (refusal != NULL) {
		intake_decide(c, "maintenance", 0, "not done: %s", refusal);
		/* a responder hears why; a stranger never hears anything */
		if (config_responder(c->cfg, c->mail->from_addr) == NULL)
			return 0;
		return window_answer(c, cmd, NULL, refusal, err);
	}
	if ((rc = window_make(c, cmd, &w, &problem, err)) < 0)
		return -1;
	if (rc == 0) {
		intake_decide(c, "maintenance", 0, "not done: %s", problem);
		return window_answer(c, cmd, NULL, problem, err);
	}
	{
		g_autofree char *summary = window_summary(w);

		intake_decide(c, "maintenance", 0, "%s, made by %s", summary, c->mail->from_addr);
	}
	rc = window_answer(c, cmd, w, NULL, err);
	route_window_free(w);
	return rc;
}

/* --- declarations of the timers --- */

/* The alert a held-back mail carried, as alert_parse gave it then. Caller frees. */
static struct alert *
held_alert(const struct suppressed *r)
{
	struct alert *a = g_new0(struct alert, 1);

	a->source = g_strdup(r->source);
	a->state = r->state;
	a->fingerprint = g_strdup(r->fingerprint);
	a->title = g_strdup(r->title);
	a->severity_label = g_strdup(r->severity_label);
	a->details = g_strdup(r->details != NULL ? r->details : "");
	a->labels = route_labels_parse(r->labels);
	return a;
}

/* One identity still firing when w ended: handed to another window that holds it now, or
 * read as if its last mail came now (declared, or added to an incident open for it). */
static int
release_one(const struct config *cfg, struct store *s, const struct window *w, GPtrArray *windows,
            const struct suppressed *r, gint64 now, int *declared, GError **err)
{
	struct mail m = {.from_addr = r->sender, .subject = r->subject, .text = ""};
	struct intake_result res = {0};
	/* who is on call counts the overrides, as for mail that comes now */
	g_autoptr(GPtrArray) overrides = intake_overrides(cfg, s, now, err);
	struct ctx c = {cfg, s, {cfg, s, now}, &m, r->message_id, &res, NULL, overrides, NULL, 0};
	g_autoptr(alert) a = held_alert(r);
	const struct window *still = route_window_for(windows, a, r->sender, r->subject, now);
	g_autofree char *since = NULL, *held = NULL;
	int rc;

	if (cfg->schedules->len > 0 && overrides == NULL)
		return -1;
	if (still != NULL)
		return store_suppressed_move(s, w->id, still->id, r->fingerprint, err);
	rc = intake_handle_alert(&c, a, r->verified, err);
	if (rc == 0 && res.incident_id > 0) {
		struct event *e;

		since = util_human_time(r->first_at);
		held = g_strdup_printf("Held back by maintenance window %" G_GINT64_FORMAT
		                       " (%s) since %s; still firing when it ended",
		                       w->id, w->match, since);
		e = event_make(now, "sevmail", EVENT_SUPPRESSED, held);
		rc = store_event_add(s, res.incident_id, e, r->message_id, err);
		event_free(e);
		*declared += 1;
		g_message("maintenance window %" G_GINT64_FORMAT " ended: %s", w->id, res.reason);
	}
	intake_result_clear(&res);
	return rc;
}

int
intake_release_window(const struct config *cfg, struct store *s, const struct window *w, gint64 now,
                      int *declared, GError **err)
{
	g_autoptr(GPtrArray) held = NULL, windows = NULL;
	int first = store_window_released(s, w->id, now, err);

	*declared = 0;
	if (first <= 0) /* released by another process already, or failed */
		return first;
	if ((held = store_suppressed_last(s, w->id, err)) == NULL ||
	    (windows = store_windows(s, now, err)) == NULL)
		return -1;
	for (guint i = 0; i < held->len; i++) {
		const struct suppressed *r = held->pdata[i];

		if (r->state == ALERT_FIRING &&
		    release_one(cfg, s, w, windows, r, now, declared, err) != 0)
			return -1;
	}
	return 0;
}

/* The events of a heartbeat's silence: declared, heartbeat_missing, its severity. */
static void
silence_events(const struct heartbeat *h, struct incident *inc, gint64 since, gint64 now,
               struct incident_outcome *o)
{
	g_autofree char *declared = g_strdup_printf("Declared: %s", inc->title);
	g_autofree char *ago = util_duration(now - since);
	g_autofree char *expected = route_heartbeat_expected(h);
	g_autofree char *missing = g_strdup_printf("Nothing for %s; expected %s", ago, expected);
	g_autofree char *sev =
	    g_strdup_printf("Severity: SEV %d ([heartbeat:%s] severity)", h->severity, h->name);

	g_ptr_array_add(o->events, event_make(now, "sevmail", EVENT_DECLARED, declared));
	g_ptr_array_add(o->events, event_make(now, "sevmail", EVENT_HEARTBEAT_MISSING, missing));
	g_ptr_array_add(o->events, event_make(now, "sevmail", EVENT_SEVERITY, sev));
}

int
intake_heartbeat_missing(const struct config *cfg, struct store *s, const struct heartbeat *h,
                         gint64 since, gint64 now, gint64 *id, GError **err)
{
	struct mail m = {.text = ""};
	struct intake_result res = {0};
	g_autoptr(GPtrArray) overrides = intake_overrides(cfg, s, now, err);
	struct ctx c = {cfg, s, {cfg, s, now}, &m, NULL, &res, NULL, overrides, NULL, 0};
	g_autofree char *when = util_human_time(since);
	g_autofree char *title = g_strdup_printf("No heartbeat from %s since %s", h->name, when);
	g_autoptr(incident) inc = incident_new(title, "heartbeat", now);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *expected = route_heartbeat_expected(h);
	g_autoptr(incident_alert) ia = NULL;
	const char *who = NULL;
	int rc;

	if (cfg->schedules->len > 0 && overrides == NULL)
		return -1;
	inc->fingerprint = route_heartbeat_fingerprint(h);
	inc->team = g_strdup(h->team);
	inc->severity = h->severity;
	inc->details = g_strdup_printf("Expected: %s.\nNothing came since %s.", expected, when);
	ia = incident_alert_new(inc->fingerprint, "heartbeat", title, now);
	/* its silence is the incident's one alert: the next heartbeat finds it by it */
	if (store_incident_insert(s, inc, err) != 0 ||
	    store_incident_alert_add(s, inc->id, ia, err) != 0)
		return -1;
	silence_events(h, inc, since, now, o);
	rc = intake_page_first(&c, inc, NULL, o, &who, err) != 0 ||
	             intake_store_outcome(&c, inc, o, err) != 0 ||
	             notify_status(&c.notify, inc, NULL, err) != 0
	         ? -1
	         : 0;
	*id = inc->id;
	intake_result_clear(&res);
	return rc;
}
