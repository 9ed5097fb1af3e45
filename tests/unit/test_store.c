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

static int
queue_to(struct store *s, enum outbox_kind kind, const char *message_id, const char *to, gint64 at)
{
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	g_autoptr(GError) e = NULL;
	int rc;

	g_ptr_array_add(rcpts, (gpointer)to);
	g_ptr_array_add(rcpts, "alice@example.com");
	rc = store_outbox_add(s, kind, 0, message_id, "incidents@example.com", rcpts, "x", 1, at,
	                      &e);
	g_assert_no_error(e);
	return rc;
}

/* "state: error" of one recipient of outbox message id. Caller frees. */
static char *
rcpt(struct store *s, gint64 id, const char *address)
{
	struct outbox_row *row = NULL;
	g_autoptr(GError) e = NULL;
	char *out = NULL;

	g_assert_cmpint(store_outbox_get(s, id, &row, &e), ==, 1);
	for (guint i = 0; i < row->rcpts->len; i++) {
		const struct outbox_rcpt_row *r = row->rcpts->pdata[i];

		if (g_strcmp0(r->address, address) == 0)
			out = g_strdup_printf("%s: %s", r->state, r->error ? r->error : "-");
	}
	outbox_row_free(row);
	g_assert_nonnull(out);
	return out;
}

/* A recipient bounces once: a replayed report changes nothing, a delivery recorded after
 * it does not undo it, the row is listed; bounces count within their window and only for
 * mail sent since the subscription began. */
static void
test_bounces_are_recorded_once(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	struct outbox_row *missing = NULL;
	const gint64 t = 1800000000;
	char *r;

	g_assert_cmpint(queue_to(s, OUTBOX_STATUS, "s1@example.com", "dave@example.net", t), ==, 0);
	g_assert_cmpint(queue_to(s, OUTBOX_STATUS, "s2@example.com", "dave@example.net", t + 10),
	                ==, 0);
	g_assert_cmpint(store_outbox_rcpt(s, 1, "dave@example.net", "sent", NULL, &e), ==, 0);
	g_assert_cmpint(store_outbox_delayed(s, 1, "dave@example.net", "delayed: 4.4.1", &e), ==,
	                0);
	g_assert_cmpstr((r = rcpt(s, 1, "dave@example.net")), ==, "sent: delayed: 4.4.1");
	g_free(r);
	g_assert_cmpint(store_outbox_bounced(s, 1, "dave@example.net", "5.1.1 gone", t + 60, &e),
	                ==, 1);
	g_assert_cmpint(store_outbox_bounced(s, 1, "dave@example.net", "5.1.1 again", t + 70, &e),
	                ==, 0);
	g_assert_cmpint(store_outbox_bounced(s, 1, "nobody@example.net", "5.1.1", t + 70, &e), ==,
	                0);
	g_assert_cmpint(store_outbox_rcpt(s, 1, "dave@example.net", "sent", NULL, &e), ==, 0);
	g_assert_cmpstr((r = rcpt(s, 1, "dave@example.net")), ==, "bounced: 5.1.1 gone");
	g_free(r);
	g_assert_cmpstr((r = rcpt(s, 1, "alice@example.com")), ==, "queued: -");
	g_free(r);
	g_assert_cmpint(store_outbox_get(s, 99, &missing, &e), ==, 0);
	g_assert_null(missing);
	/* listed without --all although nothing is queued or failed any more */
	g_assert_cmpint(store_outbox_rcpt(s, 1, "alice@example.com", "sent", NULL, &e), ==, 0);
	g_assert_cmpint(store_outbox_attempt(s, 1, t + 100, NULL, &e), ==, 0);
	rows = store_outbox_list(s, FALSE, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(rows->len, ==, 2);
	g_assert_cmpint(((struct outbox_row *)rows->pdata[0])->id, ==, 1);
	/* counting */
	g_assert_cmpint(store_outbox_bounced(s, 2, "dave@example.net", "5.2.2 full", t + 90, &e),
	                ==, 1);
	g_assert_cmpint(store_bounces_since(s, "dave@example.net", t, 0, &e), ==, 2);
	g_assert_cmpint(store_bounces_since(s, "dave@example.net", t + 61, 0, &e), ==, 1);
	g_assert_cmpint(store_bounces_since(s, "dave@example.net", t, t + 5, &e), ==, 1);
	g_assert_cmpint(store_bounces_since(s, "alice@example.com", t, 0, &e), ==, 0);
	store_close(s);
	remove_temp(dir);
}

/* A suspended member gets no list mail but is still a member; subscribing again lifts the
 * suspension and starts the subscription anew. */
static void
test_suspension_and_resubscribing(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) subscribers = NULL, members = NULL;
	const struct member *m;
	gint64 since = 0;

	g_assert_cmpint(store_subscribe(s, "ops", "dave@example.net", 100, &e), ==, 0);
	g_assert_cmpint(store_subscribe(s, "ops", "erin@example.net", 100, &e), ==, 0);
	g_assert_cmpint(store_subscribe(s, "ops", "dave@example.net", 150, &e), ==, 0);
	g_assert_cmpint(store_subscribed(s, "ops", "dave@example.net", &since, &e), ==,
	                STORE_SUBSCRIBED);
	g_assert_cmpint(since, ==, 100); /* subscribing twice changes nothing */
	g_assert_cmpint(store_suspend(s, "ops", "dave@example.net", 200, "3 bounces", &e), ==, 0);
	g_assert_cmpint(store_subscribed(s, "ops", "dave@example.net", NULL, &e), ==,
	                STORE_SUSPENDED);
	subscribers = store_subscribers(s, "ops", &e);
	g_assert_cmpuint(subscribers->len, ==, 1);
	g_assert_cmpstr(subscribers->pdata[0], ==, "erin@example.net");
	members = store_members(s, "ops", &e);
	g_assert_cmpuint(members->len, ==, 2);
	m = members->pdata[0];
	g_assert_cmpstr(m->address, ==, "dave@example.net");
	g_assert_cmpint(m->suspended_at, ==, 200);
	g_assert_cmpstr(m->suspended_reason, ==, "3 bounces");
	g_assert_cmpint(((struct member *)members->pdata[1])->suspended_at, ==, 0);
	g_assert_cmpint(store_subscribe(s, "ops", "dave@example.net", 300, &e), ==, 0);
	g_assert_cmpint(store_subscribed(s, "ops", "dave@example.net", &since, &e), ==,
	                STORE_SUBSCRIBED);
	g_assert_cmpint(since, ==, 300);
	g_assert_cmpint(store_subscribed(s, "ops", "nobody@example.net", NULL, &e), ==,
	                STORE_NOT_SUBSCRIBED);
	g_assert_no_error(e);
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
	g_test_add_func("/store/bounces-are-recorded-once", test_bounces_are_recorded_once);
	g_test_add_func("/store/suspension-and-resubscribing", test_suspension_and_resubscribing);
	return g_test_run();
}
