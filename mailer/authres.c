/*
 * authres: one Authentication-Results header value read by the grammar of RFC 8601,
 * section 2.2, with a one-character lookahead scanner (linear, no recursion). Pure.
 */
#include "authres.h"

#include <string.h>

G_DEFINE_QUARK(sevmail_authres_error, authres_error)
#define MAX_DIGITS 9

struct scan {
	const char *start; /* the whole value, for offsets in errors */
	const char *p;     /* the next character */
	GError **err;
};

typedef struct authres_result authres_result;
static void result_free(gpointer p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(authres_result, result_free)

/* Sets the error (once: every caller returns at once) and returns FALSE. */
static gboolean
fail(struct scan *sc, const char *what)
{
	g_set_error(sc->err, AUTHRES_ERROR, 0, "malformed Authentication-Results: %s at offset %ld",
	            what, (long)(sc->p - sc->start));
	return FALSE;
}

/* fail() for functions that return a pointer. */
static void *
fail_null(struct scan *sc, const char *what)
{
	fail(sc, what);
	return NULL;
}

/* CFWS: white space and comments, which nest and may hold quoted-pairs. A quote inside a
 * comment is plain text (RFC 5322 ctext). */
static gboolean
skip_cfws(struct scan *sc)
{
	gsize depth = 0;

	for (;; sc->p++) {
		char c = *sc->p;

		if (c == '\0')
			return depth == 0 ? TRUE : fail(sc, "unterminated comment");
		if (depth > 0 && c == '\\') {
			if (sc->p[1] == '\0')
				return fail(sc, "unterminated comment");
			sc->p++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && !g_ascii_isspace(c)) {
			return TRUE;
		}
	}
}

/* Keyword (ldh-str; '_' too, as some servers write it). */
static gboolean
is_keyword_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* token of RFC 2045: no space, controls or tspecials. Bytes above 127 are let through
 * (RFC 8616 allows UTF-8 in an authserv-id). */
static gboolean
is_token_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u > ' ' && u != 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* A property value unquoted: what addresses, domains and base64 need ('@', '/', '+',
 * '='), but never a structural ';', a comment, a quote or a backslash. */
static gboolean
is_pvalue_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u > ' ' && u != 0x7f && strchr(";()\"\\", c) == NULL;
}

/* Whether a value may end here: the end, a ';', a comment or white space. */
static gboolean
at_value_end(const struct scan *sc)
{
	return *sc->p == '\0' || *sc->p == ';' || *sc->p == '(' || g_ascii_isspace(*sc->p);
}

/* A lower-case keyword, or NULL (error set). */
static char *
keyword(struct scan *sc, const char *what)
{
	const char *from = sc->p;

	while (is_keyword_char(*sc->p))
		sc->p++;
	if (sc->p == from)
		return fail_null(sc, what);
	if (sc->p - from > AUTHRES_MAX_VALUE)
		return fail_null(sc, "keyword too long");
	return g_ascii_strdown(from, sc->p - from);
}

/* A quoted-string, its content (backslash escapes removed) appended to out. */
static gboolean
quoted(struct scan *sc, GString *out)
{
	for (sc->p++; *sc->p != '"'; sc->p++) {
		if (*sc->p == '\\')
			sc->p++;
		if (*sc->p == '\0')
			return fail(sc, "unterminated quoted string");
		if (out->len >= AUTHRES_MAX_VALUE)
			return fail(sc, "value too long");
		g_string_append_c(out, *sc->p);
	}
	sc->p++;
	return TRUE;
}

/* value = token / quoted-string. With pvalue, the unquoted characters are those of
 * is_pvalue_char, and a quoted local-part may come before "@domain". NULL on error. */
