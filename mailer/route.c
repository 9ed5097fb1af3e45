/*
 * route: what an alert mail is to sevmail, decided from the configuration, the mail and the
 * time alone (DESIGN.md, "Teams, schedules and escalation policies" and "Noise control"):
 * which team it belongs to, which group of alerts it is of and whether it joins an open
 * incident of that group, what the storm guard does with it, which maintenance window holds
 * it back, which heartbeat it is. Pure: the configuration, the alert, its sender and
 * subject, the open incidents, the stored windows and the time in.
 */
#include "route.h"

#include "match.h"
#include "util.h"

#include <string.h>

G_DEFINE_QUARK(sevmail_route_error, route_error)

/* What a match key means for an alert mail. */
struct alert_mail {
	const struct alert *a; /* or NULL: a mail no detector read */
	const char *sender, *subject;
};

static const char *
route_alert_value(const char *key, gconstpointer data)
{
	const struct alert_mail *m = data;

	if (strcmp(key, "sender") == 0)
		return m->sender;
	if (strcmp(key, "subject") == 0)
		return m->subject;
	if (m->a == NULL)
		return NULL;
	if (strcmp(key, "source") == 0)
		return m->a->source;
	return alert_label(m->a, key);
}

const struct team *
route_team(const struct config *cfg, const struct alert *a, const char *sender, const char *subject)
{
	struct alert_mail m = {a, sender, subject};

	for (guint i = 0; i < cfg->teams->len; i++) {
		const struct team *t = cfg->teams->pdata[i];

		if (t->match != NULL && match_test(t->match, route_alert_value, &m))
			return t;
	}
	return NULL;
}

char *
route_group_key(const struct config *cfg, const struct team *t, const struct alert *a)
{
	GString *key;

	if (cfg->group_by == NULL || cfg->group_by[0] == NULL)
		return NULL;
	/* one per line: an alert's values are one line each (alert.c cleans them) */
	key = g_string_new(t != NULL ? t->name : "default");
	for (char **name = cfg->group_by; *name != NULL; name++) {
		const char *value = alert_label(a, *name);

		g_string_append_printf(key, "\n%s=%s", *name, value != NULL ? value : "");
	}
	return g_string_free(key, FALSE);
}

gint64
route_group_join(const struct config *cfg, const char *key,
                 const struct route_candidate *candidates, gsize n, gint64 now)
{
	const struct route_candidate *best = NULL;

	for (gsize i = 0; key != NULL && i < n; i++) {
		const struct route_candidate *c = &candidates[i];

		if (!c->open || g_strcmp0(c->group_key, key) != 0 ||
		    c->created_at <= now - cfg->group_window)
			continue;
		if (best == NULL || c->created_at > best->created_at ||
		    (c->created_at == best->created_at && c->id > best->id))
			best = c;
	}
	return best != NULL ? best->id : 0;
}

enum route_storm
route_storm(const struct config *cfg, int declared, gint64 storm_at, gint64 now)
{
	const struct storm_guard *g = &cfg->storm;

	if (g->limit <= 0)
		return ROUTE_STORM_NONE;
	if (storm_at != 0 && storm_at > now - g->period)
		return ROUTE_STORM_JOIN;
	if (declared < g->limit)
		return ROUTE_STORM_NONE;
	return storm_at != 0 ? ROUTE_STORM_JOIN : ROUTE_STORM_DECLARE;
}

/* --- maintenance windows --- */

void
route_window_free(struct window *w)
{
	if (w == NULL)
		return;
	g_free(w->match);
	g_free(w->reason);
	g_free(w->by);
	g_free(w);
}

gint64
route_window_end(const struct window *w)
{
	return w->ended_at != 0 && w->ended_at < w->ends_at ? w->ended_at : w->ends_at;
}

gboolean
route_window_active(const struct window *w, gint64 now)
{
	return w->starts_at <= now && now < route_window_end(w);
}

const struct window *
route_window_for(GPtrArray *windows, const struct alert *a, const char *sender, const char *subject,
                 gint64 now)
{
	struct alert_mail m = {a, sender, subject};

	for (guint i = 0; windows != NULL && i < windows->len; i++) {
		const struct window *w = windows->pdata[i];
		/* stored only after route_window_check: one that cannot be read holds nothing */
		g_autoptr(match) expr =
		    route_window_active(w, now) ? match_parse(w->match, NULL) : NULL;

		if (expr != NULL && match_test(expr, route_alert_value, &m))
			return w;
	}
	return NULL;
}

int
route_window_check(const char *text, gint64 seconds, char **normal, GError **err)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(match) m = match_parse(text, &e);

	if (m == NULL) {
		g_set_error(err, ROUTE_ERROR, 0, "the match %s", e->message);
		return -1;
	}
	if (match_some_anything(m)) {
		g_set_error(err, ROUTE_ERROR, 0,
		            "the match %s holds for every alert (a label an alert lacks counts as "
		            "empty, and * matches that too): name what to hold back, such as "
		            "host=db-1",
		            match_text(m));
		return -1;
	}
	if (seconds <= 0 || seconds > ROUTE_WINDOW_MAX) {
		g_set_error(err, ROUTE_ERROR, 0,
		            "a maintenance window lasts %s (such as 30m, 2h or 1d)",
		            seconds <= 0 ? "longer than 0" : "at most 7 days");
		return -1;
	}
	*normal = g_strdup(match_text(m));
	return 0;
}

