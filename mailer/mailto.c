/*
 * mailto: building mailto: URIs (RFC 6068, section 2) with GLib's percent-encoding.
 */
#include "mailto.h"

#include <string.h>

/* RFC 6068 some-delims, which qchar allows as they are; '+' is left out of values because
 * application/x-www-form-urlencoded decoders, which some mail apps use, make it a space. */
#define MAILTO_VALUE_DELIMS "!$'()*,;:@"
#define MAILTO_ADDRESS_DELIMS "!$'()*+,;:@"

/* Line breaks as CRLF, which the URI carries as %0D%0A (RFC 6068, section 5). */
static char *
mailto_crlf(const char *s)
{
	GString *out = g_string_sized_new(strlen(s) + 8);

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\r' || *p == '\n')
			g_string_append(out, "\r\n");
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static void
mailto_field(GString *uri, const char *name, const char *value)
{
	g_autofree char *crlf = NULL, *escaped = NULL;

	if (value == NULL || *value == '\0')
		return;
	crlf = mailto_crlf(value);
	escaped = g_uri_escape_string(crlf, MAILTO_VALUE_DELIMS, FALSE);
	g_string_append_printf(uri, "%c%s=%s", strchr(uri->str, '?') != NULL ? '&' : '?', name,
	                       escaped);
}

char *
mailto_uri(const char *to, const char *subject, const char *body)
{
	g_autofree char *address = g_uri_escape_string(to, MAILTO_ADDRESS_DELIMS, FALSE);
	GString *uri = g_string_new("mailto:");

	g_string_append(uri, address);
	mailto_field(uri, "subject", subject);
	mailto_field(uri, "body", body);
	return g_string_free(uri, FALSE);
}
