/*
 * template: a deliberately small renderer: placeholders and conditional sections. Pure: the
 * files are read by template_file.c.
 */
#include "template.h"

#include <string.h>

G_DEFINE_QUARK(sevmail_template_error, template_error)

static int
line_of(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* The {{/name}} that closes a section opened just before p, skipping sections of the same
 * name nested inside it. NULL when there is none. */
static const char *
section_end(const char *p, const char *end, const char *name, gsize *tag_len)
{
	g_autofree char *close = g_strdup_printf("{{/%s}}", name);
	int depth = 0;

	*tag_len = strlen(close);
	for (; p < end && (p = g_strstr_len(p, end - p, "{{")) != NULL; p += 2) {
		if (strncmp(p, close, *tag_len) == 0 && depth-- == 0)
			return p;
		if (p[2] != '\0' && strchr("#^*", p[2]) != NULL &&
		    strncmp(p + 3, name, strlen(name)) == 0 &&
		    strncmp(p + 3 + strlen(name), "}}", 2) == 0)
			depth++;
	}
	return NULL;
}

static int expand(const char *text, const char *start, const char *end, const char *file,
                  GHashTable *vars, const char *dot, GString *out, GError **err);

/* {{*name}}...{{/name}}: the body once per line of the value, {{.}} being that line. */
static int
repeat(const char *text, const char *body, const char *stop, const char *file, const char *value,
       GHashTable *vars, GString *out, GError **err)
{
	g_auto(GStrv) items = g_strsplit(value != NULL ? value : "", "\n", -1);

	for (char **item = items; *item != NULL; item++)
		if (**item != '\0' && expand(text, body, stop, file, vars, *item, out, err) != 0)
			return -1;
	return 0;
}

/* A section from its opening tag at open (name with its sigil, the tag ending at close):
 * {{#name}} shows the body when name is set, {{^name}} when it is not, {{*name}} once per
 * line. Returns where the text after {{/name}} resumes, or NULL + err. */
static const char *
expand_section(const char *text, const char *open, const char *close, const char *name,
               const char *end, const char *file, GHashTable *vars, const char *dot, GString *out,
               GError **err)
{
	const char *body = close + 2, *stop, *p;
	gsize tag_len = 0;
	const char *value = g_hash_table_lookup(vars, name + 1);
	gboolean set = value != NULL && *value != '\0';

	/* a section tag alone on its line leaves no line behind */
	if (*body == '\n' && (open == text || open[-1] == '\n'))
		body++;
	stop = section_end(body, end, name + 1, &tag_len);
	if (stop == NULL) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: section '%s' has no {{/%s}}", file,
		            line_of(text, open), name + 1, name + 1);
		return NULL;
	}
	if (!g_hash_table_contains(vars, name + 1)) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: unknown placeholder '%s'", file,
		            line_of(text, open), name + 1);
		return NULL;
	}
	if (name[0] == '*') {
		if (repeat(text, body, stop, file, value, vars, out, err) != 0)
			return NULL;
	} else if (set == (name[0] == '#') &&
	           expand(text, body, stop, file, vars, dot, out, err) != 0) {
		return NULL;
	}
	p = stop + tag_len;
	if (*p == '\n' && (stop == text || stop[-1] == '\n'))
		p++;
	return p;
}

/* {{name}}, or {{.}} inside a repeated section. 0, or -1 + err for an unknown name. */
static int
expand_placeholder(const char *text, const char *open, const char *name, const char *file,
                   GHashTable *vars, const char *dot, GString *out, GError **err)
{
	if (strcmp(name, ".") == 0 && dot != NULL) {
		g_string_append(out, dot);
		return 0;
	}
	if (!g_hash_table_contains(vars, name)) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: unknown placeholder '%s'", file,
		            line_of(text, open), name);
		return -1;
	}
	g_string_append(out, g_hash_table_lookup(vars, name));
	return 0;
}

static int
expand(const char *text, const char *start, const char *end, const char *file, GHashTable *vars,
       const char *dot, GString *out, GError **err)
{
	const char *p = start;

	while (p < end) {
		const char *open = g_strstr_len(p, end - p, "{{");
		const char *close;
		g_autofree char *name = NULL;

		if (open == NULL) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, open - p);
		close = g_strstr_len(open, end - open, "}}");
		if (close == NULL) {
			g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: '{{' without '}}'", file,
			            line_of(text, open));
			return -1;
		}
		name = g_strstrip(g_strndup(open + 2, close - open - 2));
		if (name[0] == '#' || name[0] == '^' || name[0] == '*') {
			p = expand_section(text, open, close, name, end, file, vars, dot, out, err);
			if (p == NULL)
				return -1;
			continue;
		}
		if (expand_placeholder(text, open, name, file, vars, dot, out, err) != 0)
			return -1;
		p = close + 2;
	}
	return 0;
}

char *
template_expand(const char *text, const char *file, GHashTable *vars, GError **err)
{
	GString *out = g_string_new(NULL);

	if (expand(text, text, text + strlen(text), file, vars, NULL, out, err) != 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

int
template_render_text(const char *text, const char *file, GHashTable *vars, char **subject,
                     char **body, GError **err)
{
	g_autoptr(GString) first = g_string_new(NULL);
	g_autoptr(GString) rest = g_string_new(NULL);
	const char *nl = strchr(text, '\n');

	if (!g_str_has_prefix(text, "Subject:") || nl == NULL || nl[1] != '\n') {
		g_set_error(err, TEMPLATE_ERROR, 0,
		            "%s:1: a template starts with a 'Subject:' line and a blank line",
		            file);
		return -1;
	}
	/* both parts are expanded against the whole file, so errors name the right line */
	if (expand(text, text + strlen("Subject:"), nl, file, vars, NULL, first, err) != 0 ||
	    expand(text, nl + 2, text + strlen(text), file, vars, NULL, rest, err) != 0)
		return -1;
	*subject = g_strdup(g_strstrip(first->str));
	*body = g_string_free(g_steal_pointer(&rest), FALSE);
	return 0;
}
