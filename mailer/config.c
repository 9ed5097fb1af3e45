/*
 * config: the INI file of DESIGN.md. One table names every known key with its type, default
 * and bounds; [responders] and [list:NAME] are read in config_sections.c, [schedule:NAME],
 * [team:NAME], [heartbeat:NAME] and [person:ADDRESS] in config_schedules.c, config_teams.c,
 * config_heartbeats.c and config_people.c, the warnings of `sevmail check` are
 * config_warn.c's. Every error names the file, the group and the key.
 */
#include "config.h"
#include "config_sections.h"
#include "schedule.h"

#include "util.h"
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK(sevmail_config_error, config_error)

enum key_type {
	T_STRING,
	T_PATH,
	T_SECRET, /* the value names a file holding the secret (trailing newline dropped) */
	T_INT,
	T_BOOL,
	T_SECURITY,
	T_AUTH,
	T_PATTERNS,
	T_SEVMAP,
	T_TIME,     /* ISO 8601 date and time, stored as unix time (gint64) */
	T_KEYS,     /* "source:key, ...": secret alert addresses, stored as key -> source */
	T_DURATION, /* "10m", "1h30m": seconds (int), from min to max */
	T_STORM,    /* "20/5m" or "off": struct storm_guard */
	T_KEEP,     /* "90d" or "forever": seconds (int) from min to max, 0 for forever */
	T_BACKEND,  /* sqlite or postgresql, stored as gboolean: postgresql */
};

struct key {
	const char *group;
	const char *name;
	enum key_type type;
	const char *def; /* NULL: no default (optional unless required) */
	gboolean required;
	int min, max; /* for T_INT */
	gsize offset; /* into struct config */
};

