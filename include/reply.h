/*
 * reply: cuts a reply down to the text its sender wrote now: quoted history, attribution
 * lines, forwarded blocks, client boilerplate and signatures are removed. Pure.
 */
#ifndef SEVMAIL_REPLY_H
#define SEVMAIL_REPLY_H

#include <glib.h>

/* Returns the new text of a reply body (trimmed, lines joined by \n). Caller frees. */
char *reply_new_text(const char *body);

/* TRUE when text (leading blanks aside) starts with the sender's label of a copied header
 * block, "From:", "Von:", "差出人:" ..., in any language reply_new_text knows: html.c
 * recognises Outlook's reply divider by it. */
gboolean reply_starts_with_from_label(const char *text);

#endif
