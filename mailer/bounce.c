/*
 * bounce: delivery status notifications into verdicts. The RFC 3464 report decides when
 * there is one; the prose of the MTAs that write none is bounce_text.c's. Pure.
 */
#include "bounce.h"

#include "bounce_text.h"
#include "util.h"
#include <string.h>

void
bounce_free(struct bounce *b)
{
	if (b == NULL)
		return;
	g_free(b->recipient);
	g_free(b->original);
	g_free(b->status);
	g_free(b->diagnostic);
	g_free(b);
}

const char *
bounce_kind_name(enum bounce_kind k)
{
	return k == BOUNCE_PERMANENT ? "permanent" : "temporary";
}

/* Digits at p, 1 to 3 of them: how many, or 0. */
static int
digits(const char *p)
{
	int n = 0;

	while (n < 4 && g_ascii_isdigit(p[n]))
		n++;
	return n >= 1 && n <= 3 ? n : 0;
}

/* Where the first enhanced status code in text starts, and its length in *len; NULL when
 * there is none. */
static const char *
status_at(const char *text, gsize *len)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		int a, b;

		if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.' ||
		    (p > text && (g_ascii_isdigit(p[-1]) || p[-1] == '.')))
			continue;
		if ((a = digits(p + 2)) == 0 || p[2 + a] != '.' || (b = digits(p + 3 + a)) == 0)
			continue;
		if (g_ascii_isdigit(p[3 + a + b]) ||
		    (p[3 + a + b] == '.' && g_ascii_isdigit(p[4 + a + b])))
			continue; /* part of a longer dotted number, such as an IP address */
		*len = (gsize)(3 + a + b);
		return p;
	}
	return NULL;
}

char *
bounce_status_in(const char *text)
{
	gsize len = 0;
	const char *p = status_at(text, &len);

	return p != NULL ? g_strndup(p, len) : NULL;
}

/* The server's own words in a diagnostic: from the SMTP reply code in front of its status
 * code ("... said: 550 5.1.1 <x> User unknown" -> "550 5.1.1 <x> User unknown"), else all
 * of it. */
static const char *
server_words(const char *text)
{
	gsize len;
	const char *p = status_at(text, &len);

	if (p == NULL || p - text < 4 || (p[-1] != ' ' && p[-1] != '-') ||
	    (p[-4] != '4' && p[-4] != '5') || !g_ascii_isdigit(p[-3]) || !g_ascii_isdigit(p[-2]))
		return text;
	return p - 4;
}

/* The class digit of an SMTP reply code that starts text or follows a space ("550 ...",
 * "said: 452-..."), or 0. */
static char
smtp_class(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++)
		if ((*p == '4' || *p == '5') && (p == text || *(p - 1) == ' ' || *(p - 1) == '#') &&
		    g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]) &&
		    (p[3] == ' ' || p[3] == '-' || p[3] == '\0'))
			return *p;
	return 0;
}

static gboolean
local_char(char c)
{
	return g_ascii_isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static gboolean
domain_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '.';
}

char *
bounce_address_in(const char *text, const char **end)
{
	for (const char *at = text != NULL ? strchr(text, '@') : NULL; at != NULL;
	     at = strchr(at + 1, '@')) {
		const char *start = at, *stop = at + 1;
		g_autofree char *candidate = NULL;

		while (start > text && local_char(start[-1]))
			start--;
		while (domain_char(*stop))
			stop++;
		while (stop > at + 1 && stop[-1] == '.')
			stop--; /* the end of a sentence */
		candidate = g_ascii_strdown(start, stop - start);
		if (start < at && util_address_valid(candidate)) {
			if (end != NULL)
				*end = stop;
			return g_steal_pointer(&candidate);
		}
	}
	return NULL;
}

struct bounce *
bounce_verdict(const char *format, const char *recipient, const char *status,
               const char *diagnostic, gboolean failed)
{
	struct bounce *b = g_new0(struct bounce, 1);
	g_autofree char *line = util_one_line(diagnostic, 4 * BOUNCE_MAX_DIAGNOSTIC);
	g_autofree char *clean = util_one_line(server_words(line), BOUNCE_MAX_DIAGNOSTIC);
	g_autofree char *named = bounce_status_in(clean);
	char class = smtp_class(clean);

	b->format = format;
	b->recipient = g_strdup(recipient);
	if (status != NULL)
		b->status = g_strdup(status);
	else if (named != NULL)
		b->status = g_strdup(named);
	else if (class != 0)
		b->status = g_strdup_printf("%c.0.0", class);
	else
		b->status = g_strdup(failed ? "5.0.0" : "4.0.0");
	b->kind = failed && b->status[0] == '5' ? BOUNCE_PERMANENT : BOUNCE_TEMPORARY;
	if (*clean == '\0')
		b->diagnostic = g_strdup(b->status);
	else if (named == NULL) {
		g_autofree char *both = g_strdup_printf("%s %s", b->status, clean);

		b->diagnostic = util_one_line(both, BOUNCE_MAX_DIAGNOSTIC);
	} else
		b->diagnostic = g_steal_pointer(&clean);
	return b;
}

/* --- RFC 3464: message/delivery-status --- */

/* The report's lines with continuation lines joined to the field they continue; a blank
 * line (between groups of fields) stays "". */
