/* The store's one error rule: a step that fails inside a transaction makes the commit
 * refuse, so nothing of a half-done message is kept. With SEVMAIL_TEST_CONNINFO set, the
 * tests run against that (empty) PostgreSQL database instead of a SQLite file: run one
 * test per database (-p), as tests/system/test_store_pg.py does. */
#include "store.h"

#include "schedule.h"

#include <glib/gstdio.h>
#include <string.h>

static struct store *
open_temp(char **dir)
{
	g_autofree char *path = NULL;
	g_autoptr(GError) e = NULL;
	struct store *s;
	const char *conninfo = g_getenv("SEVMAIL_TEST_CONNINFO");

	if (conninfo != NULL) {
		struct store_params p = {STORE_POSTGRESQL, NULL, conninfo, NULL, 1};

		*dir = NULL;
		s = store_open_params(&p, &e);
		g_assert_no_error(e);
		return s;
	}
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

	if (dir == NULL)
		return;
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

static gint64
add_override(struct store *s, const char *person, gint64 from, gint64 until)
{
	struct schedule_override o = {0, (char *)"primary", (char *)person, from, until};
	g_autoptr(GError) e = NULL;

	g_assert_cmpint(store_override_add(s, &o, "alice@example.com", 1000, &e), ==, 0);
	g_assert_no_error(e);
	return o.id;
}

/* Overrides come back by id, those that end by a time left out, removed ones too; a
 * removed id is never given again, so a later override always has the higher id. */
static void
test_overrides(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) all = NULL, later = NULL, left = NULL;
	gint64 one = add_override(s, "bob@example.com", 2000, 3000);
	gint64 two = add_override(s, "carol@example.com", 1500, 5000);
	const struct schedule_override *o;

	g_assert_cmpint(two, >, one);
	all = store_overrides(s, G_MININT64, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(all->len, ==, 2);
	o = all->pdata[0];
	g_assert_cmpint(o->id, ==, one);
	g_assert_cmpstr(o->schedule, ==, "primary");
	g_assert_cmpstr(o->person, ==, "bob@example.com");
	g_assert_cmpint(o->from, ==, 2000);
	g_assert_cmpint(o->until, ==, 3000);
	/* one ends at 3000: not after it */
	later = store_overrides(s, 3000, &e);
	g_assert_cmpuint(later->len, ==, 1);
	g_assert_cmpint(((struct schedule_override *)later->pdata[0])->id, ==, two);
	g_assert_cmpint(store_override_remove(s, two, 1100, &e), ==, 0);
	g_assert_no_error(e);
	left = store_overrides(s, G_MININT64, &e);
	g_assert_cmpuint(left->len, ==, 1);
	g_assert_cmpint(store_override_remove(s, two, 1200, &e), ==, -1);
	g_assert_nonnull(strstr(e->message, "removed already"));
	g_clear_error(&e);
	g_assert_cmpint(store_override_remove(s, 99, 1200, &e), ==, -1);
	g_assert_nonnull(strstr(e->message, "there is no override 99"));
	g_clear_error(&e);
	g_assert_cmpint(add_override(s, "dave@example.com", 1, 2), >, two);
	store_close(s);
	remove_temp(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/a-failed-step-makes-the-commit-refuse",
	                test_a_failed_step_makes_the_commit_refuse);
	g_test_add_func("/store/overrides", test_overrides);
	return g_test_run();
}
