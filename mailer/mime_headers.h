/*
 * mime_headers: what mime.c and mime_headers.c share (private to the mime module): the
 * header reading of mime_headers.c and the string cleaning of mime.c that it uses.
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

/* Fills m's header fields (sender, subject, threading, recipients, markers, date). */
void mime_fill_headers(struct mail *m, GMimeMessage *msg);
/* Drops an mbox "From " line that pipe delivery may prepend. */
void mime_skip_mbox_from(const char **raw, gsize *len);
/* Cuts a header block over MIME_MAX_HEADER_BYTES, and the body with it (see mime.h). */
void mime_cap_headers(const char *raw, gsize *len);

#endif
