/*
 * html_color: the colours of CSS and of HTML's old attributes, and whether text can be read
 * on its background; part of html_style (declared in html_style.h). A colour this does
 * not understand never hides anything.
 */
#include <string.h>

#include "html_style.h"

#define HTML_CLEAR_ALPHA 0.05  /* an alpha this low shows nothing */
#define HTML_MIN_CONTRAST 1.25 /* a contrast ratio below this is unreadable */

/* Named colours: the basic ones, and those a reader cannot tell from white on white. */
static const struct {
	const char *name;
	gint32 rgb;
} html_named_colors[] = {
    {"white", 0xffffff},       {"black", 0x000000},         {"silver", 0xc0c0c0},
    {"gray", 0x808080},        {"grey", 0x808080},          {"red", 0xff0000},
    {"maroon", 0x800000},      {"yellow", 0xffff00},        {"olive", 0x808000},
    {"lime", 0x00ff00},        {"green", 0x008000},         {"aqua", 0x00ffff},
    {"cyan", 0x00ffff},        {"teal", 0x008080},          {"blue", 0x0000ff},
    {"navy", 0x000080},        {"fuchsia", 0xff00ff},       {"magenta", 0xff00ff},
    {"purple", 0x800080},      {"orange", 0xffa500},        {"whitesmoke", 0xf5f5f5},
    {"snow", 0xfffafa},        {"ivory", 0xfffff0},         {"ghostwhite", 0xf8f8ff},
    {"floralwhite", 0xfffaf0}, {"seashell", 0xfff5ee},      {"mintcream", 0xf5fffa},
    {"azure", 0xf0ffff},       {"aliceblue", 0xf0f8ff},     {"linen", 0xfaf0e6},
    {"honeydew", 0xf0fff0},    {"lavenderblush", 0xfff0f5}, {"oldlace", 0xfdf5e6},
    {"lightyellow", 0xffffe0}, {"cornsilk", 0xfff8dc},      {"beige", 0xf5f5dc},
};

/* #rgb, #rgba, #rrggbb, #rrggbbaa; without the # only rgb and rrggbb (old attributes). */
static gboolean
html_color_hex(const char *v, gint32 *rgb, double *alpha)
{
	gboolean hash = *v == '#';
	const char *h = v + (hash ? 1 : 0);
	gsize n = strspn(h, "0123456789abcdef");
	guint64 x;

	if (h[n] != '\0' || (n != 3 && n != 6 && (!hash || (n != 4 && n != 8))))
		return FALSE;
	x = g_ascii_strtoull(h, NULL, 16);
	*alpha = 1;
	if (n == 4 || n == 8) {
		*alpha = (n == 4 ? (x & 0xf) * 17 : x & 0xff) / 255.0;
		x = n == 4 ? x >> 4 : x >> 8;
	}
	if (n <= 4)
		x = ((x >> 8) & 0xf) * 0x110000 + ((x >> 4) & 0xf) * 0x1100 + (x & 0xf) * 0x11;
	*rgb = (gint32)x;
	return TRUE;
}

/* The numbers inside "name(...)", separated by commas, blanks or a slash; a percentage is
 * given as a fraction times pct. Returns how many (at most 4). */
static int
html_color_args(const char *open, double out[4], const double pct[4])
{
	const char *p = open + 1;
	int n = 0;

	while (n < 4) {
		char *end;

		p += strspn(p, " \t,/");
		out[n] = g_ascii_strtod(p, &end);
		if (end == p)
			break;
		if (*end == '%')
			out[n] = out[n] / 100 * pct[n];
		n++;
		p = end + strcspn(end, " \t,/)");
		if (*p == ')')
			break;
	}
	return n;
}

static guint8
html_channel(double c)
{
	return (guint8)CLAMP(c + 0.5, 0, 255);
}

/* The r, g or b part of hsl: the usual formula. */
static double
html_hue(double p, double q, double t)
{
	t = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
	if (t < 1.0 / 6)
		return p + (q - p) * 6 * t;
	if (t < 0.5)
		return q;
	if (t < 2.0 / 3)
		return p + (q - p) * (2.0 / 3 - t) * 6;
	return p;
}

