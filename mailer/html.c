/*
 * html: HTML mail bodies to plain text for the alert and reply parsers. Part of the mime
 * module (declared in mime.h); the only file that sees libxml2. The tree is walked through
 * parent/next pointers, so hostile nesting depth costs no stack.
 *
 * Reply structure that HTML mail clients express in markup is kept as plain-text mail
 * writes it, so that reply.c needs one set of rules: the content of a quoting element
 * (blockquote, Gmail's div.gmail_quote, Thunderbird's moz-cite-prefix, Yahoo's yahoo_quoted,
 * Proton's protonmail_quote ...) becomes "> " lines, and so does everything after Outlook's
 * reply divider (div#divRplyFwdMsg, #appendonsend, the border-top header box, Hotmail's
 * hr#stopSpelling), under which the original follows unquoted. Signature blocks that the
 * clients mark as such are left out.
 *
 * Nothing a reader does not see is read: elements that style (inline or through a <style>
 * sheet), the hidden attribute or old presentational attributes make invisible are left out
 * with all they hold, and so is text in the colour of its background (html_style.c).
 */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

#include "html_style.h"
#include "mime.h"
#include "reply.h"

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

/* Class names whose element holds quoted history (also matched as a class prefix, e.g.
 * Yahoo's "yahoo_quoted_1234"-style variants and Gmail's "gmail_quote_container"). */
static const char *const html_quote_classes[] = {
    "gmail_quote",  "moz-cite-prefix",  "moz-forward-container",
    "yahoo_quoted", "protonmail_quote", "zmail_extra",
    NULL,
};

/* Element ids, and classes, after which only the quoted original follows: Outlook web,
 * mobile and new Outlook (divRplyFwdMsg, appendonsend), Hotmail (stopSpelling), Zimbra
 * (zwchr), Outlook 2003 (OutlookMessageHeader). */
static const char *const html_divider_ids[] = {
    "divRplyFwdMsg", "appendonsend", "stopSpelling", "zwchr", NULL,
};
static const char *const html_divider_classes[] = {"OutlookMessageHeader", NULL};

/* Class names and ids of signature blocks; their content is not the reply's text. */
static const char *const html_signature_marks[] = {
    "gmail_signature",
    "moz-signature",
    "protonmail_signature_block",
    "ms-outlook-mobile-signature",
    "Signature",
    "composer_signature",
    NULL,
};

/* What is in effect inside an element for its text: colours (HTML_COLOR_* or 0xRRGGBB) and
 * whether the font is too small to see. */
struct html_frame {
	gint32 color;
	gint32 background;
	gboolean tiny_font;
};

struct html_out {
	GString *s;
	GArray *frames;           /* struct html_frame of each open element, the page's first */
	struct html_sheet *sheet; /* the document's <style> rules */
	gboolean pending_space;   /* whitespace seen since the last visible character */
	int pre;                  /* depth of <pre>: whitespace kept as is */
	int quote;                /* depth of quoting elements around the current node */
	gboolean history;         /* a reply divider was passed: the rest is the original */
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

/* TRUE when one of the space-separated names in attribute attr of n starts with one of
 * names (ASCII case ignored); with exact, when one equals one of them. */
static gboolean
html_attr_has(const xmlNode *n, const char *attr, const char *const *names, gboolean exact)
{
	xmlChar *value = xmlGetProp(n, (const xmlChar *)attr);
	g_auto(GStrv) tokens = NULL;
	gboolean found = FALSE;

	if (value == NULL)
		return FALSE;
	tokens = g_strsplit_set((const char *)value, " \t\r\n", -1);
	xmlFree(value);
	for (char **t = tokens; *t != NULL && !found; t++)
		for (const char *const *name = names; *name != NULL && !found; name++)
			found = exact ? g_ascii_strcasecmp(*t, *name) == 0
			              : g_ascii_strncasecmp(*t, *name, strlen(*name)) == 0;
	return found;
}

static gboolean
html_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name != NULL &&
	       g_ascii_strcasecmp((const char *)n->name, name) == 0;
}

/* The first characters of the text inside n, from at most 256 nodes: cheap even for
 * hostile nesting, where each of thousands of styled divs would otherwise be read whole. */
static char *
html_text_start(const xmlNode *n)
{
	GString *s = g_string_new(NULL);
	const xmlNode *c = n->children;

	for (int steps = 0; c != NULL && c != n && s->len < 64 && steps < 256; steps++) {
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			g_string_append_len(s, (const char *)c->content,
			                    MIN(xmlStrlen(c->content), (int)(64 - s->len)));
		if (c->type == XML_ELEMENT_NODE && c->children != NULL) {
			c = c->children;
			continue;
		}
		while (c != n && c->next == NULL)
			c = c->parent;
		if (c != n)
			c = c->next;
	}
	return g_string_free(s, FALSE);
}

