/*
 * alert: recognises mail from monitoring tools. A table of detectors, one per source, each
 * reading the decoded subject and text body of a struct mail; the first that recognises the
 * mail fills the alert. The fingerprint is built from what the tool itself uses to group
 * notifications, so a repeat and the recovery of an alert share it.
 */
#include <string.h>

#include "alert.h"
#include "util.h"

#define ALERT_TITLE_MAX 200
/* The page shows the details; a group of 250 alerts must not make it a book. */
#define ALERT_DETAIL_LINES 60

enum alert_re {
	RE_PROM_SUBJECT,    /* Alertmanager and Grafana: "[FIRING:1] values (values)" */
	RE_AM_GROUP,        /* "1 alert for alertname=X job=Y" */
	RE_AM_SECTION,      /* "[1] Firing", "Labels", "Annotations" */
	RE_AM_PAIR,         /* "key = value" */
	RE_GRAFANA_GROUP,   /* "Firing: 1 alert for alertname=X grafana_folder=Y" */
	RE_GRAFANA_SECTION, /* "Firing CheckoutLatencyHigh", "Labels:" */
	RE_GRAFANA_PAIR,    /* "key: value" */
	RE_GROUP_LABEL,     /* one key=value of a group line; values may hold blanks */
	RE_NAGIOS_SUBJECT,  /* "** PROBLEM Service Alert: host/service is CRITICAL **" */
	RE_NAGIOS_FIELD,    /* "Host: db-primary-01" */
	RE_REPLY_PREFIX,    /* "Re: ", "Fwd: ", "AW: " ... */
	RE_SEVERITY_LINE,   /* "Severity: critical" in a mail no detector knows */
	RE_COUNT,
};

static const char *const alert_patterns[RE_COUNT] = {
    [RE_PROM_SUBJECT] = "^\\[(FIRING:\\d+|RESOLVED)\\]\\s*(.*)$",
    [RE_AM_GROUP] = "^\\d+ alerts? for (.+)$",
    [RE_AM_SECTION] = "^(\\[\\d+\\] (Firing|Resolved)|Labels|Annotations)$",
    [RE_AM_PAIR] = "^([A-Za-z_][A-Za-z0-9_]*) = (.*)$",
    [RE_GRAFANA_GROUP] = "^(Firing|Resolved): \\d+ alerts? for (.+)$",
    [RE_GRAFANA_SECTION] = "^(Labels:|(Firing|Resolved) \\S.*)$",
    [RE_GRAFANA_PAIR] = "^([A-Za-z_][A-Za-z0-9_]*): (.*)$",
    [RE_GROUP_LABEL] = "([A-Za-z_][A-Za-z0-9_]*)=(.*?)(?=\\s+[A-Za-z_][A-Za-z0-9_]*=|$)",
    [RE_NAGIOS_SUBJECT] = "^\\*\\* ([A-Z]+) (Host|Service) Alert: (.+?) \\*\\*$",
    [RE_NAGIOS_FIELD] = "^(Host|Service|State): (.+)$",
    [RE_REPLY_PREFIX] = "^((re|aw|sv|vs|antw|fwd?|wg|tr|rv|doorst)(\\[\\d+\\])?\\s*:\\s*)+",
    [RE_SEVERITY_LINE] = "^(severity|priority)\\s*[:=]\\s*([\\w-]+)",
};

static const GRegex *
alert_re(enum alert_re which)
{
	static GRegex *compiled[RE_COUNT];
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (int i = 0; i < RE_COUNT; i++) {
			GError *err = NULL;

			compiled[i] = g_regex_new(alert_patterns[i], G_REGEX_CASELESS, 0, &err);
			/* constants: a failure is a bug, not an input error */
			if (compiled[i] == NULL)
				g_error("alert: bad pattern %d: %s", i, err->message);
		}
		g_once_init_leave(&done, 1);
	}
	return compiled[which];
}

static gboolean
alert_matches(enum alert_re re, const char *s)
{
	return s != NULL && g_regex_match(alert_re(re), s, 0, NULL);
}

/* Group n of the first match of re in s, or NULL. */
static char *
alert_capture(enum alert_re re, const char *s, int n)
{
	GMatchInfo *m = NULL;
	char *out = NULL;

	if (s != NULL && g_regex_match(alert_re(re), s, 0, &m))
		out = g_match_info_fetch(m, n);
	g_match_info_free(m);
	return out;
}

/* What the detectors read: the subject as one line (a decoded subject may still hold CR LF
 * or tabs) and the body's lines. */
