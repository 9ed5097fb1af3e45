/*
 * libFuzzer harness for the path every inbound message takes: raw bytes -> mime_parse ->
 * alert_parse (generic on, as for a configured alert sender) -> reply_new_text ->
 * command_parse, also of the subject (a DECLARE). Besides crashes, hangs and leaks it
 * checks the promises the headers make about the results, so a logic slip is a finding too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "command.h"
#include "mime.h"
#include "reply.h"

/* Aborts (a libFuzzer finding) when a promise of the headers does not hold. */
static void
fuzz_require(gboolean ok, const char *what)
{
	if (!ok) {
		g_printerr("fuzz_mail: broken promise: %s\n", what);
		abort();
	}
}

static gboolean
fuzz_one_line(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL))
		return FALSE;
	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p))
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return FALSE;
	return TRUE;
}

static void
fuzz_check_alert(const struct alert *a)
{
	fuzz_require(a->source != NULL && a->fingerprint != NULL && a->details != NULL,
	             "alert fields set");
	fuzz_require(g_str_has_prefix(a->fingerprint, a->source), "fingerprint starts with source");
	fuzz_require(strchr(a->fingerprint, '\n') == NULL, "fingerprint is one line");
	fuzz_require(fuzz_one_line(a->title) && *a->title != '\0', "title is one clean line");
	fuzz_require(g_utf8_strlen(a->title, -1) <= 200, "title at most 200 characters");
	fuzz_require(g_utf8_validate(a->details, -1, NULL), "details are UTF-8");
	fuzz_require(a->severity_label == NULL || fuzz_one_line(a->severity_label),
	             "severity label is one clean line");
	fuzz_require(a->state == ALERT_FIRING || a->state == ALERT_RESOLVED ||
	                 a->state == ALERT_INFO,
	             "alert state is known");
}

static void
fuzz_check_commands(const struct command_list *l)
{
	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		fuzz_require(c->keyword != NULL && c->argument != NULL, "command fields set");
		fuzz_require(g_utf8_validate(c->argument, -1, NULL), "argument is UTF-8");
		fuzz_require(strchr(c->argument, '\n') == NULL, "argument is one line");
		if (c->kind == CMD_SEV)
			fuzz_require(strlen(c->argument) == 1 && c->argument[0] >= '1' &&
			                 c->argument[0] <= '3',
			             "SEV argument is 1-3");
		fuzz_require(c->note == NULL ||
		                 (*c->note != '\0' && strchr(c->note, '\n') == NULL &&
		                  g_utf8_validate(c->note, -1, NULL)),
		             "a note is NULL or one non-empty UTF-8 line");
		fuzz_require(c->kind == CMD_UNKNOWN ||
		                 (c->suggestion == NULL && c->understood == NULL),
		             "only an unknown line has a suggestion");
		fuzz_require(c->kind != CMD_UNKNOWN || c->understood != NULL,
		             "an unknown line says what was read");
		if (c->kind == CMD_SNOOZE)
			fuzz_require(strspn(c->argument, "0123456789") == strlen(c->argument),
			             "SNOOZE argument is seconds or empty");
		if (c->kind == CMD_DECLARE && *c->argument != '\0')
			fuzz_require(c->argument[0] >= '1' && c->argument[0] <= '3' &&
			                 c->argument[1] == ' ' && c->argument[2] != '\0',
			             "DECLARE argument is \"n title\"");
	}
	for (guint i = 0; i < l->notes->len; i++)
		fuzz_require(g_utf8_validate(g_ptr_array_index(l->notes, i), -1, NULL),
		             "note is UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(mail) m = mime_parse((const char *)data, size, NULL);
	g_autoptr(alert) a = NULL;
	g_autofree char *text = NULL;
	g_autoptr(command_list) body = NULL;
	g_autoptr(command_list) subject = NULL;

	if (m == NULL)
		return 0;
	fuzz_require(m->text != NULL && g_utf8_validate(m->text, -1, NULL), "text is UTF-8");
	a = alert_parse(m, TRUE);
	fuzz_require(a != NULL, "generic alert parsing always gives an alert");
	fuzz_check_alert(a);
	text = reply_new_text(m->text);
	fuzz_require(g_utf8_validate(text, -1, NULL), "new text is UTF-8");
	body = command_parse(text);
	fuzz_check_commands(body);
	subject = command_parse(m->subject);
	fuzz_check_commands(subject);
	return 0;
}