#define F(field) offsetof(struct config, field)
static const struct key keys[] = {
    {"general", "address", T_STRING, NULL, TRUE, 0, 0, F(address)},
    {"general", "name", T_STRING, "Incident Desk", FALSE, 0, 0, F(name)},
    {"general", "database", T_PATH, "/var/lib/sevmail/sevmail.db", FALSE, 0, 0, F(database)},
    {"general", "templates", T_PATH, SEVMAIL_TEMPLATES, FALSE, 0, 0, F(templates)},
    {"general", "max_message_size", T_INT, "26214400", FALSE, 1024, 1073741824,
     F(max_message_size)},
    {"general", "busy_timeout", T_INT, "10", FALSE, 1, 3600, F(busy_timeout)},
    {"general", "secret_file", T_SECRET, NULL, TRUE, 0, 0, F(secret)},
    {"general", "heartbeat_to", T_STRING, NULL, FALSE, 0, 0, F(heartbeat_to)},
    {"general", "heartbeat_every", T_DURATION, "5m", FALSE, 60, 86400, F(heartbeat_every)},
    {"general", "keep_raw", T_KEEP, "forever", FALSE, 86400, 366 * 86400, F(keep_raw)},
    {"imap", "host", T_STRING, "127.0.0.1", FALSE, 0, 0, F(imap.host)},
    {"imap", "port", T_INT, "993", FALSE, 1, 65535, F(imap.port)},
    {"imap", "security", T_SECURITY, "tls", FALSE, 0, 0, F(imap.security)},
    {"imap", "user", T_STRING, NULL, FALSE, 0, 0, F(imap.user)},
    {"imap", "password", T_STRING, NULL, FALSE, 0, 0, F(imap.password)},
    {"imap", "password_file", T_SECRET, NULL, FALSE, 0, 0, F(imap.password)},
    {"imap", "ca_file", T_PATH, NULL, FALSE, 0, 0, F(imap.ca_file)},
    {"imap", "timeout", T_INT, "60", FALSE, 1, 3600, F(imap.timeout)},
    {"imap", "mailbox", T_STRING, "INBOX", FALSE, 0, 0, F(mailbox)},
    {"imap", "idle", T_BOOL, "true", FALSE, 0, 0, F(idle)},
    {"imap", "poll_interval", T_INT, "60", FALSE, 1, 86400, F(poll_interval)},
    {"imap", "processed", T_STRING, NULL, FALSE, 0, 0, F(processed)},
    {"smtp", "host", T_STRING, "127.0.0.1", FALSE, 0, 0, F(smtp.host)},
    {"smtp", "port", T_INT, "587", FALSE, 1, 65535, F(smtp.port)},
    {"smtp", "security", T_SECURITY, "starttls", FALSE, 0, 0, F(smtp.security)},
    {"smtp", "user", T_STRING, NULL, FALSE, 0, 0, F(smtp.user)},
    {"smtp", "password", T_STRING, NULL, FALSE, 0, 0, F(smtp.password)},
    {"smtp", "password_file", T_SECRET, NULL, FALSE, 0, 0, F(smtp.password)},
    {"smtp", "ca_file", T_PATH, NULL, FALSE, 0, 0, F(smtp.ca_file)},
    {"smtp", "timeout", T_INT, "60", FALSE, 1, 3600, F(smtp.timeout)},
    {"smtp", "max_recipients", T_INT, "100", FALSE, 1, 10000, F(smtp_max_recipients)},
    {"smtp", "max_age", T_INT, "172800", FALSE, 60, 2592000, F(smtp_max_age)},
    {"escalation", "ack_timeout", T_INT, "300", FALSE, 10, 86400, F(ack_timeout)},
    {"escalation", "repeat", T_INT, "3", FALSE, 0, 100, F(repeat)},
    {"escalation", "update_interval", T_INT, "1800", FALSE, 60, 604800, F(update_interval)},
    {"oncall", "rotation", T_PATTERNS, "", FALSE, 0, 0, F(rotation)},
    {"oncall", "rotation_start", T_TIME, "1970-01-01T00:00:00Z", FALSE, 0, 0, F(rotation_start)},
    {"oncall", "rotation_length", T_INT, "604800", FALSE, 3600, 31536000, F(rotation_length)},
    {"postmortem", "due", T_INT, "259200", FALSE, 3600, 31536000, F(postmortem_due)},
    {"postmortem", "timezone", T_STRING, "UTC", FALSE, 0, 0, F(timezone)},
    {"status_page", "output", T_PATH, NULL, FALSE, 0, 0, F(status_page_output)},
    {"security", "sender_auth", T_AUTH, "token-or-dmarc", FALSE, 0, 0, F(sender_auth)},
    {"security", "authserv_id", T_STRING, NULL, FALSE, 0, 0, F(authserv_id)},
    {"security", "allow_insecure", T_BOOL, "false", FALSE, 0, 0, F(allow_insecure)},
    {"alerts", "senders", T_PATTERNS, "", FALSE, 0, 0, F(alert_senders)},
    {"alerts", "auto_resolve", T_BOOL, "false", FALSE, 0, 0, F(auto_resolve)},
    {"alerts", "severity_map", T_SEVMAP, "", FALSE, 0, 0, F(severity_labels)},
    {"alerts", "keys", T_KEYS, "", FALSE, 0, 0, F(alert_keys)},
    {"store", "backend", T_BACKEND, "sqlite", FALSE, 0, 0, F(store.postgresql)},
    {"store", "conninfo", T_STRING, NULL, FALSE, 0, 0, F(store.conninfo)},
    {"store", "password_file", T_SECRET, NULL, FALSE, 0, 0, F(store.password)},
    {"store", "takeover_interval", T_INT, "5", FALSE, 1, 3600, F(store.takeover_interval)},
    {"alerts", "group_by", T_PATTERNS, "", FALSE, 0, 0, F(group_by)},
    {"alerts", "group_window", T_DURATION, "10m", FALSE, 60, 86400, F(group_window)},
    {"alerts", "storm", T_STORM, "20/5m", FALSE, 0, 0, F(storm)},
};
#undef F

static const char *const security_names[] = {"none", "tls", "starttls"};
static const char *const backend_names[] = {"sqlite", "postgresql"};
static const char *const auth_names[] = {"token", "dmarc", "token-or-dmarc", "none"};
const char *const config_policy_names[] = {"open", "confirm", "closed"};

int
config_enum_value(const char *const *names, gsize n, const char *value)
{
	for (gsize i = 0; i < n; i++)
		if (g_ascii_strcasecmp(names[i], value) == 0)
			return (int)i;
	return -1;
}

int
config_bad(GError **err, const struct config *c, const char *group, const char *key,
           const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (key != NULL)
		g_set_error(err, CONFIG_ERROR, 0, "%s: [%s] %s: %s", c->path, group, key, msg);
	else
		g_set_error(err, CONFIG_ERROR, 0, "%s: [%s]: %s", c->path, group, msg);
	return -1;
}

