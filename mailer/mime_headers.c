/*
 * mime_headers: the header block of a parsed message into struct mail (recipients,
 * threading, markers of mail no person wrote), and the bounds put on hostile header blocks
 * before gmime sees them. Part of the mime module, through mime_headers.h.
 */
#include <gmime/gmime.h>
#include <string.h>

#include "mime.h"
#include "mime_headers.h"

/* ---- headers ---- */

/* The unfolded raw value of a header as one clean line (for structured headers, which are
 * never RFC 2047 text). Caller frees. */
char *
mime_raw_value(GMimeHeader *h)
{
	const char *raw = g_mime_header_get_raw_value(h);
	g_autofree char *unfolded = NULL;

	if (raw == NULL)
		return g_strdup("");
	unfolded = g_mime_utils_header_unfold(raw);
	return mime_line(unfolded);
}

/* The recipients being collected, each address once (seen owns no strings). */
struct mime_rcpts {
	GPtrArray *list;
	GHashTable *seen;
};

static gboolean
mime_rcpts_full(const struct mime_rcpts *r)
{
	return r->list->len >= MIME_MAX_RECIPIENTS;
}

static void
mime_add_recipient(struct mime_rcpts *r, const char *addr)
{
	char *a;

	if (mime_rcpts_full(r) || (a = mime_addr(addr)) == NULL)
		return;
	if (g_hash_table_contains(r->seen, a)) {
		g_free(a);
		return;
	}
	g_ptr_array_add(r->list, a);
	g_hash_table_add(r->seen, a);
}

/* Adds the mailboxes of a group's members. */
static void
mime_add_group(struct mime_rcpts *r, InternetAddressGroup *group)
{
	InternetAddressList *members = internet_address_group_get_members(group);
	int n = internet_address_list_length(members);

	for (int i = 0; i < n && !mime_rcpts_full(r); i++) {
		InternetAddress *m = internet_address_list_get_address(members, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(m))
			mime_add_recipient(
			    r, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(m)));
	}
}

/* Adds every mailbox of a list (and of its groups) to the recipients. */
static void
mime_add_list(struct mime_rcpts *r, InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && !mime_rcpts_full(r); i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			mime_add_recipient(
			    r, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		else if (INTERNET_ADDRESS_IS_GROUP(ia))
			mime_add_group(r, INTERNET_ADDRESS_GROUP(ia));
	}
}

static void
mime_add_parsed(struct mime_rcpts *r, const char *value)
{
	InternetAddressList *list = internet_address_list_parse(NULL, value);

	if (list == NULL)
		return;
	mime_add_list(r, list);
	g_object_unref(list);
}

/* "<addr>" -> "addr", "<>" -> "". An unusable address counts as null: such mail is then never
 * answered, which is the safe side. */
static char *
mime_return_path(const char *value)
{
	g_autofree char *inner = NULL;
	const char *lt = strchr(value, '<');
	const char *gt = lt != NULL ? strchr(lt, '>') : NULL;
	char *addr;

	if (lt != NULL && gt != NULL)
		inner = g_strndup(lt + 1, gt - lt - 1);
	else
		inner = g_strdup(value);
	g_strstrip(inner);
	if (*inner == '\0')
		return g_strdup("");
	addr = mime_addr(inner);
	return addr != NULL ? addr : g_strdup("");
}

/*
 * Headers that mark mail no person wrote, or mail from a list, besides Auto-Submitted and
 * Precedence (auth.c judges their values): autoresponders' own headers and the list headers
 * of RFC 2919 and RFC 2369. Each with what its value must contain (ASCII case ignored), or
 * NULL when being there is enough. X-Auto-Response-Suppress is none of them: it asks us not
 * to answer automatically, and a person's mail may carry it.
 */