static GPtrArray *
dsn_lines(const char *text)
{
	g_auto(GStrv) raw = g_strsplit(text, "\n", -1);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

	for (char **l = raw; *l != NULL; l++) {
		char *last = lines->len > 0 ? lines->pdata[lines->len - 1] : NULL;
		g_autofree char *trimmed = g_strstrip(g_strdup(*l));

		if ((**l == ' ' || **l == '\t') && *trimmed != '\0' && last != NULL &&
		    *last != '\0') {
			lines->pdata[lines->len - 1] = g_strconcat(last, " ", trimmed, NULL);
			g_free(last);
		} else {
			g_ptr_array_add(lines, g_steal_pointer(&trimmed));
		}
	}
	return lines;
}

/* The groups of fields (name in lower case -> first value), in order. */
static GPtrArray *
dsn_groups(const char *text)
{
	g_autoptr(GPtrArray) lines = dsn_lines(text);
	GPtrArray *groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref);
	GHashTable *group = NULL;

	for (guint i = 0; i < lines->len; i++) {
		const char *line = lines->pdata[i];
		const char *colon = strchr(line, ':');
		g_autofree char *name = NULL;

		if (*line == '\0') {
			group = NULL;
			continue;
		}
		if (colon == NULL || colon == line)
			continue;
		if (group == NULL && groups->len > BOUNCE_MAX_VERDICTS)
			break; /* the per-message group and BOUNCE_MAX_VERDICTS recipients */
		if (group == NULL) {
			group = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
			g_ptr_array_add(groups, group);
		}
		name = g_ascii_strdown(line, colon - line);
		if (!g_hash_table_contains(group, name))
			g_hash_table_insert(group, g_steal_pointer(&name),
			                    g_strstrip(g_strdup(colon + 1)));
	}
	return groups;
}

/* "rfc822; <carol@example.org>" -> carol@example.org, or NULL. Caller frees. */
static char *
dsn_address(const char *value)
{
	const char *semi = value != NULL ? strchr(value, ';') : NULL;

	return value == NULL ? NULL : bounce_address_in(semi != NULL ? semi + 1 : value, NULL);
}

/* "smtp; 550 5.1.1 ..." -> "550 5.1.1 ...". */
static const char *
dsn_diagnostic(const char *value)
{
	const char *semi = value != NULL ? strchr(value, ';') : NULL;

	if (semi == NULL)
		return value;
	for (const char *p = value; p < semi; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != ' ')
			return value; /* no diagnostic type in front */
	return semi + 1;
}

/* The verdict of one per-recipient group, or NULL (the per-message group, a recipient
 * delivered, relayed or expanded). */
static struct bounce *
dsn_verdict(GHashTable *g, const char *human)
{
	const char *action = g_hash_table_lookup(g, "action");
	const char *why = dsn_diagnostic(g_hash_table_lookup(g, "diagnostic-code"));
	g_autofree char *final = dsn_address(g_hash_table_lookup(g, "final-recipient"));
	g_autofree char *original = dsn_address(g_hash_table_lookup(g, "original-recipient"));
	g_autofree char *status = bounce_status_in(g_hash_table_lookup(g, "status"));
	g_autofree char *reason = NULL;
	gboolean failed;
	struct bounce *b;

	if (final == NULL && original == NULL)
		return NULL;
	if (action != NULL)
		failed = g_ascii_strncasecmp(action, "failed", 6) == 0;
	else
		failed = status != NULL && status[0] == '5';
	if (!failed && (action != NULL ? g_ascii_strncasecmp(action, "delayed", 7) != 0
	                               : status == NULL || status[0] != '4'))
		return NULL;
	if (why == NULL || *why == '\0')
		why = reason = bounce_reason_for(human, final != NULL ? final : original);
	b = bounce_verdict("rfc3464", final != NULL ? final : original, status, why, failed);
	if (original != NULL && g_strcmp0(original, final) != 0)
		b->original = g_steal_pointer(&original);
	return b;
}

/* Reads the report into out; FALSE when it has no group about a recipient at all. */
static gboolean
dsn_read(const char *report, const char *human, GPtrArray *out)
{
	g_autoptr(GPtrArray) groups = dsn_groups(report);
	gboolean any = FALSE;

	for (guint i = 0; i < groups->len && out->len < BOUNCE_MAX_VERDICTS; i++) {
		GHashTable *g = groups->pdata[i];
		struct bounce *b;

		any = any || g_hash_table_contains(g, "final-recipient") ||
		      g_hash_table_contains(g, "original-recipient");
		if ((b = dsn_verdict(g, human)) != NULL)
			g_ptr_array_add(out, b);
	}
	return any;
}

static const struct mime_part *
dsn_part(const struct mime_doc *d)
{
	for (guint i = 0; i < d->parts->len; i++) {
		const struct mime_part *p = d->parts->pdata[i];

		if (strcmp(p->type, "message/delivery-status") == 0 ||
		    strcmp(p->type, "message/global-delivery-status") == 0)
			return p;
	}
	return NULL;
}

GPtrArray *
bounce_parse(const char *raw, gsize len)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)bounce_free);
	g_autoptr(mime_doc) d = mime_doc_parse(raw, len, NULL);
	g_autofree char *human = NULL;
	const struct mime_part *report;

	if (d == NULL)
		return out;
	human = bounce_human_text(d);
	report = dsn_part(d);
	if (report != NULL && dsn_read(report->text, human, out))
		return out;
	bounce_read_text(d, human, out);
	return out;
}

gboolean
bounce_last_page_bounced(GPtrArray *events)
{
	guint page = 0, bounced = 0;

	for (guint i = 0; events != NULL && i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (e->kind == EVENT_PAGED || e->kind == EVENT_ESCALATED)
			page = i + 1;
		else if (e->kind == EVENT_BOUNCED)
			bounced = i + 1;
	}
	return bounced > page;
}
