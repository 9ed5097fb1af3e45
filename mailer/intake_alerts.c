/*
 * intake_alerts: the effects of an alert mail (DESIGN.md, "Noise control"). A firing alert
 * repeats the alert of its open incident, joins an open incident of its group or the alert
 * storm (paging no one), or declares an incident; a recovery marks its alert resolved, and
 * with auto_resolve the incident resolves once all its alerts have. Runs inside the
 * message's transaction (intake.c).
 */
#include "intake_ctx.h"

#include "incident.h"
#include "route.h"
#include "team.h"
#include "util.h"

/* The source of the one incident a storm of alerts joins. */
#define STORM_SOURCE "storm"

/* Keeps the alert as one of incident id's, told at `told` (0: the responders have not
 * heard of it yet; the summary of joined alerts tells them). */
static int
keep_alert(struct ctx *c, gint64 id, const struct alert *a, gint64 told, GError **err)
{
	g_autoptr(incident_alert) row =
	    incident_alert_new(a->fingerprint, a->source, a->title, c->notify.now);

	row->told_at = told;
	return store_incident_alert_add(c->store, id, row, err);
}

/* The severity [alerts] severity_map gives the alert, 0 for none. */
static int
alert_severity(const struct ctx *c, const struct alert *a)
{
	gpointer sev = a->severity_label == NULL
	                   ? NULL
	                   : g_hash_table_lookup(c->cfg->severity_labels, a->severity_label);

	return sev != NULL ? GPOINTER_TO_INT(sev) : 0;
}

/* The declaration's events: who declared it, and whether the alert was verified. */
static void
declared(struct ctx *c, struct incident_outcome *o, const char *actor, const char *what,
         gboolean verified)
{
	g_ptr_array_add(o->events, event_make(c->notify.now, actor, EVENT_DECLARED, what));
	if (!verified)
		g_ptr_array_add(
		    o->events,
		    event_make(c->notify.now, "sevmail", EVENT_UNVERIFIED,
		               "The alert could not be verified: the stakeholders and the "
		               "status page hear of it once a responder acknowledges"));
}

static int
declare_from_alert(struct ctx *c, const struct alert *a, gboolean verified, const struct team *t,
                   const char *group_key, GError **err)
{
	g_autoptr(incident) inc = incident_new(a->title, a->source, c->notify.now);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	const char *oncall = NULL;
	g_autofree char *what = g_strdup_printf("Declared by alert (%s): %s", a->source, a->title);
	int sev = alert_severity(c, a);

	inc->fingerprint = g_strdup(a->fingerprint);
	inc->details = g_strdup(a->details);
	inc->unverified = !verified;
	inc->team = t != NULL ? g_strdup(t->name) : NULL;
	inc->group_key = g_strdup(group_key);
	if (store_incident_insert(c->store, inc, err) != 0 ||
	    keep_alert(c, inc->id, a, c->notify.now, err) != 0)
		return -1;
	declared(c, o, intake_sender(c), what, verified);
	if (sev >= 1) {
		g_autofree char *detail = NULL;

		inc->severity = sev;
		detail = g_strdup_printf("Severity: SEV %d (the alert says \"%s\")", inc->severity,
		                         a->severity_label);
		g_ptr_array_add(
		    o->events, event_make(c->notify.now, intake_sender(c), EVENT_SEVERITY, detail));
	}
	if (intake_page_first(c, inc, NULL, o, &oncall, err) != 0 ||
	    intake_store_outcome(c, inc, o, err) != 0 ||
	    notify_status(&c->notify, inc, NULL, err) != 0)
		return -1;
	if (c->x != NULL)
		c->x->incident = inc->id;
	intake_decide(c, "alert", inc->id,
	              "new incident INC-%" G_GINT64_FORMAT " from an alert (%s) for team %s%s%s",
	              inc->id, a->source, team_name(t),
	              oncall != NULL        ? ", paged "
	              : inc->ladder_at == 0 ? ", low urgency: paged when business hours begin"
	                                    : ", nobody to page (no oncall)",
	              oncall != NULL ? oncall : "");
	return 0;
}

/* The storm guard: `count` incidents came from alerts within the storm period, and this
 * alert would be one more than [alerts] storm allows. One incident takes it and the alerts
 * of the next period, paged once (for the default team: a storm is nobody's in particular). */
