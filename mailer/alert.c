/*
 * alert: recognises mail from monitoring tools. A table of detectors, one per source, each
 * reading the decoded subject and text body of a struct mail; the first that recognises the
 * mail fills the alert. The fingerprint is built from what the tool itself uses to group
 * notifications, so a repeat and the recovery of an alert share it. The detectors live in
 * alert_prom.c, alert_host.c and alert_cloud.c; this file has the table, the helpers they
 * share and the generic fallback.
 */
#include <string.h>

#include "alert_detect.h"
#include "util.h"

/* The page shows the details; a group of 250 alerts must not make it a book. */
#define ALERT_DETAIL_LINES 60

void
alert_compile(const char *const *patterns, GRegex **out, int n)
{
	for (int i = 0; i < n; i++) {
		GError *err = NULL;

		out[i] = g_regex_new(patterns[i], G_REGEX_CASELESS, 0, &err);
		/* constants: a failure is a bug, not an input error */
		if (out[i] == NULL)
			g_error("alert: bad pattern %s: %s", patterns[i], err->message);
	}
}

enum alert_re {
	RE_REPLY_PREFIX,  /* "Re: ", "Fwd: ", "AW: " ... */
	RE_SEVERITY_LINE, /* "Severity: critical" in a mail no detector knows */
	RE_COUNT,
};

static const char *const alert_patterns[RE_COUNT] = {
    [RE_REPLY_PREFIX] = "^((re|aw|sv|vs|antw|fwd?|wg|tr|rv|doorst)(\\[\\d+\\])?\\s*:\\s*)+",
    [RE_SEVERITY_LINE] = "^(severity|priority)\\s*[:=]\\s*([\\w-]+)",
};

static const GRegex *
alert_re(enum alert_re which)
{
	static GRegex *compiled[RE_COUNT];
	static gsize done;

	if (g_once_init_enter(&done)) {
		alert_compile(alert_patterns, compiled, RE_COUNT);
		g_once_init_leave(&done, 1);
	}
	return compiled[which];
}

gboolean
alert_matches(const GRegex *re, const char *s)
{
	return s != NULL && g_regex_match(re, s, 0, NULL);
}

char *
alert_capture(const GRegex *re, const char *s, int n)
{
	GMatchInfo *m = NULL;
	char *out = NULL;

	if (s != NULL && g_regex_match(re, s, 0, &m))
		out = g_match_info_fetch(m, n);
	g_match_info_free(m);
	return out;
}

const char *
alert_find_line(char **lines, const GRegex *re)
{
	for (char **l = lines; *l != NULL; l++)
		if (alert_matches(re, *l))
			return *l;
	return NULL;
}

char *
alert_field(char **lines, const char *key)
{
	gsize len = strlen(key);

	for (char **l = lines; *l != NULL; l++) {
		const char *p = *l;

		if (p[0] == '-' && p[1] == ' ')
			p += 2;
		if (g_ascii_strncasecmp(p, key, len) != 0)
			continue;
		p += len;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':')
			continue;
		return g_strstrip(g_strdup(p + 1));
	}
	return NULL;
}

/* util_one_line at the title length, held to it: util_one_line can return one character
 * more when a space falls just before the cut (reported; util.c is not this module's). */
static char *
alert_one_line(const char *s)
{
	char *line = util_one_line(s, ALERT_TITLE_MAX);
	char *cut;

	if (g_utf8_strlen(line, -1) <= ALERT_TITLE_MAX)
		return line;
	cut = g_utf8_offset_to_pointer(line, ALERT_TITLE_MAX - 1);
	*cut = '\0';
	g_strchomp(line);
	cut = g_strconcat(line, "…", NULL);
	g_free(line);
	return cut;
}

char *
alert_title(const char *s, const char *fallback)
{
	char *title = alert_one_line(s);

	if (*title != '\0' || fallback == NULL)
		return title;
	g_free(title);
	return alert_one_line(fallback);
}

/* Severity words from most to least severe; a label not listed ranks below "warning". */
static const char *const alert_severity_rank[] = {
    "disaster", "critical", "high", "error", "major", "warning",
    "average",  "minor",    "low",  "info",  NULL,
};