static char *
read_secret_file(const struct config *c, const struct key *k, const char *path, GError **err)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) e = NULL;

	if (!g_file_get_contents(path, &data, NULL, &e)) {
		config_bad(err, c, k->group, k->name, "cannot read %s: %s", path, e->message);
		return NULL;
	}
	return g_strdup(g_strchomp(data));
}

/* The shortest alert key: it is a password that travels in an address. */
#define ALERT_KEY_MIN 16

/* "alertmanager:k3y..., grafana:..." into a table of key -> source. A key becomes the
 * local part of alert+KEY@domain, so it is letters, digits, - and _ only. */
static int
parse_alert_keys(struct config *c, const struct key *k, const char *value, GError **err)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);

	if (c->alert_keys == NULL)
		c->alert_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (char **p = parts; *p != NULL; p++) {
		g_auto(GStrv) kv = g_strsplit(g_strstrip(*p), ":", 2);
		const char *key;

		if (**p == '\0')
			continue;
		if (kv[1] == NULL)
			return config_bad(err, c, k->group, k->name,
			                  "'%s' is not SOURCE:KEY (e.g. alertmanager:%s)", *p,
			                  "a-long-random-string");
		key = g_strstrip(kv[1]);
		if (strlen(key) < ALERT_KEY_MIN ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(key))
			return config_bad(
			    err, c, k->group, k->name,
			    "the key of %s must be at least %d lower-case letters, digits, - "
			    "or _ (try: head -c 15 /dev/urandom | base32 | tr A-Z a-z)",
			    g_strstrip(kv[0]), ALERT_KEY_MIN);
		g_hash_table_replace(c->alert_keys, g_strdup(key), g_strdup(g_strstrip(kv[0])));
	}
	return 0;
}

/* "critical:1, warning:3" into a table of label -> severity. */
static int
parse_sevmap(struct config *c, const struct key *k, const char *value, GError **err)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);

	c->severity_labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (char **p = parts; *p != NULL; p++) {
		g_auto(GStrv) kv = g_strsplit(g_strstrip(*p), ":", 2);
		int sev;

		if (**p == '\0')
			continue;
		if (g_strv_length(kv) != 2 ||
		    (sev = (int)g_ascii_strtoll(g_strstrip(kv[1]), NULL, 10)) < 1 || sev > 3)
			return config_bad(err, c, k->group, k->name,
			                  "'%s' is not label:severity with a severity of 1, 2 or 3",
			                  *p);
		g_hash_table_insert(c->severity_labels, g_ascii_strdown(g_strstrip(kv[0]), -1),
		                    GINT_TO_POINTER(sev));
	}
	return 0;
}

char **
config_split_list(const char *value)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	GPtrArray *out = g_ptr_array_new();

	for (char **p = parts; *p != NULL; p++)
		if (*g_strstrip(*p) != '\0')
			g_ptr_array_add(out, g_ascii_strdown(*p, -1));
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* A secret is read from the file the value names; the file is kept for the mode check of
 * `sevmail check`. */
static int
set_secret(struct config *c, const struct key *k, const char *value, char **field, GError **err)
{
	char *secret = read_secret_file(c, k, value, err);

	if (secret == NULL)
		return -1;
	g_ptr_array_add(c->secret_files, g_strdup(value));
	g_free(*field);
	*field = secret;
	return 0;
}

static int
set_int(struct config *c, const struct key *k, const char *value, int *field, GError **err)
{
	char *end = NULL;
	gint64 n = g_ascii_strtoll(value, &end, 10);

	if (*value == '\0' || *end != '\0' || n < k->min || n > k->max)
		return config_bad(err, c, k->group, k->name,
		                  "'%s' is not a whole number from %d to %d", value, k->min,
		                  k->max);
	*field = (int)n;
	return 0;
}

/* The index of value among names, or -1 + err saying it is not `what`. */
static int
set_choice(struct config *c, const struct key *k, const char *value, const char *const *names,
           gsize n, const char *what, GError **err)
{
	int e = config_enum_value(names, n, value);

	if (e < 0)
		config_bad(err, c, k->group, k->name, "'%s' is not %s", value, what);
	return e;
}

