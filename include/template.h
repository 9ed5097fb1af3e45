/*
 * template: renders templates/KIND.txt, a "Subject:" line, a blank line and the body, and
 * templates/KIND.html, the HTML alternative of the same mail (every value HTML-escaped).
 * {{name}} inserts a value, {{#name}}...{{/name}} keeps its text only when the value is not
 * empty, {{^name}}...{{/name}} only when it is, and {{*name}}...{{/name}} repeats its text
 * for every line of the value (a list: timeline rows, action items), {{.}} being the line. Values
 * are inserted once and never expanded again, so text such as "{{subscribers}}" in an alert title
 * is printed as it is.
 */
#ifndef SEVMAIL_TEMPLATE_H
#define SEVMAIL_TEMPLATE_H

#include <glib.h>

/* Error domain of a template that cannot be read or rendered: the installation's problem,
 * never a message's. */
#define TEMPLATE_ERROR (template_error_quark())
GQuark template_error_quark(void);

/* Renders dir/kind.txt with vars (name -> UTF-8 value). An unknown placeholder or a broken
 * section is an error naming the file and line. The file is read once per process and kept
 * until template_cache_clear(). Caller frees subject and body. */
int template_render(const char *dir, const char *kind, GHashTable *vars, char **subject,
                    char **body, GError **err);

/* Renders dir/kind.html with vars, every value HTML-escaped: 1 and *html (caller frees),
 * 0 when there is no such file (the mail is text only), -1 + err when it cannot be read or
 * rendered. Kept like the text templates. */
int template_render_html(const char *dir, const char *kind, GHashTable *vars, char **html,
                         GError **err);

/* Forgets every kept template text, so the next render reads the files again. */
void template_cache_clear(void);

/* How values are written into the output: as they are (text mail), or HTML-escaped, with
 * & < > " ' as character references, so that no value is ever markup, inside an element or
 * inside a quoted attribute value (.html templates). Sections work alike in both. */
enum template_escape { TEMPLATE_TEXT, TEMPLATE_HTML };

/* Renders a template text already in memory; file names the source in errors. */
char *template_expand(const char *text, const char *file, GHashTable *vars, GError **err);
/* The same, writing values as escape says. */
char *template_expand_as(const char *text, const char *file, GHashTable *vars,
                         enum template_escape escape, GError **err);

/* template_render() over a text already in memory ("Subject:" line, blank line, body); file
 * names the source in errors. Caller frees subject and body. */
int template_render_text(const char *text, const char *file, GHashTable *vars, char **subject,
                         char **body, GError **err);

#endif