struct alert_input {
	const struct mail *m;
	char *subject;
	char **lines;
};

/* The body's lines, trimmed (HTML conversion and phones leave blanks at both ends). */
static char **
alert_lines(const struct mail *m)
{
	char **lines = g_strsplit(m->text != NULL ? m->text : "", "\n", -1);

	for (char **l = lines; *l != NULL; l++)
		g_strstrip(*l);
	return lines;
}

/* The first body line matching re, or NULL; points into lines. */
static const char *
alert_find_line(char **lines, enum alert_re re)
{
	for (char **l = lines; *l != NULL; l++)
		if (alert_matches(re, *l))
			return *l;
	return NULL;
}

/* Severity words from most to least severe; a label not listed ranks below "warning". */
static const char *const alert_severity_rank[] = {
    "critical", "high", "error", "major", "warning", "average", "minor", "low", "info", NULL,
};

static int
alert_rank(const char *severity)
{
	for (int i = 0; alert_severity_rank[i] != NULL; i++)
		if (g_ascii_strcasecmp(severity, alert_severity_rank[i]) == 0)
			return i;
	return 5;
}

/* Keeps the most severe label of a group: one critical pod among warnings makes it critical. */
static void
alert_keep_severity(struct alert *a, const char *value)
{
	if (*value == '\0')
		return;
	if (a->severity_label == NULL || alert_rank(value) < alert_rank(a->severity_label)) {
		g_free(a->severity_label);
		a->severity_label = g_ascii_strdown(value, -1);
	}
}

/* Appends a detail line unless the cap is reached; the cap adds one line saying so. */
static void
alert_detail(GString *details, guint *n, const char *line)
{
	if (*n == ALERT_DETAIL_LINES)
		g_string_append(details, "…\n");
	if ((*n)++ >= ALERT_DETAIL_LINES)
		return;
	g_string_append(details, line);
	g_string_append_c(details, '\n');
}

/* Details and severity from the label/annotation lines of a Prometheus-style body: section
 * heads and "key<sep>value" lines; every other line (links, footers) is left out. */
static void
alert_collect_labels(struct alert *a, char **lines, enum alert_re section, enum alert_re pair)
{
	GString *details = g_string_new(NULL);
	guint n = 0;

	for (char **l = lines; *l != NULL; l++) {
		g_autofree char *key = alert_capture(pair, *l, 1);
		g_autofree char *value = alert_capture(pair, *l, 2);

		if (key == NULL && !alert_matches(section, *l))
			continue;
		alert_detail(details, &n, *l);
		if (key != NULL && g_ascii_strcasecmp(key, "severity") == 0)
			alert_keep_severity(a, g_strstrip(value));
	}
	g_free(a->details);
	a->details = g_string_free(details, FALSE);
}

/* Details for tools without labels: the body's non-empty lines. */
static void
alert_collect_text(struct alert *a, char **lines, const char *skip)
{
	GString *details = g_string_new(NULL);
	guint n = 0;

	for (char **l = lines; *l != NULL; l++)
		if (**l != '\0' && g_strcmp0(*l, skip) != 0)
			alert_detail(details, &n, *l);
	g_free(a->details);
	a->details = g_string_free(details, FALSE);
}

/*
 * A group line's "k=v k=v" as the fingerprint "source:k=v;k=v", keys in the order printed
 * (the tools print them sorted, so the order is stable), and as the values "v v", which is
 * what the default subject shows. FALSE without any pair.
 */
static gboolean
alert_group(const char *source, const char *group, char **fingerprint, char **values)
{
	GString *fp = g_string_new(NULL);
	GString *vals = g_string_new(NULL);
	GMatchInfo *m = NULL;

	g_regex_match(alert_re(RE_GROUP_LABEL), group, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
		g_autofree char *key = g_match_info_fetch(m, 1);
		g_autofree char *raw = g_match_info_fetch(m, 2);
		g_autofree char *value = util_one_line(raw, 0);

		g_string_append_printf(fp, "%s%s=%s", fp->len > 0 ? ";" : "", key, value);
		g_string_append_printf(vals, "%s%s", vals->len > 0 ? " " : "", value);
	}
	g_match_info_free(m);
	if (fp->len == 0) {
		g_string_free(fp, TRUE);
		g_string_free(vals, TRUE);
		return FALSE;
	}
	*fingerprint = g_strdup_printf("%s:%s", source, fp->str);
	*values = g_string_free(vals, FALSE);
	g_string_free(fp, TRUE);
	return TRUE;
}

