/*
 * reply: cuts a reply down to the text its sender wrote now: quoted history, attribution
 * lines, forwarded blocks, client boilerplate and signatures are removed. Pure.
 */
#ifndef SEVMAIL_REPLY_H
#define SEVMAIL_REPLY_H

#include <glib.h>

/* Returns the new text of a reply body (trimmed, lines joined by \n). Caller frees. */
char *reply_new_text(const char *body);

#endif
