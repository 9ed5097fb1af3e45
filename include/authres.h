/*
 * authres: one Authentication-Results header value (RFC 8601, section 2.2) read by its
 * grammar, so that a ';' or '=' inside a quoted string or a comment stays data. Pure; a
 * malformed value is an error, never a partial result.
 */
#ifndef SEVMAIL_AUTHRES_H
#define SEVMAIL_AUTHRES_H

#include <glib.h>

/* Error domain of a malformed Authentication-Results value. */
#define AUTHRES_ERROR (authres_error_quark())
GQuark authres_error_quark(void);

/* Bounds: more resinfo, more properties in one resinfo, or a longer word or value than
 * this make the header malformed (no real header comes near them). */
#define AUTHRES_MAX_RESULTS 64
#define AUTHRES_MAX_PROPERTIES 32
#define AUTHRES_MAX_VALUE 1024

/* One resinfo: "dkim/1=pass (comment) reason=x header.d=example.com header.i=@example.com". */
struct authres_result {
	char *method;      /* lower-case: "dmarc", "dkim", "spf", ... */
	int version;       /* the method's version ("dkim/1"), 0 when not given */
	char *result;      /* lower-case: "pass", "fail", "none", ... */
	char *reason;      /* reason=, unquoted, or NULL */
	GHashTable *props; /* lower-case "ptype.property" ("header.from", "smtp.mailfrom")
	                    * -> value as written, quotes and escapes removed; a bare
	                    * "name=value" (Microsoft's "action=none") is kept as "name" */
};

struct authres {
	char *authserv_id;  /* as written, unquoted */
	int version;        /* the header's version, 0 when not given */
	GPtrArray *results; /* struct authres_result *, in header order; empty for "none" */
};

/* Parses one header value (unfolded). Returns NULL and sets err when it is malformed
 * (unterminated quote or comment, a missing '=', a duplicate property, a bound
 * exceeded...). Linear in the length of value. Caller frees. */
struct authres *authres_parse(const char *value, GError **err);
void authres_free(struct authres *a);
typedef struct authres authres; /* for g_autoptr(authres) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(authres, authres_free)

/* The authserv-id alone (what a header claims to come from, even when the rest of it is
 * malformed), or NULL when not even that can be read. Caller frees. */
char *authres_authserv_id(const char *value);

/* The value of "ptype.property" (lower-case) in one resinfo, or NULL. */
const char *authres_prop(const struct authres_result *r, const char *name);

#endif
