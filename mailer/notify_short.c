/*
 * notify_short: the short form of a page for the page_also addresses of a [person:] section
 * (an SMS gateway, a pager): templates/short_page.txt, plain text, whose subject and body, as
 * a gateway joins them, fit one text message. The title is what gives way: [INC-N] and the
 * reply token address, which make an answer act, always stay.
 */
#include "notify_int.h"

#include "auth.h"
#include "template.h"
#include "util.h"

#include <string.h>

/* Characters in one text message (GSM 03.38; 70 for any other character, hence ASCII). */
#define NOTIFY_SHORT_MAX 160

/* A gateway's text of a mail: the subject (one line, as notify_queue sends it), one
 * separator, the body without its trailing blanks. */
static glong
notify_short_length(const char *subject, const char *body)
{
	g_autofree char *line = util_one_line(subject, 900);
	g_autofree char *text = g_strchomp(g_strdup(body));

	return g_utf8_strlen(line, -1) + 1 + g_utf8_strlen(text, -1);
}

/* The title that makes the short form fit, in ASCII, cut with "..." when there is no room
 * for all of it. NULL + err when the template cannot be rendered. */
static char *
notify_short_title(const struct notify *n, const struct incident *inc, GHashTable *vars,
                   GError **err)
{
	g_autofree char *line = util_one_line(inc->title != NULL ? inc->title : "", 300);
	g_autofree char *ascii = g_str_to_ascii(line, "C");
	g_autofree char *subject = NULL, *body = NULL;
	glong room;

	/* measured with a one-character title: an empty one would lose the space before it */
	g_hash_table_insert(vars, "title", g_strdup("x"));
	if (template_render(n->cfg->templates, "short_page", vars, &subject, &body, err) != 0)
		return NULL;
	room = NOTIFY_SHORT_MAX - (notify_short_length(subject, body) - 1);
	if ((glong)strlen(ascii) <= room)
		return g_steal_pointer(&ascii);
	if (room < 4) {
		if (room < 0)
			g_warning("INC-%" G_GINT64_FORMAT ": the short page is %ld characters "
			          "without its title: shorten templates/short_page.txt",
			          inc->id, NOTIFY_SHORT_MAX - room);
		return g_strdup("");
	}
	ascii[room - 3] = '\0';
	return g_strconcat(g_strchomp(ascii), "...", NULL);
}

int
notify_short_pages(const struct notify *n, struct incident *inc, const char *to, GError **err)
{
	const struct person *p = config_person(n->cfg, to);
	g_autofree char *reply_to = NULL;

	/* the reply token commands the incident: only a responder's own devices get it */
	if (p == NULL || p->page_also == NULL || config_responder(n->cfg, to) == NULL)
		return 0;
	reply_to = auth_reply_address(n->cfg->secret, n->cfg->address, inc->id);
	for (char **a = p->page_also; *a != NULL; a++) {
		g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);
		g_autoptr(GPtrArray) list = g_ptr_array_new();
		struct envelope env = {
		    .kind = OUTBOX_SHORT_PAGE, .to = list, .rcpts = list, .reply_to = reply_to};
		char *title;

		g_hash_table_insert(vars, "reply_to", g_strdup(reply_to));
		if ((title = notify_short_title(n, inc, vars, err)) == NULL)
			return -1;
		g_hash_table_insert(vars, "title", title);
		g_ptr_array_add(list, *a);
		if (notify_queue(n, inc, &env, vars, err) != 0)
			return -1;
	}
	return 0;
}
