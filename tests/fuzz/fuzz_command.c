/*
 * libFuzzer harness for the command language alone: raw bytes -> command_parse, seeded with
 * tests/corpus/phone-lines.tsv. Besides crashes, hangs and leaks it checks what callers rely
 * on: every field valid UTF-8 on one line, a SEV digit 1-3, SNOOZE in seconds, a note never
 * empty, only an unknown line with a suggestion, and a MAINTENANCE argument either read as
 * a window of at most a week (route.c) or refused with a reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_require(gboolean ok, const char *promise)
{
	if (!ok) {
		fprintf(stderr, "broken promise: %s\n", promise);
		abort();
	}
}

static gboolean
one_line(const char *s)
{
	return s != NULL && g_utf8_validate(s, -1, NULL) && strchr(s, '\n') == NULL;
}

static void
fuzz_check(const struct command *c)
{
	fuzz_require(one_line(c->keyword) && one_line(c->argument), "keyword and argument");
	fuzz_require(c->note == NULL || (*c->note != '\0' && one_line(c->note)), "note");
	fuzz_require(c->kind == CMD_UNKNOWN || (c->suggestion == NULL && c->understood == NULL),
	             "only an unknown line has a suggestion");
	fuzz_require(c->kind != CMD_UNKNOWN || one_line(c->understood), "understood");
	if (c->kind == CMD_SEV)
		fuzz_require(strlen(c->argument) == 1 && c->argument[0] >= '1' &&
		                 c->argument[0] <= '3',
		             "SEV argument is 1-3");
	if (c->kind == CMD_SNOOZE)
		fuzz_require(strspn(c->argument, "0123456789") == strlen(c->argument),
		             "SNOOZE argument is seconds or empty");
	if (c->kind == CMD_MAINTENANCE) {
		g_autofree char *expr = NULL, *reason = NULL;
		g_autoptr(GError) e = NULL;
		gint64 seconds = 0;

		if (route_window_request(c->argument, &expr, &seconds, &reason, &e) == 0)
			fuzz_require(one_line(expr) && seconds > 0 && seconds <= ROUTE_WINDOW_MAX &&
			                 (reason == NULL || (*reason != '\0' && one_line(reason))),
			             "MAINTENANCE is a match and at most a week");
		else
			fuzz_require(expr == NULL && e != NULL && one_line(e->message),
			             "MAINTENANCE refused with a reason");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autoptr(command_list) l = command_parse(text);

	for (guint i = 0; i < l->commands->len; i++)
		fuzz_check(g_ptr_array_index(l->commands, i));
	for (guint i = 0; i < l->notes->len; i++)
		fuzz_require(one_line(g_ptr_array_index(l->notes, i)), "note line");
	return 0;
}
