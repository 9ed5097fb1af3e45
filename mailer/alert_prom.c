/*
 * alert_prom: Prometheus Alertmanager and Grafana unified alerting, whose default e-mails
 * share one subject template: "[FIRING:n] <group label values> (<other common values>)".
 *
 * Identity: the group labels are what these tools group notifications by, so they identify
 * the alert; the fingerprint is "<source>:group=<their values, space-separated, in the
 * tool's order>" (alertname first, then sorted by name, as both the body's "n alerts for
 * k=v k=v" line and the subject print them). Values rather than k=v pairs because the
 * subject carries only the values: a mail whose body did not survive (headers only, a
 * multipart without boundary) still yields the same fingerprint from its subject and
 * dedupes onto the incident of the full mail. Two group_by sets with identical values would
 * share a fingerprint; label values are chosen to differ, so that is accepted.
 */
#include <string.h>

#include "alert_detect.h"
#include "util.h"

enum prom_re {
	RE_PROM_SUBJECT,    /* "[FIRING:1] values (values)", "[FIRING:1, RESOLVED:1] ..." */
	RE_AM_GROUP,        /* "1 alert for alertname=X job=Y" */
	RE_AM_SECTION,      /* "[1] Firing", "Labels", "Annotations" */
	RE_AM_PAIR,         /* "key = value" */
	RE_GRAFANA_GROUP,   /* "Firing: 1 alert for alertname=X grafana_folder=Y" */
	RE_GRAFANA_SECTION, /* "Firing CheckoutLatencyHigh", "Labels:" */
	RE_GRAFANA_PAIR,    /* "key: value" */
	RE_GROUP_LABEL,     /* one key=value of a group line; values may hold blanks */
	RE_PROM_COUNT,
};

static const char *const prom_patterns[RE_PROM_COUNT] = {
    [RE_PROM_SUBJECT] = "^\\[(FIRING:\\d+(,\\s*RESOLVED:\\d+)?|RESOLVED)\\]\\s*(.*)$",
    [RE_AM_GROUP] = "^\\d+ alerts? for (.+)$",
    [RE_AM_SECTION] = "^(\\[\\d+\\] (Firing|Resolved)|Labels|Annotations)$",
    [RE_AM_PAIR] = "^([A-Za-z_][A-Za-z0-9_]*) = (.*)$",
    [RE_GRAFANA_GROUP] = "^(Firing|Resolved): \\d+ alerts? for (.+)$",
    [RE_GRAFANA_SECTION] = "^(Labels:|(Firing|Resolved) \\S.*)$",
    [RE_GRAFANA_PAIR] = "^([A-Za-z_][A-Za-z0-9_]*): (.*)$",
    [RE_GROUP_LABEL] = "([A-Za-z_][A-Za-z0-9_]*)=(.*?)(?=\\s+[A-Za-z_][A-Za-z0-9_]*=|$)",
};

static const GRegex *
prom_re(enum prom_re which)
{
	static GRegex *compiled[RE_PROM_COUNT];
	static gsize done;

	if (g_once_init_enter(&done)) {
		alert_compile(prom_patterns, compiled, RE_PROM_COUNT);
		g_once_init_leave(&done, 1);
	}
	return compiled[which];
}

/* The values of a group line's "k=v k=v", space-separated in the order printed; NULL
 * without any pair. */
static char *
prom_group_values(const char *group)
{
	GString *vals = g_string_new(NULL);
	GMatchInfo *m = NULL;

	g_regex_match(prom_re(RE_GROUP_LABEL), group, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
		g_autofree char *raw = g_match_info_fetch(m, 2);
		g_autofree char *value = util_one_line(raw, 0);

		g_string_append_printf(vals, "%s%s", vals->len > 0 ? " " : "", value);
	}
	g_match_info_free(m);
	if (vals->len == 0) {
		g_string_free(vals, TRUE);
		return NULL;
	}
	return g_string_free(vals, FALSE);
}

/* The group label values of a "[FIRING:n] values (common values)" subject, i.e. the part
 * between "]" and " ("; NULL when the subject has no such tag. *firing tells the tag (a
 * Grafana "[FIRING:1, RESOLVED:1]" still fires). */
