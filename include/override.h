/*
 * override: a schedule override as people ask for it, by mail (`OVERRIDE ...`) or on the
 * command line: "SCHEDULE WHO FROM UNTIL" read and checked against the configuration, and
 * the sentence that confirms it, naming whom it displaces. No I/O: the caller stores it.
 */
#ifndef SEVMAIL_OVERRIDE_H
#define SEVMAIL_OVERRIDE_H

#include "config.h"
#include "schedule.h"

/* Error domain of a request that cannot be done; the message says what to write. */
#define OVERRIDE_ERROR (override_error_quark())
GQuark override_error_quark(void);

enum override_error {
	OVERRIDE_ERROR_SYNTAX,   /* not a schedule, a person and two times */
	OVERRIDE_ERROR_SCHEDULE, /* no such schedule: the message lists them */
	OVERRIDE_ERROR_PERSON,   /* not a responder: the message lists them */
	OVERRIDE_ERROR_TIME,     /* a time unreadable or skipped, UNTIL not after FROM or past,
	                          * longer than OVERRIDE_MAX_DAYS */
};

#define OVERRIDE_MAX_DAYS 90

/* Reads "SCHEDULE WHO FROM UNTIL": WHO is "me" (the address me; NULL where there is no
 * sender, on the command line), a responder's name (the local part, see
 * config_responder_named) or address; FROM and UNTIL are "YYYY-MM-DD HH:MM" in the
 * schedule's zone, with "from", "until", "to" or "-" allowed around them. Checked against
 * cfg and the time now. The override (id 0, person a responder's lower-case address) and
 * its schedule in *sched; NULL with err otherwise. Caller frees the override. */
struct schedule_override *override_parse(const struct config *cfg, const char *text, const char *me,
                                         gint64 now, const struct schedule **sched, GError **err);

/* The confirmation: "alice@x is on call for payments-primary from 2026-12-03 18:00 CET until
 * 2026-12-04 09:00 CET instead of bob@x", local times in s's zone, whom o displaces
 * reckoned against overrides (the others in force; o may be among them). Caller frees. */
char *override_describe(const struct schedule *s, const struct schedule_override *o,
                        GPtrArray *overrides);

#endif
