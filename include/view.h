/*
 * view: incidents as people read them and as JSON (DESIGN.md's `show --json` shape). The
 * only module that sees json-glib.
 */
#ifndef SEVMAIL_VIEW_H
#define SEVMAIL_VIEW_H

#include "config.h"
#include "incident.h"
#include "intake.h"
#include "store.h"

/* What an incident's view shows from beyond its own row. */
struct view_extra {
	GPtrArray *alerts; /* struct incident_alert *, in the order they came */
	GPtrArray *paged;  /* char *, the addresses paged so far */
};

/* One incident with its timeline (events may be NULL for a one-line summary; extra may be
 * NULL). */
char *view_incident_text(const struct incident *inc, GPtrArray *events,
                         const struct view_extra *extra);
/* The object of DESIGN.md; events NULL leaves the "events" member out, extra NULL the
 * "alerts" and "paged" members. */
char *view_incident_json(const struct incident *inc, GPtrArray *events,
                         const struct view_extra *extra);
/* An array of incident objects without events; extras: a parallel GArray of struct
 * view_extra, or NULL. */
char *view_incidents_json(GPtrArray *incidents, GArray *extras);
/* [{"name", "address", "severities", "policy", "subscribers"}] for the configured lists
 * (struct list_config *) and their subscribers (one GPtrArray of char * per list). */
char *view_lists_json(GPtrArray *lists, GPtrArray *subscribers);

/* Who is on call for one schedule (DESIGN.md's oncall --json): since G_MININT64 and until
 * G_MAXINT64 mean "never" (null); next is NULL when nobody else ever comes. */
struct view_oncall {
	const char *schedule, *time_zone, *oncall;
	gint64 since, until;
	const char *next;
};
/* [{"schedule", "time_zone", "oncall", "since", "until", "next"}] of a GArray of struct
 * view_oncall. */
char *view_oncall_json(GArray *entries);

/* [{"id", "schedule", "person", "from", "until"}] of struct schedule_override * (DESIGN.md's
 * overrides --json). */
char *view_overrides_json(GPtrArray *overrides);
/* Maintenance windows (struct window *) as DESIGN.md's maintenance --json: [{"id",
 * "match", "from", "until", "reason", "by"}], until being when each stops holding. */
char *view_windows_json(GPtrArray *windows);

/* A heartbeat monitor (DESIGN.md's heartbeats --json); last_seen 0 for never. */
struct view_heartbeat {
	const char *name;
	gint64 last_seen, due;
	const char *state; /* ok, late, missing */
};
/* [{"name", "last_seen", "due", "state"}] of a GArray of struct view_heartbeat. */
char *view_heartbeats_json(GArray *entries);

/* What `sevmail prune --json` prints: the messages whose raw bytes it
 * dropped, received before `before`, and, for a SQLite file (file TRUE), how the file uses
 * its pages afterwards. */
struct view_prune {
	gint64 pruned, before;
	gboolean vacuumed;
	gboolean file, incremental;
	gint64 page_size, pages, free_pages, given_back;
};
/* {"pruned", "before", "vacuumed", "file": {"page_size", "pages", "free_pages",
 * "given_back", "incremental"} or null}. */
char *view_prune_json(const struct view_prune *p);

/* Counts, MTTA and MTTR by severity (DESIGN.md's stats --json). */
struct stats;
char *view_stats_json(const struct stats *st);

/* The outbox (struct outbox_row *) as JSON, or as text for people. */
char *view_outbox_json(GPtrArray *rows);
char *view_outbox_text(GPtrArray *rows);
/* The quarantine (struct quarantined *) as JSON, or as text for people. */
char *view_quarantine_json(GPtrArray *rows);
char *view_quarantine_text(GPtrArray *rows);

/* How a message is read (DESIGN.md's explain --json), as JSON or as text for people. */
char *view_explain_json(const struct intake_result *r, const struct intake_explain *x);
char *view_explain_text(const struct intake_result *r, const struct intake_explain *x);

#endif
