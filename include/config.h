/*
 * config: the INI configuration of DESIGN.md, loaded and validated from one table of known
 * keys. Unknown keys and bad values are errors that name the file, group and key.
 */
#ifndef SEVMAIL_CONFIG_H
#define SEVMAIL_CONFIG_H

#include <glib.h>

struct match;
struct schedule;

/* Error domain of a configuration that cannot be loaded; the message names file, group and key. */
#define CONFIG_ERROR (config_error_quark())
GQuark config_error_quark(void);

/* How a connection starts; relay.h and imap.h take it as configured, with no translation. */
enum security_mode { SECURITY_NONE, SECURITY_TLS, SECURITY_STARTTLS };
enum sender_auth { AUTH_TOKEN, AUTH_DMARC, AUTH_TOKEN_OR_DMARC, AUTH_NONE };
enum list_policy { POLICY_OPEN, POLICY_CONFIRM, POLICY_CLOSED };

#define ROLE_ONCALL 1u
#define ROLE_COMMANDER 2u

struct responder {
	char *address; /* lower-case */
	unsigned roles;
};

struct list_config {
	char *name;
	char *address;
	unsigned severities;     /* bit n set = severity n included */
	gboolean severities_set; /* FALSE: the default, every severity */
	enum list_policy policy;
	/* Who may subscribe by mail: any_domain (`domains = *`), else the domains listed,
	 * lower-case and NULL-terminated; without `domains` the incident address's domain. */
	gboolean any_domain;
	char **domains;
	/* `teams`: only incidents of these teams ("default" included), lower-case and
	 * NULL-terminated; NULL for every team */
	char **teams;
	char *owner; /* who hears of subscribers suspended for bounces, or NULL */
};

/* What one step of a team's escalation pages (DESIGN.md, "Teams, schedules and escalation
 * policies"). */
enum step_target {
	TARGET_SCHEDULE,   /* whoever is on call for the schedule `name` at that moment */
	TARGET_ADDRESS,    /* the person `name` */
	TARGET_COMMANDERS, /* every responder with role commander */
	TARGET_TEAM,       /* everyone in the team's schedules and steps */
};

struct team_step {
	int delay; /* seconds after the ladder starts (the declaration); 0 for the first */
	enum step_target target;
	char *name; /* schedule name or address; NULL for commanders and team */
};

/* A [team:NAME] section. Without any, there is one team, "default": [responders] order and
 * [escalation] keys. */
struct team {
	char *name;
	GPtrArray *steps;     /* struct team_step *, at least one */
	int repeat;           /* more rounds after the first */
	int round;            /* seconds from one round's start to the next's */
	struct match *match;  /* which alerts are this team's, or NULL: none by routing */
	unsigned low_urgency; /* bit n set: severity n waits for business hours */
	/* business hours, in tz: the days (bit 0 Monday .. bit 6 Sunday) and the minutes after
	 * local midnight [start, end) */
	unsigned business_days;
	int business_start, business_end;
	GTimeZone *tz; /* the zone of the team's first schedule, else UTC */
};

/* [alerts] storm: more than `limit` incidents declared from alerts within `period` seconds
 * make further new alerts join one "Alert storm" incident; limit 0: off. */
struct storm_guard {
	int limit;
	int period;
};

/* A [heartbeat:NAME] section (DESIGN.md, "Noise control"): a mail its match holds for is a
 * heartbeat; none for every + grace declares an incident. */
struct heartbeat {
	char *name;
	struct match *match;
	int every, grace; /* seconds */
	int severity;     /* 1-3: the incident's */
	char *team;       /* a [team:] name, or NULL for default */
};

/* A [person:ADDRESS] section: more ways to reach one person. */
struct person {
	char *address;    /* lower-case, as in the section name */
	char **page_also; /* lower-case addresses that get the short page, NULL-terminated;
	                   * NULL when not set */
};

struct server_config {
	char *host;
	int port;
	enum security_mode security;
	char *user;
	char *password;
	char *ca_file; /* PEM file of trusted CAs instead of the system's, or NULL */
	int timeout;   /* seconds for connecting and for every answer */
};