static int
set_time(struct config *c, const struct key *k, const char *value, gint64 *field, GError **err)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(value, NULL);

	if (t == NULL)
		return config_bad(err, c, k->group, k->name,
		                  "'%s' is not a date and time such as 2026-11-30T09:00:00+01:00",
		                  value);
	*field = g_date_time_to_unix(t);
	return 0;
}

static int
set_key(struct config *c, const struct key *k, const char *value, GError **err)
{
	static const char *const bool_names[] = {"false", "true"};
	void *field = (char *)c + k->offset;
	int e;

	switch (k->type) {
	case T_SECRET:
		return set_secret(c, k, value, field, err);
	case T_STRING:
	case T_PATH:
		c->inline_passwords |= strcmp(k->name, "password") == 0;
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return 0;
	case T_INT:
		return set_int(c, k, value, field, err);
	case T_BOOL:
		if ((e = set_choice(c, k, value, bool_names, 2, "true or false", err)) < 0)
			return -1;
		*(gboolean *)field = e;
		return 0;
	case T_SECURITY:
		if ((e = set_choice(c, k, value, security_names, 3, "one of tls, starttls, none",
		                    err)) < 0)
			return -1;
		*(enum security_mode *)field = (enum security_mode)e;
		return 0;
	case T_AUTH:
		if ((e = set_choice(c, k, value, auth_names, 4,
		                    "one of token, dmarc, token-or-dmarc, none", err)) < 0)
			return -1;
		*(enum sender_auth *)field = (enum sender_auth)e;
		return 0;
	case T_PATTERNS:
		g_strfreev(*(char ***)field);
		*(char ***)field = config_split_list(value);
		return 0;
	case T_SEVMAP:
		return parse_sevmap(c, k, value, err);
	case T_KEYS:
		return parse_alert_keys(c, k, value, err);
	case T_TIME:
		return set_time(c, k, value, field, err);
	case T_BACKEND:
		if ((e = set_choice(c, k, value, backend_names, 2, "sqlite or postgresql", err)) <
		    0)
			return -1;
		*(gboolean *)field = e == 1;
		return 0;
	case T_DURATION:
		return config_set_duration(c, k->group, k->name, value, k->min, k->max, field, err);
	case T_STORM:
		return config_set_storm(c, k->group, k->name, value, field, err);
	case T_KEEP:
		return config_set_keep(c, k->group, k->name, value, k->min, k->max, field, err);
	}
	return 0;
}

static const struct key *
find_key(const char *group, const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static gboolean
known_group(const char *group)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (strcmp(keys[i].group, group) == 0)
			return TRUE;
	return FALSE;
}

static int
load_defaults(struct config *c, GError **err)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (keys[i].def != NULL && keys[i].type != T_SECRET &&
		    set_key(c, &keys[i], keys[i].def, err) != 0)
			return -1;
	return 0;
}

static int
load_group(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

	for (char **n = names; n != NULL && *n != NULL; n++) {
		const struct key *k = find_key(group, *n);
		g_autofree char *value = NULL;

		if (k == NULL)
			return config_bad(err, c, group, *n,
			                  "unknown key (see sevmail.conf(5) for the keys of [%s])",
			                  group);
		value = g_strstrip(g_key_file_get_value(kf, group, *n, NULL));
		if (set_key(c, k, value, err) != 0)
			return -1;
	}
	return 0;
}

gboolean
config_loopback(const char *host)
{
	return g_strcmp0(host, "127.0.0.1") == 0 || g_strcmp0(host, "::1") == 0 ||
	       g_strcmp0(host, "localhost") == 0;
}

