/*
 * tests/corpus/phone-lines.tsv: replies as people write them on phones, one per row, each
 * read as intake reads a reply (reply_new_text, then command_parse) and compared with the
 * commands, the notes kept with them and the other lines' notes that the row expects. The
 * format is in tests/corpus/README.md.
 */
#include <string.h>

#include "command.h"
#include "reply.h"

struct line {
	char *text; /* unescaped: a whole reply body */
	char *commands, *notes;
	guint number; /* in the file, for the test's name */
};

static void
line_free(gpointer p)
{
	struct line *l = p;

	g_free(l->text);
	g_free(l->commands);
	g_free(l->notes);
	g_free(l);
}

static gboolean
is_text_kind(enum command_kind k)
{
	return k == CMD_TITLE || k == CMD_IMPACT || k == CMD_NEXT || k == CMD_NOTE ||
	       k == CMD_UPDATE || k == CMD_ROOT_CAUSE || k == CMD_ACTION;
}

/* "ACK", "SEV2", "IMPACT: text", "PAGE bob", "SNOOZE 1800", "DECLARE SEV2 title", then
 * " [note]"; an unknown line "? what was written -> SUGGESTION". */
static void
format_command(GString *s, const struct command *c)
{
	if (c->kind == CMD_UNKNOWN)
		g_string_append_printf(s, "? %s", c->argument);
	else if (c->kind == CMD_SEV)
		g_string_append_printf(s, "SEV%s", c->argument);
	else if (c->kind == CMD_DECLARE && *c->argument != '\0')
		g_string_append_printf(s, "DECLARE SEV%c %s", c->argument[0], c->argument + 2);
	else if (*c->argument != '\0')
		g_string_append_printf(s, "%s%s%s", c->keyword, is_text_kind(c->kind) ? ": " : " ",
		                       c->argument);
	else
		g_string_append(s, c->keyword);
	if (c->suggestion != NULL)
		g_string_append_printf(s, " -> %s", c->suggestion);
	if (c->note != NULL)
		g_string_append_printf(s, " [%s]", c->note);
}

static char *
format_list(const struct command_list *l, gboolean notes)
{
	GString *s = g_string_new(NULL);
	GPtrArray *items = notes ? l->notes : l->commands;

	for (guint i = 0; i < items->len; i++) {
		if (i > 0)
			g_string_append(s, " | ");
		if (notes)
			g_string_append(s, g_ptr_array_index(items, i));
		else
			format_command(s, g_ptr_array_index(items, i));
	}
	return g_string_free(s, FALSE);
}

static void
test_line(gconstpointer data)
{
	const struct line *row = data;
	g_autofree char *new_text = reply_new_text(row->text);
	g_autoptr(command_list) l = command_parse(new_text);
	g_autofree char *commands = format_list(l, FALSE);
	g_autofree char *notes = format_list(l, TRUE);

	g_test_message("line %u, new text: %s", row->number, new_text);
	g_assert_cmpstr(commands, ==, row->commands);
	g_assert_cmpstr(notes, ==, row->notes);
}

static char *
read_lines_file(void)
{
	const char *dir = g_getenv("SEVMAIL_CORPUS");
	g_autofree char *path =
	    g_build_filename(dir != NULL ? dir : "tests/corpus", "phone-lines.tsv", NULL);
	g_autoptr(GError) err = NULL;
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err))
		g_error("%s", err->message);
	return text;
}

/* The rows: a header, then "line<TAB>commands<TAB>notes"; '#' lines are comments. */
static GPtrArray *
read_lines(void)
{
	g_autofree char *text = read_lines_file();
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GPtrArray *rows = g_ptr_array_new_with_free_func(line_free);

	g_assert_cmpstr(lines[0], ==, "line\tcommands\tnotes");
	for (guint i = 1; lines[i] != NULL; i++) {
		g_auto(GStrv) f = NULL;
		struct line *row;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		f = g_strsplit(lines[i], "\t", -1);
		if (g_strv_length(f) != 3)
			g_error("phone-lines.tsv:%u: want 3 fields, got %u", i + 1,
			        g_strv_length(f));
		row = g_new0(struct line, 1);
		row->text = g_strcompress(f[0]);
		row->commands = g_strdup(f[1]);
		row->notes = g_strdup(f[2]);
		row->number = i + 1;
		g_ptr_array_add(rows, row);
	}
	return rows;
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) rows = NULL;

	g_test_init(&argc, &argv, NULL);
	rows = read_lines();
	/* the corpus promises at least 60 lines; fewer means the file was cut */
	g_assert_cmpuint(rows->len, >=, 60);
	for (guint i = 0; i < rows->len; i++) {
		const struct line *row = g_ptr_array_index(rows, i);
		g_autofree char *name = g_strdup_printf("/phone-lines/%u", row->number);

		g_test_add_data_func(name, row, test_line);
	}
	return g_test_run();
}
