/*
 * mime_parts: a message as its top-level header fields and its leaf parts as text, for
 * the readers of machine-written reports (delivery status notifications in bounce.c).
 * Walks the tree with an explicit stack and the bounds of mime.h, as mime.c does. Part
 * of the mime module.
 */
#include <gmime/gmime.h>
#include <string.h>

#include "mime.h"
#include "mime_headers.h"

#define MIME_DOC_MAX_DEPTH 32

static void
mime_part_free(gpointer p)
{
	struct mime_part *part = p;

	g_free(part->type);
	g_free(part->text);
	g_free(part);
}

void
mime_doc_free(struct mime_doc *d)
{
	if (d == NULL)
		return;
	g_ptr_array_unref(d->headers);
	g_ptr_array_unref(d->parts);
	g_free(d);
}

const char *
mime_doc_header(const struct mime_doc *d, const char *name)
{
	for (guint i = 0; i + 1 < d->headers->len; i += 2)
		if (g_ascii_strcasecmp(d->headers->pdata[i], name) == 0)
			return d->headers->pdata[i + 1];
	return NULL;
}

static void
mime_doc_headers(struct mime_doc *d, GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int n = MIN(g_mime_header_list_get_count(hl), MIME_MAX_DOC_HEADERS);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		const char *value = g_mime_header_get_value(h);

		if (name == NULL)
			continue;
		g_ptr_array_add(d->headers, mime_line(name));
		g_ptr_array_add(d->headers, value != NULL ? mime_line(value) : mime_raw_value(h));
	}
}

/* The text of a leaf, cut at MIME_MAX_PART_TEXT bytes on a character boundary. */
static char *
mime_leaf_text(GMimeObject *obj)
{
	char *text;
	const char *end;

	if (!GMIME_IS_PART(obj))
		return g_strdup(""); /* an attached message: not entered */
	text = mime_part_text(GMIME_PART(obj));
	if (strlen(text) > MIME_MAX_PART_TEXT) {
		end = g_utf8_find_prev_char(text, text + MIME_MAX_PART_TEXT + 1);
		text[end != NULL ? end - text : MIME_MAX_PART_TEXT] = '\0';
	}
	return text;
}

static void
mime_doc_add_leaf(struct mime_doc *d, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	struct mime_part *part = g_new0(struct mime_part, 1);
	const char *type = ct != NULL ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *sub = ct != NULL ? g_mime_content_type_get_media_subtype(ct) : NULL;
	g_autofree char *both =
	    g_strdup_printf("%s/%s", type != NULL ? type : "text", sub != NULL ? sub : "plain");

	part->type = g_ascii_strdown(both, -1);
	part->text = mime_leaf_text(obj);
	g_ptr_array_add(d->parts, part);
}

/* Depth-first, in document order, with an explicit stack and bounds on depth and parts. */
static void
mime_doc_leaves(struct mime_doc *d, GMimeObject *top)
{
	g_autoptr(GPtrArray) stack = g_ptr_array_new();
	g_autoptr(GArray) depths = g_array_new(FALSE, FALSE, sizeof(int));
	int zero = 0;

	g_ptr_array_add(stack, top);
	g_array_append_val(depths, zero);
	while (stack->len > 0 && d->parts->len < MIME_MAX_DOC_PARTS) {
		GMimeObject *obj = g_ptr_array_steal_index(stack, stack->len - 1);
		int depth = g_array_index(depths, int, depths->len - 1);

		g_array_set_size(depths, depths->len - 1);
		if (!GMIME_IS_MULTIPART(obj)) {
			mime_doc_add_leaf(d, obj);
		} else if (depth < MIME_DOC_MAX_DEPTH) {
			GMimeMultipart *mp = GMIME_MULTIPART(obj);
			int child = depth + 1;

			for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; i--) {
				g_ptr_array_add(stack, g_mime_multipart_get_part(mp, i));
				g_array_append_val(depths, child);
			}
		}
	}
}

struct mime_doc *
mime_doc_parse(const char *raw, gsize len, GError **err)
{
	GMimeMessage *msg = mime_message_new(raw, len, err);
	GMimeObject *top;
	struct mime_doc *d;

	if (msg == NULL)
		return NULL;
	d = g_new0(struct mime_doc, 1);
	d->headers = g_ptr_array_new_with_free_func(g_free);
	d->parts = g_ptr_array_new_with_free_func(mime_part_free);
	mime_doc_headers(d, GMIME_OBJECT(msg));
	top = g_mime_message_get_mime_part(msg);
	if (top != NULL)
		mime_doc_leaves(d, top);
	g_object_unref(msg);
	return d;
}
