/* The renderer: placeholders, sections, errors with file and line, values never expanded;
 * every value HTML-escaped in HTML templates; files read once until the cache is cleared. */
#include "template.h"

#include "mime.h"
#include "reply.h"

#include <glib/gstdio.h>
#include <string.h>

static GHashTable *
vars(void)
{
	GHashTable *v = g_hash_table_new(g_str_hash, g_str_equal);

	g_hash_table_insert(v, "title", "{{impact}} %s%n ${X}");
	g_hash_table_insert(v, "impact", "");
	g_hash_table_insert(v, "id", "7");
	return v;
}

static void
test_values_inserted_once(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autofree char *out = template_expand("INC-{{id}}: {{ title }}", "t", v, NULL);

	g_assert_cmpstr(out, ==, "INC-7: {{impact}} %s%n ${X}");
}

static void
test_sections(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autofree char *out =
	    template_expand("a\n{{#impact}}\nImpact: {{impact}}\n{{/impact}}\n{{^impact}}\nnone\n"
	                    "{{/impact}}\nb\n",
	                    "t", v, NULL);

	g_assert_cmpstr(out, ==, "a\nnone\nb\n");
}

static void
test_loops(void)
{
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *out = NULL, *none = NULL;

	g_hash_table_insert(v, "items", "first\n{{items}}\n\nthird");
	g_hash_table_insert(v, "empty", "");
	out = template_expand("Items:\n{{*items}}\n- {{.}}\n{{/items}}\nend\n", "t", v, NULL);
	g_assert_cmpstr(out, ==, "Items:\n- first\n- {{items}}\n- third\nend\n");
	none = template_expand("[{{*empty}}x{{/empty}}]", "t", v, NULL);
	g_assert_cmpstr(none, ==, "[]");
}

static void
test_unknown_placeholder_names_file_and_line(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autoptr(GError) e = NULL;
	char *out = template_expand("one\ntwo {{subscribers}}\n", "status.txt", v, &e);

	g_assert_null(out);
	g_assert_nonnull(e);
	g_assert_nonnull(g_strstr_len(e->message, -1, "status.txt:2"));
	g_assert_nonnull(g_strstr_len(e->message, -1, "subscribers"));
}

static void
test_unclosed_section(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autoptr(GError) e = NULL;

	g_assert_null(template_expand("{{#impact}} x", "t", v, &e));
	g_assert_nonnull(e);
}

static void
test_shipped_templates_render(void)
{
	static const char *const kinds[] = {"page", "confirm", "error", "help", "status", "notice"};
	const char *names[] = {"id",       "title",       "severity",      "status",   "commander",
	                       "impact",   "next_steps",  "created",       "source",   "details",
	                       "name",     "address",     "changes",       "refusals", "problem",
	                       "commands", "unsubscribe", "next_update",   "notice",   "unverified",
	                       "summary",  "headline",    "latest_update", "team"};
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		g_hash_table_insert(v, (gpointer)names[i], "x");
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		g_autofree char *subject = NULL, *body = NULL;
		g_autoptr(GError) e = NULL;

		g_assert_cmpint(template_render("templates", kinds[i], v, &subject, &body, &e), ==,
		                0);
		g_assert_no_error(e);
		g_assert_true(g_str_has_prefix(subject, "[INC-x]"));
	}
}

/* In HTML every value is text: markup, entities and quotes that would end an attribute are
 * character references, in placeholders, in {{.}} and in attribute values alike. */
static void
test_html_escapes_every_value(void)
{
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *html = NULL, *text = NULL, *loop = NULL;

	g_hash_table_insert(v, "title", "<script>alert(1)</script> & \"x\" 'y' &amp;");
	g_hash_table_insert(v, "link", "mailto:a@example.com?subject=x&body=\"><img src=x>");
	g_hash_table_insert(v, "lines", "<b>one</b>\n<i>two</i>");
	g_hash_table_insert(v, "empty", "");
	html = template_expand_as("<h1>{{title}}</h1><a href=\"{{link}}\">ACK</a>"
	                          "{{#empty}}<p>hidden</p>{{/empty}}",
	                          "t.html", v, TEMPLATE_HTML, NULL);
	g_assert_cmpstr(
	    html, ==,
	    "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &apos;y&apos; "
	    "&amp;amp;</h1><a href=\"mailto:a@example.com?subject=x&amp;body=&quot;&gt;"
	    "&lt;img src=x&gt;\">ACK</a>");
	loop = template_expand_as("<ul>{{*lines}}<li>{{.}}</li>{{/lines}}</ul>", "t.html", v,
	                          TEMPLATE_HTML, NULL);
	g_assert_cmpstr(loop, ==,
	                "<ul><li>&lt;b&gt;one&lt;/b&gt;</li><li>&lt;i&gt;two&lt;/i&gt;</li></ul>");
	/* the template's own markup is the template's, and text mail is left as it is */
	text = template_expand("{{title}}", "t.txt", v, NULL);
	g_assert_cmpstr(text, ==, "<script>alert(1)</script> & \"x\" 'y' &amp;");
}

