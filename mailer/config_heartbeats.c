/*
 * config_heartbeats: the [heartbeat:NAME] sections (DESIGN.md, "Noise control"): which mail
 * is a heartbeat (match), how often it comes (every, grace), and the severity and team of
 * the incident its silence declares. Teams may be defined further down the file, so they
 * are checked once every section is read (config_finish_heartbeats).
 */
#include "config_sections.h"
#include "match.h"
#include "team.h"
#include "util.h"

#include <string.h>

void
config_heartbeat_free(struct heartbeat *h)
{
	if (h == NULL)
		return;
	g_free(h->name);
	match_free(h->match);
	g_free(h->team);
	g_free(h);
}

static int
heartbeat_keys_known(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	static const char *const known[] = {"match", "every", "grace", "severity", "team", NULL};
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

	for (char **n = names; n != NULL && *n != NULL; n++)
		if (!g_strv_contains(known, *n))
			return config_bad(err, c, group, *n,
			                  "unknown key (heartbeats have match, every, grace, "
			                  "severity, team)");
	return 0;
}

/* A duration key from min seconds to a week; def when the key is absent (-1: required). */
static int
heartbeat_duration(struct config *c, GKeyFile *kf, const char *group, const char *key, gint64 min,
                   gint64 def, int *out, GError **err)
{
	g_autofree char *value = g_key_file_get_value(kf, group, key, NULL);
	gint64 s = def;

	if (value == NULL && def < 0)
		return config_bad(err, c, group, key, "is required (such as 5m)");
	if (value != NULL && (!util_parse_duration(value, &s) || s < min || s > 7 * 86400))
		return config_bad(err, c, group, key,
		                  "\"%s\" is not a duration from %" G_GINT64_FORMAT
		                  "s to 7d (such as 5m)",
		                  g_strstrip(value), min);
	*out = (int)s;
	return 0;
}

/* The match; refused when an alternative only names the sender: that heartbeat would take
 * every mail of the sender, its alerts included, and nothing would ever be declared. */
static int
heartbeat_match(struct config *c, GKeyFile *kf, const char *group, struct heartbeat *h,
                GError **err)
{
	static const char *const sender_only[] = {"sender", NULL};
	g_autofree char *m = g_key_file_get_value(kf, group, "match", NULL);
	g_autoptr(GError) e = NULL;

	if (m == NULL)
		return config_bad(err, c, group, "match",
		                  "is required (such as sender=alertmanager@example.com&"
		                  "alertname=Watchdog)");
	if ((h->match = match_parse(m, &e)) == NULL)
		return config_bad(err, c, group, "match", "%s", e->message);
	if (match_some_only(h->match, sender_only))
		return config_bad(err, c, group, "match",
		                  "\"%s\" would make every mail of that sender a heartbeat, its "
		                  "alerts too: add what tells the heartbeat apart (such as "
		                  "&alertname=Watchdog or &subject=*heartbeat*)",
		                  match_text(h->match));
	return 0;
}

static int
heartbeat_severity(struct config *c, GKeyFile *kf, const char *group, struct heartbeat *h,
                   GError **err)
{
	g_autofree char *value = g_key_file_get_value(kf, group, "severity", NULL);

	h->severity = 2;
	if (value == NULL)
		return 0;
	g_strstrip(value);
	if (strlen(value) != 1 || *value < '1' || *value > '3')
		return config_bad(err, c, group, "severity", "\"%s\" is not 1, 2 or 3", value);
	h->severity = *value - '0';
	return 0;
}

int
config_load_heartbeat(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	g_autofree char *name = g_ascii_strdown(group + strlen("heartbeat:"), -1);
	g_autofree char *team = g_key_file_get_value(kf, group, "team", NULL);
	struct heartbeat *h = g_new0(struct heartbeat, 1);

	h->name = g_strdup(g_strstrip(name));
	g_ptr_array_add(c->heartbeats, h);
	if (heartbeat_keys_known(c, kf, group, err) != 0)
		return -1;
	for (guint i = 0; i + 1 < c->heartbeats->len; i++)
		if (strcmp(((struct heartbeat *)c->heartbeats->pdata[i])->name, h->name) == 0)
			return config_bad(err, c, group, NULL,
			                  "\"%s\" is already the name of another heartbeat",
			                  h->name);
	if (team != NULL && g_ascii_strcasecmp(g_strstrip(team), "default") != 0)
		h->team = g_ascii_strdown(team, -1);
	if (heartbeat_match(c, kf, group, h, err) != 0 ||
	    heartbeat_duration(c, kf, group, "every", 60, -1, &h->every, err) != 0 ||
	    heartbeat_duration(c, kf, group, "grace", 0, h->every, &h->grace, err) != 0)
		return -1;
	return heartbeat_severity(c, kf, group, h, err);
}

int
config_finish_heartbeats(struct config *c, GError **err)
{
	if (c->heartbeat_to != NULL && !util_address_valid(c->heartbeat_to))
		return config_bad(err, c, "general", "heartbeat_to",
		                  "\"%s\" is not a plain address such as "
		                  "sevmail-heartbeat@deadmansswitch.example.net",
		                  c->heartbeat_to);
	for (guint i = 0; i < c->heartbeats->len; i++) {
		const struct heartbeat *h = c->heartbeats->pdata[i];
		g_autofree char *group = g_strdup_printf("heartbeat:%s", h->name);

		if (h->team != NULL && team_find(c, h->team) == NULL)
			return config_bad(err, c, group, "team",
			                  "\"%s\" is not a [team:%s] section of this file (nor "
			                  "default)",
			                  h->team, h->team);
	}
	return 0;
}
