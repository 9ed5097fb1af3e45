/*
 * html_sheet: the rules of an HTML document's <style> elements, looked up for each element
 * by html.c (the CSS they set is read by html_style.c). Approximate on purpose, to the
 * hiding side.
 */
#include <string.h>

#include "html_style.h"

#define HTML_SHEET_BYTES (256 * 1024)
#define HTML_SHEET_CLASSES 32 /* classes of one element looked up in the sheet */

struct html_sheet {
	GHashTable *rules;     /* ".class", "#id", "tag", "*" -> struct html_decls */
	gsize budget;          /* bytes of sheets still to read */
	gboolean important;    /* some rule says !important */
	GPtrArray *attr_rules; /* struct html_attr_rule, in the sheet's order */
};

static void
html_decls_free(gpointer p)
{
	html_decls_clear(p);
	g_free(p);
}

/* A rule whose selector's last part tests an attribute: "p[data-x]", "[class~=x]". The
 * test is read exactly (a rule that hides must not hide what it does not name); other
 * tests of the same part, and the context, are left out, to the hiding side. */
struct html_attr_rule {
	char *tag;  /* lower case, NULL for any */
	char *name; /* the attribute's, lower case */
	char op;    /* 0 (present), '=', '~', '|', '^', '$' or '*' */
	char *value;
	struct html_decls decls;
};

static void
html_attr_rule_free(gpointer p)
{
	struct html_attr_rule *r = p;

	g_free(r->tag);
	g_free(r->name);
	g_free(r->value);
	html_decls_clear(&r->decls);
	g_free(r);
}

struct html_sheet *
html_sheet_new(void)
{
	struct html_sheet *s = g_new0(struct html_sheet, 1);

	s->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, html_decls_free);
	s->budget = HTML_SHEET_BYTES;
	s->attr_rules = g_ptr_array_new_with_free_func(html_attr_rule_free);
	return s;
}

void
html_sheet_free(struct html_sheet *s)
{
	if (s == NULL)
		return;
	g_hash_table_destroy(s->rules);
	g_ptr_array_free(s->attr_rules, TRUE);
	g_free(s);
}

/* The last compound of a selector: after its last combinator outside brackets. */
static const char *
html_selector_last(const char *selector)
{
	const char *last = selector;
	int depth = 0;

	for (const char *p = selector; *p != '\0'; p++)
		if (*p == '[' || *p == ']')
			depth += *p == '[' ? 1 : (depth > 0 ? -1 : 0);
		else if (depth == 0 && strchr(" \t\r\n>+~", *p) != NULL)
			last = p + 1;
	return last;
}

/* The attribute test "[name op value]" at open, into r; FALSE when it is not one. */
static gboolean
html_attr_test(const char *open, struct html_attr_rule *r)
{
	const char *p = open + 1 + strspn(open + 1, " \t"), *v;
	gsize len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

	if (len == 0)
		return FALSE;
	r->name = g_ascii_strdown(p, (gssize)len);
	p += len + strspn(p + len, " \t");
	if (*p == ']')
		return TRUE;
	if (strchr("~|^$*", *p) != NULL && *p != '\0' && p[1] == '=')
		r->op = *p++;
	else if (*p == '=')
		r->op = '=';
	else
		return FALSE;
	p += 1 + strspn(p + 1, " \t");
	v = *p == '"' || *p == '\'' ? p + 1 : p;
	len = v > p ? strcspn(v, v[-1] == '"' ? "\"" : "'") : strcspn(v, " \t]");
	r->value = g_ascii_strdown(v, (gssize)len);
	return TRUE;
}

/* Adds the rule when the selector's last part tests an attribute (and has no
 * pseudo-class); FALSE when it does not. */