/* A value that is not UTF-8 is made valid before it is escaped, never passed through. */
static void
test_html_invalid_utf8(void)
{
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *html = NULL;

	g_hash_table_insert(v, "title", "a\xff<b>");
	html = template_expand_as("{{title}}", "t.html", v, TEMPLATE_HTML, NULL);
	g_assert_true(g_utf8_validate(html, -1, NULL));
	g_assert_nonnull(strstr(html, "&lt;b&gt;"));
	g_assert_null(strstr(html, "<b>"));
}

/* The shipped HTML templates render with the values notify gives them; without the file a
 * mail is text only (0), and an unknown placeholder is an error naming the .html file. */
static void
test_html_files(void)
{
	static const char *const kinds[] = {"page",   "repage", "confirm",   "error",
	                                    "notice", "status", "postmortem"};
	const char *names[] = {"id",         "title",         "severity",
	                       "status",     "commander",     "impact",
	                       "next_steps", "created",       "source",
	                       "details",    "name",          "address",
	                       "changes",    "refusals",      "problem",
	                       "commands",   "unsubscribe",   "next_update",
	                       "notice",     "unverified",    "summary",
	                       "headline",   "latest_update", "team",
	                       "waiting",    "date",          "meeting",
	                       "declared",   "resolved",      "mtta",
	                       "mttr",       "timezone",      "attendees",
	                       "timeline",   "root_cause",    "action_items",
	                       "sev_class",  "actions",       "severity_meaning",
	                       "act_ack",    "act_resolved",  "act_sev1",
	                       "act_sev2",   "act_sev3",      "command_lines"};
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *dir = g_dir_make_tmp("sevmail-template-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "page.html", NULL);
	g_autofree char *none = NULL, *bad = NULL;
	g_autoptr(GError) e = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		g_hash_table_insert(v, (gpointer)names[i], "<x>");
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		g_autofree char *html = NULL;
		g_autoptr(GError) err = NULL;

		g_assert_cmpint(template_render_html("templates", kinds[i], v, &html, &err), ==, 1);
		g_assert_no_error(err);
		g_assert_true(g_str_has_prefix(html, "<!DOCTYPE html>"));
		g_assert_null(strstr(html, "<x>"));
		g_assert_nonnull(strstr(html, "&lt;x&gt;"));
	}
	g_assert_cmpint(template_render_html(dir, "page", v, &none, &e), ==, 0);
	g_assert_no_error(e);
	g_assert_null(none);
	g_assert_true(g_file_set_contents(path, "<p>{{nothing}}</p>\n", -1, NULL));
	g_assert_cmpint(template_render_html(dir, "page", v, &bad, &e), ==, -1);
	g_assert_nonnull(e);
	g_assert_nonnull(strstr(e->message, "page.html:1"));
	g_unlink(path);
	g_rmdir(dir);
}

/* An answer from a client that writes above the page's HTML without quoting it: the
 * page's "Reply above this line" marker cuts it, so neither its buttons nor its command
 * list are ever read as commands. */