static const struct mime_marker {
	const char *header;
	const char *contains;
	const char *why; /* struct mail's auto_marker */
} mime_markers[] = {
    {"X-Autoreply", NULL, "it is an automatic reply (X-Autoreply)"},
    {"X-Autorespond", NULL, "it is an automatic reply (X-Autorespond)"},
    {"X-Autoreply-From", NULL, "it is an automatic reply (X-Autoreply-From)"},
    {"X-Mail-Autoreply", NULL, "it is an automatic reply (X-Mail-Autoreply)"},
    {"X-Autoresponder", NULL, "it is an automatic reply (X-Autoresponder)"},
    {"X-Auto-Reply", NULL, "it is an automatic reply (X-Auto-Reply)"},
    {"X-Failed-Recipients", NULL, "it is a bounce (X-Failed-Recipients)"},
    {"X-POST-MessageClass", "autoresponder", "it is an automatic reply (X-POST-MessageClass)"},
    {"X-FC-MachineGenerated", NULL, "it is machine-generated (X-FC-MachineGenerated)"},
    {"List-Id", NULL, "it is mailing-list mail (List-Id)"},
    {"List-Unsubscribe", NULL, "it is list or bulk mail (List-Unsubscribe)"},
};

/* The auto_marker a header sets, or NULL. */
static const char *
mime_marker(const char *name, GMimeHeader *h)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mime_markers); i++) {
		const struct mime_marker *k = &mime_markers[i];
		g_autofree char *value = NULL;

		if (g_ascii_strcasecmp(name, k->header) != 0)
			continue;
		if (k->contains == NULL)
			return k->why;
		value = mime_raw_value(h);
		return strcasestr(value, k->contains) != NULL ? k->why : NULL;
	}
	return NULL;
}

/* Headers that may occur more than once, in the order they appear, and the markers. */
static void
mime_scan_headers(struct mail *m, GMimeObject *obj, struct mime_rcpts *r)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		g_autofree char *value = NULL;

		if (name == NULL)
			continue;
		if (g_ascii_strcasecmp(name, "Delivered-To") == 0 ||
		    g_ascii_strcasecmp(name, "X-Original-To") == 0) {
			value = mime_raw_value(h);
			mime_add_parsed(r, value);
		} else if (g_ascii_strcasecmp(name, "Authentication-Results") == 0) {
			g_ptr_array_add(m->auth_results, mime_raw_value(h));
		} else if (g_ascii_strcasecmp(name, "Return-Path") == 0 && m->return_path == NULL) {
			value = mime_raw_value(h);
			m->return_path = mime_return_path(value);
		} else if (g_ascii_strcasecmp(name, "X-Loop") == 0) {
			g_ptr_array_add(m->x_loops, mime_raw_value(h));
		} else if (g_ascii_strcasecmp(name, "Auto-Submitted") == 0 && i > 0 &&
		           m->auto_marker == NULL) {
			/* a second Auto-Submitted after a "no": any that is not "no" counts */
			value = mime_raw_value(h);
			g_strstrip(value);
			if (g_ascii_strncasecmp(value, "no", 2) != 0 || g_ascii_isalnum(value[2]) ||
			    value[2] == '-')
				m->auto_marker =
				    "it is auto-submitted (a second Auto-Submitted header)";
		} else if (m->auto_marker == NULL) {
			m->auto_marker = mime_marker(name, h);
		}
	}
}

/* Message-IDs of a References or In-Reply-To header (first occurrence). */
static GMimeReferences *
mime_references(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h = g_mime_header_list_get_header(hl, name);
	g_autofree char *value = NULL;

	if (h == NULL)
		return NULL;
	value = mime_raw_value(h);
	return g_mime_references_parse(NULL, value);
}

static char *
mime_msgid(const char *id)
{
	char *clean = mime_line(id);

	if (clean != NULL && *clean == '\0') {
		g_free(clean);
		return NULL;
	}
	return clean;
}

/* Keeps the first of References (the thread's root) and the last MIME_MAX_REFERENCES - 1
 * (the newest, which a reply to sevmail's latest mail names). */
static void
mime_fill_references(struct mail *m, GMimeReferences *refs)
{
	int n = g_mime_references_length(refs);
	int newest = MAX(1, n - (MIME_MAX_REFERENCES - 1));

	for (int i = 0; i < n; i = i == 0 ? newest : i + 1) {
		char *id = mime_msgid(g_mime_references_get_message_id(refs, i));

		if (id != NULL)
			g_ptr_array_add(m->references, id);
	}
}

