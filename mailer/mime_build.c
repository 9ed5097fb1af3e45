/*
 * mime_build: outgoing messages through gmime. Every header value is checked before gmime
 * sees it (no CR, LF or other controls, names [A-Za-z0-9-]+), bodies are UTF-8 with a transfer
 * encoding that keeps lines within 998 octets, and the output uses CRLF throughout.
 */
#include <gmime/gmime.h>
#include <string.h>

#include "mime.h"

#define MIME_MAX_LINE 998  /* RFC 5322 line limit, without CRLF */
#define MIME_MAX_MSGID 250 /* longer ids or addresses could not be folded under the limit */

/* CRLF and a lone CR become LF; gmime writes every LF as CRLF. Caller frees. */
static char *
mime_lf(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		g_string_append_c(out, *p == '\r' ? '\n' : *p);
	}
	return g_string_free(out, FALSE);
}

/* Headers the caller may not add through outmsg.headers: mime_build writes them itself. */
static const char *const mime_own_headers[] = {
    "From", "Sender",     "To",          "Cc",         "Bcc",          "Reply-To",    "Subject",
    "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Return-Path", NULL,
};

static gboolean
mime_check_value(const char *what, const char *v, GError **err)
{
	if (v == NULL)
		return TRUE;
	if (!g_utf8_validate(v, -1, NULL)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER, "%s is not valid UTF-8", what);
		return FALSE;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER,
			            "%s contains a line break or control character; refusing to "
			            "build a header from it",
			            what);
			return FALSE;
		}
	}
	return TRUE;
}

/* Addresses and Message-IDs are single tokens: no blanks, no brackets, not empty. */
static gboolean
mime_check_token(const char *what, const char *v, gboolean need_at, GError **err)
{
	if (v == NULL || *v == '\0') {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER, "%s is missing", what);
		return FALSE;
	}
	if (!mime_check_value(what, v, err))
		return FALSE;
	if (strpbrk(v, " <>,;\"") != NULL || strlen(v) > MIME_MAX_MSGID ||
	    (need_at && strchr(v, '@') == NULL)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER, "%s \"%s\" is not a valid %s", what,
		            v, need_at ? "address" : "Message-ID");
		return FALSE;
	}
	return TRUE;
}

static gboolean
mime_check_extra(const char *name, const char *value, GError **err)
{
	if (name == NULL || *name == '\0' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789-") != strlen(name)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER,
		            "a header name must be letters, digits and '-' only");
		return FALSE;
	}
	for (const char *const *o = mime_own_headers; *o != NULL; o++) {
		if (g_ascii_strcasecmp(name, *o) == 0 ||
		    g_ascii_strncasecmp(name, "Content-", 8) == 0) {
			g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER,
			            "header %s is written by mime_build and cannot be added", name);
			return FALSE;
		}
	}
	if (value == NULL) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER, "header %s has no value", name);
		return FALSE;
	}
	return mime_check_value(name, value, err);
}

static gboolean
mime_check_outmsg(const struct outmsg *m, GError **err)
{
	if (!mime_check_value("the From name", m->from_name, err) ||
	    !mime_check_token("the From address", m->from_addr, TRUE, err) ||
	    (m->reply_to != NULL &&
	     !mime_check_token("the Reply-To address", m->reply_to, TRUE, err)) ||
	    !mime_check_value("the subject", m->subject, err) ||
	    !mime_check_token("the Message-ID", m->message_id, FALSE, err) ||
	    (m->in_reply_to != NULL &&
	     !mime_check_token("the In-Reply-To Message-ID", m->in_reply_to, FALSE, err)))
		return FALSE;
	for (guint i = 0; m->to != NULL && i < m->to->len; i++)
		if (!mime_check_token("a To address", g_ptr_array_index(m->to, i), TRUE, err))
			return FALSE;
	for (guint i = 0; m->references != NULL && i < m->references->len; i++)
		if (!mime_check_token("a References Message-ID",
		                      g_ptr_array_index(m->references, i), FALSE, err))
			return FALSE;
	if (m->headers != NULL && m->headers->len % 2 != 0) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_HEADER,
		            "extra headers must come as name, value pairs");
		return FALSE;
	}
	for (guint i = 0; m->headers != NULL && i < m->headers->len; i += 2)
		if (!mime_check_extra(g_ptr_array_index(m->headers, i),
		                      g_ptr_array_index(m->headers, i + 1), err))
			return FALSE;
	if (m->text != NULL && !g_utf8_validate(m->text, -1, NULL)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_BUILD, "the text body is not valid UTF-8");
		return FALSE;
	}
	if (m->calendar != NULL && !g_utf8_validate(m->calendar, -1, NULL)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_BUILD, "the calendar part is not UTF-8");
		return FALSE;
	}
	if (m->html != NULL && !g_utf8_validate(m->html, -1, NULL)) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_BUILD, "the HTML body is not valid UTF-8");
		return FALSE;
	}
	return TRUE;
}

