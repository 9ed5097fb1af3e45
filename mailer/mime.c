/*
 * mime: raw bytes to struct mail through gmime. Never calls g_mime_multipart_get_boundary()
 * (it loops forever on hostile parameters in gmime 3.2.13, issue #165) and walks the MIME tree
 * with an explicit stack, so hostile nesting costs neither time nor stack; hostile header
 * blocks are bounded as mime.h says. Headers are read in mime_headers.c, building is in
 * mime_build.c, HTML to text in html.c.
 */
#include <gmime/gmime.h>
#include <string.h>

#include "mime.h"
#include "mime_headers.h"

#define MIME_MAX_DEPTH 64   /* deeper parts are not looked at for a body */
#define MIME_MAX_PARTS 4096 /* nor parts after this many */

G_DEFINE_QUARK(sevmail_mime_error, mime_error)

static gpointer
mime_init_once(G_GNUC_UNUSED gpointer unused)
{
	g_mime_init();
	return NULL;
}

/* Initialises gmime exactly once, whichever thread gets here first. */
void
mime_init(void)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, mime_init_once, NULL);
}

/* ---- strings ---- */

/* Valid UTF-8 copy of len bytes: NULs dropped, invalid sequences replaced (or, with latin1,
 * text that is not UTF-8 read as ISO-8859-1). Caller frees. */
static char *
mime_utf8(const char *s, gsize len, gboolean latin1)
{
	GString *b = g_string_sized_new(len);
	char *out;

	for (gsize i = 0; i < len; i++)
		if (s[i] != '\0')
			g_string_append_c(b, s[i]);
	if (g_utf8_validate(b->str, b->len, NULL))
		return g_string_free(b, FALSE);
	if (latin1) {
		out = g_convert(b->str, b->len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
		if (out != NULL) {
			g_string_free(b, TRUE);
			return out;
		}
	}
	out = g_utf8_make_valid(b->str, b->len);
	g_string_free(b, TRUE);
	return out;
}

static gboolean
mime_is_control(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

/* One line of valid UTF-8: each run of controls (CR, LF, TAB...) becomes one space, and the
 * ends are trimmed. NULL stays NULL. Caller frees. */
char *
mime_line(const char *s)
{
	g_autofree char *valid = NULL;
	GString *out;
	gboolean in_ctl = FALSE;

	if (s == NULL)
		return NULL;
	valid = mime_utf8(s, strlen(s), FALSE);
	out = g_string_sized_new(strlen(valid));
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (mime_is_control(c)) {
			if (!in_ctl)
				g_string_append_c(out, ' ');
			in_ctl = TRUE;
			continue;
		}
		in_ctl = FALSE;
		g_string_append_unichar(out, c);
	}
	g_strstrip(out->str);
	return g_string_free(out, FALSE);
}

/* A bare address in lower case, or NULL when it is empty or holds blanks or controls. */
char *
mime_addr(const char *addr)
{
	g_autofree char *valid = NULL;

	if (addr == NULL)
		return NULL;
	valid = mime_utf8(addr, strlen(addr), FALSE);
	g_strstrip(valid);
	if (*valid == '\0')
		return NULL;
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (mime_is_control(c) || g_unichar_isspace(c))
			return NULL;
	}
	return g_utf8_strdown(valid, -1);
}

