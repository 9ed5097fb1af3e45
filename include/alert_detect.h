/*
 * alert_detect: what the alert module's files share (private to alert*.c). alert.c holds the
 * detector table and these helpers; alert_prom.c, alert_host.c and alert_cloud.c hold one
 * detector function per monitoring tool.
 */
#ifndef SEVMAIL_ALERT_DETECT_H
#define SEVMAIL_ALERT_DETECT_H

#include "alert.h"

#define ALERT_TITLE_MAX 200

/* What the detectors read: the subject as one line (a decoded subject may still hold CR LF
 * or tabs) and the body's lines, trimmed. */
struct alert_input {
	const struct mail *m;
	char *subject;
	char **lines;
};

/* Fills the alert and returns TRUE when it knows the mail; may leave fields set on FALSE
 * (the caller frees the alert then). */
typedef gboolean (*alert_detect_fn)(const struct alert_input *in, struct alert *a);

gboolean alert_grafana(const struct alert_input *in, struct alert *a);
gboolean alert_alertmanager(const struct alert_input *in, struct alert *a);
gboolean alert_nagios(const struct alert_input *in, struct alert *a);
gboolean alert_icinga2(const struct alert_input *in, struct alert *a);
gboolean alert_zabbix(const struct alert_input *in, struct alert *a);
gboolean alert_datadog(const struct alert_input *in, struct alert *a);
gboolean alert_cloudwatch(const struct alert_input *in, struct alert *a);
gboolean alert_uptime_kuma(const struct alert_input *in, struct alert *a);

/* Compiles n constant patterns (case-insensitive) into out; a failure is a bug and aborts.
 * Each file calls it once, under g_once_init_enter. */
void alert_compile(const char *const *patterns, GRegex **out, int n);
gboolean alert_matches(const GRegex *re, const char *s);
/* Group n of the first match of re in s, or NULL (also for s == NULL). Caller frees. */
char *alert_capture(const GRegex *re, const char *s, int n);
/* The first body line matching re, or NULL; points into lines. */
const char *alert_find_line(char **lines, const GRegex *re);
/* The value of the first "Key: value" line (also "- Key:   value"), trimmed, or NULL.
 * Caller frees. */
char *alert_field(char **lines, const char *key);

/* util_one_line at the title length; the fallback when s is empty. Caller frees. */
char *alert_title(const char *s, const char *fallback);
/* Keeps the most severe of the current label and value (lower-cased). */
void alert_keep_severity(struct alert *a, const char *value);
/* State of a Nagios/Icinga notification type: PROBLEM and FLAPPINGSTART fire, RECOVERY
 * resolves, the notices (ACKNOWLEDGEMENT, DOWNTIME*, FLAPPINGSTOP/END/DISABLED, CUSTOM) are
 * ALERT_INFO, and a type not known here fires (better one page too many than none). */
enum alert_state alert_notification_state(const char *type);

/* Keeps name=value as a routing label unless the name has one already. */
void alert_label_add(struct alert *a, const char *name, const char *value);
/* Details and labels from "key<sep>value" lines and section heads (re pair / re section);
 * the "severity" label sets the severity hint. */
void alert_collect_labels(struct alert *a, char **lines, const GRegex *section, const GRegex *pair);
/* Details: the body's non-empty lines up to (without) a line equal to stop, skipping a line
 * equal to skip; either may be NULL. */
void alert_collect_text(struct alert *a, char **lines, const char *skip, const char *stop);

#endif
