/*
 * alert: recognises mail from monitoring tools. Pure: a table of detectors, one per source,
 * each looking at a struct mail and returning what the alert says.
 */
#ifndef SEVMAIL_ALERT_H
#define SEVMAIL_ALERT_H

#include "mime.h"

/*
 * What a notification reports. ALERT_INFO is neither a problem nor its recovery: a notice
 * about an alert (Nagios/Icinga ACKNOWLEDGEMENT, DOWNTIME*, FLAPPINGSTOP, CUSTOM; a Zabbix
 * "Updated problem"; a CloudWatch alarm going to INSUFFICIENT_DATA, or to OK from
 * INSUFFICIENT_DATA or N/A, i.e. a new or data-less alarm, not a recovery). It is recorded
 * (an event on the open incident with that fingerprint), never declares or resolves.
 */
enum alert_state { ALERT_FIRING, ALERT_RESOLVED, ALERT_INFO };

struct alert {
	char *source; /* "alertmanager", "generic", ... */
	enum alert_state state;
	char *fingerprint;    /* "source:key=value;key=value", same for firing and recovery */
	char *title;          /* one line, at most 200 characters, no control characters */
	char *severity_label; /* the alert's own severity ("critical"), or NULL */
	char *details;        /* labels and annotations as text lines for the page, or "" */
	/* What routing matches on (DESIGN.md: match keys): lower-case label name -> value, from
	 * the alert's labels and its identity ("host", "service", "monitor", "alarm"…); the
	 * first value of a name wins (the first alert of an Alertmanager group). */
	GHashTable *labels;
};

/* Returns the alert a recognised monitoring mail carries, or NULL when no detector
 * recognises it. With generic = TRUE, unrecognised mail becomes a "generic" alert titled by
 * its subject (the caller only asks that for configured alert senders). Caller frees. */
struct alert *alert_parse(const struct mail *m, gboolean generic);
void alert_free(struct alert *a);
typedef struct alert alert; /* for g_autoptr(alert) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(alert, alert_free)

/* The value of a label, or NULL. */
const char *alert_label(const struct alert *a, const char *name);

/* "firing", "resolved" or "info" (explain --json, events). Static storage. */
const char *alert_state_name(enum alert_state state);

#endif