static void
test_html_page_cut_from_an_answer(void)
{
	static const char *const kinds[] = {"page", "repage", "notice", "confirm", "error"};
	g_autoptr(GHashTable) v = g_hash_table_new(g_str_hash, g_str_equal);
	const char *names[] = {"id",      "title",      "severity",        "status",   "commander",
	                       "impact",  "next_steps", "created",         "source",   "details",
	                       "name",    "address",    "changes",         "refusals", "problem",
	                       "notice",  "unverified", "summary",         "headline", "team",
	                       "waiting", "sev_class",  "severity_meaning"};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		g_hash_table_insert(v, (gpointer)names[i], "x");
	g_hash_table_insert(v, "commands", "  ACK    you are on it\n  RESOLVED    it is over");
	g_hash_table_insert(v, "command_lines", "ACK – you are on it\nRESOLVED – it is over");
	g_hash_table_insert(v, "actions", "yes");
	g_hash_table_insert(v, "act_ack", "mailto:incidents+1-abc@example.com?body=ACK");
	g_hash_table_insert(v, "act_resolved", "mailto:incidents+1-abc@example.com?body=RESOLVED");
	g_hash_table_insert(v, "act_sev1", "mailto:incidents+1-abc@example.com?body=SEV1");
	g_hash_table_insert(v, "act_sev2", "mailto:incidents+1-abc@example.com?body=SEV2");
	g_hash_table_insert(v, "act_sev3", "mailto:incidents+1-abc@example.com?body=SEV3");
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		g_autofree char *html = NULL, *answer = NULL, *text = NULL, *said = NULL;
		const char *body;

		g_assert_cmpint(template_render_html("templates", kinds[i], v, &html, NULL), ==, 1);
		body = strstr(html, "<body>");
		g_assert_nonnull(body);
		answer = g_strdup_printf("%.*s<p>thanks, on my way</p>%s", (int)(body - html + 6),
		                         html, body + 6);
		text = mime_html_to_text(answer, strlen(answer));
		g_assert_nonnull(strstr(text, "RESOLVED")); /* the buttons are there to cut */
		said = reply_new_text(text);
		g_assert_cmpstr(said, ==, "thanks, on my way");
	}
}

/* A template is read once: an edit takes effect after template_cache_clear() (SIGHUP). */
static void
test_cached_until_cleared(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autofree char *dir = g_dir_make_tmp("sevmail-template-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "page.txt", NULL);
	g_autofree char *s1 = NULL, *b1 = NULL, *s2 = NULL, *b2 = NULL, *s3 = NULL, *b3 = NULL;

	g_assert_true(g_file_set_contents(path, "Subject: old {{id}}\n\nold body\n", -1, NULL));
	g_assert_cmpint(template_render(dir, "page", v, &s1, &b1, NULL), ==, 0);
	g_assert_true(g_file_set_contents(path, "Subject: new {{id}}\n\nnew body\n", -1, NULL));
	g_assert_cmpint(template_render(dir, "page", v, &s2, &b2, NULL), ==, 0);
	g_assert_cmpstr(s2, ==, "old 7");
	g_assert_cmpstr(b2, ==, "old body\n");
	template_cache_clear();
	g_assert_cmpint(template_render(dir, "page", v, &s3, &b3, NULL), ==, 0);
	g_assert_cmpstr(s3, ==, "new 7");
	g_assert_cmpstr(b3, ==, "new body\n");
	g_unlink(path);
	g_rmdir(dir);
}

/* A file that cannot be read is not kept: once it is there, it is used without a reload. */
static void
test_missing_file_not_cached(void)
{
	g_autoptr(GHashTable) v = vars();
	g_autoptr(GError) e = NULL;
	g_autofree char *dir = g_dir_make_tmp("sevmail-template-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "page.txt", NULL);
	g_autofree char *subject = NULL, *body = NULL;

	g_assert_cmpint(template_render(dir, "page", v, &subject, &body, &e), ==, -1);
	g_assert_error(e, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_true(g_file_set_contents(path, "Subject: INC-{{id}}\n\nbody\n", -1, NULL));
	g_assert_cmpint(template_render(dir, "page", v, &subject, &body, NULL), ==, 0);
	g_assert_cmpstr(subject, ==, "INC-7");
	g_unlink(path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/template/values-once", test_values_inserted_once);
	g_test_add_func("/template/sections", test_sections);
	g_test_add_func("/template/loops", test_loops);
	g_test_add_func("/template/unknown-placeholder",
	                test_unknown_placeholder_names_file_and_line);
	g_test_add_func("/template/unclosed-section", test_unclosed_section);
	g_test_add_func("/template/shipped", test_shipped_templates_render);
	g_test_add_func("/template/html/escapes-every-value", test_html_escapes_every_value);
	g_test_add_func("/template/html/invalid-utf8", test_html_invalid_utf8);
	g_test_add_func("/template/html/files", test_html_files);
	g_test_add_func("/template/html/cut-from-an-answer", test_html_page_cut_from_an_answer);
	g_test_add_func("/template/cache/until-cleared", test_cached_until_cleared);
	g_test_add_func("/template/cache/missing-not-kept", test_missing_file_not_cached);
	return g_test_run();
}
