/*
 * html_style: whether CSS (style attributes and <style> sheets) and the presentational
 * attributes mail still uses (color=, bgcolor=) hide an element's text from a reader, for
 * html.c (private to the mime module; colours are html_color.c's). Pure: strings in, plain
 * values out.
 */
#ifndef SEVMAIL_HTML_STYLE_H
#define SEVMAIL_HTML_STYLE_H

#include <glib.h>

/* A colour is 0xRRGGBB or one of these. */
#define HTML_COLOR_NONE (-1)    /* not set: text inherits, a background lets its parent's show */
#define HTML_COLOR_UNKNOWN (-2) /* set to something not understood: an image, a gradient ... */
#define HTML_COLOR_CLEAR (-3)   /* transparent, or nearly */

/* The CSS properties that can hide text; html_style.c has their names. */
enum html_prop {
	HTML_PROP_DISPLAY,
	HTML_PROP_VISIBILITY,
	HTML_PROP_OPACITY,
	HTML_PROP_MSO_HIDE,
	HTML_PROP_FONT,
	HTML_PROP_FONT_SIZE,
	HTML_PROP_WIDTH,
	HTML_PROP_MAX_WIDTH,
	HTML_PROP_HEIGHT,
	HTML_PROP_MAX_HEIGHT,
	HTML_PROP_LINE_HEIGHT,
	HTML_PROP_OVERFLOW,
	HTML_PROP_OVERFLOW_X,
	HTML_PROP_OVERFLOW_Y,
	HTML_PROP_POSITION,
	HTML_PROP_LEFT,
	HTML_PROP_TOP,
	HTML_PROP_TEXT_INDENT,
	HTML_PROP_CLIP,
	HTML_PROP_TRANSFORM,
	HTML_PROP_SCALE,
	HTML_PROP_ZOOM,
	HTML_PROP_FILTER,
	HTML_PROP_CLIP_PATH,
	HTML_PROP_COLOR,
	HTML_PROP_BACKGROUND,
	HTML_PROP_BACKGROUND_COLOR,
	HTML_PROP_COUNT
};

/* The declarations that apply to one element: per property the value given last, in lower
 * case, trimmed, without "!important"; NULL when none. With cascade set, an !important value
 * is only replaced by another (a sheet's !important beats a normal inline one); without, the
 * last value wins whatever it says, which html.c reads too, for whichever hides. */
struct html_decls {
	char *value[HTML_PROP_COUNT];
	gboolean important[HTML_PROP_COUNT];
	gboolean cascade;
};

/* Adds "name: value; ..." (a style attribute or a rule's body): later values win. */
void html_decls_add(struct html_decls *d, const char *css);
/* Sets one property, as a presentational attribute does (bgcolor=, <font color=>). */
void html_decls_set(struct html_decls *d, enum html_prop prop, const char *value);
/* Sets one property as a declaration does, !important or not. */
void html_decls_put(struct html_decls *d, enum html_prop prop, const char *value,
                    gboolean important);
void html_decls_clear(struct html_decls *d);

/* TRUE when the declarations hide the element and all it holds: display:none,
 * visibility:hidden, mso-hide:all, opacity near 0, a box of 2px or less that clips (or is
 * that small both ways), a place far off-screen, clip:rect(0 0 0 0), a clip-path that
 * leaves nothing, scale(0), a zoom of a tenth or less, or filter:opacity(0). */
gboolean html_decls_hide(const struct html_decls *d);
/* TRUE when text is too small to see (2px or less) under these declarations, where the
 * parent's is inherited: a size can set it either way (templates set font-size:0 on a
 * wrapper to drop the blanks between columns, and the size back on each column), and a
 * relative size of a tiny parent stays tiny. */
gboolean html_decls_tiny_font(const struct html_decls *d, gboolean inherited);
/* The text colour, and the background colour, the declarations set (HTML_COLOR_*). */
gint32 html_decls_color(const struct html_decls *d);
gint32 html_decls_background(const struct html_decls *d);

/* TRUE when text of colour color cannot be read on background: transparent, or a contrast
 * too low for any eye. Unknown colours never hide. */
gboolean html_color_hides(gint32 color, gint32 background);

/* The text without CSS comments and the <!-- --> that hide sheets from old clients. Caller
 * frees. */
char *html_css_uncomment(const char *css, gsize len);

/* html_sheet.c: the rules of an HTML document's <style> elements, by the last part of their
 * selectors
 * (".class", "#id", "tag", "*"). Approximate on purpose, to the hiding side: a selector
 * with context counts for every element its last part names, and @media and @supports
 * blocks count as if their conditions held. Selectors with pseudo-classes are ignored; an
 * attribute test ("p[data-x]", "[class~=x]") is read exactly. */
struct html_sheet;
struct html_sheet *html_sheet_new(void);
/* Adds a style sheet's text; at most 256 KiB of sheets per document are read. */
void html_sheet_add(struct html_sheet *s, const char *css);
/* Adds to d what the sheet says of an element: its tag name, and its attributes as name,
 * value, name, value ..., NULL. */
void html_sheet_apply(const struct html_sheet *s, struct html_decls *d, const char *tag,
                      const char *const *attrs);
/* TRUE when a rule of the sheet has an !important declaration. */
gboolean html_sheet_important(const struct html_sheet *s);
void html_sheet_free(struct html_sheet *s);

#endif
