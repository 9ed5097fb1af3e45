/*
 * util: the few helpers every module shares: the clock (one source of "now" that tests can
 * set), time formatting and text cleaning.
 */
#ifndef SEVMAIL_UTIL_H
#define SEVMAIL_UTIL_H

#include <glib.h>

/* Unix time now; SEVMAIL_NOW (unix seconds) overrides it so tests control the clock. */
gint64 util_now(void);
/* ISO 8601 UTC ("2026-11-26T14:03:12Z"); caller frees. NULL for t == 0. */
char *util_iso8601(gint64 t);
/* A short human time in UTC ("2026-11-26 14:03 UTC"); caller frees. */
char *util_human_time(gint64 t);
/* Copy of s as one line: valid UTF-8, CR/LF/tabs/controls replaced by spaces, bidirectional
 * overrides and isolates dropped, runs of
 * spaces folded, trimmed, at most max_chars characters (cut with "…"). Caller frees. */
char *util_one_line(const char *s, glong max_chars);
/* A duration for people: "45 s", "4 min", "1 h 38 min" (5879 s), "47 h 59 min", "3 d 2 h";
 * minutes round to the nearest. Caller frees. */
char *util_duration(gint64 seconds);
/* A duration as configured: one or more N followed by s, m, h, d or w ("10m", "1h30m"),
 * spaces allowed between parts; FALSE for anything else or more than a year. */
gboolean util_parse_duration(const char *text, gint64 *seconds);
/* Lower-case copy of an address with surrounding <> and spaces removed. Caller frees. */
char *util_address(const char *s);
/* The domain part of an address (pointer into s), or "" when there is none. */
const char *util_domain(const char *address);
/* TRUE when name is a host name: ASCII letters, digits and '-' in dot-separated labels of
 * 1 to 63 characters that neither start nor end with '-', at most 253 in all, the last
 * label not all digits (an IP address is not a host name). */
gboolean util_hostname_valid(const char *name);
/* TRUE when address is a bare, plain, deliverable addr-spec that is safe to put in an
 * envelope and a header: local@domain with one '@', an ASCII dot-atom local part of at most
 * 64 characters (no quotes, commas, semicolons, spaces or control characters), a host name
 * as the domain, at most 254 characters in all. Pure. */
gboolean util_address_valid(const char *address);

#endif
