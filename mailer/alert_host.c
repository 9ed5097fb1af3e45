/*
 * alert_host: host and service monitors that mail from a notification script or their own
 * server: Nagios, Icinga 2 and Zabbix. Their identity is the object the notification is
 * about (host, service) or, for Zabbix, the problem event id that its recovery and updates
 * carry as well.
 */
#include <string.h>

#include "alert_detect.h"
#include "util.h"

enum host_re {
	RE_NAGIOS_SUBJECT,   /* "** PROBLEM Service Alert: host/service is CRITICAL **" */
	RE_NAGIOS_FIELD,     /* "Host: db-primary-01" */
	RE_ICINGA_SUBJECT,   /* "[PROBLEM] disk /var on db-replica-02 is CRITICAL!" */
	RE_ICINGA_BANNER,    /* "***** Service Monitoring on icinga-master-01 *****" */
	RE_ICINGA_SUMMARY,   /* the body's "disk /var on db-replica-02 is CRITICAL!" */
	RE_ZABBIX_SUBJECT,   /* "Problem: name", "Resolved in 17m 32s: name", ... */
	RE_ZABBIX_THREAD_ID, /* In-Reply-To "<eventid>.<md5>.<mediatype>.<instance>@..." */
	RE_HOST_COUNT,
};

/* Icinga's $notification.type$ and $host.state$/$service.state$ values. */
#define ICINGA_TYPES                                                                               \
	"PROBLEM|RECOVERY|ACKNOWLEDGEMENT|CUSTOM|FLAPPINGSTART|FLAPPINGEND|DOWNTIMESTART|"         \
	"DOWNTIMEEND|DOWNTIMEREMOVED"
#define ICINGA_STATES "OK|WARNING|CRITICAL|UNKNOWN|UP|DOWN|UNREACHABLE"

/* How Zabbix' default subjects start: problem, recovery, update, and the service forms. */
#define ZABBIX_KINDS "problem|resolved|updated problem|service \".*\" (problem|resolved)"

static const char *const host_patterns[RE_HOST_COUNT] = {
    [RE_NAGIOS_SUBJECT] = "^\\*\\* ([A-Z]+) (Host|Service) Alert: (.+?) \\*\\*$",
    [RE_NAGIOS_FIELD] = "^(Host|Service|State): (.+)$",
    [RE_ICINGA_SUBJECT] = "^\\[(" ICINGA_TYPES ")\\] (.+) is (" ICINGA_STATES ")!",
    [RE_ICINGA_BANNER] = "^\\*{5} (Host|Service) Monitoring on .* \\*{5}$",
    [RE_ICINGA_SUMMARY] = "^()(.+) is (" ICINGA_STATES ")!$",
    [RE_ZABBIX_SUBJECT] = "^(" ZABBIX_KINDS ")( in [^:]+)?:\\s*(.+)$",
    [RE_ZABBIX_THREAD_ID] = "^(\\d+)\\.[0-9a-f]{32}\\.\\d+\\.",
};

static const GRegex *
host_re(enum host_re which)
{
	static GRegex *compiled[RE_HOST_COUNT];
	static gsize done;

	if (g_once_init_enter(&done)) {
		alert_compile(host_patterns, compiled, RE_HOST_COUNT);
		g_once_init_leave(&done, 1);
	}
	return compiled[which];
}

/* What a Nagios or Icinga notification is about. */
struct host_target {
	char *host;
	char *service; /* NULL for a host notification */
	char *state;   /* "CRITICAL", "DOWN", "OK" ... */
};

static void
host_target_clear(struct host_target *t)
{
	g_free(t->host);
	g_free(t->service);
	g_free(t->state);
	*t = (struct host_target){0};
}

/* "<source>:host=H" or "<source>:host=H;service=S", both one line. */
static char *
host_fingerprint(const char *source, const struct host_target *t)
{
	g_autofree char *host = util_one_line(t->host, 0);
	g_autofree char *service = util_one_line(t->service, 0);

	if (t->service == NULL)
		return g_strdup_printf("%s:host=%s", source, host);
	return g_strdup_printf("%s:host=%s;service=%s", source, host, service);
}