struct config {
	char *path;
	GPtrArray *secret_files;   /* char *, the files secrets were read from */
	gboolean inline_passwords; /* a password is written in the file itself */
	/* [general] */
	char *address; /* incidents@example.com */
	char *name;    /* display name of mail sevmail sends */
	char *database;
	int busy_timeout;     /* seconds to wait for another writer of the database */
	int max_message_size; /* bytes; larger messages are read as their header only */
	char *templates;
	char *secret;        /* read from secret_file, or from secret = for tests */
	char *heartbeat_to;  /* sevmail's own heartbeat goes there, or NULL */
	int heartbeat_every; /* seconds between two of them */
	int keep_raw;        /* seconds the raw bytes of inbound mail are kept; 0: forever */
	/* [imap] */
	struct server_config imap;
	char *mailbox;
	gboolean idle;
	int poll_interval;
	char *processed;
	/* [smtp] */
	struct server_config smtp;
	int smtp_max_recipients; /* recipients per SMTP transaction */
	int smtp_max_age;        /* seconds before undelivered mail is given up */
	/* [responders], in file order = escalation order */
	GPtrArray *responders; /* struct responder * */
	/* [escalation] */
	int ack_timeout, repeat, update_interval;
	/* [oncall] */
	char **rotation;       /* addresses, NULL-terminated, may be empty */
	gint64 rotation_start; /* when rotation[0]'s first turn began */
	int rotation_length;   /* seconds per turn */
	/* [postmortem] */
	int postmortem_due; /* seconds after resolution before the commander is reminded */
	char *timezone;     /* for meeting times without an offset */
	/* [status_page] */
	char *status_page_output; /* rewritten after every change when set, or NULL */
	/* [security] */
	enum sender_auth sender_auth;
	char *authserv_id;
	gboolean allow_insecure;
	/* [alerts] */
	char **alert_senders; /* patterns, "*@domain" allowed; NULL-terminated, may be empty */
	GHashTable *severity_labels; /* label (lower-case) -> GINT_TO_POINTER(severity) */
	gboolean auto_resolve;       /* a recovery mail resolves the incident */
	GHashTable *alert_keys;      /* secret key -> source name, or NULL: alert+KEY@domain */
	/* [store] */
	struct {
		gboolean
		    postgresql; /* backend = postgresql; otherwise the [general] database file */
		char *conninfo; /* libpq's connection string */
		char *password; /* read from password_file, or NULL */
		int takeover_interval; /* seconds between a standby's tries to become active */
	} store;
	char **group_by;  /* label names (lower-case), NULL-terminated; empty: no grouping */
	int group_window; /* seconds after its declaration an incident takes its group's alerts */
	struct storm_guard storm;
	/* [list:NAME] */
	GPtrArray *lists; /* struct list_config * */
	/* [schedule:NAME], in file order */
	GPtrArray *schedules; /* struct schedule * */
	/* [team:NAME], in file order = routing order; empty: the one "default" team */
	GPtrArray *teams; /* struct team * */
	/* [heartbeat:NAME], in file order = matching order */
	GPtrArray *heartbeats; /* struct heartbeat * */
	/* [person:ADDRESS], in file order */
	GPtrArray *people; /* struct person * */
};

/* Loads and validates path. NULL + err (a sentence naming file and key) on any problem. */
struct config *config_load(const char *path, GError **err);
void config_free(struct config *c);
typedef struct config config; /* for g_autoptr(config) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(config, config_free)

/* The responder with that address, or NULL. */
const struct responder *config_responder(const struct config *c, const char *address);
/* The [person:] section of address, or NULL. */
const struct person *config_person(const struct config *c, const char *address);
/* The list whose address (or NAME-request address) is address, or NULL. */
const struct list_config *config_list_by_address(const struct config *c, const char *address);
const struct list_config *config_list_by_name(const struct config *c, const char *name);
/* The responder with that address, or whose local part is that name when only one has
 * it ("carol"); NULL otherwise. */
const struct responder *config_responder_named(const struct config *c, const char *word);
/* The source whose secret alert address (local+alert-KEY@domain) is among recipients, or
 * NULL. */
const char *config_alert_key_source(const struct config *c, GPtrArray *recipients);
/* FALSE when no alert can ever be verified (no keys, no senders with an authserv_id). */
gboolean config_alerts_verifiable(const struct config *c);
/* TRUE when address matches one of [alerts] senders (always TRUE when none are set). */
gboolean config_alert_sender_allowed(const struct config *c, const char *address);
/* Warnings an operator should see (insecure settings); NULL-terminated, caller frees. */
char **config_warnings(const struct config *c);

#endif
