/*
 * The corpus as one specification: every row of tests/corpus/expected.tsv is read through
 * mime.c and then the pure modules: alert rows through alert_parse (source, state,
 * fingerprint, title, and the fingerprint of the mail an outcome says it shares), reply rows
 * through reply_new_text and command_parse (the commands column, exactly), bad rows for what
 * they promise. What only intake can decide (ignoring auto-replies and bounces, rejecting
 * senders, list subscriptions) is checked as far as the parsed mail shows it, and the rest
 * is named in the test log. Reply rows with an HTML alternative are read a second time from
 * the HTML alone: html.c and reply.c must find the same commands there.
 */
#include <string.h>

#include "alert.h"
#include "command.h"
#include "mime.h"
#include "reply.h"

/* The mail behind INC-1 in the corpus story (corpus/README.md). */
#define INC1_ALERT "alerts/alertmanager-firing.eml"

struct row {
	char *file, *kind, *source, *state, *identity, *commands, *outcome;
};

static void
row_free(gpointer p)
{
	struct row *r = p;

	g_free(r->file);
	g_free(r->kind);
	g_free(r->source);
	g_free(r->state);
	g_free(r->identity);
	g_free(r->commands);
	g_free(r->outcome);
	g_free(r);
}

static const char *
corpus_dir(void)
{
	const char *dir = g_getenv("SEVMAIL_CORPUS");

	return dir != NULL ? dir : "tests/corpus";
}

static char *
read_raw(const char *relative, gsize *len)
{
	g_autofree char *path = g_build_filename(corpus_dir(), relative, NULL);
	g_autoptr(GError) err = NULL;
	char *raw = NULL;

	if (!g_file_get_contents(path, &raw, len, &err))
		g_error("%s", err->message);
	return raw;
}

static struct mail *
parse_file(const char *relative)
{
	gsize len;
	g_autofree char *raw = read_raw(relative, &len);

	return mime_parse(raw, len, NULL);
}

/* The rows of expected.tsv, by the names of its header line. */
static GPtrArray *
read_rows(void)
{
	gsize len;
	g_autofree char *text = read_raw("expected.tsv", &len);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);

	g_assert_true(
	    g_str_has_prefix(lines[0], "file\tkind\tsource\tstate\tidentity\tcommands\toutcome"));
	for (char **l = lines + 1; *l != NULL; l++) {
		g_auto(GStrv) f = g_strsplit(*l, "\t", -1);
		struct row *r;

		if (**l == '\0')
			continue;
		g_assert_cmpuint(g_strv_length(f), ==, 7);
		r = g_new0(struct row, 1);
		r->file = g_strdup(f[0]);
		r->kind = g_strdup(f[1]);
		r->source = g_strdup(f[2]);
		r->state = g_strdup(f[3]);
		r->identity = g_strdup(f[4]);
		r->commands = g_strdup(f[5]);
		r->outcome = g_strdup(f[6]);
		g_ptr_array_add(rows, r);
	}
	return rows;
}

/* The quoted text after prefix in an outcome ('new-incident: INC-1 "Title"; ...'), or NULL. */
static char *
outcome_quote(const char *outcome, const char *prefix)
{
	const char *open, *close;

	if (!g_str_has_prefix(outcome, prefix) || (open = strchr(outcome, '"')) == NULL ||
	    (close = strchr(open + 1, '"')) == NULL)
		return NULL;
	return g_strndup(open + 1, (gsize)(close - open - 1));
}

/* --- alerts ---------------------------------------------------------------------------- */

/* The invariants every alert keeps, whatever the input. */
static void
assert_well_formed(const struct alert *a)
{
	g_assert_nonnull(a->source);
	g_assert_true(g_str_has_prefix(a->fingerprint, a->source));
	g_assert_nonnull(a->details);
	g_assert_true(g_utf8_validate(a->title, -1, NULL));
	g_assert_cmpint(g_utf8_strlen(a->title, -1), <=, 200);
	g_assert_cmpuint(strlen(a->title), >, 0);
	for (const char *p = a->title; *p != '\0'; p = g_utf8_next_char(p))
		g_assert_false(g_unichar_iscntrl(g_utf8_get_char(p)));
	g_assert_null(strchr(a->fingerprint, '\n'));
}

/*
 * The fingerprint an identity column ("k=v;k=v") stands for. Alertmanager and Grafana build
 * theirs from the group label values alone, as their subjects print them, so that a mail
 * whose body is lost still dedupes (alert_prom.c); the others keep the pairs.
 */
static char *
expected_fingerprint(const char *source, const char *identity)
{
	g_auto(GStrv) pairs = NULL;
	g_autofree char *joined = NULL;
	GString *values;

	if (strcmp(source, "alertmanager") != 0 && strcmp(source, "grafana") != 0)
		return g_strdup_printf("%s:%s", source, identity);
	pairs = g_strsplit(identity, ";", -1);
	values = g_string_new(NULL);
	for (char **p = pairs; *p != NULL; p++) {
		const char *eq = strchr(*p, '=');

		g_string_append_printf(values, "%s%s", values->len > 0 ? " " : "",
		                       eq != NULL ? eq + 1 : *p);
	}
	joined = g_string_free(values, FALSE);
	return g_strdup_printf("%s:group=%s", source, joined);
}