static int
alert_rank(const char *severity)
{
	for (int i = 0; alert_severity_rank[i] != NULL; i++)
		if (g_ascii_strcasecmp(severity, alert_severity_rank[i]) == 0)
			return i;
	return 6;
}

void
alert_keep_severity(struct alert *a, const char *value)
{
	g_autofree char *clean = util_one_line(value, 40);

	if (*clean == '\0')
		return;
	if (a->severity_label == NULL || alert_rank(clean) < alert_rank(a->severity_label)) {
		g_free(a->severity_label);
		a->severity_label = g_utf8_strdown(clean, -1);
	}
}

/* Notification types that report on an alert without being a problem or a recovery. */
static const char *const alert_notice_types[] = {
    "ACKNOWLEDGEMENT", "DOWNTIMESTART",
    "DOWNTIMEEND",     "DOWNTIMECANCELLED",
    "DOWNTIMEREMOVED", "FLAPPINGSTOP",
    "FLAPPINGEND",     "FLAPPINGDISABLED",
    "CUSTOM",          NULL,
};

enum alert_state
alert_notification_state(const char *type)
{
	if (g_ascii_strcasecmp(type, "RECOVERY") == 0)
		return ALERT_RESOLVED;
	for (const char *const *t = alert_notice_types; *t != NULL; t++)
		if (g_ascii_strcasecmp(type, *t) == 0)
			return ALERT_INFO;
	return ALERT_FIRING;
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

void
alert_label_add(struct alert *a, const char *name, const char *value)
{
	g_autofree char *key = g_ascii_strdown(name, -1);

	if (value != NULL && !g_hash_table_contains(a->labels, key))
		g_hash_table_insert(a->labels, g_steal_pointer(&key), util_one_line(value, 0));
}

const char *
alert_label(const struct alert *a, const char *name)
{
	return g_hash_table_lookup(a->labels, name);
}

/* The identity's "key=value;key=value" after "source:" as labels, for detectors that read
 * no label lines (host monitors: host and service; cloud monitors: monitor, alarm). */
static void
alert_labels_from_fingerprint(struct alert *a)
{
	const char *colon = a->fingerprint != NULL ? strchr(a->fingerprint, ':') : NULL;
	g_auto(GStrv) pairs = g_strsplit(colon != NULL ? colon + 1 : "", ";", -1);

	for (char **p = pairs; *p != NULL; p++) {
		char *eq = strchr(*p, '=');

		if (eq == NULL || eq == *p)
			continue;
		*eq = '\0';
		alert_label_add(a, *p, eq + 1);
	}
}

void
alert_collect_labels(struct alert *a, char **lines, const GRegex *section, const GRegex *pair)
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
			alert_keep_severity(a, value);
		if (key != NULL)
			alert_label_add(a, key, value);
	}
	g_free(a->details);
	a->details = g_string_free(details, FALSE);
}

void
alert_collect_text(struct alert *a, char **lines, const char *skip, const char *stop)
{
	GString *details = g_string_new(NULL);
	guint n = 0;

	for (char **l = lines; *l != NULL && g_strcmp0(*l, stop) != 0; l++)
		if (**l != '\0' && g_strcmp0(*l, skip) != 0)
			alert_detail(details, &n, *l);
	g_free(a->details);
	a->details = g_string_free(details, FALSE);
}

/* --- the generic fallback ------------------------------------------------------------- */

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

/* A changing value ("93", "93%", "0.75"): digits with at most two dots or commas. An IPv4
 * address (three dots) names a host and is kept. */
