/*
 * stats: how the incident process performs: how many incidents of each severity, how fast
 * they were acknowledged and resolved, how often nobody answered and how much alert noise
 * was absorbed.
 */
#include "stats.h"

#include "util.h"
#include <string.h>

static int
compare_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, not interpolation: every reported value is one an incident really had, and
 * the median of an even count is the lower middle value. */
gint64
stats_percentile(const gint64 *sorted, guint n, int p)
{
	guint rank;

	if (n == 0)
		return -1;
	rank = (guint)(((guint64)p * n + 99) / 100); /* ceil(p * n / 100) */
	rank = CLAMP(rank, 1, n);
	return sorted[rank - 1];
}

static void
summarize(GArray *values, struct stats_durations *d)
{
	g_array_sort(values, compare_gint64);
	d->count = values->len;
	d->median = stats_percentile((gint64 *)(void *)values->data, values->len, 50);
	d->p90 = stats_percentile((gint64 *)(void *)values->data, values->len, 90);
}

static void
count_events(struct stats *s, GPtrArray *events)
{
	for (guint i = 0; events != NULL && i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (e->kind == EVENT_ESCALATED)
			s->escalations++;
		else if (e->kind == EVENT_ALERT_REPEAT)
			s->alerts_deduplicated++;
	}
}

static void
team_free(gpointer p)
{
	struct stats_team *t = p;

	g_free(t->team);
	g_free(t);
}

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	if (s->by_team != NULL)
		g_ptr_array_unref(s->by_team);
	g_free(s);
}

static gint
team_order(gconstpointer a, gconstpointer b)
{
	return g_strcmp0((*(struct stats_team *const *)a)->team,
	                 (*(struct stats_team *const *)b)->team);
}

/* The counts and durations of one team's incidents of the period. */
static void
team_row(GPtrArray *incidents, const char *team, gint64 since, struct stats_row *row)
{
	g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) fixes = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint i = 0; i < incidents->len; i++) {
		const struct incident *inc = incidents->pdata[i];
		gint64 tta = MAX(inc->acked_at - inc->created_at, 0);
		gint64 ttr = MAX(inc->resolved_at - inc->created_at, 0);

		if (inc->created_at < since ||
		    g_strcmp0(inc->team != NULL ? inc->team : "default", team) != 0)
			continue;
		row->incidents++;
		if (inc->acked_at != 0)
			g_array_append_val(acks, tta);
		if (inc->resolved_at != 0)
			g_array_append_val(fixes, ttr);
	}
	summarize(acks, &row->mtta);
	summarize(fixes, &row->mttr);
}

static GPtrArray *
by_team(GPtrArray *incidents, gint64 since)
{
	GPtrArray *teams = g_ptr_array_new_with_free_func(team_free);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; incidents != NULL && i < incidents->len; i++) {
		const struct incident *inc = incidents->pdata[i];
		const char *name = inc->team != NULL ? inc->team : "default";
		struct stats_team *t;

		if (inc->created_at < since || g_hash_table_contains(seen, name))
			continue;
		g_hash_table_add(seen, (gpointer)name);
		t = g_new0(struct stats_team, 1);
		t->team = g_strdup(name);
		team_row(incidents, name, since, &t->row);
		g_ptr_array_add(teams, t);
	}
	g_ptr_array_sort(teams, team_order);
	return teams;
}