static int
declare_storm(struct ctx *c, const struct alert *a, gboolean verified, int count, GError **err)
{
	g_autofree char *within = util_duration(c->cfg->storm.period);
	g_autofree char *title =
	    g_strdup_printf("Alert storm: %d incidents from alerts within %s", count, within);
	g_autoptr(incident) inc = incident_new(title, STORM_SOURCE, c->notify.now);
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *what = g_strdup_printf(
	    "Declared by the storm guard ([alerts] storm): the first alert (%s): %s", a->source,
	    a->title);
	const char *oncall = NULL;

	inc->unverified = !verified;
	inc->details = g_strdup_printf(
	    "More alerts came than [alerts] storm allows (%d incidents within %s): for %s, new "
	    "alerts join this incident instead of paging one by one (sevmail show lists them).\n"
	    "The first: %s (%s)",
	    c->cfg->storm.limit, within, within, a->title, a->source);
	if (store_incident_insert(c->store, inc, err) != 0 ||
	    keep_alert(c, inc->id, a, c->notify.now, err) != 0)
		return -1;
	declared(c, o, "sevmail", what, verified);
	if (intake_page_first(c, inc, NULL, o, &oncall, err) != 0 ||
	    intake_store_outcome(c, inc, o, err) != 0)
		return -1;
	if (c->x != NULL)
		c->x->incident = inc->id;
	intake_decide(c, "alert", inc->id,
	              "alert storm: INC-%" G_GINT64_FORMAT " declared, it takes the new "
	              "alerts of the next %s%s%s",
	              inc->id, within, oncall != NULL ? ", paged " : ", nobody to page",
	              oncall != NULL ? oncall : "");
	return 0;
}

/* What a verified alert brings to the incident it joins: one a forged alert declared first
 * becomes the real one (as a verified repeat makes it), and it is at least as severe as the
 * alert says (as MERGE makes it), so that the lists of that severity hear of it and a
 * low-urgency page waiting for business hours goes at once. */
static int
join_verified(struct ctx *c, gint64 id, const struct alert *a, GError **err)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(incident_outcome) o = incident_outcome_new();
	int sev = alert_severity(c, a), found = store_incident_get(c->store, id, &inc, err);

	if (found <= 0 || inc->status >= STATUS_RESOLVED)
		return found < 0 ? -1 : 0;
	if (inc->unverified) {
		inc->unverified = FALSE;
		o->communicate = inc->severity >= 1;
		g_ptr_array_add(o->events,
		                event_make(c->notify.now, intake_sender(c), EVENT_VERIFIED,
		                           "A verified alert joined: the stakeholders "
		                           "hear of it from now on"));
	}
	if (sev >= 1 && (inc->severity == 0 || sev < inc->severity)) {
		g_autofree char *detail =
		    inc->severity == 0
		        ? g_strdup_printf("Severity: SEV %d (a joined alert says \"%s\")", sev,
		                          a->severity_label)
		        : g_strdup_printf("Severity: SEV %d -> SEV %d (a joined alert says \"%s\")",
		                          inc->severity, sev, a->severity_label);

		inc->severity = sev;
		o->communicate = TRUE;
		g_ptr_array_add(
		    o->events, event_make(c->notify.now, intake_sender(c), EVENT_SEVERITY, detail));
	}
	if (intake_store_outcome(c, inc, o, err) != 0)
		return -1;
	return o->communicate ? notify_status(&c->notify, inc, NULL, err) : 0;
}

/* The alert joins incident id: kept with it, and on its timeline; nobody is paged. */
static int
join(struct ctx *c, gint64 id, const struct alert *a, gboolean verified, const char *why,
     GError **err)
{
	g_autofree char *detail = g_strdup_printf("Alert joined (%s): %s", a->source, a->title);

	if (keep_alert(c, id, a, 0, err) != 0 ||
	    intake_add_event(c, id, intake_sender(c), EVENT_ALERT_JOINED, detail, err) != 0 ||
	    (verified && join_verified(c, id, a, err) != 0))
		return -1;
	if (c->x != NULL)
		c->x->incident = id;
	intake_decide(c, "alert", id, "alert joined INC-%" G_GINT64_FORMAT " (%s), nobody paged",
	              id, why);
	return 0;
}

/* The open incidents as the grouping decision sees them (pointing into open). */
static GArray *
candidates(GPtrArray *open)
{
	GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(struct route_candidate), open->len);

	for (guint i = 0; i < open->len; i++) {
		const struct incident *inc = open->pdata[i];
		struct route_candidate rc = {inc->id, inc->group_key, inc->created_at,
		                             inc->status < STATUS_RESOLVED};

		g_array_append_val(out, rc);
	}
	return out;
}

/* The open incident that takes a new alert of group key, 0 when none (or no grouping),
 * -1 + err. */