/* The corpus file whose fingerprint the outcome says this one shares, or NULL. */
static char *
related_file(const struct row *r)
{
	const char *same = strstr(r->outcome, "same identity as ");
	g_autofree char *dir = g_path_get_dirname(r->file);

	if (same != NULL) {
		const char *name = same + strlen("same identity as ");
		g_autofree char *file = g_strndup(name, strcspn(name, " ;,)"));

		return g_build_filename(dir, file, NULL);
	}
	if (strstr(r->outcome, "INC-1") != NULL)
		return g_strdup(INC1_ALERT);
	return NULL;
}

static void
check_alert(const struct row *r, const struct mail *m)
{
	g_autoptr(alert) a = alert_parse(m, FALSE);
	g_autofree char *title = outcome_quote(r->outcome, "new-incident");
	g_autofree char *related = related_file(r);

	g_assert_nonnull(a);
	assert_well_formed(a);
	g_assert_cmpstr(a->source, ==, r->source);
	g_assert_cmpstr(alert_state_name(a->state), ==, r->state);
	if (*r->identity != '\0') {
		g_autofree char *fp = expected_fingerprint(r->source, r->identity);

		g_assert_cmpstr(a->fingerprint, ==, fp);
	}
	if (title != NULL)
		g_assert_cmpstr(a->title, ==, title);
	if (related != NULL) {
		g_autoptr(mail) other = parse_file(related);
		g_autoptr(alert) b = alert_parse(other, FALSE);

		g_assert_nonnull(b);
		g_assert_cmpstr(a->fingerprint, ==, b->fingerprint);
	}
}

/* --- replies --------------------------------------------------------------------------- */

/* A command as expected.tsv writes it: "ACK", "SEV1", "IC me", "IMPACT: text",
 * "DECLARE SEV2 title", "POSTMORTEM MEETING ...". Unknown words are the outcome's. */
static void
format_command(GString *s, const struct command *c)
{
	if (c->kind == CMD_UNKNOWN)
		return;
	if (s->len > 0)
		g_string_append(s, " | ");
	g_string_append(s, c->keyword);
	if (c->kind == CMD_SEV)
		g_string_append(s, c->argument);
	else if (c->kind == CMD_DECLARE && *c->argument != '\0')
		g_string_append_printf(s, " SEV%c %s", c->argument[0], c->argument + 2);
	else if ((c->kind == CMD_IC || c->kind == CMD_POSTMORTEM) && *c->argument != '\0')
		g_string_append_printf(s, " %s", c->argument);
	else if (*c->argument != '\0')
		g_string_append_printf(s, ": %s", c->argument);
}

static void
format_commands(GString *s, const struct command_list *l)
{
	for (guint i = 0; i < l->commands->len; i++)
		format_command(s, g_ptr_array_index(l->commands, i));
}

static guint
count_unknown(const struct command_list *l, const char **word)
{
	guint n = 0;

	for (guint i = 0; i < l->commands->len; i++) {
		const struct command *c = g_ptr_array_index(l->commands, i);

		if (c->kind == CMD_UNKNOWN) {
			*word = c->argument;
			n++;
		}
	}
	return n;
}

/* The commands of a mail as intake reads them: a new mail (no Re:/In-Reply-To) may carry
 * DECLARE in its subject; then the new text of the body. */
static char *
mail_commands(const struct mail *m, const struct row *r, GPtrArray *keep)
{
	g_autoptr(GString) got = g_string_new(NULL);
	g_autofree char *text = reply_new_text(m->text);
	command_list *body = command_parse(text);

	if (m->in_reply_to == NULL && m->references->len == 0) {
		g_autoptr(command_list) subject = command_parse(m->subject);

		for (guint i = 0; i < subject->commands->len; i++) {
			const struct command *c = g_ptr_array_index(subject->commands, i);

			if (c->kind == CMD_DECLARE)
				format_command(got, c);
		}
	}
	format_commands(got, body);
	g_ptr_array_add(keep, body);
	return g_strdup(got->str);
}

/* What the parsed mail shows of an outcome intake decides: auto-replies and bounces carry
 * their markers; their text is never read. */
static gboolean
check_ignored(const struct row *r, const struct mail *m)
{
	if (g_str_has_prefix(r->outcome, "ignore: auto-reply")) {
		g_assert_nonnull(m->auto_submitted);
		g_assert_cmpstr(m->auto_submitted, !=, "no");
	} else if (g_str_has_prefix(r->outcome, "ignore: bounce")) {
		g_assert_cmpstr(m->return_path, ==, "");
		g_assert_true(m->is_report);
	} else {
		return FALSE;
	}
	g_assert_cmpstr(r->commands, ==, "");
	g_test_message("%s: intake ignores it before reading commands", r->file);
	return TRUE;
}

