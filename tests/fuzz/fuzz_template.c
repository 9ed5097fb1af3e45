/*
 * libFuzzer harness for template_expand: the input is a template text, the values a fixed
 * table that includes template markers, which must come out literally (values are never
 * expanded again). Templates are the operator's files, not mail, but a broken template
 * must give an error, never a crash or a hang. Rendered as HTML, no value adds markup: a
 * template without '<' gives output without '<'.
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
    {"hostile", "<img src=x onerror=\"alert(1)\"> & '</h1><script>"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *out = NULL, *html = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) html_err = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(fuzz_vars); i++)
		g_hash_table_insert(vars, (gpointer)fuzz_vars[i][0], (gpointer)fuzz_vars[i][1]);
	out = template_expand(text, "fuzz.txt", vars, &err);
	if ((out == NULL) == (err == NULL))
		abort(); /* exactly one of a result and an error */
	html = template_expand_as(text, "fuzz.html", vars, TEMPLATE_HTML, &html_err);
	if ((html == NULL) != (out == NULL))
		abort(); /* escaping changes values, never what renders */
	if (html != NULL && strchr(text, '<') == NULL && strchr(html, '<') != NULL)
		abort(); /* a value became markup */
	return 0;
}
