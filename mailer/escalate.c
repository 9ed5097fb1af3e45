/*
 * escalate: re-pages and reminders, computed from the events alone (what was paged when,
 * what was reminded when), so a restart or a crash loses no timer and repeats no step.
 */
#include "escalate.h"

#include "bounce.h"
#include "notify.h"
#include "team.h"
#include "util.h"
#include <string.h>

GPtrArray *
escalate_oncall_order(const struct config *cfg, gint64 now)
{
	GPtrArray *order = g_ptr_array_new();
	guint n = cfg->rotation != NULL ? g_strv_length(cfg->rotation) : 0;

	if (n > 0) {
		gint64 turns = now > cfg->rotation_start
		                   ? (now - cfg->rotation_start) / cfg->rotation_length
		                   : 0;

		for (guint i = 0; i < n; i++)
			g_ptr_array_add(order, cfg->rotation[(turns + i) % n]);
		return order;
	}
	for (guint i = 0; i < cfg->responders->len; i++) {
		const struct responder *r = cfg->responders->pdata[i];

		if (r->roles & ROLE_ONCALL)
			g_ptr_array_add(order, r->address);
	}
	return order;
}

/* One round: the first on-call again, each next on-call, then every commander (one
 * step that pages them all). */
static GPtrArray *
round_steps(const struct config *cfg, gint64 now)
{
	g_autoptr(GPtrArray) oncall = escalate_oncall_order(cfg, now);
	GPtrArray *steps = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	GPtrArray *commanders = g_ptr_array_new();

	for (guint i = 0; i < oncall->len; i++) {
		GPtrArray *one = g_ptr_array_new();

		g_ptr_array_add(one, oncall->pdata[i]);
		g_ptr_array_add(steps, one);
	}
	for (guint i = 0; i < cfg->responders->len; i++) {
		const struct responder *r = cfg->responders->pdata[i];

		if (r->roles & ROLE_COMMANDER)
			g_ptr_array_add(commanders, r->address);
	}
	if (commanders->len > 0)
		g_ptr_array_add(steps, commanders);
	else
		g_ptr_array_unref(commanders);
	return steps;
}

/* What last_event looks for. */
static gboolean
is_escalated(enum event_kind k)
{
	return k == EVENT_ESCALATED;
}

static gboolean
pages(enum event_kind k)
{
	return event_kind_info(k)->pages;
}

static gboolean
told(enum event_kind k)
{
	return event_kind_info(k)->told;
}

static gboolean
is_postmortem_reminder(enum event_kind k)
{
	return k == EVENT_POSTMORTEM_REMINDED;
}

/* The newest event whose kind matches, or 0; *count counts them. */
static gint64
last_event(GPtrArray *events, gboolean (*match)(enum event_kind), int *count)
{
	gint64 last = 0;

	if (count != NULL)
		*count = 0;
	for (guint i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (!match(e->kind))
			continue;
		last = MAX(last, e->at);
		if (count != NULL)
			(*count)++;
	}
	return last;
}

/* The end of a step's transaction: its event, then commit (or roll back what rc says
 * failed), and the log line. */
static int
step_finish(struct store *s, struct incident *inc, enum event_kind kind, const char *detail,
            gint64 now, int rc, GError **err)
{
	struct event *e = event_make(now, "sevmail", kind, detail);

	if (rc == 0)
		rc = store_event_add(s, inc->id, e, NULL, err);
	event_free(e);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	g_message("INC-%" G_GINT64_FORMAT ": %s", inc->id, detail);
	return rc;
}

/* A step in its own transaction: the event, the participants, the mail. */
static int
step(const struct config *cfg, struct store *s, struct incident *inc, enum event_kind kind,
     const char *detail, GPtrArray *to, const char *reminder, gint64 now, GError **err)
{
	struct notify n = {cfg, s, now};
	int rc = store_begin(s, err);

	for (guint i = 0; rc == 0 && i < to->len; i++) {
		if (reminder == NULL)
			rc = store_participant_paged(s, inc->id, to->pdata[i], err);
		if (rc == 0)
			rc = reminder != NULL
			         ? notify_notice(&n, inc, to->pdata[i], "Reminder", reminder, err)
			         : notify_repage(&n, inc, to->pdata[i], err);
	}
	return step_finish(s, inc, kind, detail, now, rc, err);
}

static char *
joined(GPtrArray *addresses)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < addresses->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)addresses->pdata[i]);
	return g_string_free(s, FALSE);
}