static int
check_required(struct config *c, GError **err)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		const struct key *k = &keys[i];

		if (k->required && *(char **)((char *)c + k->offset) == NULL)
			return config_bad(err, c, k->group, k->name, "is required");
	}
	if (strchr(c->address, '@') == NULL)
		return config_bad(err, c, "general", "address", "'%s' is not an e-mail address",
		                  c->address);
	if (strlen(c->secret) < 16)
		return config_bad(err, c, "general", "secret_file",
		                  "the secret must be at least 16 characters (e.g. the output of "
		                  "'head -c 32 /dev/urandom | base64')");
	if (c->imap.user == NULL)
		c->imap.user = g_strdup(c->address);
	if (c->store.postgresql && c->store.conninfo == NULL)
		return config_bad(err, c, "store", "conninfo",
		                  "is required with backend = postgresql (e.g. host=db.example.com "
		                  "dbname=sevmail user=sevmail)");
	/* plain text only on this machine, unless the operator says otherwise */
	if (c->imap.security == SECURITY_NONE && !config_loopback(c->imap.host) &&
	    !c->allow_insecure)
		return config_bad(
		    err, c, "imap", "security",
		    "none sends the password in clear text to %s; use tls or starttls, "
		    "or set [security] allow_insecure = true",
		    c->imap.host);
	if (c->smtp.security == SECURITY_NONE && !config_loopback(c->smtp.host) &&
	    !c->allow_insecure)
		return config_bad(
		    err, c, "smtp", "security",
		    "none sends mail in clear text to %s; use starttls, or set [security] "
		    "allow_insecure = true",
		    c->smtp.host);
	return 0;
}

struct config *
config_load(const char *path, GError **err)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(config) c = g_new0(struct config, 1);
	g_auto(GStrv) groups = NULL;
	g_autoptr(GError) e = NULL;

	c->path = g_strdup(path);
	c->responders = g_ptr_array_new();
	c->secret_files = g_ptr_array_new_with_free_func(g_free);
	c->lists = g_ptr_array_new_with_free_func((GDestroyNotify)config_list_free);
	c->schedules = g_ptr_array_new_with_free_func((GDestroyNotify)schedule_free);
	c->teams = g_ptr_array_new_with_free_func((GDestroyNotify)config_team_free);
	c->heartbeats = g_ptr_array_new_with_free_func((GDestroyNotify)config_heartbeat_free);
	c->people = g_ptr_array_new_with_free_func((GDestroyNotify)config_person_free);
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, CONFIG_ERROR, 0, "%s: %s", path, e->message);
		return NULL;
	}
	if (load_defaults(c, err) != 0)
		return NULL;
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g != NULL; g++) {
		int rc;

		if (strcmp(*g, "responders") == 0)
			rc = config_load_responders(c, kf, err);
		else if (g_str_has_prefix(*g, "list:") && (*g)[5] != '\0')
			rc = config_load_list(c, kf, *g, err);
		else if (g_str_has_prefix(*g, "schedule:") && (*g)[9] != '\0')
			rc = config_load_schedule(c, kf, *g, err);
		else if (g_str_has_prefix(*g, "team:") && (*g)[5] != '\0')
			rc = config_load_team(c, kf, *g, err);
		else if (g_str_has_prefix(*g, "heartbeat:") && (*g)[10] != '\0')
			rc = config_load_heartbeat(c, kf, *g, err);
		else if (g_str_has_prefix(*g, "person:"))
			rc = config_load_person(c, kf, *g, err);
		else if (known_group(*g))
			rc = load_group(c, kf, *g, err);
		else
			rc = config_bad(
			    err, c, *g, NULL,
			    "unknown section (known: general, imap, smtp, responders, escalation,"
			    " oncall, postmortem, status_page, security, alerts, store, list:NAME,"
			    " schedule:NAME, team:NAME, heartbeat:NAME, person:ADDRESS)");
		if (rc != 0)
			return NULL;
	}
	if (check_required(c, err) != 0 || config_finish_teams(c, err) != 0 ||
	    config_finish_heartbeats(c, err) != 0)
		return NULL;
	config_default_list_domains(c);
	return g_steal_pointer(&c);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	g_free(c->path);
	g_free(c->address);
	g_free(c->name);
	g_free(c->database);
	g_free(c->templates);
	g_free(c->secret);
	g_free(c->imap.host);
	g_free(c->imap.user);
	g_free(c->imap.password);
	g_free(c->imap.ca_file);
	g_free(c->smtp.ca_file);
	g_free(c->mailbox);
	g_free(c->processed);
	g_free(c->smtp.host);
	g_free(c->smtp.user);
	g_free(c->smtp.password);
	g_free(c->store.conninfo);
	g_free(c->store.password);
	for (guint i = 0; c->responders != NULL && i < c->responders->len; i++) {
		struct responder *r = c->responders->pdata[i];

		g_free(r->address);
		g_free(r);
	}
	if (c->responders != NULL)
		g_ptr_array_unref(c->responders);
	g_free(c->authserv_id);
	g_strfreev(c->rotation);
	g_free(c->status_page_output);
	g_free(c->timezone);
	g_strfreev(c->alert_senders);
	g_strfreev(c->group_by);
	if (c->secret_files != NULL)
		g_ptr_array_unref(c->secret_files);
	if (c->alert_keys != NULL)
		g_hash_table_unref(c->alert_keys);
	if (c->severity_labels != NULL)
		g_hash_table_unref(c->severity_labels);
	if (c->lists != NULL)
		g_ptr_array_unref(c->lists);
	if (c->schedules != NULL)
		g_ptr_array_unref(c->schedules);
	if (c->teams != NULL)
		g_ptr_array_unref(c->teams);
	if (c->heartbeats != NULL)
		g_ptr_array_unref(c->heartbeats);
	g_free(c->heartbeat_to);
	if (c->people != NULL)
		g_ptr_array_unref(c->people);
	g_free(c);
}

