/*
 * alert_cloud: hosted and self-hosted uptime/metric services: Datadog monitors, AWS
 * CloudWatch alarms delivered by an SNS e-mail subscription, and Uptime Kuma. Each names the
 * alerting object in its subject (monitor, alarm), which is the identity; the body adds the
 * stable id where there is one (Datadog monitor id, CloudWatch alarm ARN).
 */
#include <string.h>

#include "alert_detect.h"
#include "util.h"

enum cloud_re {
	RE_DATADOG_SUBJECT, /* "[P1] [Triggered on {env:prod}] title" */
	RE_DATADOG_MONITOR, /* ".../monitors/48213157?..." in a link */
	RE_CLOUDWATCH_SUBJECT,
	RE_KUMA_SUBJECT, /* "[Shop frontend] [🔴 Down] message" */
	RE_CLOUD_COUNT,
};

/* The transitions Datadog names in its subject tag. */
#define DATADOG_TRANSITIONS                                                                        \
	"Triggered|Re-Triggered|Recovered|Warn|Re-Warn|No Data|Re-No Data|Renotify"

static const char *const cloud_patterns[RE_CLOUD_COUNT] = {
    [RE_DATADOG_SUBJECT] =
        "^(\\[(P[1-5])\\]\\s*)?\\[(" DATADOG_TRANSITIONS ")( on \\{(.*)\\})?\\]\\s*(.+)$",
    [RE_DATADOG_MONITOR] = "/monitors/(\\d+)",
    [RE_CLOUDWATCH_SUBJECT] = "^(ALARM|OK|INSUFFICIENT_DATA): \"(.+)\" in (.+)$",
    [RE_KUMA_SUBJECT] = "^\\[(.+?)\\] \\[(\\S+\\s+)?(Down|Up)\\]\\s*(.*)$",
};

static const GRegex *
cloud_re(enum cloud_re which)
{
	static GRegex *compiled[RE_CLOUD_COUNT];
	static gsize done;

	if (g_once_init_enter(&done)) {
		alert_compile(cloud_patterns, compiled, RE_CLOUD_COUNT);
		g_once_init_leave(&done, 1);
	}
	return compiled[which];
}

/* --- Datadog -------------------------------------------------------------------------- */

/* The monitor id from the first link to the monitor in the body, or NULL. */
static char *
datadog_monitor_id(char **lines)
{
	const char *line = alert_find_line(lines, cloud_re(RE_DATADOG_MONITOR));

	return alert_capture(cloud_re(RE_DATADOG_MONITOR), line, 1);
}

/*
 * Datadog monitor notifications: subject "[Pn] [Triggered on {group}] <monitor title>" (the
 * priority and the "on {group}" of a multi-alert monitor are optional), "[Recovered ...]"
 * when it recovers; "[Warn]", "[No Data]", "Re-" and "[Renotify]" forms are problems too.
 * Identity: the monitor id (from the body's monitor links) and the group the notification
 * is for; the title stands in for the id when no link survived. The severity hint is the
 * priority ("p1"; map it with severity_map = p1:1), else "warning" for a warn threshold.
 */
gboolean
alert_datadog(const struct alert_input *in, struct alert *a)
{
	const GRegex *re = cloud_re(RE_DATADOG_SUBJECT);
	g_autofree char *transition = alert_capture(re, in->subject, 3);
	g_autofree char *priority = NULL, *group = NULL, *title = NULL, *id = NULL;
	g_autoptr(GString) fp = g_string_new("datadog:monitor=");

	if (transition == NULL)
		return FALSE;
	priority = alert_capture(re, in->subject, 2);
	group = alert_capture(re, in->subject, 5);
	title = alert_capture(re, in->subject, 6);
	a->state = g_ascii_strcasecmp(transition, "Recovered") == 0 ? ALERT_RESOLVED : ALERT_FIRING;
	a->title = alert_title(title, "Datadog monitor");
	id = datadog_monitor_id(in->lines);
	g_string_append(fp, id != NULL ? id : a->title);
	if (group != NULL && *group != '\0')
		g_string_append_printf(fp, ";group=%s", group);
	a->fingerprint = util_one_line(fp->str, 0);
	if (priority != NULL && *priority != '\0')
		alert_keep_severity(a, priority);
	else if (g_ascii_strcasecmp(transition, "Warn") == 0 ||
	         g_ascii_strcasecmp(transition, "Re-Warn") == 0)
		alert_keep_severity(a, "warning");
	alert_collect_text(a, in->lines, NULL, "- - -");
	return TRUE;
}

