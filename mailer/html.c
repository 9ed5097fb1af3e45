/*
 * html: HTML mail bodies to plain text for the alert and reply parsers. Part of the mime
 * module (declared in mime.h); the only file that sees libxml2. The tree is walked through
 * parent/next pointers, so hostile nesting depth costs no stack.
 */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

#include "mime.h"

/* Elements that end a line before and after them. */
static const char *const html_blocks[] = {
    "address", "article", "aside", "blockquote", "body",     "caption",    "center", "dd",
    "details", "div",     "dl",    "dt",         "fieldset", "figcaption", "figure", "footer",
    "form",    "h1",      "h2",    "h3",         "h4",       "h5",         "h6",     "header",
    "hr",      "li",      "main",  "nav",        "ol",       "p",          "pre",    "section",
    "summary", "table",   "tbody", "tfoot",      "thead",    "tr",         "ul",     NULL,
};

/* Elements whose content is never shown to a reader. */
static const char *const html_dropped[] = {
    "head", "script", "style", "title", "noscript", "template", "object", "iframe", NULL,
};

struct html_out {
	GString *s;
	gboolean pending_space; /* whitespace seen since the last visible character */
	int pre;                /* depth of <pre>: whitespace kept as is */
};

static gboolean
html_name_in(const xmlNode *n, const char *const *names)
{
	if (n->name == NULL)
		return FALSE;
	for (; *names != NULL; names++)
		if (g_ascii_strcasecmp((const char *)n->name, *names) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
html_at_line_start(const struct html_out *o)
{
	return o->s->len == 0 || o->s->str[o->s->len - 1] == '\n';
}

static void
html_newline(struct html_out *o)
{
	while (o->s->len > 0 && o->s->str[o->s->len - 1] == ' ')
		g_string_truncate(o->s, o->s->len - 1);
	g_string_append_c(o->s, '\n');
	o->pending_space = FALSE;
}

/* Starts a new line unless we are at the start of one already. */
static void
html_break(struct html_out *o)
{
	if (!html_at_line_start(o))
		html_newline(o);
	o->pending_space = FALSE;
}

static void
html_text(struct html_out *o, const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (o->pre > 0) {
			if (c == '\n')
				html_newline(o);
			else if (c != '\r')
				g_string_append_unichar(o->s, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xa0) {
			o->pending_space = TRUE;
			continue;
		}
		if (o->pending_space && !html_at_line_start(o))
			g_string_append_c(o->s, ' ');
		o->pending_space = FALSE;
		g_string_append_unichar(o->s, c);
	}
}

static void
html_enter(struct html_out *o, const xmlNode *n)
{
	if (html_name_in(n, html_blocks))
		html_break(o);
	if (g_ascii_strcasecmp((const char *)n->name, "br") == 0)
		html_newline(o);
	else if (g_ascii_strcasecmp((const char *)n->name, "td") == 0 ||
	         g_ascii_strcasecmp((const char *)n->name, "th") == 0)
		o->pending_space = TRUE;
	else if (g_ascii_strcasecmp((const char *)n->name, "pre") == 0)
		o->pre++;
}

static void
html_leave(struct html_out *o, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	if (g_ascii_strcasecmp((const char *)n->name, "pre") == 0 && o->pre > 0)
		o->pre--;
	if (html_name_in(n, html_blocks))
		html_break(o);
	else if (g_ascii_strcasecmp((const char *)n->name, "td") == 0 ||
	         g_ascii_strcasecmp((const char *)n->name, "th") == 0)
		o->pending_space = TRUE;
}

static void
html_walk(struct html_out *o, xmlNode *root)
{
	xmlNode *n = root;

	for (;;) {
		if (n->type == XML_ELEMENT_NODE && !html_name_in(n, html_dropped)) {
			html_enter(o, n);
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		} else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				html_text(o, (const char *)n->content);
		}
		/* n is done: leave it and every ancestor whose last child it was. */
		for (;;) {
			if (!html_name_in(n, html_dropped))
				html_leave(o, n);
			if (n == root)
				return;
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
}

/* Trims lines' trailing blanks and the whole text, and keeps at most one empty line in a row. */
static char *
html_tidy(const char *raw)
{
	g_auto(GStrv) lines = g_strsplit(raw, "\n", -1);
	GString *out = g_string_new(NULL);
	int empty = 0;

	for (char **l = lines; *l != NULL; l++) {
		g_strchomp(*l);
		if (**l == '\0') {
			empty++;
			continue;
		}
		if (out->len > 0)
			g_string_append(out, empty > 0 ? "\n\n" : "\n");
		g_string_append(out, *l);
		empty = 0;
	}
	return g_string_free(out, FALSE);
}

/* Returns the visible text of an HTML document (UTF-8 in, UTF-8 out). Caller frees. */
char *
mime_html_to_text(const char *html, gsize len)
{
	struct html_out o = {0};
	htmlDocPtr doc;
	xmlNode *root;
	char *text;

	if (html == NULL || len == 0 || len > G_MAXINT)
		return g_strdup("");
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                         HTML_PARSE_NONET);
	if (doc == NULL)
		return g_strdup("");
	o.s = g_string_new(NULL);
	root = xmlDocGetRootElement(doc);
	if (root != NULL)
		html_walk(&o, root);
	xmlFreeDoc(doc);
	text = html_tidy(o.s->str);
	g_string_free(o.s, TRUE);
	return text;
}