void
escalate_step_clear(struct escalate_step *st)
{
	g_clear_pointer(&st->to, g_ptr_array_unref);
}

/* The default team: ack_timeout after the last page, the next of the round's steps. */
static gboolean
next_default(const struct config *cfg, const struct incident *inc, GPtrArray *events, gint64 now,
             struct escalate_step *out)
{
	g_autoptr(GPtrArray) steps = round_steps(cfg, now);
	gint64 last = last_event(events, pages, NULL);
	int done = 0;

	last_event(events, is_escalated, &done);
	if (steps->len == 0 || done >= (int)steps->len * cfg->repeat)
		return FALSE;
	out->since = last != 0 ? last : inc->created_at;
	out->due = out->since + cfg->ack_timeout;
	out->round = done / (int)steps->len + 1;
	out->rounds = cfg->repeat;
	out->to = g_ptr_array_ref(steps->pdata[done % steps->len]);
	return TRUE;
}

gboolean
escalate_next(const struct config *cfg, const struct incident *inc, GPtrArray *events,
              GPtrArray *overrides, gint64 now, struct escalate_step *out)
{
	const struct team *t = team_find(cfg, inc->team);
	guint done = 0, n;

	*out = (struct escalate_step){0};
	if (t == NULL)
		return next_default(cfg, inc, events, now, out);
	/* the steps taken since this ladder started; the first step was the first page */
	for (guint i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (e->kind == EVENT_ESCALATED && e->at >= inc->ladder_at)
			done++;
	}
	n = done + 1;
	if (inc->ladder_at == 0 || n >= team_ladder_length(t))
		return FALSE;
	out->since = inc->ladder_at;
	out->due = team_step_due(t, n, inc->ladder_at);
	out->round = (int)(n / t->steps->len) + 1;
	out->rounds = t->repeat + 1;
	out->to = team_step_people(cfg, t, n, overrides, now);
	return TRUE;
}

GPtrArray *
escalate_first(const struct config *cfg, const struct incident *inc, GPtrArray *overrides,
               gint64 now, const char *except)
{
	const struct team *t = team_find(cfg, inc->team);
	g_autoptr(GPtrArray) order = t != NULL ? team_step_people(cfg, t, 0, overrides, now)
	                                       : escalate_oncall_order(cfg, now);
	GPtrArray *to = g_ptr_array_new();

	for (guint i = 0; i < order->len; i++) {
		if (g_strcmp0(order->pdata[i], except) == 0)
			continue;
		g_ptr_array_add(to, order->pdata[i]);
		if (t == NULL)
			break; /* the default team pages its first on-call only */
	}
	return to;
}

/* Leaves out of to the addresses in gone. */
static void
without(GPtrArray *to, GPtrArray *gone)
{
	for (guint i = to->len; i-- > 0;)
		for (guint k = 0; k < gone->len; k++)
			if (g_ascii_strcasecmp(to->pdata[i], gone->pdata[k]) == 0) {
				g_ptr_array_remove_index(to, i);
				break;
			}
}

/* Takes the step st (due, or hurried by a bounce). *paged_nobody: everyone it names had
 * their mail bounce, so it was passed. 0, or -1 + err. */
static int
take(const struct config *cfg, struct store *s, struct incident *inc, struct escalate_step *st,
     GPtrArray *gone, gint64 now, gboolean *paged_nobody, GError **err)
{
	g_autofree char *who = NULL, *detail = NULL, *waited = NULL;
	guint named = st->to->len;

	if (gone != NULL)
		without(st->to, gone);
	*paged_nobody = named > 0 && st->to->len == 0;
	who = st->to->len > 0 ? joined(st->to)
	      : *paged_nobody ? g_strdup("nobody (mail to the people of this step bounces)")
	                      : g_strdup("nobody (the step names no one)");
	waited = util_duration(now - st->since);
	detail = g_strdup_printf(gone != NULL ? "The last page bounced after %s: paged %s (round "
	                                        "%d of %d)"
	                                      : "Not acknowledged after %s: paged %s (round %d of "
	                                        "%d)",
	                         waited, who, st->round, st->rounds);
	return step(cfg, s, inc, EVENT_ESCALATED, detail, st->to, NULL, now, err);
}

/* Not acknowledged: the next step of the ladder once it is due. A page that bounced reached
 * nobody, so waiting for its ACK would be waiting for nothing: the next step is due at once,
 * and a step that names only people whose mail bounced is passed (recorded, no mail) for
 * the one after it. Returns 1 when a step was taken. */
