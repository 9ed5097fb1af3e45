/*
 * libFuzzer harness for bounce_parse: the input is a whole message, as anyone who mails
 * the bounce address (or a hostile mail server) can shape it. Besides crashes, hangs and
 * leaks it checks what bounce.h promises of every verdict: a status code of class 2, 4 or
 * 5, permanent only for a 5.x.x one, a diagnostic of one line within its bound that names a
 * status code, and a recipient that is a plain lower-case address or none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "util.h"

/* Aborts (a libFuzzer finding) when a promise of the header does not hold. */
static void
fuzz_require(gboolean ok, const char *what)
{
	if (!ok) {
		g_printerr("fuzz_bounce: broken promise: %s\n", what);
		abort();
	}
}

static void
fuzz_check(const struct bounce *b)
{
	g_autofree char *lower = NULL;

	fuzz_require(b->status != NULL && strchr("245", b->status[0]) != NULL &&
	                 b->status[1] == '.',
	             "a status code");
	fuzz_require(b->kind == BOUNCE_TEMPORARY || b->status[0] == '5', "permanent is 5.x.x");
	fuzz_require(b->diagnostic != NULL && g_utf8_validate(b->diagnostic, -1, NULL),
	             "a UTF-8 diagnostic");
	fuzz_require(strpbrk(b->diagnostic, "\r\n") == NULL, "a one-line diagnostic");
	fuzz_require(g_utf8_strlen(b->diagnostic, -1) <= BOUNCE_MAX_DIAGNOSTIC, "diagnostic bound");
	fuzz_require(strchr(b->diagnostic, '.') != NULL, "the diagnostic names a status");
	fuzz_require(b->format != NULL, "a format");
	if (b->recipient == NULL)
		return;
	lower = g_ascii_strdown(b->recipient, -1);
	fuzz_require(util_address_valid(b->recipient) && strcmp(lower, b->recipient) == 0,
	             "a plain lower-case recipient");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) verdicts = bounce_parse((const char *)data, size);

	fuzz_require(verdicts != NULL && verdicts->len <= BOUNCE_MAX_VERDICTS, "verdict bound");
	for (guint i = 0; i < verdicts->len; i++)
		fuzz_check(verdicts->pdata[i]);
	return 0;
}
