/*
 * template: a deliberately small renderer: placeholders and conditional sections.
 */
#include "template.h"

#include <string.h>

#define TEMPLATE_ERROR (g_quark_from_static_string("sevmail-template-error"))

static int
line_of(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static int
expand(const char *text, const char *start, const char *end, const char *file, GHashTable *vars,
       GString *out, GError **err)
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
		if (name[0] == '#' || name[0] == '^') {
			g_autofree char *end_tag = g_strdup_printf("{{/%s}}", name + 1);
			const char *body = close + 2;
			const char *stop;
			const char *value = g_hash_table_lookup(vars, name + 1);
			gboolean set = value != NULL && *value != '\0';

			/* a section tag alone on its line leaves no line behind */
			if (*body == '\n' && (open == text || open[-1] == '\n'))
				body++;
			stop = g_strstr_len(body, end - body, end_tag);

			if (stop == NULL) {
				g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: section '%s' has no %s",
				            file, line_of(text, open), name + 1, end_tag);
				return -1;
			}
			if (!g_hash_table_contains(vars, name + 1)) {
				g_set_error(err, TEMPLATE_ERROR, 0,
				            "%s:%d: unknown placeholder '%s'", file,
				            line_of(text, open), name + 1);
				return -1;
			}
			if (set == (name[0] == '#') &&
			    expand(text, body, stop, file, vars, out, err) != 0)
				return -1;
			p = stop + strlen(end_tag);
			if (*p == '\n' && (stop == text || stop[-1] == '\n'))
				p++;
			continue;
		}
		if (!g_hash_table_contains(vars, name)) {
			g_set_error(err, TEMPLATE_ERROR, 0, "%s:%d: unknown placeholder '%s'", file,
			            line_of(text, open), name);
			return -1;
		}
		g_string_append(out, g_hash_table_lookup(vars, name));
		p = close + 2;
	}
	return 0;
}

char *
template_expand(const char *text, const char *file, GHashTable *vars, GError **err)
{
	GString *out = g_string_new(NULL);

	if (expand(text, text, text + strlen(text), file, vars, out, err) != 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

int
template_render(const char *dir, const char *kind, GHashTable *vars, char **subject, char **body,
                GError **err)
{
	g_autofree char *name = g_strconcat(kind, ".txt", NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autofree char *text = NULL, *first = NULL;
	char *nl;

	if (!g_file_get_contents(path, &text, NULL, err))
		return -1;
	nl = strchr(text, '\n');
	if (!g_str_has_prefix(text, "Subject:") || nl == NULL || nl[1] != '\n') {
		g_set_error(err, TEMPLATE_ERROR, 0,
		            "%s:1: a template starts with a 'Subject:' line and a blank line",
		            path);
		return -1;
	}
	*nl = '\0';
	first = template_expand(text + strlen("Subject:"), path, vars, err);
	if (first == NULL)
		return -1;
	*body = template_expand(nl + 2, path, vars, err);
	if (*body == NULL)
		return -1;
	*subject = g_strdup(g_strstrip(first));
	return 0;
}
