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
	GHashTable *rules;  /* ".class", "#id", "tag", "*" -> struct html_decls */
	gsize budget;       /* bytes of sheets still to read */
	gboolean important; /* some rule says !important */
};

static void
html_decls_free(gpointer p)
{
	html_decls_clear(p);
	g_free(p);
}

struct html_sheet *
html_sheet_new(void)
{
	struct html_sheet *s = g_new0(struct html_sheet, 1);

	s->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, html_decls_free);
	s->budget = HTML_SHEET_BYTES;
	return s;
}

void
html_sheet_free(struct html_sheet *s)
{
	if (s == NULL)
		return;
	g_hash_table_destroy(s->rules);
	g_free(s);
}

/* The key of a selector's last part: its id, else its first class, else its tag; NULL for
 * what is ignored (pseudo-classes, attribute tests, nothing). */
static char *
html_selector_key(const char *selector)
{
	const char *last = selector, *mark;
	gsize len;

	for (const char *p = selector; *p != '\0'; p++)
		if (strchr(" \t\r\n>+~", *p) != NULL)
			last = p + 1;
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
		char *key = html_selector_key(g_strstrip(*sel));
		struct html_decls *d;

		if (key == NULL)
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

void
html_sheet_apply(const struct html_sheet *s, struct html_decls *d, const char *tag,
                 const char *classes, const char *id)
{
	g_auto(GStrv) names = NULL;
	int n = 0;

	if (g_hash_table_size(s->rules) == 0)
		return;
	html_sheet_merge(s, d, "", "*");
	if (tag != NULL)
		html_sheet_merge(s, d, "", tag);
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