/* The group label values of a "[FIRING:n] values (common values)" subject, i.e. the part
 * between "]" and " ("; NULL when the subject has no such tag. *firing tells the tag. */
static char *
alert_prom_subject(const char *subject, gboolean *firing)
{
	g_autofree char *tag = alert_capture(RE_PROM_SUBJECT, subject, 1);
	char *rest, *paren;

	if (tag == NULL)
		return NULL;
	*firing = g_ascii_strncasecmp(tag, "FIRING", 6) == 0;
	rest = alert_capture(RE_PROM_SUBJECT, subject, 2);
	paren = strstr(rest, " (");
	if (paren != NULL)
		*paren = '\0';
	return rest;
}

/* Fills fingerprint and title of a Prometheus-style alert: identity from the body's group
 * line, title from the subject; each falls back on the other when it is missing (a custom
 * subject, or a message whose body did not survive). */
static void
alert_prom_identity(struct alert *a, const char *group, const char *subject_values)
{
	g_autofree char *group_values = NULL;
	g_autofree char *clean = util_one_line(subject_values, 0);

	if (group == NULL || !alert_group(a->source, group, &a->fingerprint, &group_values))
		a->fingerprint = g_strdup_printf("%s:group=%s", a->source, clean);
	if (*clean != '\0')
		a->title = util_one_line(clean, ALERT_TITLE_MAX);
	else if (group_values != NULL && *group_values != '\0')
		a->title = util_one_line(group_values, ALERT_TITLE_MAX);
	else
		a->title = g_strdup(a->source);
}

/*
 * Alertmanager's default e-mail (template/default.tmpl): subject "[FIRING:n] <group values>
 * (<common values>)", body "n alert(s) for k=v k=v", then per alert "Labels" and
 * "Annotations" with "key = value" lines. Without the subject tag (a custom subject) the
 * group line and a "[n] Firing" section still identify it; without a body the subject does.
 */
static gboolean
alert_alertmanager(const struct alert_input *in, struct alert *a)
{
	char **lines = in->lines;
	gboolean firing = TRUE;
	g_autofree char *values = alert_prom_subject(in->subject, &firing);
	g_autofree char *group = alert_capture(RE_AM_GROUP, alert_find_line(lines, RE_AM_GROUP), 1);

	if (values == NULL) {
		if (group == NULL || alert_find_line(lines, RE_AM_SECTION) == NULL)
			return FALSE;
		firing = FALSE;
		for (char **l = lines; *l != NULL; l++)
			if (alert_matches(RE_AM_SECTION, *l) && g_str_has_suffix(*l, "] Firing"))
				firing = TRUE;
	}
	a->state = firing ? ALERT_FIRING : ALERT_RESOLVED;
	alert_prom_identity(a, group, values);
	alert_collect_labels(a, lines, RE_AM_SECTION, RE_AM_PAIR);
	return TRUE;
}

/*
 * Grafana unified alerting (grafana/alerting default_template.go): the same subject shape
 * as Alertmanager, body "Firing: n alert(s) for k=v k=v" (or "Resolved: ..."), then
 * "Value:", annotations and "Labels:" as "key: value" lines. Tried before Alertmanager,
 * which would otherwise claim the subject.
 */
static gboolean
alert_grafana(const struct alert_input *in, struct alert *a)
{
	char **lines = in->lines;
	gboolean firing = TRUE;
	const char *group_line = alert_find_line(lines, RE_GRAFANA_GROUP);
	g_autofree char *word = alert_capture(RE_GRAFANA_GROUP, group_line, 1);
	g_autofree char *group = alert_capture(RE_GRAFANA_GROUP, group_line, 2);
	g_autofree char *values = NULL;

	if (group == NULL)
		return FALSE;
	values = alert_prom_subject(in->subject, &firing);
	if (values == NULL)
		firing = g_ascii_strcasecmp(word, "Firing") == 0;
	a->state = firing ? ALERT_FIRING : ALERT_RESOLVED;
	alert_prom_identity(a, group, values);
	alert_collect_labels(a, lines, RE_GRAFANA_SECTION, RE_GRAFANA_PAIR);
	return TRUE;
}

/* What a Nagios notification is about. */
struct nagios_target {
	char *host;
	char *service; /* NULL for a host notification */
	char *state;   /* "CRITICAL", "DOWN", "OK" ... */
};

static void
alert_nagios_target_clear(struct nagios_target *t)
{
	g_free(t->host);
	g_free(t->service);
	g_free(t->state);
}

/* From the subject's "host/service is STATE" or "host is STATE"; FALSE when it has another
 * shape (a translated or customised subject). A host name holds no '/', a service may. */
