/*
 * statuspage: a static HTML status page for stakeholders: index.html with the open incidents
 * and those resolved in the last 7 days (the 50 latest), and inc-N.html with one incident's
 * public timeline. Pure: incidents and events in, HTML strings out; the caller writes the
 * files. No JavaScript; every text is escaped (titles come from alert mail).
 */
#ifndef SEVMAIL_STATUSPAGE_H
#define SEVMAIL_STATUSPAGE_H

#include "incident.h"
#include "route.h"
#include <glib.h>

#define STATUSPAGE_RECENT (7 * 86400) /* how long a resolved incident stays on the index */
#define STATUSPAGE_RESOLVED_MAX 50    /* the most resolved incidents the index shows */

/* Whether the index lists inc at now (open, or resolved within STATUSPAGE_RECENT): the
 * incidents that need an inc-N.html page next to it. */
gboolean statuspage_listed(const struct incident *inc, gint64 now);

/* "inc-7.html", the page statuspage_incident() renders and the index links to. Caller
 * frees. */
char *statuspage_incident_file(const struct incident *inc);

/* index.html: open incidents (most severe, then newest first), then the recently resolved
 * (newest first), each with its severity badge, status word, impact and last public update.
 * events_per_incident[i] (GPtrArray of struct event *) belongs to incidents[i] and dates
 * the last update; it, or an entry, may be NULL (then the incident's own times are used).
 * windows (struct window *, or NULL) are the maintenance windows in force or to come,
 * shown before the incidents. name is the desk's name ([general] name). Of the resolved,
 * the STATUSPAGE_RESOLVED_MAX latest are shown, and "And N more." says how many others there
 * are: those of incidents beyond the first STATUSPAGE_RESOLVED_MAX, plus more_resolved, the
 * ones the caller left out of incidents. Caller frees. */
char *statuspage_index(GPtrArray *incidents, GPtrArray *events_per_incident, GPtrArray *windows,
                       gint64 now, const char *name, guint more_resolved);

/* inc-N.html: one incident with its public timeline, newest first. Only updates meant for
 * readers are shown: declared, acknowledged, severity, status, alert recovery, and title,
 * impact and next steps changes; no addresses, pages, escalations, notes, root cause or
 * action items (those are the post-mortem's). Caller frees. */
char *statuspage_incident(const struct incident *inc, GPtrArray *events, gint64 now,
                          const char *name);

#endif
