/*
 * alert: recognises mail from monitoring tools. Pure: a table of detectors, one per source,
 * each looking at a struct mail and returning what the alert says.
 */
#ifndef SEVMAIL_ALERT_H
#define SEVMAIL_ALERT_H

#include "mime.h"

enum alert_state { ALERT_FIRING, ALERT_RESOLVED };

struct alert {
	char *source; /* "alertmanager", "generic", ... */
	enum alert_state state;
	char *fingerprint;    /* "source:key=value;key=value", same for firing and recovery */
	char *title;          /* one line, at most 200 characters, no control characters */
	char *severity_label; /* the alert's own severity ("critical"), or NULL */
	char *details;        /* labels and annotations as text lines for the page, or "" */
};

/* Returns the alert a recognised monitoring mail carries, or NULL when no detector
 * recognises it. With generic = TRUE, unrecognised mail becomes a "generic" alert titled by
 * its subject (the caller only asks that for configured alert senders). Caller frees. */
struct alert *alert_parse(const struct mail *m, gboolean generic);
void alert_free(struct alert *a);
typedef struct alert alert; /* for g_autoptr(alert) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(alert, alert_free)

#endif