const struct responder *
config_responder(const struct config *c, const char *address)
{
	for (guint i = 0; address != NULL && i < c->responders->len; i++) {
		const struct responder *r = c->responders->pdata[i];

		if (g_ascii_strcasecmp(r->address, address) == 0)
			return r;
	}
	return NULL;
}

const struct list_config *
config_list_by_name(const struct config *c, const char *name)
{
	for (guint i = 0; i < c->lists->len; i++) {
		const struct list_config *l = c->lists->pdata[i];

		if (g_ascii_strcasecmp(l->name, name) == 0)
			return l;
	}
	return NULL;
}

const struct list_config *
config_list_by_address(const struct config *c, const char *address)
{
	for (guint i = 0; address != NULL && i < c->lists->len; i++) {
		const struct list_config *l = c->lists->pdata[i];
		const char *at = strrchr(l->address, '@');
		g_autofree char *request =
		    g_strdup_printf("%.*s-request%s", (int)(at - l->address), l->address, at);

		if (g_ascii_strcasecmp(l->address, address) == 0 ||
		    g_ascii_strcasecmp(request, address) == 0)
			return l;
	}
	return NULL;
}

gboolean
config_alert_sender_allowed(const struct config *c, const char *address)
{
	if (c->alert_senders == NULL || c->alert_senders[0] == NULL)
		return TRUE;
	for (char **p = c->alert_senders; address != NULL && *p != NULL; p++)
		if (g_pattern_match_simple(*p, address))
			return TRUE;
	return FALSE;
}

const char *
config_alert_key_source(const struct config *c, GPtrArray *recipients)
{
	const char *at = strrchr(c->address, '@');
	size_t local = (size_t)(at - c->address);

	for (guint i = 0; c->alert_keys != NULL && recipients != NULL && i < recipients->len; i++) {
		const char *r = recipients->pdata[i];
		const char *rat = strrchr(r, '@');
		g_autofree char *key = NULL;

		if (rat == NULL || g_ascii_strcasecmp(rat, at) != 0 ||
		    g_ascii_strncasecmp(r, c->address, local) != 0 ||
		    !g_str_has_prefix(r + local, "+alert-"))
			continue;
		key = g_strndup(r + local + 7, (gsize)(rat - r - local - 7));
		if (g_hash_table_contains(c->alert_keys, key))
			return g_hash_table_lookup(c->alert_keys, key);
	}
	return NULL;
}

gboolean
config_alerts_verifiable(const struct config *c)
{
	return (c->alert_keys != NULL && g_hash_table_size(c->alert_keys) > 0) ||
	       (c->alert_senders != NULL && c->alert_senders[0] != NULL &&
	        (c->authserv_id != NULL || c->sender_auth == AUTH_NONE));
}

const struct responder *
config_responder_named(const struct config *c, const char *word)
{
	g_autofree char *who = util_address(word);
	const struct responder *found = NULL;

	if (strchr(who, '@') != NULL)
		return config_responder(c, who);
	for (guint i = 0; *who != '\0' && i < c->responders->len; i++) {
		const struct responder *r = c->responders->pdata[i];
		const char *at = strchr(r->address, '@');

		if (strlen(who) != (size_t)(at - r->address) ||
		    g_ascii_strncasecmp(r->address, who, strlen(who)) != 0)
			continue;
		if (found != NULL)
			return NULL; /* two carols: the name says nothing */
		found = r;
	}
	return found;
}
