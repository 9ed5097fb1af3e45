/*
 * libFuzzer harness for the reply cutter: arbitrary text -> reply_new_text, the step that
 * decides which lines of a reply may act as commands, then command_parse. Besides crashes,
 * hangs and leaks it checks what the cutter promises: its text is valid UTF-8, made only of
 * the input's own lines (never a quoted one), and never longer than a valid input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "reply.h"

/* Aborts (a libFuzzer finding) when a promise does not hold. */
static void
fuzz_require(gboolean ok, const char *what)
{
	if (!ok) {
		g_printerr("fuzz_reply: broken promise: %s\n", what);
		abort();
	}
}

/* Every line of the new text is a line of the body (its trailing blanks aside), and none
 * is quoted. Only for bodies the cutter keeps byte for byte (valid UTF-8 without the
 * zero-width characters it removes), and small enough to search quickly. */
static void
fuzz_check_lines(const char *body, gsize len, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	if (len > 16384 || !g_utf8_validate(body, (gssize)len, NULL) ||
	    strstr(body, "\xEF\xBB\xBF") != NULL || strstr(body, "\xE2\x80\x8B") != NULL)
		return;
	fuzz_require(strlen(text) <= len, "new text no longer than the body");
	for (char **l = lines; *l != NULL; l++) {
		const char *content = *l + strspn(*l, " \t");

		fuzz_require(strstr(body, *l) != NULL, "each line comes from the body");
		fuzz_require(*content != '>', "no quoted line");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *body = g_strndup((const char *)data, size);
	g_autofree char *text = reply_new_text(body);
	g_autoptr(command_list) l = NULL;

	fuzz_require(text != NULL && g_utf8_validate(text, -1, NULL), "new text is UTF-8");
	fuzz_check_lines(body, strlen(body), text); /* up to a NUL, as mime.c hands it over */
	(void)reply_starts_with_from_label(body);
	l = command_parse(text);
	fuzz_require(l != NULL, "commands parsed");
	return 0;
}
