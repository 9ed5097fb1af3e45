/*
 * mailto: mailto: URIs (RFC 6068) for one-tap answers: a tap opens the phone's mail app
 * with the address, the subject and the body already written. Pure.
 */
#ifndef SEVMAIL_MAILTO_H
#define SEVMAIL_MAILTO_H

#include <glib.h>

/* "mailto:TO?subject=SUBJECT&body=BODY". Every octet of subject and body (UTF-8) outside
 * RFC 6068's qchar set is percent-encoded, '+' too (form decoders read it as a space), and
 * each line break is %0D%0A; the address keeps only '@' and the characters it may carry
 * as they are. A NULL or empty subject or body is left out. Caller frees. */
char *mailto_uri(const char *to, const char *subject, const char *body);

#endif
