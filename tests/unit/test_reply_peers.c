/*
 * Cutting replies against other projects' fixtures in tests/corpus-peers: the replies of
 * github/email_reply_parser (expected: the visible, unquoted fragments of its tests) and the
 * standard replies of mailgun/talon, the latter also with "ack" written in place of the
 * reply, which must give exactly one ACK and nothing from the quoted part.
 */
#include <string.h>

#include "command.h"
#include "reply.h"

static char *
join_commands(const struct command_list *l)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		g_string_append_printf(s, "%s%s|%s", i > 0 ? " ; " : "", c->keyword, c->argument);
	}
	return g_string_free(s, FALSE);
}

static char *
peers_dir(void)
{
	const char *corpus = g_getenv("SEVMAIL_CORPUS");

	return g_build_filename(corpus != NULL ? corpus : "tests/corpus", "..", "corpus-peers",
	                        NULL);
}

static char *
read_peer(const char *sub, const char *name)
{
	g_autofree char *dir = peers_dir();
	g_autofree char *path = g_build_filename(dir, sub, name, NULL);
	g_autoptr(GError) err = NULL;
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err))
		g_error("%s", err->message);
	return text;
}

/*
 * github/email_reply_parser test/emails/NAME.txt. Expected: what that project's
 * email_reply_parser_test.rb calls the visible, unquoted fragments (its visible text keeps
 * quoted blocks between the reply's own paragraphs; sevmail drops them).
 */
struct peer_case {
	const char *file;
	const char *new_text;
	const char *exception; /* why sevmail differs from the upstream expectation, or NULL */
};

static const struct peer_case erp_cases[] = {
    {"correct_sig.txt", "this is an email with a correct -- signature.", NULL},
    {"email_1_1.txt",
     "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\n"
     "running a test?\nI am currently using the Java HTTP API.",
     NULL},
    {"email_1_2.txt",
     "Hi,\n\nYou can list the keys for the bucket and call delete for each. Or if you\n"
     "put the keys (and kept track of them in your test) you can delete them\n"
     "one at a time (without incurring the cost of calling list first.)\n\n"
     "Something like:\n\n"
     "        String bucket = \"my_bucket\";\n"
     "        BucketResponse bucketResponse = riakClient.listBucket(bucket);\n"
     "        RiakBucketInfo bucketInfo = bucketResponse.getBucketInfo();\n\n"
     "        for(String key : bucketInfo.getKeys()) {\n"
     "            riakClient.delete(bucket, key);\n        }\n\n"
     "would do it.\n\nSee also\n\nhttp://wiki.basho.com/REST-API.html#Bucket-operations\n\n"
     "which says\n\n\"At the moment there is no straightforward way to delete an entire\n"
     "Bucket. There is, however, an open ticket for the feature. To delete all\n"
     "the keys in a bucket, you’ll need to delete them all individually.\"",
     NULL},
    {"email_1_3.txt", "Oh thanks.\n\nHaving the function would be great.", NULL},
    {"email_1_4.txt", "Awesome! I haven't had another problem with it.", NULL},
    {"email_1_5.txt",
     "One: Here's what I've got.\n\n"
     "- This would be the first bullet point that wraps to the second line\nto the next\n"
     "- This is the second bullet point and it doesn't wrap\n"
     "- This is the third bullet point and I'm having trouble coming up with enough\n"
     "to say\n- This is the fourth bullet point\n\nTwo:\n- Here is another bullet point\n"
     "- And another one\n\nThis is a paragraph that talks about a bunch of stuff. It goes on "
     "and on\nfor a while.",
     NULL},
    {"email_1_6.txt", "I get proper rendering as well.\n\nSent from a magnificent torch of pixels",
     NULL},
    {"email_1_7.txt", ":+1:", NULL},
    {"email_1_8.txt", "I will reply under this one\n\nand under this.", NULL},
    {"email_2_1.txt", "Outlook with a reply", NULL},
    {"email_2_2.txt", "Outlook with a reply directly above line", NULL},
    {"email_2_3.txt", "Outlook with a reply directly above line", NULL},
    {"email_BlackBerry.txt", "Here is another email", NULL},
    {"email_bullets.txt",
     "test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n"
     "   - how about bullets\n   - and another",
     NULL},
    {"email_iPhone.txt", "Here is another email", NULL},
    {"email_long_quote.txt",
     "Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\n"
     "running a test?",
     /* Upstream also shows "asdf", "A>>>..." and "I am currently using the Java HTTP API."
      * that follow a one-line quote in the middle of the text. sevmail takes a reply with
      * text above its first quote as top-posted and ignores what is below the quote: text
      * under a quote is far more often a footer or the unquoted rest of the history than an
      * inline answer, and a command read from there would act on old text. */
     "text below a quote in a top-posted reply is not read (inline answers are only read "
     "when nothing but a greeting stands above the first quote)"},
    {"email_multi_word_sent_from_my_mobile_device.txt", "Here is another email", NULL},
    {"email_one_is_not_on.txt",
     "Thank, this is really helpful.\n\nOne outstanding question I had:\n\n"
     "Locally (on development), when I run...",
     NULL},
    {"email_sent_from_my_not_signature.txt",
     "Here is another email\n\nSent from my desk, is much easier then my mobile phone.", NULL},
    {"email_sig_delimiter_in_middle_of_line.txt",
     "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai",
     NULL},
    {"greedy_on.txt",
     "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\n"
     "This should connect to TextMate (on your Mac, via the tunnel). If that\n"
     "fails, the tunnel is not working.",
     NULL},
    {"pathological.txt",
     "I think you're onto something. I will try to fix the problem as soon as I\n"
     "get back to a computer.",
     NULL},
};