struct stats *
stats_compute(GPtrArray *incidents, GPtrArray *events_per_incident, gint64 since)
{
	struct stats *s = g_new0(struct stats, 1);
	GArray *acks[5], *fixes[5]; /* [0..3] by severity, [4] all */

	s->since = since;
	for (int k = 0; k < 5; k++) {
		acks[k] = g_array_new(FALSE, FALSE, sizeof(gint64));
		fixes[k] = g_array_new(FALSE, FALSE, sizeof(gint64));
	}
	for (guint i = 0; incidents != NULL && i < incidents->len; i++) {
		const struct incident *inc = incidents->pdata[i];
		int sev = inc->severity >= 1 && inc->severity <= 3 ? inc->severity : 0;
		gint64 tta = inc->acked_at - inc->created_at;
		gint64 ttr = inc->resolved_at - inc->created_at;

		if (inc->created_at < since)
			continue;
		s->by_severity[sev].incidents++;
		s->all.incidents++;
		if (inc->status != STATUS_RESOLVED && inc->status != STATUS_CLOSED)
			s->open++;
		/* a clock step backwards must not make a negative duration */
		if (inc->acked_at != 0) {
			tta = MAX(tta, 0);
			g_array_append_val(acks[sev], tta);
			g_array_append_val(acks[4], tta);
		}
		if (inc->resolved_at != 0) {
			ttr = MAX(ttr, 0);
			g_array_append_val(fixes[sev], ttr);
			g_array_append_val(fixes[4], ttr);
		}
		if (events_per_incident != NULL && i < events_per_incident->len)
			count_events(s, events_per_incident->pdata[i]);
	}
	for (int k = 0; k < 5; k++) {
		struct stats_row *row = k < 4 ? &s->by_severity[k] : &s->all;

		summarize(acks[k], &row->mtta);
		summarize(fixes[k], &row->mttr);
		g_array_unref(acks[k]);
		g_array_unref(fixes[k]);
	}
	s->incidents = s->all.incidents;
	s->by_team = by_team(incidents, since);
	return s;
}

static char *
cell(gint64 seconds)
{
	return seconds < 0 ? g_strdup("-") : util_duration(seconds);
}

static void
row_text(GString *out, const char *label, const struct stats_row *r)
{
	g_autofree char *a50 = cell(r->mtta.median), *a90 = cell(r->mtta.p90);
	g_autofree char *r50 = cell(r->mttr.median), *r90 = cell(r->mttr.p90);

	g_string_append_printf(out, "%-12s %9u  %-11s %-11s %-11s %s\n", label, r->incidents, a50,
	                       a90, r50, r90);
}

char *
stats_text(const struct stats *s)
{
	static const char *const labels[] = {"not assessed", "SEV 1", "SEV 2", "SEV 3"};
	GString *out = g_string_new(NULL);

	if (s->since != 0) {
		g_autofree char *since = util_human_time(s->since);

		g_string_append_printf(out, "Incidents declared since %s: %u (%u open)\n\n", since,
		                       s->incidents, s->open);
	} else {
		g_string_append_printf(out, "Incidents: %u (%u open)\n\n", s->incidents, s->open);
	}
	g_string_append_printf(out, "%-12s %9s  %-11s %-11s %-11s %s\n", "severity", "incidents",
	                       "MTTA median", "MTTA p90", "MTTR median", "MTTR p90");
	for (int sev = 1; sev <= 3; sev++)
		row_text(out, labels[sev], &s->by_severity[sev]);
	if (s->by_severity[0].incidents > 0)
		row_text(out, labels[0], &s->by_severity[0]);
	row_text(out, "all", &s->all);
	if (s->by_team->len > 1 ||
	    (s->by_team->len == 1 &&
	     strcmp(((struct stats_team *)s->by_team->pdata[0])->team, "default") != 0)) {
		g_string_append_printf(out, "\n%-12s %9s\n", "team", "incidents");
		for (guint i = 0; i < s->by_team->len; i++) {
			const struct stats_team *t = s->by_team->pdata[i];

			row_text(out, t->team, &t->row);
		}
	}
	g_string_append_printf(out,
	                       "\nMTTA counts acknowledged incidents only, MTTR resolved ones; "
	                       "percentiles are nearest-rank.\n"
	                       "Escalations (nobody acknowledged in time): %u\n"
	                       "Alert repeats absorbed (no new incident, nobody paged): %u\n",
	                       s->escalations, s->alerts_deduplicated);
	return g_string_free(out, FALSE);
}