/* A UTF-8 text part whose transfer encoding keeps every line within 998 octets. */
static GMimeObject *
mime_text_part(const char *subtype, const char *text)
{
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype(subtype);
	g_autofree char *lf = mime_lf(text != NULL ? text : "");
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(lf, strlen(lf));
	GMimeDataWrapper *content =
	    g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	GMimeContentEncoding enc;

	g_mime_part_set_content(GMIME_PART(tp), content);
	g_object_unref(content);
	g_object_unref(stream);
	g_mime_text_part_set_charset(tp, "utf-8");
	/* 7bit when every line is short ASCII, else quoted-printable: unlike base64 it keeps the
	 * line breaks as CRLF on the wire, the canonical form of text (RFC 2045). gmime says
	 * DEFAULT for text that needs no encoding at all. A text message gateway that reads the
	 * body as it comes thus gets the short page's text as written. */
	enc = g_mime_part_get_best_content_encoding(GMIME_PART(tp), GMIME_ENCODING_CONSTRAINT_7BIT);
	if (enc == GMIME_CONTENT_ENCODING_DEFAULT)
		enc = GMIME_CONTENT_ENCODING_7BIT;
	else if (enc != GMIME_CONTENT_ENCODING_7BIT)
		enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	g_mime_part_set_content_encoding(GMIME_PART(tp), enc);
	return GMIME_OBJECT(tp);
}

static GMimeObject *
mime_body(const struct outmsg *m)
{
	GMimeMultipart *alt;
	GMimeObject *part;

	if (m->html == NULL && m->calendar == NULL)
		return mime_text_part("plain", m->text);
	alt = g_mime_multipart_new_with_subtype("alternative");
	g_mime_multipart_set_boundary(alt, NULL); /* random, "=-" + base64: never in QP/base64 */
	part = mime_text_part("plain", m->text);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	if (m->html != NULL) {
		part = mime_text_part("html", m->html);
		g_mime_multipart_add(alt, part);
		g_object_unref(part);
	}
	if (m->calendar != NULL) {
		/* an invitation as the last alternative: what phone calendars accept */
		part = mime_text_part("calendar", m->calendar);
		g_mime_object_set_content_type_parameter(part, "method", "REQUEST");
		g_mime_multipart_add(alt, part);
		g_object_unref(part);
	}
	return GMIME_OBJECT(alt);
}

static char *
mime_angle_list(GPtrArray *ids)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < ids->len; i++)
		g_string_append_printf(s, "%s<%s>", i > 0 ? " " : "",
		                       (const char *)g_ptr_array_index(ids, i));
	return g_string_free(s, FALSE);
}

static void
mime_set_headers(GMimeMessage *msg, const struct outmsg *m)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GDateTime *date =
	    m->date != 0 ? g_date_time_new_from_unix_utc(m->date) : g_date_time_new_now_utc();
	const char *name = m->from_name != NULL && *m->from_name != '\0' ? m->from_name : NULL;

	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, name, m->from_addr);
	if (m->reply_to != NULL)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, m->reply_to);
	for (guint i = 0; m->to != NULL && i < m->to->len; i++)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL,
		                           g_ptr_array_index(m->to, i));
	g_mime_message_set_subject(msg, m->subject != NULL ? m->subject : "", "utf-8");
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	g_mime_message_set_message_id(msg, m->message_id);
	if (m->in_reply_to != NULL) {
		g_autofree char *v = g_strdup_printf("<%s>", m->in_reply_to);

		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
	}
	if (m->references != NULL && m->references->len > 0) {
		g_autofree char *v = mime_angle_list(m->references);

		g_mime_object_set_header(obj, "References", v, NULL);
	}
	g_mime_object_set_header(obj, "MIME-Version", "1.0", NULL);
	for (guint i = 0; m->headers != NULL && i + 1 < m->headers->len; i += 2)
		g_mime_object_append_header(obj, g_ptr_array_index(m->headers, i),
		                            g_ptr_array_index(m->headers, i + 1), "utf-8");
}

static gboolean
mime_lines_fit(const GByteArray *b)
{
	gsize start = 0;

	for (gsize i = 0; i < b->len; i++) {
		if (b->data[i] != '\n')
			continue;
		if (i - start > MIME_MAX_LINE + 1) /* + the CR */
			return FALSE;
		start = i + 1;
	}
	return b->len - start <= MIME_MAX_LINE;
}

/* Returns the message as NUL-terminated CRLF bytes (len excludes the NUL), or NULL with err
 * when a header would be unsafe. Caller frees with g_free. */
char *
mime_build(const struct outmsg *m, gsize *len, GError **err)
{
	GMimeMessage *msg;
	GMimeObject *body;
	GMimeFormatOptions *fmt;
	GMimeStream *mem;
	GByteArray *bytes;
	char *out = NULL;

	mime_init();
	if (!mime_check_outmsg(m, err))
		return NULL;
	msg = g_mime_message_new(TRUE);
	mime_set_headers(msg, m);
	body = mime_body(m);
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	fmt = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fmt, GMIME_NEWLINE_FORMAT_DOS);
	mem = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), fmt, mem) < 0) {
		g_set_error(err, MIME_ERROR, MIME_ERROR_BUILD, "gmime could not write the message");
		goto done;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (!mime_lines_fit(bytes)) {
		g_set_error(
		    err, MIME_ERROR, MIME_ERROR_HEADER,
		    "a header line would be longer than %d octets (a word too long to fold)",
		    MIME_MAX_LINE);
		goto done;
	}
	out = g_malloc(bytes->len + 1);
	memcpy(out, bytes->data, bytes->len);
	out[bytes->len] = '\0';
	if (len != NULL)
		*len = bytes->len;
done:
	g_object_unref(mem);
	g_mime_format_options_free(fmt);
	g_object_unref(msg);
	return out;
}