static gboolean
html_sheet_attr_rule(struct html_sheet *s, const char *selector, const char *body)
{
	const char *last = html_selector_last(selector), *open = strchr(last, '[');
	struct html_attr_rule *r;
	gsize tag = strcspn(last, "[.#");

	if (open == NULL)
		return FALSE;
	if (strchr(strrchr(last, ']') != NULL ? strrchr(last, ']') : last, ':') != NULL)
		return TRUE; /* a pseudo-class: ignored, as in other rules */
	r = g_new0(struct html_attr_rule, 1);
	if (!html_attr_test(open, r)) {
		html_attr_rule_free(r);
		return TRUE;
	}
	r->tag = tag > 0 && !(tag == 1 && *last == '*') ? g_ascii_strdown(last, (gssize)tag) : NULL;
	r->decls.cascade = TRUE;
	html_decls_add(&r->decls, body);
	for (int p = 0; p < HTML_PROP_COUNT; p++)
		s->important = s->important || r->decls.important[p];
	g_ptr_array_add(s->attr_rules, r);
	return TRUE;
}

/* The value of attribute name (lower case) in attrs, or NULL. */
static const char *
html_sheet_attr(const char *const *attrs, const char *name)
{
	for (; attrs != NULL && attrs[0] != NULL; attrs += 2)
		if (g_ascii_strcasecmp(attrs[0], name) == 0)
			return attrs[1];
	return NULL;
}

/* The key of a selector's last part: its id, else its first class, else its tag; NULL for
 * what is ignored (pseudo-classes, attribute tests, nothing). */
static char *
html_selector_key(const char *selector)
{
	const char *last = html_selector_last(selector), *mark;
	gsize len;

	if (*last == '\0' || strpbrk(last, ":[") != NULL)
		return NULL;
	if ((mark = strchr(last, '#')) != NULL || (mark = strchr(last, '.')) != NULL)
		len = 1 + strcspn(mark + 1, "#.");
	else
		len = strlen(mark = last);
	return len > 1 || (len == 1 && *mark != '#' && *mark != '.')
	           ? g_ascii_strdown(mark, (gssize)len)
	           : NULL;
}

static void
html_sheet_rule(struct html_sheet *s, const char *selectors, const char *body)
{
	g_auto(GStrv) list = g_strsplit(selectors, ",", -1);

	for (char **sel = list; *sel != NULL; sel++) {
		char *key;
		struct html_decls *d;

		if (html_sheet_attr_rule(s, g_strstrip(*sel), body) ||
		    (key = html_selector_key(*sel)) == NULL)
			continue;
		if ((d = g_hash_table_lookup(s->rules, key)) == NULL) {
			d = g_new0(struct html_decls, 1);
			d->cascade = TRUE;
			g_hash_table_insert(s->rules, g_strdup(key), d);
		}
		html_decls_add(d, body);
		for (int p = 0; p < HTML_PROP_COUNT; p++)
			s->important = s->important || d->important[p];
		g_free(key);
	}
}

/* Where the text goes on after the block opened at open: after its closing brace, or at
 * the end of the text when it never closes. */
static const char *
html_after_block(const char *open)
{
	int depth = 0;

	for (const char *p = open; *p != '\0'; p++)
		if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			return p + 1;
	return open + strlen(open);
}

void
html_sheet_add(struct html_sheet *s, const char *css)
{
	gsize len = MIN(strlen(css), s->budget);
	g_autofree char *text = html_css_uncomment(css, len);
	const char *p = text;

	s->budget -= len;
	while (*p != '\0') {
		const char *open = strchr(p, '{'), *close = strchr(p, '}'), *semi;
		g_autofree char *selectors = NULL, *body = NULL;

		p += strspn(p, " \t\r\n");
		if (open == NULL)
			return;
		if (close != NULL && close < open) { /* the end of an @media block */
			p = close + 1;
			continue;
		}
		if (*p == '@') {
			semi = strchr(p, ';');
			if (semi != NULL && semi < open) /* @import, @charset */
				p = semi + 1;
			else if (g_str_has_prefix(p, "@media") || g_str_has_prefix(p, "@supports"))
				p = open + 1; /* their rules count as top-level ones */
			else                  /* @font-face, @page ... */
				p = html_after_block(open);
			continue;
		}
		close = html_after_block(open);
		selectors = g_strndup(p, (gsize)(open - p));
		body = g_strndup(open + 1, (gsize)(close - open - 1) - (close[-1] == '}' ? 1 : 0));
		html_sheet_rule(s, selectors, body);
		p = close;
	}
}

