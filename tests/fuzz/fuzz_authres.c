/*
 * libFuzzer harness for authres_parse: the input is one Authentication-Results value, as a
 * sender can shape most of it. Besides crashes, hangs and leaks it checks what authres.h
 * promises: a result or an error, never both; lower-case keywords; the bounds held; and
 * the authserv-id read alone is the one of the full parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"

/* Aborts (a libFuzzer finding) when a promise of the header does not hold. */
static void
fuzz_require(gboolean ok, const char *what)
{
	if (!ok) {
		g_printerr("fuzz_authres: broken promise: %s\n", what);
		abort();
	}
}

static gboolean
fuzz_keyword(const char *s)
{
	if (s == NULL || *s == '\0')
		return FALSE;
	for (; *s != '\0'; s++)
		if (!(g_ascii_islower(*s) || g_ascii_isdigit(*s) || *s == '-' || *s == '_'))
			return FALSE;
	return TRUE;
}

static void
fuzz_check_result(const struct authres_result *r)
{
	GHashTableIter it;
	gpointer k, v;

	fuzz_require(fuzz_keyword(r->method) && fuzz_keyword(r->result), "lower-case keywords");
	fuzz_require(r->reason == NULL || strlen(r->reason) <= AUTHRES_MAX_VALUE, "reason bound");
	fuzz_require(g_hash_table_size(r->props) <= AUTHRES_MAX_PROPERTIES, "property bound");
	g_hash_table_iter_init(&it, r->props);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		fuzz_require(strcmp(k, "reason") != 0, "reason kept apart");
		fuzz_require(strlen(v) <= AUTHRES_MAX_VALUE, "value bound");
		fuzz_require(authres_prop(r, k) == v, "authres_prop finds every property");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *value = g_strndup((const char *)data, size);
	g_autofree char *id = authres_authserv_id(value);
	g_autoptr(GError) err = NULL;
	g_autoptr(authres) a = authres_parse(value, &err);

	fuzz_require((a == NULL) != (err == NULL), "exactly one of a result and an error");
	if (a == NULL)
		return 0;
	fuzz_require(a->authserv_id != NULL && g_strcmp0(a->authserv_id, id) == 0,
	             "authserv-id alone is the parsed one");
	fuzz_require(a->results->len <= AUTHRES_MAX_RESULTS, "result bound");
	for (guint i = 0; i < a->results->len; i++)
		fuzz_check_result(a->results->pdata[i]);
	return 0;
}