static gboolean
alert_is_value(const char *word)
{
	guint dots = 0;

	for (const char *p = word; *p != '\0'; p++) {
		if (*p == '.' || *p == ',')
			dots++;
		else if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	return dots < 3;
}

/* "generic:" + the subject's words without state words and values, so that "CPU at 93%"
 * and "CPU at 97%" are one alert while "db-1" and "db-2", "10.0.0.1" and "10.0.0.2" are
 * two: inside a word, '.', '-' and '_' are kept. */
static char *
alert_generic_fingerprint(const struct mail *m, const char *subject)
{
	g_autofree char *valid = g_utf8_make_valid(subject, -1);
	g_autofree char *lower = g_utf8_strdown(valid, -1);
	g_autoptr(GString) spaced = g_string_new(NULL);
	g_auto(GStrv) words = NULL;
	GString *fp = g_string_new("generic:");
	gsize base = fp->len;

	for (const char *p = lower; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		g_string_append_unichar(
		    spaced, g_unichar_isalnum(c) || c == '.' || c == '-' || c == '_' ? c : ' ');
	}
	words = g_strsplit(spaced->str, " ", -1);
	for (char **w = words; *w != NULL; w++) {
		char *word = *w;
		gsize len;

		word += strspn(word, ".-_");
		for (len = strlen(word); len > 0 && strchr(".-_", word[len - 1]) != NULL; len--)
			word[len - 1] = '\0';
		if (*word == '\0' || alert_word_in(word, alert_state_words) || alert_is_value(word))
			continue;
		if (fp->len > base)
			g_string_append_c(fp, ' ');
		g_string_append(fp, word);
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
	g_autofree char *subject =
	    g_regex_replace_literal(alert_re(RE_REPLY_PREFIX), in->subject, -1, 0, "", 0, NULL);
	g_auto(GStrv) words = alert_words(subject);
	g_autofree char *from = g_strdup_printf(
	    "Alert from %s", m->from_addr != NULL ? m->from_addr : "an unknown sender");
	char **first = words;

	while (*first != NULL && **first == '\0')
		first++;
	a->state = *first != NULL && alert_word_in(*first, alert_resolved_words) ? ALERT_RESOLVED
	                                                                         : ALERT_FIRING;
	a->fingerprint = alert_generic_fingerprint(m, subject);
	a->title = alert_title(subject, from);
	for (char **l = in->lines; *l != NULL && a->severity_label == NULL; l++) {
		g_autofree char *severity = alert_capture(alert_re(RE_SEVERITY_LINE), *l, 2);

		if (severity != NULL)
			alert_keep_severity(a, severity);
	}
	alert_collect_text(a, in->lines, NULL, NULL);
}

/* --- the table ------------------------------------------------------------------------ */

struct alert_detector {
	const char *source;
	alert_detect_fn detect;
};

/* Tried in order: the first that recognises a mail wins. Each keys on the shape its tool
 * gives the subject, and where a subject alone could be a person's, on the body too. */
static const struct alert_detector alert_detectors[] = {
    /* before Alertmanager, whose subject shape Grafana copies */
    {"grafana", alert_grafana},       {"alertmanager", alert_alertmanager},
    {"nagios", alert_nagios},         {"icinga2", alert_icinga2},
    {"zabbix", alert_zabbix},         {"datadog", alert_datadog},
    {"cloudwatch", alert_cloudwatch}, {"uptime-kuma", alert_uptime_kuma},
};

static struct alert *
alert_new(const char *source)
{
	struct alert *a = g_new0(struct alert, 1);

	a->source = g_strdup(source);
	a->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return a;
}

/*
 * The body's first ALERT_MAX_LINES lines, trimmed (HTML conversion and phones leave blanks at
 * both ends). The tools put what identifies an alert at the top, and a group of 250
 * Alertmanager alerts stays within the cap; a hostile body of a million lines must not cost
 * seconds of the event loop in every detector.
 */
#define ALERT_MAX_LINES 5000

static char **
alert_lines(const struct mail *m)
{
	const char *text = m->text != NULL ? m->text : "";
	const char *end = text + strlen(text);
	GPtrArray *split = g_ptr_array_new();
	char **lines;

	/* by hand rather than g_strsplit, whose strstr reads the whole rest of the text for
	 * every line under AddressSanitizer */
	for (const char *p = text; split->len < ALERT_MAX_LINES;) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));

		g_ptr_array_add(split, g_strndup(p, (gsize)((nl != NULL ? nl : end) - p)));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	g_ptr_array_add(split, NULL);
	lines = (char **)g_ptr_array_free(split, FALSE);
	for (char **l = lines; *l != NULL; l++)
		g_strstrip(*l);
	return lines;
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
	if (a != NULL)
		alert_labels_from_fingerprint(a);
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
	if (a->labels != NULL)
		g_hash_table_unref(a->labels);
	g_free(a);
}

const char *
alert_state_name(enum alert_state state)
{
	switch (state) {
	case ALERT_FIRING:
		return "firing";
	case ALERT_RESOLVED:
		return "resolved";
	case ALERT_INFO:
		return "info";
	}
	return "firing";
}
