/* The store's one error rule: a step that fails inside a transaction makes the commit
 * refuse, so nothing of a half-done message is kept. */
#include "store.h"

#include <glib/gstdio.h>

static struct store *
open_temp(char **dir)
{
	g_autofree char *path = NULL;
	g_autoptr(GError) e = NULL;
	struct store *s;

	*dir = g_dir_make_tmp("sevmail-store-XXXXXX", NULL);
	path = g_build_filename(*dir, "db", NULL);
	s = store_open(path, 1, &e);
	g_assert_no_error(e);
	return s;
}

static void
remove_temp(char *dir)
{
	const char *names[] = {"db", "db-wal", "db-shm"};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *p = g_build_filename(dir, names[i], NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
	g_free(dir);
}

static int
queue(struct store *s, const char *message_id, GError **err)
{
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();

	g_ptr_array_add(rcpts, "alice@example.com");
	return store_outbox_add(s, OUTBOX_PAGE, 0, message_id, "incidents@example.com", rcpts, "x",
	                        1, 1800000000, err);
}

static void
test_a_failed_step_makes_the_commit_refuse(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) step = NULL, commit = NULL, e = NULL;
	g_autoptr(GPtrArray) rows = NULL;

	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "one@example.com", &e), ==, 0);
	/* the same Message-ID again: the step fails, and the caller "forgets" to look */
	g_assert_cmpint(queue(s, "one@example.com", &step), ==, -1);
	g_assert_nonnull(step);
	g_assert_cmpint(store_commit(s, &commit), ==, -1);
	g_assert_nonnull(commit);
	g_assert_true(
	    g_str_has_suffix(commit->message, "nothing of this transaction was committed"));
	rows = store_outbox_list(s, TRUE, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(rows->len, ==, 0);
	/* the next transaction starts clean */
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "two@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	g_clear_pointer(&rows, g_ptr_array_unref);
	rows = store_outbox_list(s, TRUE, &e);
	g_assert_cmpuint(rows->len, ==, 1);
	store_close(s);
	remove_temp(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/a-failed-step-makes-the-commit-refuse",
	                test_a_failed_step_makes_the_commit_refuse);
	return g_test_run();
}
