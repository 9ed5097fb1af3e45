/*
 * route: what an alert mail is to sevmail (DESIGN.md, "Teams, schedules and escalation
 * policies", "Noise control"), decided from the configuration, the mail and the time alone:
 * its team, whether a maintenance window holds it back, whether it is a heartbeat. Pure.
 */
#ifndef SEVMAIL_ROUTE_H
#define SEVMAIL_ROUTE_H

#include "alert.h"
#include "config.h"

/* Error domain of a maintenance window that cannot be made as asked. */
#define ROUTE_ERROR (route_error_quark())
GQuark route_error_quark(void);

/* The team an alert is routed to: the first [team:] (file order) whose match holds for the
 * alert's labels, sender, subject and source; NULL for "default". */
const struct team *route_team(const struct config *cfg, const struct alert *a, const char *sender,
                              const char *subject);

/* The alert group of an alert routed to team t (NULL: default) under [alerts] group_by: the
 * team and each group_by label with its value (a missing label counts as empty), one per
 * line; NULL when grouping is off (group_by empty). Caller frees. */
char *route_group_key(const struct config *cfg, const struct team *t, const struct alert *a);

/* An open incident, as the grouping decision sees it. */
struct route_candidate {
	gint64 id;
	const char *group_key; /* or NULL: it takes no alerts of a group */
	gint64 created_at;
	gboolean open; /* neither resolved nor closed */
};

/* The incident a new alert of group `key` joins at now: the newest open candidate with that
 * group key declared less than [alerts] group_window ago; 0 when none (or key is NULL). */
gint64 route_group_join(const struct config *cfg, const char *key,
                        const struct route_candidate *candidates, gsize n, gint64 now);

/* What the storm guard does with a new alert that no incident takes. */
enum route_storm {
	ROUTE_STORM_NONE,    /* no storm: it declares an incident of its own */
	ROUTE_STORM_DECLARE, /* a storm begins: it declares the one "Alert storm" incident */
	ROUTE_STORM_JOIN,    /* it joins the open "Alert storm" incident */
};

/* The storm guard at now: declared is how many incidents alerts declared within the last
 * [alerts] storm period (the storm incident aside), storm_at when the open "Alert storm"
 * incident was declared (0: none is open). A storm is on while declared has reached the
 * limit (the next would be one more than it allows) and for one period after the storm
 * incident's declaration; an open storm incident takes the alerts of a later storm too. */
enum route_storm route_storm(const struct config *cfg, int declared, gint64 storm_at, gint64 now);

/* --- maintenance windows --- */

/* A maintenance window, as stored: matching alerts declare nothing from starts_at until its
 * end. */
struct window {
	gint64 id;
	char *match; /* the key=glob expression, normalised (match_text) */
	gint64 starts_at, ends_at;
	gint64 ended_at; /* when `maintenance end` cut it short, or 0 */
	char *reason;    /* or NULL */
	char *by;        /* who made it: an address, or "NAME (command line)" */
};
void route_window_free(struct window *w);

/* The longest window: a week. Longer quiet would be forgotten rather than planned. */
#define ROUTE_WINDOW_MAX (7 * 86400)

/* When w stops holding: ends_at, or ended_at when it was ended before that. */
gint64 route_window_end(const struct window *w);
/* TRUE while w holds: from starts_at until its end. */
gboolean route_window_active(const struct window *w, gint64 now);
/* The first window (struct window *, in order) active at now whose match holds for the
 * alert, its sender and subject; NULL when none does. */
const struct window *route_window_for(GPtrArray *windows, const struct alert *a, const char *sender,
                                      const char *subject, gint64 now);
/* Whether a window may be made of this match and length: 0 with *normal (the match as
 * match_text writes it; caller frees), or -1 + err with a sentence for the person who
 * asked (a match that cannot be read, a length of zero or over ROUTE_WINDOW_MAX). */
int route_window_check(const char *match, gint64 seconds, char **normal, GError **err);
/* MAINTENANCE's argument "MATCH DURATION [REASON]" ("host=db-1 2h kernel upgrade",
 * "host=db-1, host=db-2 1h30m"): the match is the words before the first that is a
 * duration, the reason what follows it (NULL when nothing). 0 and the parts (the match
 * normalised; caller frees), or -1 + err as route_window_check says. */
int route_window_request(const char *text, char **match, gint64 *seconds, char **reason,
                         GError **err);

/* An alert's labels as text to store ("name=value" lines, values escaped as C strings),
 * and back: route_labels_parse gives a table for struct alert's labels. Caller frees. */
char *route_labels_text(const struct alert *a);
GHashTable *route_labels_parse(const char *text);

/* --- heartbeats --- */

/* The [heartbeat:] (file order) whose match holds for a mail: a the alert a detector read
 * in it, or NULL (then only sender and subject can match). NULL when none holds. */
const struct heartbeat *route_heartbeat(const struct config *cfg, const struct alert *a,
                                        const char *sender, const char *subject);

enum route_beat {
	ROUTE_BEAT_OK,      /* the next heartbeat is not due yet */
	ROUTE_BEAT_LATE,    /* due, within the grace */
	ROUTE_BEAT_MISSING, /* none for every + grace: an incident is declared */
};
/* A heartbeat monitor at now, counted from since (its last heartbeat, or when sevmail
 * first saw the section); *due gets since + every. */
enum route_beat route_heartbeat_state(const struct heartbeat *h, gint64 since, gint64 now,
                                      gint64 *due);
/* "ok", "late", "missing". Static storage. */
const char *route_beat_name(enum route_beat b);
/* What h waits for, for people: "a mail that matches sender=…&alertname=Watchdog every
 * 5 min (grace 5 min)". Caller frees. */
char *route_heartbeat_expected(const struct heartbeat *h);
/* The identity of a heartbeat's incident ("heartbeat:watchdog"), as an alert's
 * fingerprint: the next heartbeat recovers the incident that has it. Caller frees. */
char *route_heartbeat_fingerprint(const struct heartbeat *h);

#endif
