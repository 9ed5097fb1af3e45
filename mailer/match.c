/*
 * match: alternatives of key=glob items. Keys and globs are kept lower-case and values are
 * lowered before matching, so "Payment*" matches "paymentservice".
 */
#include "match.h"

#include <string.h>

struct item {
	char *key;
	char *text; /* the glob as written, lower-case */
	GPatternSpec *glob;
};

struct match {
	GPtrArray *alternatives; /* GPtrArray of struct item * */
	char *text;
};

G_DEFINE_QUARK(sevmail - match - error, match_error)

static void
item_free(gpointer p)
{
	struct item *it = p;

	g_free(it->key);
	g_free(it->text);
	g_pattern_spec_free(it->glob);
	g_free(it);
}

void
match_free(struct match *m)
{
	if (m == NULL)
		return;
	g_ptr_array_unref(m->alternatives);
	g_free(m->text);
	g_free(m);
}

static gboolean
key_valid(const char *key)
{
	if (*key == '\0')
		return FALSE;
	for (const char *p = key; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

/* One "key=glob"; NULL + err when it has no '=' or a key that is no label name. */
static struct item *
item_parse(const char *text, GError **err)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));
	char *eq = strchr(copy, '=');
	struct item *it;

	if (eq == NULL) {
		g_set_error(err, MATCH_ERROR, 0,
		            "\"%s\" is not key=glob (for example service=payments)", copy);
		return NULL;
	}
	*eq = '\0';
	g_strstrip(copy);
	if (!key_valid(copy)) {
		g_set_error(err, MATCH_ERROR, 0,
		            "\"%s\" is not a label name (letters, digits, _ - .)", copy);
		return NULL;
	}
	it = g_new0(struct item, 1);
	it->key = g_ascii_strdown(copy, -1);
	{
		it->text = g_utf8_strdown(g_strstrip(eq + 1), -1);
		it->glob = g_pattern_spec_new(it->text);
	}
	return it;
}

static GPtrArray *
alternative_parse(const char *text, GString *normal, GError **err)
{
	g_auto(GStrv) items = g_strsplit(text, "&", -1);
	GPtrArray *alt = g_ptr_array_new_with_free_func(item_free);

	for (char **i = items; *i != NULL; i++) {
		struct item *it = item_parse(*i, err);
		g_autofree char *clean = g_strstrip(g_strdup(*i));

		if (it == NULL) {
			g_ptr_array_unref(alt);
			return NULL;
		}
		g_ptr_array_add(alt, it);
		g_string_append_printf(normal, "%s%s", i == items ? "" : "&", clean);
	}
	return alt;
}

struct match *
match_parse(const char *text, GError **err)
{
	g_auto(GStrv) alternatives = g_strsplit(text != NULL ? text : "", ",", -1);
	g_autoptr(GString) normal = g_string_new(NULL);
	struct match *m = g_new0(struct match, 1);

	m->alternatives = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (char **a = alternatives; *a != NULL; a++) {
		GPtrArray *alt;

		if (*g_strstrip(*a) == '\0')
			continue;
		if (m->alternatives->len > 0)
			g_string_append(normal, ", ");
		if ((alt = alternative_parse(*a, normal, err)) == NULL) {
			match_free(m);
			return NULL;
		}
		g_ptr_array_add(m->alternatives, alt);
	}
	if (m->alternatives->len == 0) {
		g_set_error(err, MATCH_ERROR, 0,
		            "is empty (write key=glob items, for example service=payments)");
		match_free(m);
		return NULL;
	}
	m->text = g_strdup(normal->str);
	return m;
}

static gboolean
alternative_holds(GPtrArray *alt, match_lookup_fn lookup, gconstpointer data)
{
	for (guint i = 0; i < alt->len; i++) {
		const struct item *it = alt->pdata[i];
		const char *value = lookup(it->key, data);
		g_autofree char *lower = g_utf8_strdown(value != NULL ? value : "", -1);

		if (!g_pattern_spec_match_string(it->glob, lower))
			return FALSE;
	}
	return TRUE;
}

gboolean
match_test(const struct match *m, match_lookup_fn lookup, gconstpointer data)
{
	for (guint i = 0; i < m->alternatives->len; i++)
		if (alternative_holds(m->alternatives->pdata[i], lookup, data))
			return TRUE;
	return FALSE;
}

gboolean
match_some_only(const struct match *m, const char *const *keys)
{
	for (guint i = 0; i < m->alternatives->len; i++) {
		GPtrArray *alt = m->alternatives->pdata[i];
		gboolean only = TRUE;

		for (guint k = 0; k < alt->len && only; k++)
			only = g_strv_contains(keys, ((struct item *)alt->pdata[k])->key);
		if (only)
			return TRUE;
	}
	return FALSE;
}

gboolean
match_some_anything(const struct match *m)
{
	for (guint i = 0; i < m->alternatives->len; i++) {
		GPtrArray *alt = m->alternatives->pdata[i];
		gboolean any = TRUE;

		for (guint k = 0; k < alt->len && any; k++) {
			const char *t = ((struct item *)alt->pdata[k])->text;

			any = *t != '\0' && strspn(t, "*") == strlen(t);
		}
		if (any)
			return TRUE;
	}
	return FALSE;
}

const char *
match_text(const struct match *m)
{
	return m->text;
}
