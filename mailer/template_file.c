/*
 * template_file: reads templates/KIND.txt and KIND.html for template.c's renderer, once per
 * process.
 */
#include "template.h"

/* Template texts by path (dir/kind.txt), read once per process instead of once per mail;
 * template_cache_clear() (the daemon's SIGHUP) makes edited files take effect. sevmail is
 * single-threaded (one main loop, no worker threads), so the cache has no lock. */
static GHashTable *template_cache;

void
template_cache_clear(void)
{
	if (template_cache != NULL)
		g_hash_table_remove_all(template_cache);
}

/* The text of path, borrowed from the cache. A file that cannot be read is not kept: the
 * error stays until it can be, with no reload needed. */
static const char *
template_text(const char *path, GError **err)
{
	char *text = NULL;

	if (template_cache == NULL)
		template_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	text = g_hash_table_lookup(template_cache, path);
	if (text != NULL)
		return text;
	if (!g_file_get_contents(path, &text, NULL, err))
		return NULL;
	g_hash_table_insert(template_cache, g_strdup(path), text);
	return text;
}

int
template_render(const char *dir, const char *kind, GHashTable *vars, char **subject, char **body,
                GError **err)
{
	g_autofree char *name = g_strconcat(kind, ".txt", NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	const char *text = template_text(path, err);

	if (text == NULL)
		return -1;
	return template_render_text(text, path, vars, subject, body, err);
}

int
template_render_html(const char *dir, const char *kind, GHashTable *vars, char **html, GError **err)
{
	g_autofree char *name = g_strconcat(kind, ".html", NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) e = NULL;
	const char *text = template_text(path, &e);

	*html = NULL;
	/* an installation without the file sends text only, as before there was HTML */
	if (text == NULL && g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
		return 0;
	if (text == NULL) {
		g_propagate_error(err, g_steal_pointer(&e));
		return -1;
	}
	*html = template_expand_as(text, path, vars, TEMPLATE_HTML, err);
	return *html != NULL ? 1 : -1;
}