static void
check_reply(const struct row *r, const struct mail *m)
{
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)command_list_free);
	g_autofree char *got = NULL;
	g_autofree char *word = outcome_quote(r->outcome, "error-reply");
	g_autofree char *note = outcome_quote(r->outcome, "note");
	const char *unknown = NULL;
	const struct command_list *body;

	if (check_ignored(r, m))
		return;
	g_assert_null(alert_parse(m, FALSE));
	got = mail_commands(m, r, lists);
	body = g_ptr_array_index(lists, 0);
	g_assert_cmpstr(got, ==, r->commands);
	g_assert_cmpuint(count_unknown(body, &unknown), ==, word != NULL ? 1 : 0);
	if (word != NULL)
		g_assert_cmpstr(unknown, ==, word);
	if (note != NULL) {
		g_assert_cmpuint(body->notes->len, ==, 1);
		g_assert_cmpstr(g_ptr_array_index(body->notes, 0), ==, note);
	}
	if (g_str_has_prefix(r->outcome, "reject"))
		g_test_message("%s: intake rejects the sender, the text is as above", r->file);
}

/* The same reply read from its HTML alternative only: the text/plain part is renamed so
 * that mime.c falls back to the HTML, which html.c renders with its quotes marked. */
static void
test_html_alternative(gconstpointer data)
{
	const struct row *r = data;
	gsize len;
	g_autofree char *raw = read_raw(r->file, &len);
	g_autoptr(GRegex) plain = g_regex_new("text/plain", G_REGEX_CASELESS, 0, NULL);
	g_autofree char *html_only =
	    g_regex_replace_literal(plain, raw, (gssize)len, 0, "text/x-plain", 0, NULL);
	g_autoptr(mail) m = mime_parse(html_only, strlen(html_only), NULL);
	g_autoptr(GPtrArray) lists =
	    g_ptr_array_new_with_free_func((GDestroyNotify)command_list_free);
	g_autofree char *got = NULL;

	g_assert_nonnull(m);
	g_assert_true(m->text_from_html);
	got = mail_commands(m, r, lists);
	g_assert_cmpstr(got, ==, r->commands);
}

/* --- bad mail, lists ------------------------------------------------------------------- */

static void
check_bad(const struct row *r, const struct mail *m)
{
	g_autoptr(alert) a = NULL;

	if (m == NULL) {
		/* only an empty file may be refused */
		g_assert_true(g_str_has_prefix(r->outcome, "no crash; refused as empty"));
		return;
	}
	g_assert_true(g_utf8_validate(m->text, -1, NULL));
	g_assert_true(g_utf8_validate(m->subject != NULL ? m->subject : "", -1, NULL));
	if (strstr(r->outcome, "no usable text") != NULL ||
	    strstr(r->outcome, "no readable text") != NULL ||
	    strstr(r->outcome, "empty body") != NULL)
		g_assert_cmpstr(m->text, ==, "");
	if (*r->source != '\0') {
		check_alert(r, m);
		return;
	}
	if (*r->commands != '\0') {
		check_reply(r, m);
		return;
	}
	/* no expectation on recognition: whatever is recognised is well-formed */
	a = alert_parse(m, TRUE);
	if (a != NULL) {
		assert_well_formed(a);
		g_test_message("%s is read as a %s alert (%s)", r->file, a->source, a->title);
	}
}

static void
check_list(const struct row *r, const struct mail *m)
{
	g_assert_null(alert_parse(m, FALSE));
	g_test_skip("subscribe/confirm/unsubscribe are intake's list handling, not a pure "
	            "module's; checked: the mail is no alert");
}

static void
test_row(gconstpointer data)
{
	const struct row *r = data;
	g_autoptr(mail) m = parse_file(r->file);

	if (strcmp(r->kind, "bad") == 0) {
		check_bad(r, m);
		return;
	}
	g_assert_nonnull(m);
	if (strcmp(r->kind, "alert") == 0)
		check_alert(r, m);
	else if (strcmp(r->kind, "reply") == 0)
		check_reply(r, m);
	else if (strcmp(r->kind, "list") == 0)
		check_list(r, m);
	else
		g_error("unknown kind %s in expected.tsv", r->kind);
}

/* Reply rows whose commands are read (not ignored) and that have an HTML alternative. */
static gboolean
has_html_alternative(const struct row *r)
{
	gsize len;
	g_autofree char *raw = NULL;

	if (strcmp(r->kind, "reply") != 0 || g_str_has_prefix(r->outcome, "ignore"))
		return FALSE;
	raw = read_raw(r->file, &len);
	return g_strstr_len(raw, (gssize)len, "text/html") != NULL &&
	       g_strstr_len(raw, (gssize)len, "text/plain") != NULL;
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) rows = NULL;

	g_test_init(&argc, &argv, NULL);
	rows = read_rows();
	for (guint i = 0; i < rows->len; i++) {
		const struct row *r = g_ptr_array_index(rows, i);
		g_autofree char *name = g_strdup_printf("/corpus/%s", r->file);

		g_test_add_data_func(name, r, test_row);
		if (has_html_alternative(r)) {
			g_autofree char *html = g_strdup_printf("/corpus/html-only/%s", r->file);

			g_test_add_data_func(html, r, test_html_alternative);
		}
	}
	return g_test_run();
}