static int
escalate(const struct config *cfg, struct store *s, struct incident *inc, GPtrArray *events,
         GPtrArray *overrides, gint64 now, GError **err)
{
	gboolean bounced = bounce_last_page_bounced(events);
	g_autoptr(GPtrArray) gone = bounced ? store_incident_bounced(s, inc->id, err) : NULL;
	gboolean passed = TRUE;

	if (bounced && gone == NULL)
		return -1;
	/* bounded by the ladder: each pass records one more "escalated" event */
	for (int taken = 0; passed; taken++) {
		struct escalate_step st;
		int rc;

		if (!escalate_next(cfg, inc, events, overrides, now, &st))
			return taken > 0;
		if (now < st.due && !bounced) {
			escalate_step_clear(&st);
			return taken > 0;
		}
		rc = take(cfg, s, inc, &st, gone, now, &passed, err);
		escalate_step_clear(&st);
		if (rc != 0)
			return -1;
		g_ptr_array_add(events, event_make(now, "sevmail", EVENT_ESCALATED, "passed"));
	}
	return 1;
}

/* A low-urgency incident declared outside business hours: its first page when they begin,
 * or as soon as its severity is no longer low urgency (a worse alert joined it); an ACK
 * before then took it out of triggered, and nothing is sent. */
static int
release(const struct config *cfg, struct store *s, struct incident *inc, GPtrArray *overrides,
        gint64 now, GError **err)
{
	const struct team *t = team_find(cfg, inc->team);
	struct notify n = {cfg, s, now};
	g_autoptr(GPtrArray) to = NULL;
	g_autofree char *who = NULL, *detail = NULL;
	int rc;

	if (team_defers(t, inc->severity, now))
		return 0;
	inc->ladder_at = now;
	to = escalate_first(cfg, inc, overrides, now, NULL);
	who = to->len > 0 ? joined(to) : g_strdup("nobody (no one on call)");
	detail = t == NULL || team_business_hours(t, now)
	             ? g_strdup_printf("Business hours began: paged %s (the low-urgency page "
	                               "waited)",
	                               who)
	             : g_strdup_printf("SEV %d is not low urgency: paged %s (the page had waited "
	                               "for business hours)",
	                               inc->severity, who);
	if (store_begin(s, err) != 0)
		return -1;
	rc = store_incident_update(s, inc, err);
	for (guint i = 0; rc == 0 && i < to->len; i++)
		if ((rc = store_participant_paged(s, inc->id, to->pdata[i], err)) == 0)
			rc = notify_page(&n, inc, to->pdata[i], err);
	return step_finish(s, inc, EVENT_PAGED, detail, now, rc, err) == 0 ? 1 : -1;
}

/* A snooze ran out: the incident is triggered again and whoever had it is paged again;
 * escalation goes on from there. */
static int
wake(const struct config *cfg, struct store *s, struct incident *inc, gint64 now, GError **err)
{
	struct notify n = {cfg, s, now};
	g_autoptr(incident_outcome) o = incident_outcome_new();
	g_autofree char *who = g_strdup(inc->commander != NULL ? inc->commander : inc->acked_by);
	g_autofree char *paged = NULL;
	int rc;

	incident_enter_status(inc, STATUS_TRIGGERED, "sevmail", now, o);
	if (who != NULL) {
		paged = g_strdup_printf("Snooze over: paged %s again", who);
		g_ptr_array_add(o->events, event_make(now, "sevmail", EVENT_PAGED, paged));
	}
	if ((rc = store_begin(s, err)) != 0)
		return -1;
	rc = store_incident_update(s, inc, err);
	for (guint i = 0; rc == 0 && i < o->events->len; i++)
		rc = store_event_add(s, inc->id, o->events->pdata[i], NULL, err);
	if (rc == 0 && who != NULL)
		rc = notify_repage(&n, inc, who, err);
	if (rc == 0 && o->communicate)
		rc = notify_status(&n, inc, NULL, err);
	if (rc == 0)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	g_message("INC-%" G_GINT64_FORMAT ": snooze over, triggered again", inc->id);
	return rc == 0 ? 1 : -1;
}

/* A SEV1/SEV2 still open: the commander is reminded when no status mail went out (and no
 * reminder either) for update_interval. */
