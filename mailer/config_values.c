/*
 * config_values: values of config.c's key table that need more than a number or a word:
 * durations ("10m"), how long to keep something ("90d" or "forever") and the storm guard's
 * rate ("20/5m" or "off").
 */
#include "config_sections.h"

#include "util.h"
#include <string.h>

int
config_set_duration(struct config *c, const char *group, const char *key, const char *value,
                    int min, int max, int *field, GError **err)
{
	gint64 seconds = 0;
	g_autofree char *low = NULL, *high = NULL;

	if (util_parse_duration(value, &seconds) && seconds >= min && seconds <= max) {
		*field = (int)seconds;
		return 0;
	}
	low = util_duration(min);
	high = util_duration(max);
	return config_bad(err, c, group, key,
	                  "'%s' is not a duration from %s to %s, such as 10m or 1h30m", value, low,
	                  high);
}

int
config_set_keep(struct config *c, const char *group, const char *key, const char *value, int min,
                int max, int *field, GError **err)
{
	g_autoptr(GError) why = NULL;

	if (g_ascii_strcasecmp(value, "forever") == 0) {
		*field = 0;
		return 0;
	}
	if (config_set_duration(c, group, key, value, min, max, field, &why) == 0)
		return 0;
	/* in days: "24 h" would read oddly beside 90d */
	return config_bad(err, c, group, key,
	                  "'%s' is not forever or a duration from %dd to %dd, such as 90d or 12w",
	                  value, min / 86400, max / 86400);
}

/* The most incidents a storm limit may name: past that, it guards nothing. */
#define STORM_LIMIT_MAX 100000

int
config_set_storm(struct config *c, const char *group, const char *key, const char *value,
                 struct storm_guard *field, GError **err)
{
	const char *slash = strchr(value, '/');
	g_autofree char *count = slash != NULL ? g_strndup(value, (gsize)(slash - value)) : NULL;
	char *end = NULL;
	gint64 limit = count != NULL ? g_ascii_strtoll(g_strstrip(count), &end, 10) : 0;
	gint64 period = 0;

	if (g_ascii_strcasecmp(value, "off") == 0) {
		field->limit = field->period = 0;
		return 0;
	}
	if (count == NULL || *count == '\0' || *end != '\0' || limit < 1 ||
	    limit > STORM_LIMIT_MAX || !util_parse_duration(slash + 1, &period) || period < 60 ||
	    period > 86400)
		return config_bad(err, c, group, key,
		                  "'%s' is not COUNT/DURATION (such as 20/5m: more than 20 "
		                  "incidents from alerts within 5 minutes, with a count from 1 to "
		                  "%d and a duration from 1m to 1d) or off",
		                  value, STORM_LIMIT_MAX);
	field->limit = (int)limit;
	field->period = (int)period;
	return 0;
}