static char *
word(struct scan *sc, gboolean pvalue)
{
	g_autoptr(GString) out = g_string_new(NULL);
	gboolean (*ok)(char) = pvalue ? is_pvalue_char : is_token_char;
	gboolean was_quoted = *sc->p == '"';

	if (was_quoted && !quoted(sc, out))
		return NULL;
	if (!was_quoted || (pvalue && *sc->p == '@')) {
		for (; ok(*sc->p); sc->p++)
			if (out->len < AUTHRES_MAX_VALUE + 1)
				g_string_append_c(out, *sc->p);
		if (out->len == 0)
			return fail_null(sc, "a value expected");
	}
	if (out->len > AUTHRES_MAX_VALUE)
		return fail_null(sc, "value too long");
	if (!at_value_end(sc))
		return fail_null(sc, "unexpected character after a value");
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* 1*DIGIT, then CFWS. */
static gboolean
number(struct scan *sc, int *out)
{
	const char *from = sc->p;

	*out = 0;
	for (; g_ascii_isdigit(*sc->p); sc->p++) {
		if (sc->p - from == MAX_DIGITS)
			return fail(sc, "version too long");
		*out = *out * 10 + (*sc->p - '0');
	}
	if (sc->p == from)
		return fail(sc, "a version number expected");
	return skip_cfws(sc);
}

/* The character c, then CFWS. */
static gboolean
expect(struct scan *sc, char c, const char *what)
{
	if (*sc->p != c)
		return fail(sc, what);
	sc->p++;
	return skip_cfws(sc);
}

/* reasonspec or propspec: [ptype "."] property "=" pvalue. A bare name (no ptype) is
 * "reason", or an extension such as Microsoft's "action=none", kept under its name. */
static gboolean
property(struct scan *sc, struct authres_result *r)
{
	g_autofree char *ptype = NULL, *prop = NULL, *value = NULL;

	if (g_hash_table_size(r->props) >= AUTHRES_MAX_PROPERTIES)
		return fail(sc, "too many properties");
	if ((ptype = keyword(sc, "a property expected")) == NULL || !skip_cfws(sc))
		return FALSE;
	if (*sc->p == '.' &&
	    (!expect(sc, '.', "'.'") || (prop = keyword(sc, "a property expected")) == NULL ||
	     !skip_cfws(sc)))
		return FALSE;
	if (!expect(sc, '=', "'=' expected after a property") || (value = word(sc, TRUE)) == NULL ||
	    !skip_cfws(sc))
		return FALSE;
	if (prop == NULL && strcmp(ptype, "reason") == 0) {
		if (r->reason != NULL)
			return fail(sc, "a second reason");
		r->reason = g_steal_pointer(&value);
		return TRUE;
	}
	if (!g_hash_table_insert(r->props,
	                         prop == NULL ? g_steal_pointer(&ptype)
	                                      : g_strconcat(ptype, ".", prop, NULL),
	                         g_steal_pointer(&value)))
		return fail(sc, "a property given twice");
	return TRUE;
}

/* methodspec: method ["/" version] "=" result, then reason and properties up to ';'. */
static struct authres_result *
resinfo(struct scan *sc)
{
	g_autoptr(authres_result) r = g_new0(struct authres_result, 1);

	r->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if ((r->method = keyword(sc, "a method expected")) == NULL || !skip_cfws(sc))
		return NULL;
	if (*sc->p == '/' && (!expect(sc, '/', "'/'") || !number(sc, &r->version)))
		return NULL;
	if (!expect(sc, '=', "'=' expected after a method") ||
	    (r->result = keyword(sc, "a result expected")) == NULL || !skip_cfws(sc))
		return NULL;
	while (*sc->p != ';' && *sc->p != '\0')
		if (!property(sc, r))
			return NULL;
	return g_steal_pointer(&r);
}

static void
result_free(gpointer p)
{
	struct authres_result *r = p;

	if (r == NULL)
		return;
	g_free(r->method);
	g_free(r->result);
	g_free(r->reason);
	g_hash_table_unref(r->props);
	g_free(r);
}

void
authres_free(struct authres *a)
{
	if (a == NULL)
		return;
	g_free(a->authserv_id);
	g_ptr_array_unref(a->results);
	g_free(a);
}

char *
authres_authserv_id(const char *value)
{
	struct scan sc = {value, value, NULL};

	if (value == NULL || !skip_cfws(&sc))
		return NULL;
	return word(&sc, FALSE);
}

/* "; none" as the only resinfo (no-result): TRUE when it was one, which ends the value. */
static gboolean
no_result(struct scan *sc, gboolean *ok)
{
	*ok = TRUE;
	if (g_ascii_strncasecmp(sc->p, "none", 4) != 0 || is_keyword_char(sc->p[4]))
		return FALSE;
	sc->p += 4;
	*ok = skip_cfws(sc) && (*sc->p == '\0' || fail(sc, "'none' beside other results"));
	return TRUE;
}

/* The resinfo list: ";" resinfo ... An empty one (";;", a ';' at the end) adds nothing
 * and is let through, as some servers write them; "none" must stand alone. */
static gboolean
results(struct scan *sc, GPtrArray *out)
{
	gboolean ok;

	while (*sc->p == ';') {
		struct authres_result *r;

		if (!expect(sc, ';', "';'"))
			return FALSE;
		if (*sc->p == ';' || *sc->p == '\0')
			continue;
		if (out->len == 0 && no_result(sc, &ok))
			return ok;
		if (out->len >= AUTHRES_MAX_RESULTS)
			return fail(sc, "too many results");
		if ((r = resinfo(sc)) == NULL)
			return FALSE;
		g_ptr_array_add(out, r);
	}
	if (*sc->p != '\0')
		return fail(sc, "';' expected");
	return out->len > 0 || fail(sc, "no result");
}

struct authres *
authres_parse(const char *value, GError **err)
{
	struct scan sc = {value, value, err};
	g_autoptr(authres) a = g_new0(struct authres, 1);

	a->results = g_ptr_array_new_with_free_func(result_free);
	if (value == NULL)
		return fail_null(&sc, "no value");
	if (!skip_cfws(&sc) || (a->authserv_id = word(&sc, FALSE)) == NULL || !skip_cfws(&sc))
		return NULL;
	if (g_ascii_isdigit(*sc.p) && !number(&sc, &a->version))
		return NULL;
	if (!results(&sc, a->results))
		return NULL;
	return g_steal_pointer(&a);
}

const char *
authres_prop(const struct authres_result *r, const char *name)
{
	return g_hash_table_lookup(r->props, name);
}