/* --- CloudWatch ----------------------------------------------------------------------- */

/*
 * The state an SNS alarm mail reports. ALARM fires; OK resolves only when the alarm was in
 * ALARM before ("State Change: ALARM -> OK"): OK after INSUFFICIENT_DATA or N/A (a new alarm,
 * or data arriving again) is no recovery, and INSUFFICIENT_DATA is no problem by itself.
 * Both of those are ALERT_INFO. Without a "State Change" line an OK is taken as a recovery.
 */
static enum alert_state
cloudwatch_state(const char *new_state, char **lines)
{
	g_autofree char *change = NULL;
	const char *arrow;

	if (g_ascii_strcasecmp(new_state, "ALARM") == 0)
		return ALERT_FIRING;
	if (g_ascii_strcasecmp(new_state, "OK") != 0)
		return ALERT_INFO;
	change = alert_field(lines, "State Change");
	arrow = change != NULL ? strstr(change, "->") : NULL;
	if (arrow == NULL)
		return ALERT_RESOLVED;
	return g_ascii_strncasecmp(g_strstrip(change), "ALARM", 5) == 0 ? ALERT_RESOLVED
	                                                                : ALERT_INFO;
}

/*
 * CloudWatch alarms through an SNS e-mail subscription: subject `ALARM: "<name>" in
 * <region>` (or OK:, INSUFFICIENT_DATA:), plain-text body with "- Name:", "- State Change:"
 * and "- Alarm Arn:" lines, then the SNS footer after "--". Identity: the alarm ARN (names
 * are unique per account and region only); the name stands in when the body lacks it.
 */
gboolean
alert_cloudwatch(const struct alert_input *in, struct alert *a)
{
	const GRegex *re = cloud_re(RE_CLOUDWATCH_SUBJECT);
	g_autofree char *new_state = alert_capture(re, in->subject, 1);
	g_autofree char *name = NULL, *arn = NULL, *identity = NULL;

	if (new_state == NULL)
		return FALSE;
	name = alert_capture(re, in->subject, 2);
	arn = alert_field(in->lines, "Alarm Arn");
	a->state = cloudwatch_state(new_state, in->lines);
	identity = util_one_line(arn != NULL && g_str_has_prefix(arn, "arn:") ? arn : name, 0);
	a->fingerprint = g_strdup_printf("cloudwatch:alarm=%s", identity);
	a->title = alert_title(name, "CloudWatch alarm");
	alert_collect_text(a, in->lines, NULL, "--");
	return TRUE;
}

/* --- Uptime Kuma ---------------------------------------------------------------------- */

/*
 * Uptime Kuma's SMTP notification (server/model/monitor.js, notification-providers/smtp.js):
 * subject "[<monitor name>] [🔴 Down] <message>" or "[<monitor name>] [✅ Up] <message>",
 * body the same line and "Time (<zone>): ...". Identity: the monitor name; title "<name>:
 * <message>".
 */
gboolean
alert_uptime_kuma(const struct alert_input *in, struct alert *a)
{
	const GRegex *re = cloud_re(RE_KUMA_SUBJECT);
	g_autofree char *name = alert_capture(re, in->subject, 1);
	g_autofree char *status = NULL, *message = NULL, *title = NULL, *monitor = NULL;

	if (name == NULL)
		return FALSE;
	status = alert_capture(re, in->subject, 3);
	message = alert_capture(re, in->subject, 4);
	a->state = g_ascii_strcasecmp(status, "Up") == 0 ? ALERT_RESOLVED : ALERT_FIRING;
	monitor = util_one_line(name, 0);
	a->fingerprint = g_strdup_printf("uptime-kuma:monitor=%s", monitor);
	title = *message != '\0' ? g_strdup_printf("%s: %s", monitor, message) : g_strdup(monitor);
	a->title = alert_title(title, "Uptime Kuma monitor");
	alert_collect_text(a, in->lines, NULL, NULL);
	return TRUE;
}