/* CRLF and lone CR become LF. Caller frees. */
static char *
mime_unix_newlines(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\r') {
			g_string_append_c(out, '\n');
			if (p[1] == '\n')
				p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* ---- body ---- */

static gboolean
mime_charset_is_utf8(const char *charset)
{
	static const char *const names[] = {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968"};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(charset, names[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The part's content with its transfer encoding undone and its charset converted, as valid
 * UTF-8 with LF newlines and no NULs. A missing or unknown charset is read as UTF-8 when the
 * bytes are valid UTF-8, else as ISO-8859-1. Caller frees. */
char *
mime_part_text(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	const char *charset =
	    g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	gboolean unknown = FALSE;
	GMimeFilter *conv = NULL;
	GMimeStream *mem, *filtered;
	GByteArray *bytes;
	g_autofree char *text = NULL;

	if (content == NULL)
		return g_strdup("");
	if (charset != NULL && !mime_charset_is_utf8(charset))
		conv = g_mime_filter_charset_new(charset, "UTF-8");
	unknown = charset == NULL || (conv == NULL && !mime_charset_is_utf8(charset));
	mem = g_mime_stream_mem_new();
	filtered = g_mime_stream_filter_new(mem);
	if (conv != NULL) {
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
		g_object_unref(conv);
	}
	g_mime_data_wrapper_write_to_stream(content, filtered);
	g_mime_stream_flush(filtered);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	text = mime_utf8((const char *)bytes->data, bytes->len, unknown);
	g_object_unref(filtered);
	g_object_unref(mem);
	return mime_unix_newlines(text);
}

/* RFC 3676: joins soft-broken lines (ending in a space) of the same quote depth, undoes
 * space-stuffing, and with DelSp drops the space that marked the break. Caller frees. */
static char *
mime_unflow(const char *text, gboolean delsp)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint n = g_strv_length(lines);
	GString *out = g_string_sized_new(strlen(text));
	gboolean open = FALSE; /* the last output line continues */
	gsize depth_open = 0;

	if (n > 0 && *lines[n - 1] == '\0')
		n--; /* the text's final newline */
	for (guint i = 0; i < n; i++) {
		const char *l = lines[i];
		gsize depth = strspn(l, ">");
		const char *body = l + depth;
		gsize blen;
		gboolean flowed;

		if (*body == ' ')
			body++;
		blen = strlen(body);
		flowed = blen > 0 && body[blen - 1] == ' ' && strcmp(body, "-- ") != 0;
		if (open && depth != depth_open)
			g_string_append_c(out, '\n');
		if (!open || depth != depth_open) {
			for (gsize d = 0; d < depth; d++)
				g_string_append_c(out, '>');
			if (depth > 0 && blen > 0)
				g_string_append_c(out, ' ');
		}
		g_string_append_len(out, body, flowed && delsp ? blen - 1 : blen);
		open = flowed;
		depth_open = depth;
		if (!flowed)
			g_string_append_c(out, '\n');
	}
	if (open)
		g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

static char *
mime_plain_text(GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	const char *format = g_mime_object_get_content_type_parameter(obj, "format");
	const char *delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
	char *text = mime_part_text(part);
	char *unflowed;

	if (format == NULL || g_ascii_strcasecmp(format, "flowed") != 0)
		return text;
	unflowed = mime_unflow(text, delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);
	g_free(text);
	return unflowed;
}

struct mime_found {
	GMimePart *plain; /* first inline, unnamed text/plain */
	GMimePart *html;  /* first inline, unnamed text/html */
};

static void
mime_consider(struct mime_found *f, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimePart *part = GMIME_PART(obj);

	/* a named part is a file, whatever its disposition says: a text file attached to a
	 * reply, or planted in one, is never its text */
	if (ct == NULL || g_mime_part_is_attachment(part) || g_mime_part_get_filename(part) != NULL)
		return;
	if (f->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
		f->plain = part;
	else if (f->html == NULL && g_mime_content_type_is_type(ct, "text", "html"))
		f->html = part;
}

/* Depth-first, in document order, with an explicit stack and bounds on depth and parts.
 * Attached messages (message/rfc822) are not entered: their text is not this mail's. */
static void
mime_find_parts(struct mime_found *f, GMimeObject *top)
{
	GPtrArray *stack = g_ptr_array_new();
	GArray *depths = g_array_new(FALSE, FALSE, sizeof(int));
	int seen = 0;

	g_ptr_array_add(stack, top);
	g_array_append_val(depths, seen);
	while (stack->len > 0 && (f->plain == NULL || f->html == NULL) && seen++ < MIME_MAX_PARTS) {
		GMimeObject *obj = g_ptr_array_steal_index(stack, stack->len - 1);
		int depth = g_array_index(depths, int, depths->len - 1);

		g_array_set_size(depths, depths->len - 1);
		if (GMIME_IS_PART(obj)) {
			mime_consider(f, obj);
		} else if (GMIME_IS_MULTIPART(obj) && depth < MIME_MAX_DEPTH) {
			GMimeMultipart *mp = GMIME_MULTIPART(obj);
			int child_depth = depth + 1;

			for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; i--) {
				g_ptr_array_add(stack, g_mime_multipart_get_part(mp, i));
				g_array_append_val(depths, child_depth);
			}
		}
	}
	g_ptr_array_free(stack, TRUE);
	g_array_free(depths, TRUE);
}

static gboolean
mime_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!g_ascii_isspace(*s))
			return FALSE;
	return TRUE;
}

/* How much of an HTML body is read: a tree of a few million elements costs libxml2 over a
 * gigabyte, and one stranger's mail must not take the daemon's memory (MemoryMax in the
 * service file). A reply or an alert says what it has to say in its first MIME_MAX_HTML
 * bytes; the rest is stored with the raw message, never lost. Cut at a character. */
static gsize
mime_html_cut(const char *html)
{
	gsize len = strlen(html);
	const char *end;

	if (len <= MIME_MAX_HTML)
		return len;
	end = g_utf8_find_prev_char(html, html + MIME_MAX_HTML + 1);
	return end != NULL ? (gsize)(end - html) : MIME_MAX_HTML;
}

static void
mime_fill_body(struct mail *m, GMimeMessage *msg)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	struct mime_found f = {0};
	GMimeContentType *ct;
	g_autofree char *html = NULL;

	if (top == NULL) {
		m->text = g_strdup("");
		return;
	}
	ct = g_mime_object_get_content_type(top);
	m->is_report = ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report");
	mime_find_parts(&f, top);
	if (f.plain != NULL) {
		m->text = mime_plain_text(f.plain);
		if (f.html == NULL || !mime_blank(m->text))
			return;
		g_clear_pointer(&m->text, g_free);
	}
	if (f.html == NULL) {
		m->text = g_strdup("");
		return;
	}
	html = mime_part_text(f.html);
	m->text = mime_html_to_text(html, mime_html_cut(html));
	m->text_from_html = TRUE;
}

