/*
 * libFuzzer harness for template_expand: the input is a template text, the values a fixed
 * table that includes template markers, which must come out literally (values are never
 * expanded again). Templates are the operator's files, not mail, but a broken template
 * must give an error, never a crash or a hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

/* name -> value; "" is an empty value (a {{^name}} section shows), markers are literal. */
static const char *const fuzz_vars[][2] = {
    {"id", "1"},
    {"title", "checkout'); DROP TABLE incidents;-- {{subscribers}} {{.Title}} ${IMPACT} %s%n"},
    {"severity", "SEV 1"},
    {"status", "Investigating"},
    {"impact", ""},
    {"next_steps", "{{#impact}}nested{{/impact}}"},
    {"commands", "ACK\nSEV1"},
    {"subscribers", "{{title}}"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *out = NULL;
	g_autoptr(GError) err = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(fuzz_vars); i++)
		g_hash_table_insert(vars, (gpointer)fuzz_vars[i][0], (gpointer)fuzz_vars[i][1]);
	out = template_expand(text, "fuzz.txt", vars, &err);
	if ((out == NULL) == (err == NULL))
		abort(); /* exactly one of a result and an error */
	return 0;
}
