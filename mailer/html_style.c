/*
 * html_style: what CSS makes invisible, so that html.c never reads text a reader does not
 * see (a command hidden in a reply must not act). Declarations are read loosely, the way
 * mail clients render them; whatever is not understood hides nothing.
 */
#include <string.h>

#include "html_style.h"

#define HTML_TINY_PX 2.0       /* text this small, or a box this small, shows nothing */
#define HTML_OFFSCREEN_PX -500 /* a place this far left or up is off the screen */
#define HTML_CLEAR_ALPHA 0.05  /* an opacity this low shows nothing */
#define HTML_TINY_ZOOM 0.1     /* a zoom this small leaves text of 2px or less */

/* The CSS name of each enum html_prop. */
static const char *const html_prop_names[HTML_PROP_COUNT] = {
    [HTML_PROP_DISPLAY] = "display",
    [HTML_PROP_VISIBILITY] = "visibility",
    [HTML_PROP_OPACITY] = "opacity",
    [HTML_PROP_MSO_HIDE] = "mso-hide",
    [HTML_PROP_FONT] = "font",
    [HTML_PROP_FONT_SIZE] = "font-size",
    [HTML_PROP_WIDTH] = "width",
    [HTML_PROP_MAX_WIDTH] = "max-width",
    [HTML_PROP_HEIGHT] = "height",
    [HTML_PROP_MAX_HEIGHT] = "max-height",
    [HTML_PROP_LINE_HEIGHT] = "line-height",
    [HTML_PROP_OVERFLOW] = "overflow",
    [HTML_PROP_OVERFLOW_X] = "overflow-x",
    [HTML_PROP_OVERFLOW_Y] = "overflow-y",
    [HTML_PROP_POSITION] = "position",
    [HTML_PROP_LEFT] = "left",
    [HTML_PROP_TOP] = "top",
    [HTML_PROP_TEXT_INDENT] = "text-indent",
    [HTML_PROP_CLIP] = "clip",
    [HTML_PROP_TRANSFORM] = "transform",
    [HTML_PROP_SCALE] = "scale",
    [HTML_PROP_ZOOM] = "zoom",
    [HTML_PROP_FILTER] = "filter",
    [HTML_PROP_CLIP_PATH] = "clip-path",
    [HTML_PROP_COLOR] = "color",
    [HTML_PROP_BACKGROUND] = "background",
    [HTML_PROP_BACKGROUND_COLOR] = "background-color",
};

/* ---- CSS text ---- */

