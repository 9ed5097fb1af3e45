/*
 * template: renders templates/KIND.txt, a "Subject:" line, a blank line and the body.
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

/* Forgets every kept template text, so the next render reads the files again. */
void template_cache_clear(void);

/* Renders a template text already in memory; file names the source in errors. */
char *template_expand(const char *text, const char *file, GHashTable *vars, GError **err);

/* template_render() over a text already in memory ("Subject:" line, blank line, body); file
 * names the source in errors. Caller frees subject and body. */
int template_render_text(const char *text, const char *file, GHashTable *vars, char **subject,
                         char **body, GError **err);

#endif