/* TRUE when the element's text starts with a header label such as "From:", "De :" or
 * "差出人:", in the languages reply.c knows. */
static gboolean
html_starts_with_header(const xmlNode *n)
{
	g_autofree char *raw = html_text_start(n);
	g_autofree char *head = g_utf8_make_valid(raw, -1);

	return reply_starts_with_from_label(head);
}

/* Outlook desktop's (and Windows Mail's) reply header box: a div with a solid top border,
 * holding "From: ... Sent: ...". Only the header check keeps a styled alert table out. */
static gboolean
html_is_border_divider(const xmlNode *n)
{
	xmlChar *style;
	g_autofree char *flat = NULL;
	GString *s;

	if (!html_is(n, "div") || (style = xmlGetProp(n, (const xmlChar *)"style")) == NULL)
		return FALSE;
	s = g_string_new(NULL);
	for (const xmlChar *p = style; *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			g_string_append_c(s, g_ascii_tolower((char)*p));
	xmlFree(style);
	flat = g_string_free(s, FALSE);
	if (strstr(flat, "border-top:solid") == NULL &&
	    strstr(flat, "border-top-style:solid") == NULL)
		return FALSE;
	return html_starts_with_header(n);
}

/* An element after which the rest of the document is the quoted original. */
static gboolean
html_is_divider(const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return FALSE;
	if (html_attr_has(n, "id", html_divider_ids, TRUE) ||
	    html_attr_has(n, "class", html_divider_classes, TRUE))
		return TRUE;
	if (html_is(n, "hr")) {
		xmlChar *tab = xmlGetProp(n, (const xmlChar *)"tabindex");
		gboolean outlook = tab != NULL && strcmp((const char *)tab, "-1") == 0;

		xmlFree(tab);
		return outlook;
	}
	return html_is_border_divider(n);
}

/* An element whose content is quoted history. */
static gboolean
html_is_quote(const xmlNode *n)
{
	return html_is(n, "blockquote") || (n->type == XML_ELEMENT_NODE &&
	                                    html_attr_has(n, "class", html_quote_classes, FALSE));
}

/* An element whose content is never the reply's text: invisible ones and signatures. */
static gboolean
html_is_dropped(const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return FALSE;
	return html_name_in(n, html_dropped) ||
	       html_attr_has(n, "class", html_signature_marks, FALSE) ||
	       html_attr_has(n, "id", html_signature_marks, TRUE);
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

/* Appends one visible character, after the quote markers when it starts a line. */
static void
html_put(struct html_out *o, gunichar c)
{
	int depth = o->quote + (o->history ? 1 : 0);

	if (depth > 0 && html_at_line_start(o)) {
		/* deeper nesting adds nothing for reply.c; hostile depth must not add bytes */
		for (int i = 0; i < MIN(depth, 8); i++)
			g_string_append_c(o->s, '>');
		g_string_append_c(o->s, ' ');
	}
	g_string_append_unichar(o->s, c);
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
				html_put(o, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xa0) {
			o->pending_space = TRUE;
			continue;
		}
		if (o->pending_space && !html_at_line_start(o))
			g_string_append_c(o->s, ' ');
		o->pending_space = FALSE;
		html_put(o, c);
	}
}

static void
html_enter(struct html_out *o, const xmlNode *n)
{
	if (html_name_in(n, html_blocks) || html_is_quote(n))
		html_break(o);
	if (html_is_quote(n))
		o->quote++;
	if (!o->history && html_is_divider(n)) {
		html_break(o);
		o->history = TRUE;
	}
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
	if (html_is_quote(n)) {
		html_break(o);
		o->quote--;
	}
	if (html_name_in(n, html_blocks))
		html_break(o);
	else if (g_ascii_strcasecmp((const char *)n->name, "td") == 0 ||
	         g_ascii_strcasecmp((const char *)n->name, "th") == 0)
		o->pending_space = TRUE;
}

/* The value of an attribute without a copy (libxml2 keeps a plain value as one text
 * node), or NULL; this runs for every element, xmlGetProp would allocate each time. */
static const char *
html_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (g_ascii_strcasecmp((const char *)a->name, name) == 0)
			return a->children != NULL && a->children->type == XML_TEXT_NODE &&
			               a->children->content != NULL
			           ? (const char *)a->children->content
			           : "";
	return NULL;
}