/* The run of words from first on that reads as one duration ("2h", "1h 30m"): how many,
 * 0 when words[first] is none. A word with '=' is a match item, never a duration. */
static guint
route_duration_words(char **words, guint first, gint64 *seconds)
{
	g_autoptr(GString) run = g_string_new(NULL);
	guint n = 0;

	for (guint k = first; words[k] != NULL && strchr(words[k], '=') == NULL; k++) {
		gint64 s;

		g_string_append_printf(run, "%s%s", k > first ? " " : "", words[k]);
		if (!util_parse_duration(run->str, &s))
			break;
		*seconds = s;
		n = k - first + 1;
	}
	return n;
}

/* words[from..to) joined by spaces (to may be past the end). Caller frees. */
static char *
route_join(char **words, guint from, guint to)
{
	GString *out = g_string_new(NULL);

	for (guint i = from; i < to && words[i] != NULL; i++)
		g_string_append_printf(out, "%s%s", i > from ? " " : "", words[i]);
	return g_string_free(out, FALSE);
}

int
route_window_request(const char *text, char **normal, gint64 *seconds, char **reason, GError **err)
{
	g_autofree char *line = util_one_line(text != NULL ? text : "", 1000);
	g_auto(GStrv) words = g_strsplit(line, " ", -1);
	g_autofree char *asked = NULL, *rest = NULL;
	guint first = 0, n = 0;

	*normal = *reason = NULL;
	while (words[first] != NULL && (n = route_duration_words(words, first, seconds)) == 0)
		first++;
	if (n == 0) {
		g_set_error(err, ROUTE_ERROR, 0,
		            "it needs a match and a duration, such as "
		            "MAINTENANCE host=db-1 2h kernel upgrade");
		return -1;
	}
	/* "host=db-1 for 2h", "host=db-1 - 2h": the word before the duration is no value */
	if (first > 1 &&
	    (g_ascii_strcasecmp(words[first - 1], "for") == 0 ||
	     g_strv_contains((const char *const[]){"-", "–", "—", ":", NULL}, words[first - 1])))
		asked = route_join(words, 0, first - 1);
	else
		asked = route_join(words, 0, first);
	if (route_window_check(asked, *seconds, normal, err) != 0)
		return -1;
	rest = route_join(words, first + n, G_MAXUINT);
	*reason = *rest != '\0' ? g_steal_pointer(&rest) : NULL;
	return 0;
}

char *
route_labels_text(const struct alert *a)
{
	g_autoptr(GList) names = g_hash_table_get_keys(a->labels);
	GString *out = g_string_new(NULL);

	names = g_list_sort(names, (GCompareFunc)strcmp);
	for (GList *l = names; l != NULL; l = l->next) {
		g_autofree char *value = g_strescape(g_hash_table_lookup(a->labels, l->data), NULL);

		g_string_append_printf(out, "%s=%s\n", (const char *)l->data, value);
	}
	return g_string_free(out, FALSE);
}

GHashTable *
route_labels_parse(const char *text)
{
	GHashTable *labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	for (char **l = lines; *l != NULL; l++) {
		char *eq = strchr(*l, '=');

		if (eq == NULL || eq == *l)
			continue;
		g_hash_table_insert(labels, g_strndup(*l, (gsize)(eq - *l)), g_strcompress(eq + 1));
	}
	return labels;
}

/* --- heartbeats --- */

const struct heartbeat *
route_heartbeat(const struct config *cfg, const struct alert *a, const char *sender,
                const char *subject)
{
	struct alert_mail m = {a, sender, subject};

	for (guint i = 0; i < cfg->heartbeats->len; i++) {
		const struct heartbeat *h = cfg->heartbeats->pdata[i];

		if (match_test(h->match, route_alert_value, &m))
			return h;
	}
	return NULL;
}

enum route_beat
route_heartbeat_state(const struct heartbeat *h, gint64 since, gint64 now, gint64 *due)
{
	*due = since + h->every;
	if (now < *due)
		return ROUTE_BEAT_OK;
	return now < *due + h->grace ? ROUTE_BEAT_LATE : ROUTE_BEAT_MISSING;
}

const char *
route_beat_name(enum route_beat b)
{
	static const char *const names[] = {"ok", "late", "missing"};

	return b <= ROUTE_BEAT_MISSING ? names[b] : "ok";
}

char *
route_heartbeat_fingerprint(const struct heartbeat *h)
{
	return g_strconcat("heartbeat:", h->name, NULL);
}

char *
route_heartbeat_expected(const struct heartbeat *h)
{
	g_autofree char *every = util_duration(h->every);
	g_autofree char *grace = util_duration(h->grace);

	return g_strdup_printf("a mail that matches %s every %s (grace %s)", match_text(h->match),
	                       every, grace);
}