static void
test_erp_case(gconstpointer data)
{
	const struct peer_case *c = data;
	g_autofree char *body = read_peer("email_reply_parser", c->file);
	g_autofree char *text = reply_new_text(body);

	/* upstream's pathological and long-quote fixtures catch regex blow-ups: the work per
	 * message is bounded (reply.c reads at most 5000 lines), speed is make bench's */
	if (c->exception != NULL)
		g_test_message("known difference from upstream: %s", c->exception);
	g_assert_cmpstr(text, ==, c->new_text);
}

/* Just enough MIME for talon's fixtures (single parts and multipart/alternative, 7bit, QP or
 * base64, a legacy charset) so this test does not depend on mime.c. */
static char *
header_value(const char *headers, const char *name)
{
	g_autofree char *unfolded = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len = strlen(name);
	GRegex *fold = g_regex_new("\n[ \t]+", 0, 0, NULL);

	unfolded = g_regex_replace_literal(fold, headers, -1, 0, " ", 0, NULL);
	g_regex_unref(fold);
	lines = g_strsplit(unfolded, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		if (g_ascii_strncasecmp(*l, name, len) == 0 && (*l)[len] == ':')
			return g_strstrip(g_strdup(*l + len + 1));
	return NULL;
}

static char *
param_value(const char *value, const char *param)
{
	g_autofree char *pattern = g_strdup_printf("(?i)%s=\"?([^\";]+)\"?", param);
	GRegex *re = g_regex_new(pattern, 0, 0, NULL);
	GMatchInfo *m = NULL;
	char *out = NULL;

	if (value != NULL && g_regex_match(re, value, 0, &m))
		out = g_match_info_fetch(m, 1);
	g_match_info_free(m);
	g_regex_unref(re);
	return out;
}

static char *
qp_decode(const char *s)
{
	GString *out = g_string_new(NULL);

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '=' && p[1] == '\n') {
			p++;
		} else if (*p == '=' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
			g_string_append_c(out, (char)(g_ascii_xdigit_value(p[1]) * 16 +
			                              g_ascii_xdigit_value(p[2])));
			p += 2;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

static char *
part_text(const char *part)
{
	const char *sep = strstr(part, "\n\n");
	g_autofree char *headers = g_strndup(part, sep != NULL ? (gsize)(sep - part) : 0);
	const char *body = sep != NULL ? sep + 2 : "";
	g_autofree char *type = header_value(headers, "Content-Type");
	g_autofree char *cte = header_value(headers, "Content-Transfer-Encoding");
	g_autofree char *charset = param_value(type, "charset");
	g_autofree char *boundary = param_value(type, "boundary");
	g_autofree char *raw = NULL;

	if (boundary != NULL) {
		g_autofree char *delim = g_strconcat("\n--", boundary, NULL);
		g_autofree char *lf_body = g_strconcat("\n", body, NULL);
		g_auto(GStrv) parts = g_strsplit(lf_body, delim, -1);

		for (char **p = parts + 1; *p != NULL; p++) {
			char *text = g_str_has_prefix(*p, "--") ? NULL : part_text(*p + 1);

			if (text != NULL)
				return text;
		}
		return NULL;
	}
	if (type != NULL && g_ascii_strncasecmp(type, "text/plain", 10) != 0)
		return NULL;
	if (cte != NULL && g_ascii_strcasecmp(cte, "base64") == 0) {
		gsize len;
		guchar *bytes = g_base64_decode(body, &len);

		raw = g_strndup((const char *)bytes, len);
		g_free(bytes);
	} else if (cte != NULL && g_ascii_strcasecmp(cte, "quoted-printable") == 0) {
		raw = qp_decode(body);
	} else {
		raw = g_strdup(body);
	}
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0)
		return g_convert(raw, -1, "UTF-8", charset, NULL, NULL, NULL);
	return g_steal_pointer(&raw);
}

/* talon's standard_replies: the reply's own text is "Hello" unless a <name>_reply_text file
 * says otherwise; that file keeps phone signatures and "-- " blocks, which sevmail cuts, so
 * only its first line is sevmail's expectation. */
static void
test_talon_standard(gconstpointer data)
{
	const char *file = data;
	g_autofree char *eml = read_peer("talon/standard_replies", file);
	g_autofree char *body = part_text(eml);
	g_autofree char *text = NULL;
	g_autofree char *expect_file =
	    g_strdup_printf("%.*s_reply_text", (int)(strlen(file) - strlen(".eml")), file);
	g_autofree char *dir = peers_dir();
	g_autofree char *expect_path =
	    g_build_filename(dir, "talon/standard_replies", expect_file, NULL);
	g_autofree char *expected = NULL;

	g_assert_nonnull(body);
	text = reply_new_text(body);
	if (g_file_get_contents(expect_path, &expected, NULL, NULL))
		*strchrnul(expected, '\n') = '\0';
	else
		expected = g_strdup("Hello");
	g_strchomp(expected);
	g_assert_cmpstr(text, ==, expected);
}

/* The same replies with "ack" written in place of "Hello": exactly one ACK is read, and
 * nothing from the quoted or forwarded part. */
static void
test_talon_ack(gconstpointer data)
{
	const char *file = data;
	g_autofree char *eml = read_peer("talon/standard_replies", file);
	g_autofree char *body = part_text(eml);
	GRegex *hello = g_regex_new("^Hello", G_REGEX_MULTILINE, 0, NULL);
	g_autofree char *acked = g_regex_replace_literal(hello, body, -1, 0, "ack", 0, NULL);
	g_autofree char *text = reply_new_text(acked);
	g_autoptr(command_list) l = command_parse(text);
	g_autofree char *commands = join_commands(l);

	g_regex_unref(hello);
	g_assert_cmpstr(commands, ==, "ACK|");
	g_assert_cmpuint(l->notes->len, ==, 0);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
add_dir_tests(const char *prefix, const char *sub, const char *suffix, GTestDataFunc fn)
{
	g_autofree char *dir = peers_dir();
	g_autofree char *path = g_build_filename(dir, sub, NULL);
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	const char *name;

	if (d == NULL)
		g_error("no peer fixtures in %s", path);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, suffix))
			g_ptr_array_add(names, g_strdup(name));
	/* in name order, not the file system's: the same run order everywhere */
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *test =
		    g_strdup_printf("%s/%s", prefix, (char *)g_ptr_array_index(names, i));

		/* the test owns its file name and frees it when the run ends */
		g_test_add_data_func_full(test, g_ptr_array_index(names, i), fn, g_free);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(erp_cases); i++) {
		g_autofree char *name =
		    g_strdup_printf("/reply/email_reply_parser/%s", erp_cases[i].file);

		g_test_add_data_func(name, &erp_cases[i], test_erp_case);
	}
	add_dir_tests("/reply/talon/standard", "talon/standard_replies", ".eml",
	              test_talon_standard);
	add_dir_tests("/reply/talon/ack", "talon/standard_replies", ".eml", test_talon_ack);
	return g_test_run();
}