static void
mime_fill_threading(struct mail *m, GMimeObject *obj)
{
	GMimeReferences *refs = mime_references(obj, "In-Reply-To");

	if (refs != NULL && g_mime_references_length(refs) > 0)
		m->in_reply_to = mime_msgid(g_mime_references_get_message_id(refs, 0));
	if (refs != NULL)
		g_mime_references_free(refs);
	refs = mime_references(obj, "References");
	if (refs != NULL) {
		mime_fill_references(m, refs);
		g_mime_references_free(refs);
	}
}

static void
mime_fill_from(struct mail *m, GMimeMessage *msg)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	InternetAddress *ia;

	if (from == NULL || internet_address_list_length(from) == 0)
		return;
	ia = internet_address_list_get_address(from, 0);
	if (INTERNET_ADDRESS_IS_GROUP(ia)) {
		from = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
		if (internet_address_list_length(from) == 0)
			return;
		ia = internet_address_list_get_address(from, 0);
	}
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		return;
	m->from_addr = mime_addr(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
	m->from_name = mime_line(internet_address_get_name(ia));
	if (m->from_name != NULL && *m->from_name == '\0')
		g_clear_pointer(&m->from_name, g_free);
}

void
mime_fill_headers(struct mail *m, GMimeMessage *msg)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GDateTime *date = g_mime_message_get_date(msg);
	struct mime_rcpts r = {m->recipients, g_hash_table_new(g_str_hash, g_str_equal)};

	m->message_id = mime_msgid(g_mime_message_get_message_id(msg));
	mime_fill_from(m, msg);
	m->subject = mime_line(g_mime_message_get_subject(msg));
	if (m->subject == NULL)
		m->subject = g_strdup("");
	mime_fill_threading(m, obj);
	mime_scan_headers(m, obj, &r);
	mime_add_list(&r, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO));
	mime_add_list(&r, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC));
	g_hash_table_destroy(r.seen);
	m->auto_submitted = mime_line(g_mime_object_get_header(obj, "Auto-Submitted"));
	m->precedence = mime_line(g_mime_object_get_header(obj, "Precedence"));
	if (m->precedence == NULL)
		m->precedence = mime_line(g_mime_object_get_header(obj, "X-Precedence"));
	m->date = date != NULL ? g_date_time_to_unix(date) : 0;
}

/* Pipe delivery (Postfix flags=F, procmail) may prepend an mbox "From " line. */
void
mime_skip_mbox_from(const char **raw, gsize *len)
{
	const char *nl;

	if (*len < 5 || memcmp(*raw, "From ", 5) != 0)
		return;
	nl = memchr(*raw, '\n', *len);
	if (nl == NULL) {
		*raw += *len;
		*len = 0;
		return;
	}
	*len -= (gsize)(nl + 1 - *raw);
	*raw = nl + 1;
}

/* The length of the header block: up to the empty line that ends it, or all of raw. */
static gsize
mime_header_length(const char *raw, gsize len)
{
	const char *p = raw, *end = raw + len, *nl;

	while ((nl = memchr(p, '\n', (gsize)(end - p))) != NULL) {
		if (nl + 1 < end && nl[1] == '\n')
			return (gsize)(nl + 1 - raw);
		if (nl + 2 < end && nl[1] == '\r' && nl[2] == '\n')
			return (gsize)(nl + 1 - raw);
		p = nl + 1;
	}
	return len;
}

/* A header block over MIME_MAX_HEADER_BYTES is cut after its last whole line within the
 * cap, and the body dropped with the rest (see mime.h): gmime then never holds the
 * hostile bulk, and parsing stays linear in the cap. */
void
mime_cap_headers(const char *raw, gsize *len)
{
	const char *nl;

	if (mime_header_length(raw, *len) <= MIME_MAX_HEADER_BYTES)
		return;
	nl = memrchr(raw, '\n', MIME_MAX_HEADER_BYTES);
	*len = nl != NULL ? (gsize)(nl + 1 - raw) : MIME_MAX_HEADER_BYTES;
}
