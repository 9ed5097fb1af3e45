/*
 * match: the `key=glob&key=glob, …` expressions that route alerts to teams (DESIGN.md, "Teams,
 * schedules and escalation policies"): alternatives separated by commas, each one or more
 * key=glob items joined by `&`, all of which must hold. Globs take `*` and `?` and compare
 * case-insensitively. Pure: the caller says what a key's value is.
 */
#ifndef SEVMAIL_MATCH_H
#define SEVMAIL_MATCH_H

#include <glib.h>

struct match;

#define MATCH_ERROR (match_error_quark())
GQuark match_error_quark(void);

/* Parses text; NULL with err set to a sentence that quotes the part that cannot be read. */
struct match *match_parse(const char *text, GError **err);
void match_free(struct match *m);
typedef struct match match; /* for g_autoptr(match) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(match, match_free)

/* The value of a key (lower-case) for the thing being matched, or NULL (counts as ""). */
typedef const char *(*match_lookup_fn)(const char *key, gconstpointer data);

/* TRUE when one alternative holds entirely. */
gboolean match_test(const struct match *m, match_lookup_fn lookup, gconstpointer data);

/* TRUE when some alternative uses no key but those in keys (NULL-terminated): such a match
 * holds for everything those keys allow, e.g. every mail of one sender. */
gboolean match_some_only(const struct match *m, const char *const *keys);

/* TRUE when some alternative holds for anything at all: every glob in it is only '*' (a
 * missing key counts as empty, which '*' matches too). */
gboolean match_some_anything(const struct match *m);

/* The expression as written, normalised: "service=payments, sender=*@x&severity=critical".
 * Static storage of m. */
const char *match_text(const struct match *m);

#endif
