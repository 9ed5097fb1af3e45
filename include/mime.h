/*
 * mime: raw RFC 5322 bytes to a plain struct mail (decoded UTF-8 headers, best text body),
 * and building outgoing messages. The only module that sees gmime (and libxml2 for HTML).
 */
#ifndef SEVMAIL_MIME_H
#define SEVMAIL_MIME_H

#include <glib.h>

/* Error domain of mime_parse and mime_build. */
#define MIME_ERROR (mime_error_quark())
enum mime_error_code {
	MIME_ERROR_EMPTY,  /* mime_parse: no bytes (after an mbox From line) */
	MIME_ERROR_PARSE,  /* mime_parse: gmime could not make a message of it */
	MIME_ERROR_HEADER, /* mime_build: a header value or name was refused */
	MIME_ERROR_BUILD,  /* mime_build: a body is not UTF-8, or gmime could not write it */
};
GQuark mime_error_quark(void);

/* Initialises gmime once (thread-safe). mime_parse and mime_build call it themselves; the
 * daemon may call it at start-up. */
void mime_init(void);

/*
 * Bounds on what a hostile header block costs. Header parsing is linear in the input, and:
 * - a header block (everything before the first empty line) over MIME_MAX_HEADER_BYTES is
 *   read only up to its last whole line within that size, and the body is not read at all
 *   (text is ""): no mail client writes such headers, so no command is taken from such
 *   mail, while routing, de-duplication and the never-answer rules still see the headers
 *   that came first (those a mail system adds on delivery among them);
 * - recipients keeps the first MIME_MAX_RECIPIENTS addresses in the order below, so the
 *   ones a delivery adds (Delivered-To, X-Original-To) always stay;
 * - references keeps the first Message-ID of References (the thread's root) and the last
 *   MIME_MAX_REFERENCES - 1 (the newest, which name the mail being answered).
 */
#define MIME_MAX_HEADER_BYTES (1024 * 1024)
#define MIME_MAX_RECIPIENTS 1000
#define MIME_MAX_REFERENCES 100

struct mail {
	char *message_id;        /* without <>, NULL when the message has none */
	char *from_addr;         /* bare lower-case address, NULL when absent or unparsable */
	char *from_name;         /* display name, decoded; may contain anything (never a header) */
	char *subject;           /* decoded UTF-8; CR/LF and controls replaced by spaces */
	char *in_reply_to;       /* first Message-ID of In-Reply-To, without <>, or NULL */
	GPtrArray *references;   /* char *, Message-IDs from References, without <> (capped) */
	GPtrArray *recipients;   /* char *, lower-case, each once: Delivered-To, X-Original-To,
	                          * To, Cc (capped) */
	char *return_path;       /* without <>; "" for a null return path, NULL if absent */
	char *auto_submitted;    /* header value or NULL */
	char *precedence;        /* Precedence value, else X-Precedence's, else NULL */
	GPtrArray *x_loops;      /* char *, every X-Loop value, in order */
	const char *auto_marker; /* when another header marks automatic or list mail (X-Autoreply,
	                          * List-Id ...): why, as auth_no_answer says it; static storage;
	                          * NULL when none */
	GPtrArray *auth_results; /* char *, Authentication-Results values, topmost first */
	gint64 date;             /* Date: as unix time, 0 when absent or unparsable */
	char *text;              /* best text body as valid UTF-8 without NULs; "" when none */
	gboolean text_from_html; /* text was made from an HTML part */
	gboolean is_report;      /* multipart/report (delivery status notification) */
};

/* The bytes of an HTML body turned into text (the rest stays in the stored raw message). */
#define MIME_MAX_HTML (1024 * 1024)

/* Parses raw bytes. Returns NULL and sets err when nothing usable is there (empty input).
 * Never hangs or recurses without bound on hostile input (see the bounds above). The body
 * text comes from the first text/plain part, or text/html when that is missing or blank;
 * a part that is an attachment or has a file name is never the text. Caller frees with
 * mail_free. */
struct mail *mime_parse(const char *raw, gsize len, GError **err);
void mail_free(struct mail *m);
typedef struct mail mail; /* for g_autoptr(mail) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mail, mail_free)

/* A message laid open for readers of machine-written reports (bounce.c): its top-level
 * header fields and its leaf parts as text. */
struct mime_part {
	char *type; /* lower-case "type/subtype": "text/plain", "message/delivery-status" */
	char *text; /* decoded to valid UTF-8, LF newlines, no NULs, cut to MIME_MAX_PART_TEXT
	             * bytes (at a character); "" for an attached message */
};
struct mime_doc {
	GPtrArray *headers; /* char *: name, value, name, value ... of the top level, in order,
	                     * values unfolded to one line (at most MIME_MAX_DOC_HEADERS) */
	GPtrArray *parts;   /* struct mime_part *, the leaves in document order (at most
	                     * MIME_MAX_DOC_PARTS); an attached message (message/rfc822) is one
	                     * leaf whose text is "": what it says is not the report's */
};
#define MIME_MAX_PART_TEXT (64 * 1024)
#define MIME_MAX_DOC_HEADERS 500
#define MIME_MAX_DOC_PARTS 256

/* Parses raw bytes with the bounds of mime_parse. NULL + err when nothing usable is there.
 * Caller frees with mime_doc_free. */
struct mime_doc *mime_doc_parse(const char *raw, gsize len, GError **err);
/* The first value of a top-level header (name compared ignoring case), or NULL. */
const char *mime_doc_header(const struct mime_doc *d, const char *name);
void mime_doc_free(struct mime_doc *d);
typedef struct mime_doc mime_doc; /* for g_autoptr(mime_doc) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mime_doc, mime_doc_free)

/* Turns an HTML document into readable text (block elements become lines). Caller frees. */
char *mime_html_to_text(const char *html, gsize len);

/* An outgoing message. Every string is UTF-8; header values are checked by mime_build. */
struct outmsg {
	const char *from_name; /* display name of From */
	const char *from_addr; /* address of From */
	const char *reply_to;  /* address for Reply-To, or NULL */
	GPtrArray *to;         /* const char *, addresses shown in To (may be empty) */
	const char *subject;
	const char *message_id;  /* without <> */
	const char *in_reply_to; /* without <>, or NULL */
	GPtrArray *references;   /* const char *, without <>, or NULL */
	GPtrArray *headers;      /* const char * pairs: name, value, name, value ... or NULL */
	const char *text;        /* text/plain body */
	const char *html;        /* optional text/html alternative, or NULL */
	const char *calendar;    /* optional text/calendar; method=REQUEST alternative, or NULL */
	gint64 date;             /* unix time for Date: */
};

/* Builds the message as CRLF-terminated bytes. Refuses (NULL + err) any header value that
 * holds CR, LF or other control characters. Caller frees the returned buffer. */
char *mime_build(const struct outmsg *m, gsize *len, GError **err);

#endif