/* The element's attributes as name, value, ..., NULL, without copies. */
static GPtrArray *
html_attr_list(const xmlNode *n)
{
	GPtrArray *attrs = g_ptr_array_new();

	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		const xmlNode *v = a->children;

		g_ptr_array_add(attrs, (gpointer)a->name);
		g_ptr_array_add(attrs, v != NULL && v->content != NULL ? (gpointer)v->content : "");
	}
	g_ptr_array_add(attrs, NULL);
	return attrs;
}

/* The colours and presentational attributes of an element, its sheet's rules, then its
 * style attribute, in the order they override each other. */
static void
html_decls_of(const struct html_out *o, const xmlNode *n, struct html_decls *d)
{
	const char *v;

	if ((v = html_attr(n, "bgcolor")) != NULL)
		html_decls_set(d, HTML_PROP_BACKGROUND_COLOR, v);
	if ((html_is(n, "font") && (v = html_attr(n, "color")) != NULL) ||
	    (html_is(n, "body") && (v = html_attr(n, "text")) != NULL))
		html_decls_set(d, HTML_PROP_COLOR, v);
	if (o->sheet != NULL) {
		g_autoptr(GPtrArray) attrs = html_attr_list(n);

		html_sheet_apply(o->sheet, d, (const char *)n->name,
		                 (const char *const *)attrs->pdata);
	}
	html_decls_add(d, html_attr(n, "style"));
}

/* Whether the element is hidden once !important is honoured: a sheet's !important rule
 * beats a normal inline style. The walk also reads the cascade without !important (as
 * before), for an !important rule under an @media that may not hold must not show what the
 * inline style hides. */
static gboolean
html_important_hides(const struct html_out *o, const xmlNode *n)
{
	struct html_decls d = {.cascade = TRUE};
	const char *style = html_attr(n, "style");
	gboolean hidden;

	if (!(o->sheet != NULL && html_sheet_important(o->sheet)) &&
	    (style == NULL || strchr(style, '!') == NULL))
		return FALSE;
	html_decls_of(o, n, &d);
	hidden = html_decls_hide(&d);
	html_decls_clear(&d);
	return hidden;
}

/* What a closed <details> folds away: everything but its <summary>. */
static gboolean
html_folded(const xmlNode *n)
{
	const xmlNode *up = n->parent;

	return up != NULL && up->type == XML_ELEMENT_NODE &&
	       xmlStrcasecmp(up->name, (const xmlChar *)"details") == 0 &&
	       html_attr(up, "open") == NULL &&
	       !(n->type == XML_ELEMENT_NODE &&
	         xmlStrcasecmp(n->name, (const xmlChar *)"summary") == 0);
}

/* Enters an element unless it is dropped or hidden; TRUE when entered, and html_close must
 * follow. Colours are inherited; a background that lets its parent's show keeps that. */
static gboolean
html_open(struct html_out *o, const xmlNode *n)
{
	const struct html_frame *up =
	    &g_array_index(o->frames, struct html_frame, o->frames->len - 1);
	struct html_decls d = {0};
	struct html_frame f;
	gboolean hidden;

	if (html_is_dropped(n))
		return FALSE;
	html_decls_of(o, n, &d);
	hidden = html_attr(n, "hidden") != NULL || html_decls_hide(&d) || html_folded(n) ||
	         html_important_hides(o, n);
	f.color = html_decls_color(&d);
	f.background = html_decls_background(&d);
	f.tiny_font = html_decls_tiny_font(&d, up->tiny_font);
	html_decls_clear(&d);
	if (hidden)
		return FALSE;
	f.color = f.color == HTML_COLOR_NONE ? up->color : f.color;
	f.background = f.background == HTML_COLOR_NONE ? up->background : f.background;
	g_array_append_val(o->frames, f);
	html_enter(o, n);
	return TRUE;
}

static void
html_close(struct html_out *o, const xmlNode *n)
{
	html_leave(o, n);
	g_array_set_size(o->frames, o->frames->len - 1);
}

/* Text in its element's font and colours, unless they make it unreadable. */
static void
html_visible_text(struct html_out *o, const char *text)
{
	const struct html_frame *f =
	    &g_array_index(o->frames, struct html_frame, o->frames->len - 1);

	if (!f->tiny_font && !html_color_hides(f->color, f->background))
		html_text(o, text);
}

