/*
 * template: a deliberately small renderer: placeholders and conditional sections. Pure: the
 * files are read by template_file.c.
 */
#include "template.h"

#include <string.h>

G_DEFINE_QUARK(sevmail_template_error, template_error)

/* One rendering: the whole template (for line numbers), its name, its values, how they
 * are written, and where the output goes. */
struct render {
	const char *text;
	const char *file;
	GHashTable *vars;
	enum template_escape escape;
	GString *out;
};

static int
line_of(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* A value as the template's kind writes it: as it is in text, every markup character a
 * character reference in HTML (attribute values included, as they are quoted). */
static void
append_value(const struct render *r, const char *value)
{
	g_autofree char *escaped = NULL;

	if (value == NULL)
		return;
	if (r->escape == TEMPLATE_TEXT) {
		g_string_append(r->out, value);
		return;
	}
	if (!g_utf8_validate(value, -1, NULL)) {
		g_autofree char *valid = g_utf8_make_valid(value, -1);

		escaped = g_markup_escape_text(valid, -1);
	} else {
		escaped = g_markup_escape_text(value, -1);
	}
	g_string_append(r->out, escaped);
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

static int expand(const struct render *r, const char *start, const char *end, const char *dot,
                  GError **err);

/* {{*name}}...{{/name}}: the body once per line of the value, {{.}} being that line. */
static int
repeat(const struct render *r, const char *body, const char *stop, const char *value, GError **err)
{
	g_auto(GStrv) items = g_strsplit(value != NULL ? value : "", "\n", -1);

	for (char **item = items; *item != NULL; item++)
		if (**item != '\0' && expand(r, body, stop, *item, err) != 0)
			return -1;
	return 0;
}

/* A section from its opening tag at open (name with its sigil, the tag ending at close):
 * {{#name}} shows the body when name is set, {{^name}} when it is not, {{*name}} once per
 * line. Returns where the text after {{/name}} resumes, or NULL + err. */
static const char *
expand_section(const struct render *r, const char *open, const char *close, const char *name,
               const char *end, const char *dot, GError **err)
{
	const char *body = close + 2, *stop, *p;
	gsize tag_len = 0;
	const char *value = g_hash_table_lookup(r->vars, name + 1);
	gboolean set = value != NULL && *value != '\0';

	/* a section tag alone on its line leaves no line behind */
	if (*body == '\n' && (open == r->text || open[-1] == '\n'))
		body++;
	stop = section_end(body, end, name + 1, &tag_len);
	if (stop == NULL) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: section '%s' has no {{/%s}}", r->file,
		            line_of(r->text, open), name + 1, name + 1);
		return NULL;
	}
	if (!g_hash_table_contains(r->vars, name + 1)) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: unknown placeholder '%s'", r->file,
		            line_of(r->text, open), name + 1);
		return NULL;
	}
	if (name[0] == '*') {
		if (repeat(r, body, stop, value, err) != 0)
			return NULL;
	} else if (set == (name[0] == '#') && expand(r, body, stop, dot, err) != 0) {
		return NULL;
	}
	p = stop + tag_len;
	if (*p == '\n' && (stop == r->text || stop[-1] == '\n'))
		p++;
	return p;
}

/* {{name}}, or {{.}} inside a repeated section. 0, or -1 + err for an unknown name. */
static int
expand_placeholder(const struct render *r, const char *open, const char *name, const char *dot,
                   GError **err)
{
	if (strcmp(name, ".") == 0 && dot != NULL) {
		append_value(r, dot);
		return 0;
	}
	if (!g_hash_table_contains(r->vars, name)) {
		g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: unknown placeholder '%s'", r->file,
		            line_of(r->text, open), name);
		return -1;
	}
	append_value(r, g_hash_table_lookup(r->vars, name));
	return 0;
}

static int
expand(const struct render *r, const char *start, const char *end, const char *dot, GError **err)
{
	const char *p = start;

	while (p < end) {
		const char *open = g_strstr_len(p, end - p, "{{");
		const char *close;
		g_autofree char *name = NULL;

		if (open == NULL) {
			g_string_append_len(r->out, p, end - p);
			break;
		}
		g_string_append_len(r->out, p, open - p);
		close = g_strstr_len(open, end - open, "}}");
		if (close == NULL) {
			g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: '{{' without '}}'", r->file,
			            line_of(r->text, open));
			return -1;
		}
		name = g_strstrip(g_strndup(open + 2, close - open - 2));
		if (name[0] == '#' || name[0] == '^' || name[0] == '*') {
			p = expand_section(r, open, close, name, end, dot, err);
			if (p == NULL)
				return -1;
			continue;
		}
		if (expand_placeholder(r, open, name, dot, err) != 0)
			return -1;
		p = close + 2;
	}
	return 0;
}

char *
template_expand_as(const char *text, const char *file, GHashTable *vars,
                   enum template_escape escape, GError **err)
{
	struct render r = {text, file, vars, escape, g_string_new(NULL)};

	if (expand(&r, text, text + strlen(text), NULL, err) != 0) {
		g_string_free(r.out, TRUE);
		return NULL;
	}
	return g_string_free(r.out, FALSE);
}

char *
template_expand(const char *text, const char *file, GHashTable *vars, GError **err)
{
	return template_expand_as(text, file, vars, TEMPLATE_TEXT, err);
}

int
template_render_text(const char *text, const char *file, GHashTable *vars, char **subject,
                     char **body, GError **err)
{
	g_autoptr(GString) first = g_string_new(NULL);
	g_autoptr(GString) rest = g_string_new(NULL);
	struct render head = {text, file, vars, TEMPLATE_TEXT, first};
	struct render tail = {text, file, vars, TEMPLATE_TEXT, rest};
	const char *nl = strchr(text, '\n');

	if (!g_str_has_prefix(text, "Subject:") || nl == NULL || nl[1] != '\n') {
		g_set_error(err, TEMPLATE_ERROR, 0,
		            "%s:1: a template starts with a 'Subject:' line and a blank line",
		            file);
		return -1;
	}
	/* both parts are expanded against the whole file, so errors name the right line */
	if (expand(&head, text + strlen("Subject:"), nl, NULL, err) != 0 ||
	    expand(&tail, nl + 2, text + strlen(text), NULL, err) != 0)
		return -1;
	*subject = g_strdup(g_strstrip(first->str));
	*body = g_string_free(g_steal_pointer(&rest), FALSE);
	return 0;
}