static gboolean
alert_nagios_from_subject(const char *what, gboolean service_alert, struct nagios_target *t)
{
	const char *is = g_strrstr(what, " is ");
	char *slash;

	if (is == NULL)
		return FALSE;
	t->host = g_strndup(what, (gsize)(is - what));
	t->state = g_strdup(is + 4);
	slash = service_alert ? strchr(t->host, '/') : NULL;
	if (service_alert && slash == NULL)
		return FALSE;
	if (slash != NULL) {
		t->service = g_strdup(slash + 1);
		*slash = '\0';
	}
	return *t->host != '\0' && (!service_alert || *t->service != '\0');
}

/* From the body's "Host:", "Service:" and "State:" lines; FALSE when one is missing. */
static gboolean
alert_nagios_from_body(char **lines, gboolean service_alert, struct nagios_target *t)
{
	for (char **l = lines; *l != NULL; l++) {
		g_autofree char *key = alert_capture(RE_NAGIOS_FIELD, *l, 1);
		char **slot;

		if (key == NULL)
			continue;
		slot = g_ascii_strcasecmp(key, "Host") == 0      ? &t->host
		       : g_ascii_strcasecmp(key, "Service") == 0 ? &t->service
		                                                 : &t->state;
		if (*slot == NULL)
			*slot = alert_capture(RE_NAGIOS_FIELD, *l, 2);
	}
	if (!service_alert)
		g_clear_pointer(&t->service, g_free);
	return t->host != NULL && (!service_alert || t->service != NULL);
}

/*
 * Nagios' sample notify-host-by-email and notify-service-by-email commands: subject
 * "** TYPE Service Alert: host/service is STATE **" or "** TYPE Host Alert: host is STATE
 * **", body "Host:", "Service:", "State:" lines. The subject is read first: it is a header,
 * intact when the body is truncated or undecodable, and a problem and its recovery always
 * share its shape; the body's lines serve when the subject was customised or translated.
 * RECOVERY resolves; every other type (PROBLEM, and the ACKNOWLEDGEMENT, FLAPPING and
 * DOWNTIME notices) concerns a live problem.
 */
static gboolean
alert_nagios(const struct alert_input *in, struct alert *a)
{
	g_autofree char *type = alert_capture(RE_NAGIOS_SUBJECT, in->subject, 1);
	g_autofree char *kind = NULL, *what = NULL;
	struct nagios_target t = {0};
	gboolean service_alert;

	if (type == NULL)
		return FALSE;
	kind = alert_capture(RE_NAGIOS_SUBJECT, in->subject, 2);
	what = alert_capture(RE_NAGIOS_SUBJECT, in->subject, 3);
	service_alert = g_ascii_strcasecmp(kind, "Service") == 0;
	if (!alert_nagios_from_subject(what, service_alert, &t)) {
		alert_nagios_target_clear(&t);
		t = (struct nagios_target){0};
		if (!alert_nagios_from_body(in->lines, service_alert, &t))
			return FALSE;
	}
	a->state = g_ascii_strcasecmp(type, "RECOVERY") == 0 ? ALERT_RESOLVED : ALERT_FIRING;
	if (t.service != NULL)
		a->fingerprint = g_strdup_printf("nagios:host=%s;service=%s", t.host, t.service);
	else
		a->fingerprint = g_strdup_printf("nagios:host=%s", t.host);
	a->title = util_one_line(what, ALERT_TITLE_MAX);
	if (a->state == ALERT_FIRING && t.state != NULL)
		a->severity_label = g_ascii_strdown(g_strstrip(t.state), -1);
	alert_collect_text(a, in->lines, "***** Nagios *****");
	alert_nagios_target_clear(&t);
	return TRUE;
}

/* Subject words that say "it is broken" or "it is fine again": left out of a generic
 * fingerprint so that the problem and its recovery mail share one. */
static const char *const alert_state_words[] = {
    "firing", "fired",    "triggered", "problem",   "alert", "alarm",   "critical", "warning",
    "down",   "resolved", "recovery",  "recovered", "ok",    "cleared", "up",       NULL,
};

/* A subject starting with one of these reports a recovery. */
static const char *const alert_resolved_words[] = {
    "resolved", "recovery", "recovered", "ok", "cleared", NULL,
};

static gboolean
alert_word_in(const char *word, const char *const *table)
{
	for (; *table != NULL; table++)
		if (strcmp(word, *table) == 0)
			return TRUE;
	return FALSE;
}

