/*
 * stats: counts, MTTA and MTTR by severity over the incidents' events, for `sevmail stats`.
 * Pure: incidents and events in, a plain struct out (view.c renders it as JSON; the text
 * rendering is here).
 */
#ifndef SEVMAIL_STATS_H
#define SEVMAIL_STATS_H

#include "incident.h"
#include <glib.h>

/* One duration series: how many incidents it measured and its nearest-rank percentiles. */
struct stats_durations {
	guint count;   /* incidents that reached the point (acknowledged / resolved) */
	gint64 median; /* seconds, nearest-rank 50th percentile; -1 when count == 0 (JSON null) */
	gint64 p90;    /* seconds, nearest-rank 90th percentile; -1 when count == 0 (JSON null) */
};

struct stats_row {
	guint incidents;             /* incidents declared (in the period) */
	struct stats_durations mtta; /* created_at -> acked_at, acknowledged incidents only */
	struct stats_durations mttr; /* created_at -> resolved_at, resolved incidents only */
};

/* One team's incidents (DESIGN.md: stats by team). */
struct stats_team {
	char *team; /* "default" for incidents of no [team:] */
	struct stats_row row;
};

struct stats {
	gint64 since;                    /* unix time of the period's start; 0 = all history */
	guint incidents;                 /* == all.incidents */
	guint open;                      /* of those, not resolved or closed now */
	struct stats_row by_severity[4]; /* [1..3] = SEV 1..3, [0] = not assessed */
	struct stats_row all;            /* every incident, whatever its severity */
	guint escalations;               /* `escalated` events */
	guint alerts_deduplicated;       /* `alert_repeat` events: alert mails that paged nobody */
	GPtrArray *by_team;              /* struct stats_team *, by name; every team with one */
};

/* Counts the incidents declared at or after since (0: all) and, for those, all their
 * events. events_per_incident[i] (GPtrArray of struct event *) belongs to incidents[i];
 * it may be NULL, or hold NULL for an incident without events. Caller frees with stats_free
 * (or g_autoptr(stats)). */
struct stats *stats_compute(GPtrArray *incidents, GPtrArray *events_per_incident, gint64 since);
void stats_free(struct stats *s);
typedef struct stats stats; /* for g_autoptr(stats) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(stats, stats_free)

/* The nearest-rank percentile p (1-100) of n sorted values: the value at rank
 * ceil(p / 100 * n). -1 when n == 0. */
gint64 stats_percentile(const gint64 *sorted, guint n, int p);

/* A table for people: period, incidents, MTTA and MTTR (median and p90) per severity and
 * per team,
 * escalations and de-duplicated alerts. Caller frees. */
char *stats_text(const struct stats *s);

#endif