/* ---- parse ---- */

static struct mail *
mail_new(void)
{
	struct mail *m = g_new0(struct mail, 1);

	m->references = g_ptr_array_new_with_free_func(g_free);
	m->recipients = g_ptr_array_new_with_free_func(g_free);
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	m->x_loops = g_ptr_array_new_with_free_func(g_free);
	return m;
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	g_free(m->message_id);
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->in_reply_to);
	g_ptr_array_unref(m->references);
	g_ptr_array_unref(m->recipients);
	g_free(m->return_path);
	g_free(m->auto_submitted);
	g_free(m->precedence);
	g_clear_pointer(&m->x_loops, g_ptr_array_unref); /* mails built by hand may lack it */
	g_ptr_array_unref(m->auth_results);
	g_free(m->text);
	g_free(m);
}

GMimeMessage *
mime_message_new(const char *raw, gsize len, GError **err)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	mime_init();
	if (raw == NULL)
		len = 0;
	mime_skip_mbox_from(&raw, &len);
	mime_cap_headers(raw, &len);
	if (len == 0) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_EMPTY, "the message is empty");
		return NULL;
	}
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL)
		g_set_error(err, MIME_ERROR, MIME_ERROR_PARSE,
		            "the message could not be parsed as Internet mail");
	return msg;
}

/* Returns the parsed mail, or NULL with err when the input is empty or unparsable. Caller
 * frees with mail_free. */
struct mail *
mime_parse(const char *raw, gsize len, GError **err)
{
	GMimeMessage *msg = mime_message_new(raw, len, err);
	struct mail *m;

	if (msg == NULL)
		return NULL;
	m = mail_new();
	mime_fill_headers(m, msg);
	mime_fill_body(m, msg);
	g_object_unref(msg);
	return m;
}