/* Adds the rule for prefix + name (".", "#" or ""; of any case), if there is one, to d. */
static void
html_sheet_merge(const struct html_sheet *s, struct html_decls *d, const char *prefix,
                 const char *name)
{
	g_autofree char *lower = g_ascii_strdown(name, -1);
	g_autofree char *key = g_strconcat(prefix, lower, NULL);
	const struct html_decls *rule = g_hash_table_lookup(s->rules, key);

	for (int p = 0; rule != NULL && p < HTML_PROP_COUNT; p++)
		if (rule->value[p] != NULL)
			html_decls_put(d, p, rule->value[p], rule->important[p]);
}

/* TRUE when an attribute's value (any case) passes the rule's test. */
static gboolean
html_attr_rule_passes(const struct html_attr_rule *r, const char *value)
{
	g_autofree char *v = g_ascii_strdown(value, -1);
	gsize len = strlen(r->value != NULL ? r->value : "");
	g_auto(GStrv) words = NULL;

	switch (r->op) {
	case 0:
		return TRUE;
	case '=':
		return strcmp(v, r->value) == 0;
	case '|':
		return strcmp(v, r->value) == 0 || (g_str_has_prefix(v, r->value) && v[len] == '-');
	case '~':
		words = g_strsplit_set(v, " \t\r\n", -1);
		return len > 0 && g_strv_contains((const char *const *)words, r->value);
	case '^':
		return len > 0 && g_str_has_prefix(v, r->value);
	case '$':
		return len > 0 && g_str_has_suffix(v, r->value);
	default: /* '*' */
		return len > 0 && strstr(v, r->value) != NULL;
	}
}

/* Adds the attribute rules an element's tag and attributes pass to d, in sheet order. */
static void
html_sheet_attr_merge(const struct html_sheet *s, struct html_decls *d, const char *tag,
                      const char *const *attrs)
{
	for (guint i = 0; i < s->attr_rules->len; i++) {
		const struct html_attr_rule *r = g_ptr_array_index(s->attr_rules, i);
		const char *value = html_sheet_attr(attrs, r->name);

		if (value == NULL || (r->tag != NULL && g_ascii_strcasecmp(r->tag, tag) != 0) ||
		    !html_attr_rule_passes(r, value))
			continue;
		for (int p = 0; p < HTML_PROP_COUNT; p++)
			if (r->decls.value[p] != NULL)
				html_decls_put(d, p, r->decls.value[p], r->decls.important[p]);
	}
}

void
html_sheet_apply(const struct html_sheet *s, struct html_decls *d, const char *tag,
                 const char *const *attrs)
{
	const char *classes = html_sheet_attr(attrs, "class"), *id = html_sheet_attr(attrs, "id");
	g_auto(GStrv) names = NULL;
	int n = 0;

	if (g_hash_table_size(s->rules) == 0 && s->attr_rules->len == 0)
		return;
	html_sheet_merge(s, d, "", "*");
	if (tag == NULL)
		return;
	html_sheet_merge(s, d, "", tag);
	html_sheet_attr_merge(s, d, tag, attrs);
	names = classes != NULL ? g_strsplit_set(classes, " \t\r\n", -1) : NULL;
	for (char **c = names; c != NULL && *c != NULL && n < HTML_SHEET_CLASSES; c++)
		if (**c != '\0') {
			html_sheet_merge(s, d, ".", *c);
			n++;
		}
	if (id != NULL)
		html_sheet_merge(s, d, "#", id);
}

gboolean
html_sheet_important(const struct html_sheet *s)
{
	return s->important;
}
