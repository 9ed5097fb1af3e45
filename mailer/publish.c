/*
 * publish: the status page on disk.
 */
#include "publish.h"

#include "statuspage.h"
#include "util.h"
#include <errno.h>

static int
write_page(const char *dir, const char *file, const char *html, GError **err)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);

	/* g_file_set_contents writes a temporary file and renames it over the old one */
	return g_file_set_contents(path, html, -1, err) ? 0 : -1;
}

int
publish_status_page(const struct config *cfg, struct store *s, const char *dir, GError **err)
{
	gint64 now = util_now();
	/* what the index can show: the open incidents and the latest of those that ended
	 * lately, each read by an index, however long the history */
	g_autoptr(GPtrArray) incidents = store_incident_list(s, FALSE, err);
	g_autoptr(GPtrArray) ended = NULL, per = NULL, windows = NULL;
	g_autofree char *index = NULL;
	guint more = 0;

	if (incidents == NULL ||
	    (ended = store_incidents_ended(s, now - STATUSPAGE_RECENT, STATUSPAGE_RESOLVED_MAX,
	                                   &more, err)) == NULL)
		return -1;
	for (guint i = 0; i < ended->len; i++)
		g_ptr_array_add(incidents, g_steal_pointer(&ended->pdata[i]));
	g_ptr_array_set_size(ended, 0);
	if ((per = store_events_each(s, incidents, err)) == NULL ||
	    (windows = store_windows(s, now, err)) == NULL)
		return -1;
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create the status page directory %s: %s", dir,
		            g_strerror(errno));
		return -1;
	}
	index = statuspage_index(incidents, per, windows, now, cfg->name, more);
	if (write_page(dir, "index.html", index, err) != 0)
		return -1;
	for (guint i = 0; i < incidents->len; i++) {
		const struct incident *inc = incidents->pdata[i];
		g_autofree char *file = NULL, *html = NULL;

		if (!statuspage_listed(inc, now))
			continue;
		file = statuspage_incident_file(inc);
		html = statuspage_incident(inc, per->pdata[i], now, cfg->name);
		if (write_page(dir, file, html, err) != 0)
			return -1;
	}
	return 0;
}
