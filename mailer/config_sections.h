/*
 * config_sections: what config.c, config_sections.c and config_warn.c share (private to
 * the config module).
 */
#ifndef SEVMAIL_CONFIG_SECTIONS_H
#define SEVMAIL_CONFIG_SECTIONS_H

#include "config.h"

/* The names of enum list_policy, in its order. */
extern const char *const config_policy_names[3];

/* Sets err to "file: [group] key: message" (or "file: [group]: message" when key is NULL)
 * and returns -1. */
int config_bad(GError **err, const struct config *c, const char *group, const char *key,
               const char *fmt, ...) G_GNUC_PRINTF(5, 6);
/* The index of value among the n names (ASCII case ignored), or -1. */
int config_enum_value(const char *const *names, gsize n, const char *value);
/* "a, B,,c" -> {"a", "b", "c", NULL}, in lower case. Caller frees with g_strfreev. */
char **config_split_list(const char *value);
/* TRUE for the host names of this machine's loopback interface. */
gboolean config_loopback(const char *host);

/* A duration such as 10m into *field (seconds, from min to max). 0, or -1 + err. */
int config_set_duration(struct config *c, const char *group, const char *key, const char *value,
                        int min, int max, int *field, GError **err);
/* How long to keep something: a duration as config_set_duration reads it, or "forever"
 * (0). 0, or -1 + err. */
int config_set_keep(struct config *c, const char *group, const char *key, const char *value,
                    int min, int max, int *field, GError **err);
/* [alerts] storm: "N/DURATION" (more than N incidents from alerts within DURATION) or
 * "off". 0, or -1 + err. */
int config_set_storm(struct config *c, const char *group, const char *key, const char *value,
                     struct storm_guard *field, GError **err);

/* [responders]: each key an address, each value its roles. 0, or -1 + err. */
int config_load_responders(struct config *c, GKeyFile *kf, GError **err);
/* One [list:NAME] group, added to c->lists. 0, or -1 + err. */
int config_load_list(struct config *c, GKeyFile *kf, const char *group, GError **err);
/* Gives lists without `domains` the incident address's domain. */
void config_default_list_domains(struct config *c);
void config_list_free(struct list_config *l);

/* One [schedule:NAME] group, added to c->schedules. 0, or -1 + err. */
int config_load_schedule(struct config *c, GKeyFile *kf, const char *group, GError **err);
/* Adds to w (char *) a warning for each person in a schedule who is not a responder. */
void config_warn_schedules(GPtrArray *w, const struct config *c);

/* One [team:NAME] group, added to c->teams. 0, or -1 + err. */
int config_load_team(struct config *c, GKeyFile *kf, const char *group, GError **err);
/* Once every section is read: the steps' schedules exist, teams get their zone, and the
 * people of teams become responders. 0, or -1 + err. */
int config_finish_teams(struct config *c, GError **err);
void config_team_free(struct team *t);
/* TRUE when a step of some team pages that schedule. */
gboolean config_schedule_in_team(const struct config *c, const char *name);

/* One [heartbeat:NAME] group, added to c->heartbeats. 0, or -1 + err. */
int config_load_heartbeat(struct config *c, GKeyFile *kf, const char *group, GError **err);
/* Once every section is read: heartbeats name teams of the file, heartbeat_to is an
 * address. 0, or -1 + err. */
int config_finish_heartbeats(struct config *c, GError **err);
void config_heartbeat_free(struct heartbeat *h);
/* One [person:ADDRESS] group, added to c->people. 0, or -1 + err. */
int config_load_person(struct config *c, GKeyFile *kf, const char *group, GError **err);
void config_person_free(struct person *p);
/* Adds to w (char *) a warning for each [person:] who is neither a responder nor in a team. */
void config_warn_people(GPtrArray *w, const struct config *c);

#endif