static gint64
group_of(struct ctx *c, const char *key, GError **err)
{
	g_autoptr(GPtrArray) open = NULL;
	g_autoptr(GArray) cands = NULL;

	if (key == NULL)
		return 0;
	if ((open = store_incident_list(c->store, FALSE, err)) == NULL)
		return -1;
	cands = candidates(open);
	return route_group_join(c->cfg, key, (const struct route_candidate *)(void *)cands->data,
	                        cands->len, c->notify.now);
}

/* 1 when the open storm incident is still unverified (opened by alerts nobody verified),
 * 0 when not, -1 + err. */
static int
storm_unverified(struct ctx *c, gint64 storm, GError **err)
{
	g_autoptr(incident) inc = NULL;
	int found = store_incident_get(c->store, storm, &inc, err);

	return found < 0 ? -1 : found > 0 && inc->unverified;
}

/* A firing alert that no open incident holds: it joins an open incident of its group, or
 * the alert storm, or declares an incident of its own. */
static int
new_alert(struct ctx *c, const struct alert *a, gboolean verified, GError **err)
{
	const struct config *cfg = c->cfg;
	const struct team *t = route_team(cfg, a, c->mail->from_addr, c->mail->subject);
	g_autofree char *key = route_group_key(cfg, t, a);
	gint64 into = group_of(c, key, err), storm = 0, storm_at = 0;
	enum route_storm what;
	int count = 0, forged;

	if (into != 0)
		return into < 0 ? -1 : join(c, into, a, verified, "same group", err);
	if (cfg->storm.limit > 0 &&
	    ((count = store_alert_incidents_since(c->store, c->notify.now - cfg->storm.period,
	                                          err)) < 0 ||
	     (storm = store_incident_open_by_source(c->store, STORM_SOURCE, &storm_at, err)) < 0))
		return -1;
	what = route_storm(cfg, count, storm_at, c->notify.now);
	/* forged alerts never hide a verified one: it joins no storm incident they opened */
	if (what == ROUTE_STORM_JOIN && verified &&
	    (forged = storm_unverified(c, storm, err)) != 0) {
		if (forged < 0)
			return -1;
		what = ROUTE_STORM_NONE;
	}
	switch (what) {
	case ROUTE_STORM_JOIN:
		return join(c, storm, a, verified, "alert storm", err);
	case ROUTE_STORM_DECLARE:
		return declare_storm(c, a, verified, count, err);
	case ROUTE_STORM_NONE:
		break;
	}
	return declare_from_alert(c, a, verified, t, key, err);
}

/* Whether the responders heard of a recovery of incident id within the hour: repeated (or
 * forged) recovery mails must not flood the on-call. 1, 0, or -1 + err. */
static int
recovery_told_lately(struct ctx *c, gint64 id, GError **err)
{
	g_autoptr(GPtrArray) events = store_events(c->store, id, err);

	if (events == NULL)
		return -1;
	for (guint i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (e->kind == EVENT_ALERT_RESOLVED && e->at >= c->notify.now - 3600)
			return 1;
	}
	return 0;
}

/* What the responders are told of a recovery. Static storage. */
static const char *
recovery_text(gboolean verified, gboolean resolve, guint firing)
{
	if (resolve)
		return "The alert reports it is resolved, and the incident is resolved with it.";
	if (!verified)
		return "A mail that could not be verified as your monitoring's says the alert is "
		       "resolved. Check, and reply RESOLVED if it is.";
	if (firing > 0)
		return "The alert reports it is resolved; other alerts of the incident still "
		       "fire. Reply RESOLVED when you agree that it is over.";
	return "The alert reports it is resolved. Reply RESOLVED when you agree.";
}

/* The recovery's event: the alert, and how many of the incident's alerts still fire. */
static char *
recovery_detail(const struct alert *a, gboolean verified, GPtrArray *alerts, guint firing)
{
	if (!verified)
		return g_strdup("An unverified mail reports the alert resolved");
	if (alerts->len <= 1)
		return g_strdup("The alert reports it is resolved");
	return g_strdup_printf("The alert reports it is resolved (%s); %u of %u alerts still fire",
	                       a->title, firing, alerts->len);
}

/* A recovery: its alert marked resolved (when verified), recorded, the responders told
 * (once an hour at most), and with [alerts] auto_resolve the incident resolved once every
 * alert of it has recovered. */