/* The text without CSS comments and the <!-- --> that hide sheets from old clients. */
char *
html_css_uncomment(const char *css, gsize len)
{
	GString *out = g_string_sized_new(len);
	const char *end = css + len;

	for (const char *p = css; p < end; p++) {
		if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			const char *close = g_strstr_len(p + 2, end - p - 2, "*/");

			p = close != NULL ? close + 1 : end - 1;
			continue;
		}
		if ((p + 3 < end && memcmp(p, "<!--", 4) == 0) ||
		    (p + 2 < end && memcmp(p, "-->", 3) == 0)) {
			p += *p == '<' ? 3 : 2;
			continue;
		}
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

/* The code point of the escape after a backslash at p ("70 ", "6e", "\\:"), and where the
 * text goes on after it. */
static gunichar
html_css_escape(const char *p, const char **next)
{
	gunichar c = 0;
	int n = 0;

	while (n < 6 && g_ascii_isxdigit(p[n]))
		c = c * 16 + (gunichar)g_ascii_xdigit_value(p[n++]);
	if (n == 0) {
		*next = g_utf8_next_char(p);
		return g_utf8_get_char(p);
	}
	*next = p + n + (g_ascii_isspace(p[n]) ? 1 : 0);
	return c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0xfffd : c;
}

/* The text with CSS escapes replaced by the characters they stand for. Caller frees. */
static char *
html_css_unescape(const char *css)
{
	GString *out = g_string_sized_new(strlen(css));

	for (const char *p = css; *p != '\0';) {
		if (*p != '\\') {
			g_string_append_c(out, *p++);
			continue;
		}
		if (p[1] == '\0' || p[1] == '\n') { /* a line continuation, or nothing */
			p += p[1] == '\0' ? 1 : 2;
			continue;
		}
		g_string_append_unichar(out, html_css_escape(p + 1, &p));
	}
	return g_string_free(out, FALSE);
}

/* ---- declarations ---- */

void
html_decls_put(struct html_decls *d, enum html_prop prop, const char *value, gboolean important)
{
	if (d->cascade && d->important[prop] && !important)
		return;
	g_free(d->value[prop]);
	d->value[prop] = g_ascii_strdown(value, -1);
	g_strstrip(d->value[prop]);
	d->important[prop] = important;
}

void
html_decls_set(struct html_decls *d, enum html_prop prop, const char *value)
{
	html_decls_put(d, prop, value, FALSE);
}

/* The property named by the len bytes at name (blanks around them aside), or -1. */
static int
html_prop_of(const char *name, gsize len)
{
	while (len > 0 && g_ascii_isspace(*name))
		name++, len--;
	while (len > 0 && g_ascii_isspace(name[len - 1]))
		len--;
	for (int p = 0; p < HTML_PROP_COUNT; p++)
		if (strlen(html_prop_names[p]) == len &&
		    g_ascii_strncasecmp(name, html_prop_names[p], len) == 0)
			return p;
	return -1;
}

/* One "name: value" of the len bytes at decl (a piece between semicolons). */
static void
html_decls_add_one(struct html_decls *d, const char *decl, gsize len)
{
	const char *colon = memchr(decl, ':', len);
	g_autofree char *value = NULL;
	gboolean important = FALSE;
	char *bang;
	int prop;

	if (colon == NULL || (prop = html_prop_of(decl, (gsize)(colon - decl))) < 0)
		return;
	value = g_strndup(colon + 1, len - (gsize)(colon + 1 - decl));
	if ((bang = g_strrstr(value, "!")) != NULL) {
		*bang = '\0';
		important = g_ascii_strcasecmp(g_strstrip(bang + 1), "important") == 0;
	}
	html_decls_put(d, prop, value, important);
}

void
html_decls_add(struct html_decls *d, const char *css)
{
	g_autofree char *clean = NULL;

	/* a comment inside a value, or an escape in a name, hides as the plain spelling does:
	 * mail clients read both */
	if (css != NULL && (strchr(css, '/') != NULL || strchr(css, '\\') != NULL)) {
		g_autofree char *bare = html_css_uncomment(css, strlen(css));

		css = clean = html_css_unescape(bare);
	}
	for (const char *p = css; p != NULL && *p != '\0';) {
		gsize len = strcspn(p, ";");

		html_decls_add_one(d, p, len);
		p += len + (p[len] == ';' ? 1 : 0);
	}
}

void
html_decls_clear(struct html_decls *d)
{
	for (int p = 0; p < HTML_PROP_COUNT; p++)
		g_clear_pointer(&d->value[p], g_free);
}

/* ---- lengths ---- */

/* The length at the start of v in px (16 to the em, a percentage of pct_base, the viewport
 * a 600px wide mail, a number
 * without unit times unitless), or FALSE when v starts with none. */
static gboolean
html_length(const char *v, double pct_base, double unitless, double *px)
{
	static const struct {
		const char *unit;
		double px;
	} units[] = {{"px", 1},   {"pt", 4.0 / 3}, {"pc", 16}, {"em", 16},   {"rem", 16},
	             {"ex", 8},   {"ch", 8},       {"in", 96}, {"cm", 37.8}, {"mm", 3.78},
	             {"q", 0.95}, {"vw", 6},       {"vh", 6},  {"vmin", 6},  {"vmax", 6}};
	char *end;
	double n;
	gsize len;

	if (v == NULL)
		return FALSE;
	n = g_ascii_strtod(v, &end);
	if (end == v)
		return FALSE;
	len = strcspn(end, " \t\r\n/,)");
	if (len == 0) {
		*px = n * unitless;
		return TRUE;
	}
	if (len == 1 && *end == '%') {
		*px = n * pct_base / 100;
		return TRUE;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
		if (strlen(units[i].unit) == len && strncmp(end, units[i].unit, len) == 0) {
			*px = n * units[i].px;
			return TRUE;
		}
	return FALSE;
}

static gboolean
html_tiny(const char *v, double pct_base, double unitless)
{
	double px;

	return html_length(v, pct_base, unitless, &px) && px >= 0 && px <= HTML_TINY_PX;
}

static gboolean
html_offscreen(const char *v)
{
	double px;

	return html_length(v, 600, 1, &px) && px <= HTML_OFFSCREEN_PX;
}

/* ---- hiding ---- */

static gboolean
html_value_is(const struct html_decls *d, enum html_prop p, const char *word)
{
	return d->value[p] != NULL && strcmp(d->value[p], word) == 0;
}

/* The font size of the declarations: font-size, else the size in the font shorthand
 * ("0/0 a", "bold 1px Arial"), copied to *word for the caller to free, else NULL. */
static const char *
html_font_size(const struct html_decls *d, char **word)
{
	g_auto(GStrv) words = NULL;

	if (d->value[HTML_PROP_FONT_SIZE] != NULL || d->value[HTML_PROP_FONT] == NULL)
		return d->value[HTML_PROP_FONT_SIZE];
	words = g_strsplit_set(d->value[HTML_PROP_FONT], " \t", -1);
	for (char **w = words; *w != NULL; w++)
		if (g_ascii_isdigit(**w) || **w == '.')
			return *word = g_strdup(*w);
	return NULL;
}

/* A size relative to the parent's: 0 of it stays 0. */
static gboolean
html_relative_size(const char *size)
{
	static const char *const relative[] = {"%", "em", "ex", "ch", "smaller", "larger"};

	for (gsize i = 0; i < G_N_ELEMENTS(relative); i++)
		if (g_str_has_suffix(size, relative[i]) && !g_str_has_suffix(size, "rem"))
			return TRUE;
	return FALSE;
}

gboolean
html_decls_tiny_font(const struct html_decls *d, gboolean inherited)
{
	g_autofree char *word = NULL;
	const char *size = html_font_size(d, &word);
	double px;

	if (size == NULL)
		return inherited;
	if (html_relative_size(size) && inherited)
		return TRUE;
	return html_length(size, 16, 1, &px) && px >= 0 && px <= HTML_TINY_PX;
}

/* A scale() of transform that shrinks to nothing. */
static gboolean
html_scaled_away(const char *transform)
{
	for (const char *p = transform; p != NULL && (p = strstr(p, "scale")) != NULL; p++) {
		const char *open = p + strspn(p, "scalexyz3d");
		double n;

		if (*open != '(')
			continue;
		n = g_ascii_strtod(open + 1, NULL);
		if (n >= -HTML_CLEAR_ALPHA && n <= HTML_CLEAR_ALPHA)
			return TRUE;
	}
	return FALSE;
}

/* clip: rect(0 0 0 0), in any spelling of zero. */
static gboolean
html_clipped_away(const char *clip)
{
	if (clip == NULL || !g_str_has_prefix(clip, "rect("))
		return FALSE;
	for (const char *p = clip + 5; *p != '\0' && *p != ')'; p++)
		if (strchr("0. ,\tpx", *p) == NULL)
			return FALSE;
	return TRUE;
}

static gboolean
html_opacity_none(const char *v)
{
	char *end;
	double n;

	if (v == NULL)
		return FALSE;
	n = g_ascii_strtod(v, &end);
	if (end == v)
		return FALSE;
	return (*end == '%' ? n / 100 : n) <= HTML_CLEAR_ALPHA;
}

/* A number, or a percentage, at v as a fraction ("0.5", "50%"), or FALSE. */
static gboolean
html_fraction(const char *v, double *n)
{
	char *end;

	if (v == NULL)
		return FALSE;
	*n = g_ascii_strtod(v, &end);
	if (end == v)
		return FALSE;
	if (*end == '%')
		*n /= 100;
	return TRUE;
}

/* scale: a factor of 0 either way ("0", "1 0"). */
static gboolean
html_scale_none(const char *v)
{
	g_auto(GStrv) words = v != NULL ? g_strsplit_set(v, " \t", 3) : NULL;
	double n;

	for (char **w = words; w != NULL && *w != NULL; w++)
		if (html_fraction(*w, &n) && n >= -HTML_CLEAR_ALPHA && n <= HTML_CLEAR_ALPHA)
			return TRUE;
	return FALSE;
}

/* zoom: a tenth or less ("0.01", "5%"); zoom:0 counts, as some clients shrink to nothing. */
static gboolean
html_zoom_none(const char *v)
{
	double n;

	return html_fraction(v, &n) && n >= 0 && n <= HTML_TINY_ZOOM;
}

/* filter: an opacity() of nothing among its functions. */
static gboolean
html_filter_none(const char *v)
{
	for (const char *p = v; p != NULL && (p = strstr(p, "opacity(")) != NULL; p++)
		if (html_opacity_none(p + strlen("opacity(")))
			return TRUE;
	return FALSE;
}

/* inset() that meets itself: a top and bottom (or left and right) of 100% together. */
static gboolean
html_inset_none(const char *args)
{
	double v[4] = {0, 0, 0, 0};
	int n = 0;

	for (const char *p = args; n < 4 && *p != '\0' && *p != ')';) {
		char *end;

		p += strspn(p, " \t");
		v[n] = g_ascii_strtod(p, &end);
		if (end == p || (*end != '%' && (v[n] != 0 || g_ascii_isalpha(*end))))
			break; /* lengths other than 0 depend on the box: never hiding */
		n++;
		p = end + (*end == '%' ? 1 : 0);
	}
	if (n == 0)
		return FALSE;
	/* one value: all sides; two: top/bottom and left/right; three: top, sides, bottom */
	return (n == 1 && v[0] >= 50) || (n == 2 && (v[0] >= 50 || v[1] >= 50)) ||
	       (n == 3 && (v[0] + v[2] >= 100 || v[1] >= 50)) ||
	       (n == 4 && (v[0] + v[2] >= 100 || v[1] + v[3] >= 100));
}

/* clip-path: inset(100%), circle(0), ellipse(0 0) ... leave nothing to see. */
static gboolean
html_clip_path_none(const char *v)
{
	g_auto(GStrv) radii = NULL;

	if (v == NULL)
		return FALSE;
	if (g_str_has_prefix(v, "inset("))
		return html_inset_none(v + strlen("inset("));
	if (!g_str_has_prefix(v, "circle(") && !g_str_has_prefix(v, "ellipse("))
		return FALSE;
	radii = g_strsplit_set(strchr(v, '(') + 1, " \t", 3);
	for (int i = 0; i < 2 && radii[i] != NULL && strcmp(radii[i], "at") != 0; i++)
		if (html_tiny(radii[i], 600, 1))
			return TRUE;
	return FALSE;
}

/* Effects that leave nothing of what is drawn: scaled, zoomed, filtered or clipped away. */
static gboolean
html_effect_hides(const struct html_decls *d)
{
	const char *const *v = (const char *const *)d->value;

	return html_clipped_away(v[HTML_PROP_CLIP]) || html_scaled_away(v[HTML_PROP_TRANSFORM]) ||
	       html_scale_none(v[HTML_PROP_SCALE]) || html_zoom_none(v[HTML_PROP_ZOOM]) ||
	       html_filter_none(v[HTML_PROP_FILTER]) || html_clip_path_none(v[HTML_PROP_CLIP_PATH]);
}

/* A box that shows nothing: small both ways, or small one way and clipping. */
static gboolean
html_box_hides(const struct html_decls *d)
{
	const char *const *v = (const char *const *)d->value;
	gboolean w =
	    html_tiny(v[HTML_PROP_WIDTH], 600, 1) || html_tiny(v[HTML_PROP_MAX_WIDTH], 600, 1);
	gboolean h =
	    html_tiny(v[HTML_PROP_HEIGHT], 600, 1) || html_tiny(v[HTML_PROP_MAX_HEIGHT], 600, 1);
	gboolean clips = FALSE;

	for (int p = HTML_PROP_OVERFLOW; p <= HTML_PROP_OVERFLOW_Y; p++)
		clips = clips || html_value_is(d, p, "hidden") || html_value_is(d, p, "clip");
	return (w && h) || (clips && (w || h || html_tiny(v[HTML_PROP_LINE_HEIGHT], 16, 16)));
}

gboolean
html_decls_hide(const struct html_decls *d)
{
	const char *const *v = (const char *const *)d->value;
	gboolean placed = html_value_is(d, HTML_PROP_POSITION, "absolute") ||
	                  html_value_is(d, HTML_PROP_POSITION, "fixed");

	return html_value_is(d, HTML_PROP_DISPLAY, "none") ||
	       html_value_is(d, HTML_PROP_VISIBILITY, "hidden") ||
	       html_value_is(d, HTML_PROP_VISIBILITY, "collapse") ||
	       html_value_is(d, HTML_PROP_MSO_HIDE, "all") ||
	       html_opacity_none(v[HTML_PROP_OPACITY]) || html_box_hides(d) ||
	       html_offscreen(v[HTML_PROP_TEXT_INDENT]) ||
	       (placed &&
	        (html_offscreen(v[HTML_PROP_LEFT]) || html_offscreen(v[HTML_PROP_TOP]))) ||
	       html_effect_hides(d);
}