static int
remind_update(const struct config *cfg, struct store *s, struct incident *inc, GPtrArray *events,
              gint64 now, GError **err)
{
	g_autoptr(GPtrArray) to = g_ptr_array_new();
	gint64 last = MAX(last_event(events, told, NULL), inc->created_at);
	g_autofree char *quiet = NULL, *detail = NULL, *text = NULL;

	if (inc->severity < 1 || inc->severity > 2 || inc->commander == NULL ||
	    inc->status == STATUS_TRIGGERED || now < last + cfg->update_interval)
		return 0;
	g_ptr_array_add(to, inc->commander);
	quiet = util_duration(now - last);
	detail = g_strdup_printf("Reminded %s: no status update for %s", inc->commander, quiet);
	text = g_strdup_printf("No status update for %s. Reply UPDATE: what changed, or IMPACT: "
	                       "and NEXT: lines, so the stakeholders hear from you.",
	                       quiet);
	return step(cfg, s, inc, EVENT_REMINDED, detail, to, text, now, err) == 0 ? 1 : -1;
}

/* Resolved SEV1/SEV2 without a post-mortem: the commander is reminded once [postmortem]
 * due has passed, and again every further `due`. */
static int
remind_postmortem(const struct config *cfg, struct store *s, struct incident *inc,
                  GPtrArray *events, gint64 now, GError **err)
{
	g_autoptr(GPtrArray) to = g_ptr_array_new();
	gint64 last = MAX(last_event(events, is_postmortem_reminder, NULL), inc->resolved_at);
	g_autofree char *waited = NULL, *detail = NULL, *text = NULL;

	if (inc->severity < 1 || inc->severity > 2 || inc->status != STATUS_RESOLVED ||
	    inc->resolved_at == 0 || now < last + cfg->postmortem_due)
		return 0;
	g_ptr_array_add(to, inc->commander != NULL ? inc->commander : inc->acked_by);
	if (to->pdata[0] == NULL)
		return 0;
	waited = util_duration(now - inc->resolved_at);
	detail = g_strdup_printf("Post-mortem due: resolved %s ago, reminded %s", waited,
	                         (const char *)to->pdata[0]);
	text = g_strdup_printf("INC-%" G_GINT64_FORMAT " was resolved %s ago and has no "
	                       "post-mortem yet. Reply ROOT CAUSE: and ACTION: lines, then "
	                       "POSTMORTEM (or POSTMORTEM MEETING 2026-12-01 15:00).",
	                       inc->id, waited);
	if (step(cfg, s, inc, EVENT_POSTMORTEM_REMINDED, detail, to, text, now, err) != 0)
		return -1;
	return 1;
}

int
escalate_run(const struct config *cfg, struct store *s, gint64 now, GError **err)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) incidents = store_incidents_for_timers(s, &e);
	g_autoptr(GPtrArray) overrides = incidents != NULL && cfg->schedules->len > 0
	                                     ? store_overrides(s, now - 31 * 86400, &e)
	                                     : NULL;
	int taken = 0;

	if (incidents == NULL || (cfg->schedules->len > 0 && overrides == NULL)) {
		/* no timer fires on what could not be read: tried again at the next tick */
		g_warning("timers skipped: %s", e->message);
		return 0;
	}
	for (guint i = 0; i < incidents->len; i++) {
		struct incident *inc = incidents->pdata[i];
		g_autoptr(GPtrArray) events = NULL;
		int rc = 0;

		if (inc->status == STATUS_CLOSED)
			continue;
		if ((events = store_events(s, inc->id, err)) == NULL)
			rc = -1;
		else if (inc->snooze_until != 0 && now >= inc->snooze_until &&
		         (inc->status == STATUS_INVESTIGATING || inc->status == STATUS_MITIGATING))
			rc = wake(cfg, s, inc, now, err);
		else if (inc->status == STATUS_TRIGGERED && inc->ladder_at == 0)
			rc = release(cfg, s, inc, overrides, now, err);
		else if (inc->status == STATUS_TRIGGERED)
			rc = escalate(cfg, s, inc, events, overrides, now, err);
		else if (inc->status == STATUS_RESOLVED)
			rc = remind_postmortem(cfg, s, inc, events, now, err);
		else
			rc = remind_update(cfg, s, inc, events, now, err);
		if (rc < 0) {
			/* one incident's failure never stops the others' timers, nor the
			 * outbox: it is logged and tried again at the next tick */
			g_warning("INC-%" G_GINT64_FORMAT ": timer step failed: %s", inc->id,
			          err != NULL && *err != NULL ? (*err)->message : "unknown error");
			g_clear_error(err);
			continue;
		}
		taken += rc;
	}
	return taken;
}