/* The subject's words, lower case, split at anything that is not a letter or digit. */
static char **
alert_words(const char *subject)
{
	g_autofree char *valid = g_utf8_make_valid(subject, -1);
	g_autofree char *lower = g_utf8_strdown(valid, -1);
	g_autofree char *spaced = NULL;
	GString *s = g_string_new(NULL);

	for (const char *p = lower; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		g_string_append_unichar(s, g_unichar_isalnum(c) ? c : ' ');
	}
	spaced = g_string_free(s, FALSE);
	return g_strsplit(spaced, " ", -1);
}

/* "generic:" + the subject's words without state words and bare numbers (a changing value
 * such as "CPU at 93%" would otherwise split one alert into many). */
static char *
alert_generic_fingerprint(const struct mail *m, const char *subject)
{
	g_auto(GStrv) words = alert_words(subject);
	GString *fp = g_string_new("generic:");
	gsize base = fp->len;

	for (char **w = words; *w != NULL; w++) {
		if (**w == '\0' || alert_word_in(*w, alert_state_words) ||
		    strspn(*w, "0123456789") == strlen(*w))
			continue;
		if (fp->len > base)
			g_string_append_c(fp, ' ');
		g_string_append(fp, *w);
	}
	if (fp->len == base)
		g_string_append_printf(fp, "from=%s", m->from_addr != NULL ? m->from_addr : "");
	return g_string_free(fp, FALSE);
}

/*
 * Any other mail from a configured alert sender: titled by its subject, firing unless the
 * subject starts with a recovery word ("RESOLVED: ...", "[OK] ...").
 */
static void
alert_generic(const struct alert_input *in, struct alert *a)
{
	const struct mail *m = in->m;
	char **lines = in->lines;
	g_autofree char *subject =
	    g_regex_replace_literal(alert_re(RE_REPLY_PREFIX), in->subject, -1, 0, "", 0, NULL);
	g_auto(GStrv) words = alert_words(subject);
	char **first = words;

	while (*first != NULL && **first == '\0')
		first++;
	a->state = *first != NULL && alert_word_in(*first, alert_resolved_words) ? ALERT_RESOLVED
	                                                                         : ALERT_FIRING;
	a->fingerprint = alert_generic_fingerprint(m, subject);
	a->title = util_one_line(subject, ALERT_TITLE_MAX);
	if (*a->title == '\0') {
		g_free(a->title);
		a->title = g_strdup_printf(
		    "Alert from %s", m->from_addr != NULL ? m->from_addr : "an unknown sender");
	}
	for (char **l = lines; *l != NULL && a->severity_label == NULL; l++) {
		g_autofree char *severity = alert_capture(RE_SEVERITY_LINE, *l, 2);

		if (severity != NULL)
			alert_keep_severity(a, severity);
	}
	alert_collect_text(a, lines, NULL);
}

typedef gboolean (*alert_detect_fn)(const struct alert_input *in, struct alert *a);

struct alert_detector {
	const char *source;
	alert_detect_fn detect; /* fills the alert and returns TRUE when it knows the mail */
};

/* Tried in order: the first that recognises a mail wins. */
static const struct alert_detector alert_detectors[] = {
    /* before Alertmanager, whose subject shape Grafana copies */
    {"grafana", alert_grafana},
    {"alertmanager", alert_alertmanager},
    {"nagios", alert_nagios},
};

static struct alert *
alert_new(const char *source)
{
	struct alert *a = g_new0(struct alert, 1);

	a->source = g_strdup(source);
	return a;
}

struct alert *
alert_parse(const struct mail *m, gboolean generic)
{
	struct alert_input in = {m, NULL, NULL};
	struct alert *a = NULL;

	if (m == NULL)
		return NULL;
	in.subject = util_one_line(m->subject, 0);
	in.lines = alert_lines(m);
	for (gsize i = 0; i < G_N_ELEMENTS(alert_detectors) && a == NULL; i++) {
		a = alert_new(alert_detectors[i].source);
		if (!alert_detectors[i].detect(&in, a))
			g_clear_pointer(&a, alert_free);
	}
	if (a == NULL && generic) {
		a = alert_new("generic");
		alert_generic(&in, a);
	}
	if (a != NULL && a->details == NULL)
		a->details = g_strdup("");
	g_free(in.subject);
	g_strfreev(in.lines);
	return a;
}

void
alert_free(struct alert *a)
{
	if (a == NULL)
		return;
	g_free(a->source);
	g_free(a->fingerprint);
	g_free(a->title);
	g_free(a->severity_label);
	g_free(a->details);
	g_free(a);
}