static int
recover(struct ctx *c, gint64 id, const struct alert *a, gboolean verified, GError **err)
{
	g_autoptr(incident) inc = NULL;
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autoptr(GPtrArray) alerts = NULL;
	g_autofree char *detail = NULL;
	struct command resolved = {.kind = CMD_RESOLVED, .keyword = "RESOLVED", .argument = ""};
	int quiet = recovery_told_lately(c, id, err);
	int found = quiet < 0 ? -1 : store_incident_get(c->store, id, &inc, err);
	gboolean resolve;
	guint firing;
	const char *to;

	if (found < 0 || (verified && store_incident_alert_seen(c->store, id, a->fingerprint, TRUE,
	                                                        c->notify.now, err) != 0))
		return -1;
	if (found == 0) {
		g_set_error(err, INTAKE_ERROR, 0, "INC-%" G_GINT64_FORMAT " could not be read", id);
		return -1;
	}
	if ((alerts = store_incident_alerts(c->store, id, err)) == NULL)
		return -1;
	firing = incident_alerts_firing(alerts);
	/* a forged recovery must never end a real incident */
	resolve = c->cfg->auto_resolve && verified && firing == 0;
	detail = recovery_detail(a, verified, alerts, firing);
	g_ptr_array_add(o->events,
	                event_make(c->notify.now, intake_sender(c), EVENT_ALERT_RESOLVED, detail));
	/* who is told: whoever had it before the recovery resolved it (resolving a triggered
	 * incident makes the alert's sender its acknowledger, and a notice to the monitoring
	 * tool would reach nobody) */
	to = inc->commander != NULL ? inc->commander : intake_first_oncall(c, inc, NULL);
	if (resolve)
		incident_apply(inc, &resolved, intake_sender(c), c->notify.now, o);
	if (intake_store_outcome(c, inc, o, err) != 0)
		return -1;
	if (to != NULL && !(quiet && !resolve) &&
	    notify_notice(&c->notify, inc, to,
	                  verified ? "The alert recovered" : "Unverified recovery",
	                  recovery_text(verified, resolve, firing), err) != 0)
		return -1;
	if (o->communicate && notify_status(&c->notify, inc, intake_sender(c), err) != 0)
		return -1;
	intake_decide(c, "alert", id, "recovery of the alert of INC-%" G_GINT64_FORMAT "%s", id,
	              resolve      ? ", incident resolved"
	              : !verified  ? " (unverified: not resolved), responders told"
	              : firing > 0 ? ", other alerts of it still fire"
	                           : ", responders told");
	return 0;
}

/* A verified alert for an incident an unverified mail declared first (a forger was
 * quicker than the monitoring): the incident is the real one, and the lists hear of it. */
static int
confirm_alert(struct ctx *c, gint64 id, GError **err)
{
	g_autoptr(incident) inc = NULL;
	int found = store_incident_get(c->store, id, &inc, err);

	if (found <= 0 || !inc->unverified)
		return found < 0 ? -1 : 0;
	inc->unverified = FALSE;
	if (store_incident_update(c->store, inc, err) != 0 ||
	    intake_add_event(c, id, intake_sender(c), EVENT_VERIFIED,
	                     "The alert came verified: the stakeholders hear of it from now on",
	                     err) != 0)
		return -1;
	return inc->severity >= 1 ? notify_status(&c->notify, inc, NULL, err) : 0;
}

/* A firing alert of an open incident: one more mail of it, nobody paged. */
static int
repeat(struct ctx *c, gint64 open, const struct alert *a, gboolean verified, GError **err)
{
	if (store_incident_alert_seen(c->store, open, a->fingerprint, FALSE, c->notify.now, err) !=
	        0 ||
	    intake_add_event(c, open, intake_sender(c), EVENT_ALERT_REPEAT, "Alert repeated",
	                     err) != 0)
		return -1;
	if (verified && confirm_alert(c, open, err) != 0)
		return -1;
	intake_decide(c, "alert", open,
	              "repeat of the alert of open INC-%" G_GINT64_FORMAT ", nobody paged", open);
	return 0;
}

int
intake_handle_alert(struct ctx *c, const struct alert *a, gboolean verified, GError **err)
{
	gint64 open = store_incident_open_by_fingerprint(c->store, a->fingerprint, err);

	/* a failed look-up is never "no open incident": that would declare it again */
	if (open < 0)
		return -1;
	if (c->x != NULL)
		c->x->incident = open;
	if (a->state == ALERT_FIRING && open == 0)
		return new_alert(c, a, verified, err);
	if (a->state == ALERT_FIRING)
		return repeat(c, open, a, verified, err);
	if (open == 0) {
		intake_decide(c, "alert", 0, "%s: %s with no open incident for it; nothing to do",
		              a->source,
		              a->state == ALERT_RESOLVED ? "a recovery" : "a state change");
		return 0;
	}
	if (a->state != ALERT_RESOLVED) {
		if (intake_add_event(c, open, intake_sender(c), EVENT_NOTE,
		                     "The alert changed state, not a recovery", err) != 0)
			return -1;
		intake_decide(c, "alert", open, "a state change that is not a recovery; recorded");
		return 0;
	}
	return recover(c, open, a, verified, err);
}