/* The severity hint of a problem is its state ("critical", "down"); a recovery has none. */
static void
host_severity(struct alert *a, const struct host_target *t)
{
	if (a->state == ALERT_FIRING && t->state != NULL)
		alert_keep_severity(a, t->state);
}

/* --- Nagios --------------------------------------------------------------------------- */

/* From the subject's "host/service is STATE" or "host is STATE"; FALSE when it has another
 * shape (a translated or customised subject). A host name holds no '/', a service may. */
static gboolean
nagios_from_subject(const char *what, gboolean service_alert, struct host_target *t)
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
nagios_from_body(char **lines, gboolean service_alert, struct host_target *t)
{
	for (char **l = lines; *l != NULL; l++) {
		g_autofree char *key = alert_capture(host_re(RE_NAGIOS_FIELD), *l, 1);
		char **slot;

		if (key == NULL)
			continue;
		slot = g_ascii_strcasecmp(key, "Host") == 0      ? &t->host
		       : g_ascii_strcasecmp(key, "Service") == 0 ? &t->service
		                                                 : &t->state;
		if (*slot == NULL)
			*slot = alert_capture(host_re(RE_NAGIOS_FIELD), *l, 2);
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
 */
gboolean
alert_nagios(const struct alert_input *in, struct alert *a)
{
	g_autofree char *type = alert_capture(host_re(RE_NAGIOS_SUBJECT), in->subject, 1);
	g_autofree char *kind = NULL, *what = NULL;
	struct host_target t = {0};
	gboolean service_alert;

	if (type == NULL)
		return FALSE;
	kind = alert_capture(host_re(RE_NAGIOS_SUBJECT), in->subject, 2);
	what = alert_capture(host_re(RE_NAGIOS_SUBJECT), in->subject, 3);
	service_alert = g_ascii_strcasecmp(kind, "Service") == 0;
	if (!nagios_from_subject(what, service_alert, &t)) {
		host_target_clear(&t);
		if (!nagios_from_body(in->lines, service_alert, &t)) {
			host_target_clear(&t);
			return FALSE;
		}
	}
	a->state = alert_notification_state(type);
	a->fingerprint = host_fingerprint("nagios", &t);
	a->title = alert_title(what, "Nagios alert");
	host_severity(a, &t);
	alert_collect_text(a, in->lines, "***** Nagios *****", NULL);
	host_target_clear(&t);
	return TRUE;
}

/* --- Icinga 2 ------------------------------------------------------------------------- */

/* The object and state of an Icinga sentence "<object> is STATE" (subject or body), the
 * object without the "Host " a host notification's subject puts before it. */
static gboolean
icinga_sentence(const GRegex *re, const char *s, gboolean host_only, char **what, char **state)
{
	g_autofree char *object = alert_capture(re, s, 2);

	if (object == NULL)
		return FALSE;
	*state = alert_capture(re, s, 3);
	if (host_only && g_str_has_prefix(object, "Host ") && object[5] != '\0')
		*what = g_strdup(object + 5);
	else
		*what = g_steal_pointer(&object);
	return TRUE;
}

/* Host and service from the body's "Host:" and "Service:" lines (the object names), else
 * from the sentence's display names: "<service> on <host>" or "<host>". */
static void
icinga_target(char **lines, const char *what, gboolean host_only, struct host_target *t)
{
	const char *on = host_only ? NULL : g_strrstr(what, " on ");

	t->host = alert_field(lines, "Host");
	t->service = host_only ? NULL : alert_field(lines, "Service");
	if (t->host != NULL && (host_only || t->service != NULL))
		return;
	g_clear_pointer(&t->host, g_free);
	g_clear_pointer(&t->service, g_free);
	if (on != NULL) {
		t->service = g_strndup(what, (gsize)(on - what));
		t->host = g_strdup(on + 4);
	} else {
		t->host = g_strdup(what);
	}
}

/*
 * Icinga 2's mail-host-notification.sh and mail-service-notification.sh: subject "[TYPE]
 * <service display name> on <host display name> is STATE!" or "[TYPE] Host <host display
 * name> is STATE!", body "***** Service Monitoring on <icinga host> *****", the same
 * sentence, then "Service:" (the service name) and "Host:" (the host name, not the display
 * name) lines. The identity takes the names from the body, since display names may change
 * and may be ambiguous; without them (a body that did not survive) the subject's display
 * names serve. Without the subject's type (a custom subject), an OK or UP state resolves.
 */
gboolean
alert_icinga2(const struct alert_input *in, struct alert *a)
{
	const char *banner = alert_find_line(in->lines, host_re(RE_ICINGA_BANNER));
	g_autofree char *type = alert_capture(host_re(RE_ICINGA_SUBJECT), in->subject, 1);
	g_autofree char *what = NULL, *state = NULL, *sentence = NULL;
	struct host_target t = {0};
	gboolean host_only;

	if (type == NULL && banner == NULL)
		return FALSE;
	host_only = banner != NULL ? strstr(banner, " Host Monitoring ") != NULL
	                           : g_str_has_prefix(in->subject + strlen(type) + 3, "Host ");
	if (!icinga_sentence(host_re(RE_ICINGA_SUBJECT), in->subject, host_only, &what, &state) &&
	    !icinga_sentence(host_re(RE_ICINGA_SUMMARY),
	                     alert_find_line(in->lines, host_re(RE_ICINGA_SUMMARY)), host_only,
	                     &what, &state))
		return FALSE;
	icinga_target(in->lines, what, host_only, &t);
	t.state = g_steal_pointer(&state);
	if (type != NULL)
		a->state = alert_notification_state(type);
	else
		a->state =
		    g_ascii_strcasecmp(t.state, "OK") == 0 || g_ascii_strcasecmp(t.state, "UP") == 0
		        ? ALERT_RESOLVED
		        : ALERT_FIRING;
	a->fingerprint = host_fingerprint("icinga2", &t);
	sentence = g_strdup_printf("%s is %s", what, t.state);
	a->title = alert_title(sentence, "Icinga alert");
	host_severity(a, &t);
	alert_collect_text(a, in->lines, banner, NULL);
	host_target_clear(&t);
	return TRUE;
}

/* --- Zabbix --------------------------------------------------------------------------- */

/* The problem's event id: "Original problem ID:" in the body, else the first part of the
 * In-Reply-To Zabbix gives all mails of one problem. NULL when neither is there. */
static char *
zabbix_event_id(const struct alert_input *in)
{
	char *id = alert_field(in->lines, "Original problem ID");

	if (id != NULL && *id != '\0' && strspn(id, "0123456789") == strlen(id))
		return id;
	g_free(id);
	return alert_capture(host_re(RE_ZABBIX_THREAD_ID), in->m->in_reply_to, 1);
}

/*
 * Zabbix' default message templates (CMediatypeHelper.php): subjects "Problem: <name>",
 * "Resolved in <duration>: <name>" (older: "Resolved: <name>"), "Updated problem in <age>:
 * <name>" (an acknowledgement or comment: ALERT_INFO), and the "Service \"S\" problem:"
 * forms. A subject like "Problem: printer jammed" is common among people, so the mail must
 * also carry the problem's event id, which every Zabbix mail does.
 */
gboolean
alert_zabbix(const struct alert_input *in, struct alert *a)
{
	g_autofree char *kind = alert_capture(host_re(RE_ZABBIX_SUBJECT), in->subject, 1);
	g_autofree char *name = NULL, *id = NULL, *problem = NULL, *severity = NULL, *lower = NULL;

	if (kind == NULL || (id = zabbix_event_id(in)) == NULL)
		return FALSE;
	name = alert_capture(host_re(RE_ZABBIX_SUBJECT), in->subject, 4);
	lower = g_ascii_strdown(kind, -1);
	if (g_str_has_prefix(lower, "updated"))
		a->state = ALERT_INFO;
	else if (strstr(lower, "resolved") != NULL)
		a->state = ALERT_RESOLVED;
	else
		a->state = ALERT_FIRING;
	a->fingerprint = g_strdup_printf("zabbix:eventid=%s", id);
	problem = alert_field(in->lines, "Problem name");
	a->title = alert_title(problem != NULL ? problem : name, "Zabbix problem");
	severity = alert_field(in->lines, "Severity");
	if (severity != NULL)
		alert_keep_severity(a, severity);
	alert_collect_text(a, in->lines, NULL, NULL);
	return TRUE;
}