static char *
prom_subject(const char *subject, gboolean *firing)
{
	g_autofree char *tag = alert_capture(prom_re(RE_PROM_SUBJECT), subject, 1);
	char *rest, *paren;

	if (tag == NULL)
		return NULL;
	*firing = g_ascii_strncasecmp(tag, "FIRING", 6) == 0;
	rest = alert_capture(prom_re(RE_PROM_SUBJECT), subject, 3);
	paren = strstr(rest, " (");
	if (paren != NULL)
		*paren = '\0';
	return rest;
}

/* Fills fingerprint and title: identity from the body's group line, else from the subject;
 * title from the subject (which a receiver may have customised), else the group values. */
static void
prom_identity(struct alert *a, const char *group, const char *subject_values)
{
	g_autofree char *group_values = group != NULL ? prom_group_values(group) : NULL;
	g_autofree char *clean = util_one_line(subject_values, 0);
	const char *identity = group_values != NULL ? group_values : clean;

	a->fingerprint = g_strdup_printf("%s:group=%s", a->source, identity);
	a->title = alert_title(*clean != '\0' ? clean : group_values, a->source);
}

/*
 * Alertmanager's default e-mail (template/default.tmpl): subject "[FIRING:n] <group values>
 * (<common values>)", body "n alert(s) for k=v k=v", then per alert "Labels" and
 * "Annotations" with "key = value" lines. Without the subject tag (a custom subject) the
 * group line and a "[n] Firing" section still identify it; without a body the subject does.
 */
gboolean
alert_alertmanager(const struct alert_input *in, struct alert *a)
{
	char **lines = in->lines;
	gboolean firing = TRUE;
	g_autofree char *values = prom_subject(in->subject, &firing);
	const char *group_line = alert_find_line(lines, prom_re(RE_AM_GROUP));
	g_autofree char *group = alert_capture(prom_re(RE_AM_GROUP), group_line, 1);

	if (values == NULL) {
		if (group == NULL || alert_find_line(lines, prom_re(RE_AM_SECTION)) == NULL)
			return FALSE;
		firing = FALSE;
		for (char **l = lines; *l != NULL; l++)
			if (alert_matches(prom_re(RE_AM_SECTION), *l) &&
			    g_str_has_suffix(*l, "] Firing"))
				firing = TRUE;
	}
	a->state = firing ? ALERT_FIRING : ALERT_RESOLVED;
	prom_identity(a, group, values);
	alert_collect_labels(a, lines, prom_re(RE_AM_SECTION), prom_re(RE_AM_PAIR));
	return TRUE;
}

/*
 * Grafana unified alerting (grafana/alerting default_template.go): the same subject shape
 * as Alertmanager (plus "[FIRING:n, RESOLVED:m]"), body "Firing: n alert(s) for k=v k=v"
 * (or "Resolved: ..."), then "Value:", annotations and "Labels:" as "key: value" lines.
 * Tried before Alertmanager, which would otherwise claim the subject.
 */
gboolean
alert_grafana(const struct alert_input *in, struct alert *a)
{
	char **lines = in->lines;
	gboolean firing = TRUE;
	const char *group_line = alert_find_line(lines, prom_re(RE_GRAFANA_GROUP));
	g_autofree char *word = alert_capture(prom_re(RE_GRAFANA_GROUP), group_line, 1);
	g_autofree char *group = alert_capture(prom_re(RE_GRAFANA_GROUP), group_line, 2);
	g_autofree char *values = NULL;

	if (group == NULL)
		return FALSE;
	values = prom_subject(in->subject, &firing);
	if (values == NULL)
		firing = g_ascii_strcasecmp(word, "Firing") == 0;
	a->state = firing ? ALERT_FIRING : ALERT_RESOLVED;
	prom_identity(a, group, values);
	alert_collect_labels(a, lines, prom_re(RE_GRAFANA_SECTION), prom_re(RE_GRAFANA_PAIR));
	return TRUE;
}
