/*
 * handoff: one notice per (schedule, shift start, person), recorded in the same transaction
 * as the mail it queues, so a crash can neither lose nor repeat it.
 */
#include "handoff.h"

#include "incident.h"
#include "notify.h"
#include "schedule.h"
#include "team.h"
#include "util.h"

#include <string.h>

/* A shift's length in seconds (a calendar day counted as 24 hours: only for "long ago"). */
static gint64
shift_seconds(const struct schedule *s)
{
	gint64 unit = s->shift_unit == 'w' ? 7 * 86400 : s->shift_unit == 'd' ? 86400 : 3600;

	return s->shift_count * unit;
}

/* The teams whose steps page schedule s, "payments, search", or "" for none. */
static char *
teams_of(const struct config *cfg, const struct schedule *s)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < cfg->teams->len; i++) {
		const struct team *t = cfg->teams->pdata[i];

		for (guint k = 0; k < t->steps->len; k++) {
			const struct team_step *st = t->steps->pdata[k];

			if (st->target == TARGET_SCHEDULE && strcmp(st->name, s->name) == 0) {
				g_string_append_printf(out, "%s%s", out->len ? ", " : "", t->name);
				break;
			}
		}
	}
	return g_string_free(out, FALSE);
}

/* The open incidents of those teams, one line each, or a sentence saying there are none. */
static char *
open_incidents(struct store *st, const char *teams, GError **err)
{
	g_autoptr(GPtrArray) all = store_incident_list(st, FALSE, err);
	g_auto(GStrv) names = g_strsplit(teams, ", ", -1);
	GString *out;

	if (all == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < all->len; i++) {
		const struct incident *inc = all->pdata[i];
		g_autofree char *sev = incident_severity_label(inc);

		if (inc->team == NULL || !g_strv_contains((const char *const *)names, inc->team))
			continue;
		g_string_append_printf(out, "%s  INC-%" G_GINT64_FORMAT " [%s] %s - %s\n",
		                       out->len ? "" : "Open incidents:\n\n", inc->id, sev,
		                       inc->title, incident_status_word(inc->status));
	}
	if (out->len == 0)
		g_string_append(out, *teams != '\0' ? "No incident of the team is open."
		                                    : "No incident is open.");
	return g_string_free(out, FALSE);
}

static int
notice(const struct config *cfg, struct store *st, const struct schedule *s, const char *who,
       gint64 since, gint64 until, gint64 now, GError **err)
{
	struct notify n = {cfg, st, now};
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autofree char *teams = teams_of(cfg, s);
	g_autofree char *key = g_strdup_printf("%s %" G_GINT64_FORMAT " %s", s->name, since, who);
	char *incidents = open_incidents(st, teams, err);

	if (incidents == NULL)
		return -1;
	g_hash_table_insert(vars, "schedule", g_strdup(s->name));
	g_hash_table_insert(vars, "team_note",
	                    *teams != '\0' ? g_strdup_printf(" (team %s)", teams) : g_strdup(""));
	g_hash_table_insert(vars, "from", schedule_format_local(s, MAX(since, now - 60)));
	g_hash_table_insert(vars, "until",
	                    until == G_MAXINT64 ? g_strdup("further notice (nobody follows)")
	                                        : schedule_format_local(s, until));
	g_hash_table_insert(vars, "incidents", incidents);
	return notify_person(&n, OUTBOX_NOTICE, who, "handoff", key, vars, NULL, err);
}

/* Handoffs between the last one noticed and the current one happened while sevmail was not
 * running: they are said in the log, never told late (their shifts may be over). */
static void
log_missed(struct store *st, const struct schedule *s, GPtrArray *overrides, gint64 since)
{
	gint64 last = 0, next;
	g_autoptr(GError) e = NULL;

	if (store_handoff_last(st, s->name, &last, &e) != 1)
		return;
	next = schedule_next_change(s, overrides, last);
	if (last < since && next < since) {
		g_autofree char *from = schedule_format_local(s, next);
		g_autofree char *to = schedule_format_local(s, since);

		g_message("%s: handoffs from %s until %s happened while sevmail was not running: "
		          "no notices for them",
		          s->name, from, to);
	}
}

/* 1 when a notice was queued, 0 when none was due, -1 + err. */
static int
handoff_one(const struct config *cfg, struct store *st, const struct schedule *s,
            GPtrArray *overrides, gint64 now, GError **err)
{
	gint64 since, until;
	const char *who = schedule_oncall(s, overrides, now, &since, &until);
	gboolean stale = since != G_MININT64 && since < now - shift_seconds(s);
	int seen = store_handoff_seen(st, s->name, since, who, err);
	int rc;

	if (seen != 0)
		return seen < 0 ? -1 : 0;
	log_missed(st, s, overrides, since);
	if (store_begin(st, err) != 0)
		return -1;
	rc = store_handoff_add(st, s->name, since, who, now, !stale, err);
	if (rc == 0 && !stale)
		rc = notice(cfg, st, s, who, since, until, now, err);
	if (rc == 0)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	if (rc == 0 && stale) {
		g_autofree char *at = schedule_format_local(s, since);

		g_message("%s: %s has been on call since %s, more than a shift ago (sevmail was "
		          "not running then): no handoff notice",
		          s->name, who, at);
	} else if (rc == 0) {
		g_message("%s: %s is on call now: handoff notice queued", s->name, who);
	}
	return rc == 0 && !stale ? 1 : rc;
}

int
handoff_run(const struct config *cfg, struct store *st, gint64 now)
{
	g_autoptr(GError) read = NULL;
	/* a month back is enough to tell since when the current person is on call */
	g_autoptr(GPtrArray) overrides =
	    cfg->schedules->len > 0 ? store_overrides(st, now - 31 * 86400, &read) : NULL;
	int told = 0;

	if (cfg->schedules->len > 0 && overrides == NULL) {
		g_warning("handoff notices skipped: %s", read->message);
		return 0;
	}
	for (guint i = 0; i < cfg->schedules->len; i++) {
		const struct schedule *s = cfg->schedules->pdata[i];
		g_autoptr(GError) e = NULL;
		int rc = handoff_one(cfg, st, s, overrides, now, &e);

		if (rc < 0)
			g_warning("%s: handoff notice not sent yet: %s", s->name, e->message);
		else
			told += rc;
	}
	return told;
}
