/*
 * util: clock, time formatting, one-line text cleaning and address checks shared by every
 * module.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

gint64
util_now(void)
{
	const char *fixed = g_getenv("SEVMAIL_NOW");

	if (fixed != NULL && *fixed != '\0')
		return g_ascii_strtoll(fixed, NULL, 10);
	return g_get_real_time() / G_USEC_PER_SEC;
}

static char *
format_utc(gint64 t, const char *fmt)
{
	g_autoptr(GDateTime) dt = NULL;

	if (t == 0)
		return NULL;
	dt = g_date_time_new_from_unix_utc(t);
	return dt != NULL ? g_date_time_format(dt, fmt) : NULL;
}

char *
util_iso8601(gint64 t)
{
	return format_utc(t, "%Y-%m-%dT%H:%M:%SZ");
}

char *
util_human_time(gint64 t)
{
	return format_utc(t, "%Y-%m-%d %H:%M UTC");
}

char *
util_one_line(const char *s, glong max_chars)
{
	g_autofree char *valid = g_utf8_make_valid(s != NULL ? s : "", -1);
	GString *out = g_string_new(NULL);
	gboolean space = FALSE;
	glong n = 0;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) || g_unichar_isspace(c) || c == 0xFEFF) {
			space = out->len > 0;
			continue;
		}
		/* bidirectional overrides would show the on-call reversed text */
		if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
			continue;
		if (space) {
			g_string_append_c(out, ' ');
			n++;
			space = FALSE;
		}
		g_string_append_unichar(out, c);
		n++;
	}
	if (max_chars > 0 && n > max_chars) {
		/* cut at a character boundary, drop a space left at the end, mark the cut */
		char *cut = g_utf8_offset_to_pointer(out->str, max_chars - 1);

		g_string_truncate(out, (gsize)(cut - out->str));
		while (out->len > 0 && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append(out, "…");
	}
	return g_string_free(out, FALSE);
}

char *
util_address(const char *s)
{
	g_autofree char *t = g_strstrip(g_strdup(s != NULL ? s : ""));
	size_t len = strlen(t);

	if (len >= 2 && t[0] == '<' && t[len - 1] == '>') {
		t[len - 1] = '\0';
		return g_ascii_strdown(t + 1, -1);
	}
	return g_ascii_strdown(t, -1);
}

const char *
util_domain(const char *address)
{
	const char *at = address != NULL ? strrchr(address, '@') : NULL;

	return at != NULL ? at + 1 : "";
}

gboolean
util_hostname_valid(const char *name)
{
	g_auto(GStrv) labels = NULL;
	const char *last = NULL;

	if (name == NULL || *name == '\0' || strlen(name) > 253)
		return FALSE;
	labels = g_strsplit(name, ".", -1);
	for (char **l = labels; *l != NULL; l++) {
		size_t len = strlen(*l);

		if (len == 0 || len > 63 || (*l)[0] == '-' || (*l)[len - 1] == '-' ||
		    strspn(*l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
		        len)
			return FALSE;
		last = *l;
	}
	return strspn(last, "0123456789") != strlen(last);
}

/* RFC 5322 dot-atom: atext runs joined by single dots. Quoted strings are left out on
 * purpose: a quoted local part is where commas, spaces and quotes hide. */
static gboolean
local_part_valid(const char *local, size_t len)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789!#$%&'*+-/=?^_`{|}~";

	if (len == 0 || len > 64 || local[0] == '.' || local[len - 1] == '.')
		return FALSE;
	for (size_t i = 0; i < len; i++) {
		if (local[i] == '.' ? local[i + 1] == '.' : strchr(atext, local[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

gboolean
util_address_valid(const char *address)
{
	const char *at = address != NULL ? strchr(address, '@') : NULL;

	if (at == NULL || strchr(at + 1, '@') != NULL || strlen(address) > 254)
		return FALSE;
	return local_part_valid(address, (size_t)(at - address)) && util_hostname_valid(at + 1);
}

/* Rounded to the nearest minute from one minute on, so a page and the post-mortem that
 * quotes it agree; hours and minutes up to two days, where minutes still matter to whoever
 * is waiting. */
char *
util_duration(gint64 seconds)
{
	gint64 m = (seconds + 30) / 60;

	if (seconds < 60)
		return g_strdup_printf("%" G_GINT64_FORMAT " s", MAX(seconds, 0));
	if (m < 60)
		return g_strdup_printf("%" G_GINT64_FORMAT " min", m);
	if (m < 48 * 60)
		return m % 60 ? g_strdup_printf("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min",
		                                m / 60, m % 60)
		              : g_strdup_printf("%" G_GINT64_FORMAT " h", m / 60);
	return m % 1440 / 60 ? g_strdup_printf("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT " h",
	                                       m / 1440, m % 1440 / 60)
	                     : g_strdup_printf("%" G_GINT64_FORMAT " d", m / 1440);
}

gboolean
util_parse_duration(const char *text, gint64 *seconds)
{
	const char *p = text != NULL ? text : "";
	gint64 total = 0;
	gboolean any = FALSE;

	while (*p != '\0') {
		char *end;
		guint64 n;
		const char *unit;
		static const char units[] = "smhdw";
		static const gint64 size[] = {1, 60, 3600, 86400, 604800};

		while (g_ascii_isspace(*p))
			p++;
		if (*p == '\0')
			break;
		if (!g_ascii_isdigit(*p))
			return FALSE;
		n = g_ascii_strtoull(p, &end, 10);
		if (*end == '\0' || (unit = strchr(units, g_ascii_tolower(*end))) == NULL ||
		    n > 366 * 86400)
			return FALSE;
		total += (gint64)n * size[unit - units];
		if (total > 366 * 86400)
			return FALSE;
		any = TRUE;
		p = end + 1;
	}
	*seconds = total;
	return any;
}
