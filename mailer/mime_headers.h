/*
 * mime_headers: what the files of the mime module share (private to it): the header
 * reading of mime_headers.c, and the parsing and string cleaning of mime.c that it and
 * mime_parts.c use.
 */
#ifndef SEVMAIL_MIME_HEADERS_H
#define SEVMAIL_MIME_HEADERS_H

#include <gmime/gmime.h>

#include "mime.h"

/* One line of valid UTF-8: each run of controls becomes one space, the ends are trimmed.
 * NULL stays NULL. Caller frees. */
char *mime_line(const char *s);
/* A bare address in lower case, or NULL when it is empty or holds blanks or controls.
 * Caller frees. */
char *mime_addr(const char *addr);

/* Parses raw bytes as a message, with the bounds of mime.h (an mbox From line skipped, a
 * hostile header block cut): NULL + err when empty or unparsable. Caller unrefs. */
GMimeMessage *mime_message_new(const char *raw, gsize len, GError **err);
/* A leaf part's content, transfer encoding undone, as valid UTF-8 with LF newlines and no
 * NULs (charset converted; an unknown one read as UTF-8 or ISO-8859-1). Caller frees. */
char *mime_part_text(GMimePart *part);
/* The unfolded raw value of a header as one clean line. Caller frees. */
char *mime_raw_value(GMimeHeader *h);

/* Fills m's header fields (sender, subject, threading, recipients, markers, date). */
void mime_fill_headers(struct mail *m, GMimeMessage *msg);
/* Drops an mbox "From " line that pipe delivery may prepend. */
void mime_skip_mbox_from(const char **raw, gsize *len);
/* Cuts a header block over MIME_MAX_HEADER_BYTES, and the body with it (see mime.h). */
void mime_cap_headers(const char *raw, gsize *len);

#endif
