/*
 * libFuzzer harness for HTML bodies: raw bytes -> mime_html_to_text -> reply_new_text ->
 * command_parse, the path of an HTML-only reply once mime.c has decoded the part. The HTML
 * parser, the quote and divider marking and the reply cutter see arbitrary markup here,
 * which fuzz_mail reaches only through a well-formed MIME structure.
 */
#include <stdint.h>
#include <stdlib.h>

#include "command.h"
#include "mime.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = mime_html_to_text((const char *)data, size);
	g_autofree char *new_text = NULL;
	g_autoptr(command_list) l = NULL;

	if (!g_utf8_validate(text, -1, NULL))
		abort();
	new_text = reply_new_text(text);
	l = command_parse(new_text);
	return 0;
}