static void
html_walk(struct html_out *o, xmlNode *root)
{
	xmlNode *n = root;

	for (;;) {
		gboolean open = FALSE;

		if (n->type == XML_ELEMENT_NODE && (open = html_open(o, n)) &&
		    n->children != NULL) {
			n = n->children;
			continue;
		}
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
		    n->content != NULL && !html_folded(n))
			html_visible_text(o, (const char *)n->content);
		/* n is done: leave it and every ancestor whose last child it was (all of which
		 * were entered, or their children would not have been reached). */
		for (;; open = TRUE) {
			if (open)
				html_close(o, n);
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

/* The document's <style> sheets, wherever they are. */
static struct html_sheet *
html_collect_sheet(xmlNode *root)
{
	struct html_sheet *sheet = html_sheet_new();
	xmlNode *n = root;

	while (n != NULL) {
		if (html_is(n, "style")) {
			xmlChar *css = xmlNodeGetContent(n);

			if (css != NULL)
				html_sheet_add(sheet, (const char *)css);
			xmlFree(css);
		} else if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		n = n != root ? n->next : NULL;
	}
	return sheet;
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

/* The visible text of an HTML document, by parsing and walking it. */
static char *
html_render(const char *html, gsize len)
{
	struct html_out o = {0};
	g_autofree char *valid = NULL;
	htmlDocPtr doc;
	xmlNode *root;
	char *text;

	if (html == NULL || len == 0 || len > G_MAXINT)
		return g_strdup("");
	/* libxml2 passes bytes that are not UTF-8 through to its text nodes, and the walk
	 * below steps through them as UTF-8: repair first (mime.c already hands over UTF-8) */
	if (!g_utf8_validate_len(html, len, NULL)) {
		valid = g_utf8_make_valid(html, (gssize)len);
		html = valid;
		len = strlen(valid);
	}
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                         HTML_PARSE_COMPACT | HTML_PARSE_NONET);
	if (doc == NULL)
		return g_strdup("");
	o.s = g_string_new(NULL);
	o.frames = g_array_new(FALSE, FALSE, sizeof(struct html_frame));
	/* mail is read black on white unless it says otherwise */
	g_array_append_val(o.frames, ((struct html_frame){0x000000, 0xffffff, FALSE}));
	root = xmlDocGetRootElement(doc);
	if (root != NULL) {
		o.sheet = html_collect_sheet(root);
		html_walk(&o, root);
	}
	xmlFreeDoc(doc);
	text = html_tidy(o.s->str);
	g_string_free(o.s, TRUE);
	g_array_free(o.frames, TRUE);
	html_sheet_free(o.sheet);
	return text;
}

/* The text of the last 32 HTML bodies. Monitoring tools send a notification again with the
 * very same HTML (Alertmanager's repeat_interval, Grafana's reminders, a flapping check), and
 * an alert storm would parse and walk the same 12 KB each time. A hit is the same bytes,
 * compared whole (never a hash alone), so its text is exactly what the walk would make of
 * them; a body that differs in one byte is rendered afresh. Bounded: 32 bodies of at most 64 KiB
 * (2 MiB at worst, about 0.5 MiB for alert mail), the least recently used replaced; 32
 * because a storm mixes a few dozen distinct notifications. */
#define HTML_MEMO_SLOTS 32
#define HTML_MEMO_MAX (64 * 1024)

struct html_memo {
	char *html;
	gsize len;
	char *text;
	guint64 used;
};

static struct html_memo html_memo[HTML_MEMO_SLOTS];
static guint64 html_memo_clock;
G_LOCK_DEFINE_STATIC(html_memo);

/* Returns the visible text of an HTML document (UTF-8 in, UTF-8 out). Caller frees. */
char *
mime_html_to_text(const char *html, gsize len)
{
	struct html_memo *old = &html_memo[0];
	char *text;

	if (html == NULL || len == 0 || len > HTML_MEMO_MAX)
		return html_render(html, len);
	G_LOCK(html_memo);
	for (int i = 0; i < HTML_MEMO_SLOTS; i++) {
		struct html_memo *m = &html_memo[i];

		if (m->html != NULL && m->len == len && memcmp(m->html, html, len) == 0) {
			m->used = ++html_memo_clock;
			text = g_strdup(m->text);
			G_UNLOCK(html_memo);
			return text;
		}
		if (m->used < old->used)
			old = m;
	}
	G_UNLOCK(html_memo);
	text = html_render(html, len);
	G_LOCK(html_memo);
	g_free(old->html);
	g_free(old->text);
	old->html = g_memdup2(html, len);
	old->len = len;
	old->text = g_strdup(text);
	old->used = ++html_memo_clock;
	G_UNLOCK(html_memo);
	return text;
}
