/*
 * template_file: reads templates/KIND.txt for template.c's renderer, once per process.
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