/* rgb(), rgba(), hsl(), hsla(). */
static gboolean
html_color_func(const char *v, gint32 *rgb, double *alpha)
{
	static const double rgb_pct[4] = {255, 255, 255, 1}, hsl_pct[4] = {1, 1, 1, 1};
	gboolean hsl = g_str_has_prefix(v, "hsl");
	const char *open = strchr(v, '(');
	double a[4];
	int n;

	if (open == NULL || (!hsl && !g_str_has_prefix(v, "rgb")) ||
	    (n = html_color_args(open, a, hsl ? hsl_pct : rgb_pct)) < 3)
		return FALSE;
	*alpha = n == 4 ? a[3] : 1;
	if (hsl) {
		double h = a[0] / 360, s = CLAMP(a[1], 0, 1), l = CLAMP(a[2], 0, 1);
		double q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;

		h = h > -1e6 && h < 1e6 ? h - (gint64)h : 0;
		h = h < 0 ? h + 1 : h;
		a[0] = html_hue(p, q, h + 1.0 / 3) * 255;
		a[1] = html_hue(p, q, h) * 255;
		a[2] = html_hue(p, q, h - 1.0 / 3) * 255;
	}
	*rgb = html_channel(a[0]) << 16 | html_channel(a[1]) << 8 | html_channel(a[2]);
	return TRUE;
}

/* One colour value and its alpha; HTML_COLOR_NONE or _UNKNOWN when it is not a colour. */
static gint32
html_color_alpha(const char *v, double *alpha)
{
	static const char *const unset[] = {"",      "inherit", "currentcolor", "initial",
	                                    "unset", "revert",  "windowtext",   "auto"};
	gint32 rgb;

	*alpha = 1;
	if (v == NULL)
		return HTML_COLOR_NONE;
	for (gsize i = 0; i < G_N_ELEMENTS(unset); i++)
		if (strcmp(v, unset[i]) == 0)
			return HTML_COLOR_NONE;
	if (strcmp(v, "transparent") == 0)
		return HTML_COLOR_CLEAR;
	for (gsize i = 0; i < G_N_ELEMENTS(html_named_colors); i++)
		if (strcmp(v, html_named_colors[i].name) == 0)
			return html_named_colors[i].rgb;
	if (html_color_hex(v, &rgb, alpha) || html_color_func(v, &rgb, alpha))
		return *alpha <= HTML_CLEAR_ALPHA ? HTML_COLOR_CLEAR : rgb;
	return HTML_COLOR_UNKNOWN;
}

gint32
html_decls_color(const struct html_decls *d)
{
	double alpha;

	return html_color_alpha(d->value[HTML_PROP_COLOR], &alpha);
}

/* A background colour: see-through ones let the parent's show, half-transparent ones mix
 * with it into something unknown. */
static gint32
html_background_of(const char *v)
{
	double alpha;
	gint32 c = html_color_alpha(v, &alpha);

	if (c == HTML_COLOR_CLEAR)
		return HTML_COLOR_NONE;
	return c >= 0 && alpha < 1 - HTML_CLEAR_ALPHA ? HTML_COLOR_UNKNOWN : c;
}

/* The colour among the words of the background shorthand; an image hides what is under
 * it, so with one the background is unknown. */
static gint32
html_background_shorthand(const char *v)
{
	g_autoptr(GString) word = g_string_new(NULL);
	int depth = 0;

	if (v == NULL)
		return HTML_COLOR_NONE;
	if (strstr(v, "url(") != NULL || strstr(v, "gradient(") != NULL ||
	    strstr(v, "image(") != NULL)
		return HTML_COLOR_UNKNOWN;
	for (const char *p = v;; p++) {
		if (*p == '\0' || ((*p == ' ' || *p == '\t') && depth <= 0)) {
			gint32 c = html_background_of(word->str);

			if (c != HTML_COLOR_UNKNOWN && word->len > 0)
				return c;
			if (*p == '\0') /* also inside an unclosed "(" */
				return HTML_COLOR_NONE;
			g_string_truncate(word, 0);
			continue;
		}
		depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		g_string_append_c(word, *p);
	}
}

gint32
html_decls_background(const struct html_decls *d)
{
	gint32 shorthand = html_background_shorthand(d->value[HTML_PROP_BACKGROUND]);

	if (shorthand == HTML_COLOR_UNKNOWN || d->value[HTML_PROP_BACKGROUND_COLOR] == NULL)
		return shorthand;
	return html_background_of(d->value[HTML_PROP_BACKGROUND_COLOR]);
}

/* Relative luminance with a gamma of 2 (close enough to sRGB's curve for this). */
static double
html_luminance(gint32 rgb)
{
	double r = ((rgb >> 16) & 0xff) / 255.0, g = ((rgb >> 8) & 0xff) / 255.0,
	       b = (rgb & 0xff) / 255.0;

	return 0.2126 * r * r + 0.7152 * g * g + 0.0722 * b * b;
}

gboolean
html_color_hides(gint32 color, gint32 background)
{
	double a, b;

	if (color == HTML_COLOR_CLEAR)
		return TRUE;
	if (color < 0 || background < 0)
		return FALSE;
	a = html_luminance(color) + 0.05;
	b = html_luminance(background) + 0.05;
	return MAX(a, b) / MIN(a, b) < HTML_MIN_CONTRAST;
}
