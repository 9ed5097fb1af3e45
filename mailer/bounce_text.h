/*
 * bounce_text: what bounce.c (the report and the verdicts) and bounce_text.c (the bounces
 * written as prose) share. Private to the bounce module.
 */
#ifndef SEVMAIL_BOUNCE_TEXT_H
#define SEVMAIL_BOUNCE_TEXT_H

#include "bounce.h"
#include "mime.h"

/* The first enhanced status code in text ("5.1.1" of "550 5.1.1 user unknown", "#5.1.1"),
 * or NULL. Caller frees. */
char *bounce_status_in(const char *text);
/* The first mail address in text, bare and lower-case, or NULL; *end (when given) points
 * just after it in text. Caller frees. */
char *bounce_address_in(const char *text, const char **end);
/* A verdict: the status given (a Status field) or else the one the diagnostic names, or
 * else the class of its SMTP reply code, or else 5.0.0 (failed) / 4.0.0; permanent when
 * failed with a 5.x.x status. Caller frees. */
struct bounce *bounce_verdict(const char *format, const char *recipient, const char *status,
                              const char *diagnostic, gboolean failed);

/* The report's words for people: its first text part (or HTML part as text), up to where
 * the returned message is quoted. Caller frees. */
char *bounce_human_text(const struct mime_doc *d);
/* What text says about address: the rest of the line that names it and the indented lines
 * below, or NULL. Caller frees. */
char *bounce_reason_for(const char *text, const char *address);
/* Reads the bounces written as prose (no delivery-status part) by the shapes of the MTAs
 * that write them, into out. */
void bounce_read_text(const struct mime_doc *d, const char *text, GPtrArray *out);

#endif
