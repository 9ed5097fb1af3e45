/* The store's one error rule: a step that fails inside a transaction makes the commit
 * refuse, so nothing of a half-done message is kept. The alerts of incidents: repeats and
 * recoveries, a merge that counts an alert both incidents hold once, replies that follow a
 * merge, who was paged, and what the upgrade to them makes of older incidents. With
 * SEVMAIL_TEST_CONNINFO set, the tests run against that (empty) PostgreSQL database instead
 * of a SQLite file: run one test per database (-p), as tests/system/test_store_pg.py does. */
#include "store.h"

#include "../../mailer/store_int.h"
#include "schedule.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
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

static guint
outbox_rows(struct store *s)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) rows = store_outbox_list(s, TRUE, &e);

	g_assert_no_error(e);
	return rows->len;
}

/* Group commit: inside a batch each message is a savepoint. A message whose step failed
 * rolls back alone and the batch goes on; a failure outside a message fails the batch,
 * which then refuses to commit anything; an aborted batch leaves nothing. */
static void
test_a_failed_message_rolls_back_alone_in_a_batch(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL, step = NULL, msg = NULL, begin = NULL, end = NULL;

	g_assert_cmpint(store_batch_begin(s, &e), ==, 0);
	g_assert_true(store_batch_open(s));
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "one@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	/* the second message fails (the same Message-ID), unnoticed by its caller */
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "two@example.com", &e), ==, 0);
	g_assert_cmpint(queue(s, "one@example.com", &step), ==, -1);
	g_assert_cmpint(store_commit(s, &msg), ==, -1);
	g_assert_true(g_str_has_suffix(msg->message, "nothing of this message was committed"));
	/* its failure was its own: the third goes on in the same transaction */
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "three@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	/* one that its caller rolls back */
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "four@example.com", &e), ==, 0);
	store_rollback(s);
	g_assert_cmpint(store_batch_end(s, &e), ==, 0);
	g_assert_no_error(e);
	g_assert_false(store_batch_open(s));
	g_assert_cmpuint(outbox_rows(s), ==, 2);

	/* a failure outside any message fails the whole batch */
	g_clear_error(&step);
	g_assert_cmpint(store_batch_begin(s, &e), ==, 0);
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "five@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "one@example.com", &step), ==, -1);
	g_assert_cmpint(store_begin(s, &begin), ==, -1);
	g_assert_nonnull(begin);
	g_assert_cmpint(store_batch_end(s, &end), ==, -1);
	g_assert_true(g_str_has_suffix(end->message, "nothing of this transaction was committed"));
	g_assert_cmpuint(outbox_rows(s), ==, 2);

	/* an aborted batch leaves nothing, and the next transaction starts clean */
	g_assert_cmpint(store_batch_begin(s, &e), ==, 0);
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "six@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	store_batch_abort(s);
	g_assert_cmpuint(outbox_rows(s), ==, 2);
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(queue(s, "seven@example.com", &e), ==, 0);
	g_assert_cmpint(store_commit(s, &e), ==, 0);
	g_assert_cmpuint(outbox_rows(s), ==, 3);
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

static gint64
add_incident(struct store *s, const char *title, gint64 at)
{
	g_autoptr(incident) inc = incident_new(title, "nagios", at);
	g_autoptr(GError) e = NULL;

	g_assert_cmpint(store_incident_insert(s, inc, &e), ==, 0);
	return inc->id;
}

static void
add_alert(struct store *s, gint64 id, const char *fingerprint, gint64 at)
{
	g_autoptr(incident_alert) a = incident_alert_new(fingerprint, "nagios", fingerprint, at);
	g_autoptr(GError) e = NULL;

	g_assert_cmpint(store_incident_alert_add(s, id, a, &e), ==, 0);
}

static const struct incident_alert *
alert_of(GPtrArray *alerts, const char *fingerprint)
{
	for (guint i = 0; i < alerts->len; i++)
		if (strcmp(((struct incident_alert *)alerts->pdata[i])->fingerprint, fingerprint) ==
		    0)
			return alerts->pdata[i];
	g_assert_not_reached();
}

static void
test_alerts_of_incidents_and_merges(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) alerts = NULL, paged = NULL;
	gint64 one = add_incident(s, "web-1 HTTP", 1000), two = add_incident(s, "web-1 SSH", 1100);

	add_alert(s, one, "web-1/HTTP", 1000);
	add_alert(s, one, "web-1/DISK", 1010);
	add_alert(s, two, "web-1/SSH", 1100);
	add_alert(s, two, "web-1/DISK", 1120); /* both hold it */
	g_assert_cmpint(store_incident_alert_seen(s, one, "web-1/HTTP", FALSE, 1200, &e), ==, 0);
	g_assert_cmpint(store_incident_alert_seen(s, one, "web-1/DISK", TRUE, 1210, &e), ==, 0);
	g_assert_cmpint(store_incident_open_by_fingerprint(s, "web-1/SSH", &e), ==, two);
	g_assert_cmpint(store_incident_open_by_fingerprint(s, "nowhere", &e), ==, 0);
	alerts = store_incident_alerts(s, one, &e);
	g_assert_cmpuint(alerts->len, ==, 2);
	g_assert_cmpint(alert_of(alerts, "web-1/HTTP")->count, ==, 2);
	g_assert_cmpint(alert_of(alerts, "web-1/HTTP")->last_at, ==, 1200);
	g_assert_true(alert_of(alerts, "web-1/DISK")->resolved);
	g_assert_cmpuint(incident_alerts_firing(alerts), ==, 1);
	/* INC-2 merged into INC-1: its alerts come along, the one both hold is counted once;
	 * its people and the lists told of it are INC-1's too */
	g_assert_cmpint(store_participant_paged(s, two, "dave@example.com", &e), ==, 0);
	g_assert_cmpint(store_incident_list_told(s, two, "stakeholders", &e), ==, 0);
	g_assert_cmpint(store_incident_alerts_copy(s, two, one, &e), ==, 0);
	g_assert_cmpint(store_incident_people_copy(s, two, one, &e), ==, 0);
	g_assert_cmpint(store_incident_list_was_told(s, one, "stakeholders", &e), ==, 1);
	g_clear_pointer(&paged, g_ptr_array_unref);
	paged = store_participants(s, one, &e);
	g_assert_cmpuint(paged->len, ==, 1);
	g_assert_cmpstr(paged->pdata[0], ==, "dave@example.com");
	g_clear_pointer(&paged, g_ptr_array_unref);
	paged = store_participants_paged(s, one, &e);
	g_assert_cmpuint(paged->len, ==, 0); /* dave takes part, but was not paged for INC-1 */
	g_clear_pointer(&alerts, g_ptr_array_unref);
	alerts = store_incident_alerts(s, one, &e);
	g_assert_cmpuint(alerts->len, ==, 3);
	g_assert_cmpint(alert_of(alerts, "web-1/DISK")->count, ==, 2);
	g_assert_cmpint(alert_of(alerts, "web-1/DISK")->first_at, ==, 1010);
	g_assert_cmpint(alert_of(alerts, "web-1/DISK")->last_at, ==, 1210);
	g_assert_true(alert_of(alerts, "web-1/DISK")->resolved); /* the later news */
	/* replies to INC-2 act on INC-1 */
	g_assert_cmpint(store_incident_follow(s, two, &e), ==, two);
	{
		g_autoptr(incident) inc = NULL;

		g_assert_cmpint(store_incident_get(s, two, &inc, &e), ==, 1);
		inc->merged_into = one;
		inc->status = STATUS_CLOSED;
		g_assert_cmpint(store_incident_update(s, inc, &e), ==, 0);
	}
	g_assert_cmpint(store_incident_follow(s, two, &e), ==, one);
	g_assert_cmpint(store_incident_follow(s, one, &e), ==, one);
	g_assert_cmpint(store_incident_open_by_fingerprint(s, "web-1/SSH", &e), ==, one);
	/* who was paged, not who only acted */
	g_assert_cmpint(store_participant_add(s, one, "carol@example.com", &e), ==, 0);
	g_assert_cmpint(store_participant_paged(s, one, "alice@example.com", &e), ==, 0);
	g_assert_cmpint(store_participant_add(s, one, "bob@example.com", &e), ==, 0);
	g_assert_cmpint(store_participant_paged(s, one, "bob@example.com", &e), ==, 0);
	g_clear_pointer(&paged, g_ptr_array_unref);
	paged = store_participants_paged(s, one, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(paged->len, ==, 2);
	g_assert_cmpstr(paged->pdata[0], ==, "alice@example.com");
	g_assert_cmpstr(paged->pdata[1], ==, "bob@example.com");
	store_close(s);
	remove_temp(dir);
}

/* A database of the version before incident alerts: each incident of an alert gets that
 * alert, with its repeats counted and its recovery kept; those named by a page event were
 * paged. */
static void
test_upgrade_keeps_the_alerts_of_older_incidents(void)
{
	g_autofree char *dir = g_dir_make_tmp("sevmail-store-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "db", NULL);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) alerts = NULL, paged = NULL, manual = NULL;
	const struct incident_alert *a;
	struct store *s;
	sqlite3 *db;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(
	    sqlite3_exec(db,
	                 "CREATE TABLE incidents (id INTEGER PRIMARY KEY, title TEXT, status TEXT,"
	                 " created_at INTEGER, fingerprint TEXT, source TEXT, severity INTEGER,"
	                 " acked_at INTEGER, resolved_at INTEGER, team TEXT);"
	                 "CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT,"
	                 " incident_id INTEGER, created_at INTEGER);"
	                 "CREATE TABLE events (id INTEGER PRIMARY KEY, incident_id INTEGER,"
	                 " at INTEGER, actor TEXT, kind TEXT, detail TEXT);"
	                 "CREATE TABLE participants (incident_id INTEGER, address TEXT,"
	                 " PRIMARY KEY (incident_id, address));"
	                 "CREATE TABLE messages (id INTEGER PRIMARY KEY, received_at INTEGER,"
	                 " raw BLOB);"
	                 "INSERT INTO incidents (id, title, status, created_at, fingerprint,"
	                 " source) VALUES (1, 'Disk full', 'resolved', 1000,"
	                 " 'generic:disk full', 'generic'), (2, 'By hand', 'triggered', 1100,"
	                 " NULL, 'manual');"
	                 "INSERT INTO events (incident_id, at, actor, kind, detail) VALUES"
	                 " (1, 1000, 'm@example.com', 'declared', 'Declared'),"
	                 " (1, 1000, 'sevmail', 'paged', 'Paged alice@example.com'),"
	                 " (1, 1060, 'm@example.com', 'alert_repeat', 'Alert repeated'),"
	                 " (1, 1120, 'm@example.com', 'alert_repeat', 'Alert repeated'),"
	                 " (1, 1500, 'm@example.com', 'alert_resolved', 'resolved');"
	                 "INSERT INTO participants VALUES (1, 'alice@example.com'),"
	                 " (1, 'bob@example.com');"
	                 "PRAGMA user_version = 6;",
	                 NULL, NULL, NULL),
	    ==, SQLITE_OK);
	sqlite3_close(db);
	s = store_open(path, 1, &e);
	g_assert_no_error(e);
	alerts = store_incident_alerts(s, 1, &e);
	g_assert_cmpuint(alerts->len, ==, 1);
	a = alerts->pdata[0];
	g_assert_cmpstr(a->fingerprint, ==, "generic:disk full");
	g_assert_cmpstr(a->title, ==, "Disk full");
	g_assert_cmpint(a->count, ==, 3);
	g_assert_cmpint(a->first_at, ==, 1000);
	g_assert_cmpint(a->last_at, ==, 1120);
	g_assert_true(a->resolved);
	manual = store_incident_alerts(s, 2, &e);
	g_assert_cmpuint(manual->len, ==, 0);
	paged = store_participants_paged(s, 1, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(paged->len, ==, 1);
	g_assert_cmpstr(paged->pdata[0], ==, "alice@example.com");
	store_close(s);
	remove_temp(g_steal_pointer(&dir));
}

/* The value of "SELECT ?1 + 1" with v bound, through a statement of its own. */
static gint64
plus_one(struct store *s, gint64 v)
{
	struct store_stmt *st = store_prepare(s, "SELECT ?1 + 1", "i", v);
	gint64 got;

	g_assert_nonnull(st);
	g_assert_cmpint(store_step(st), ==, STORE_ROW);
	got = store_col_int64(st, 0);
	g_assert_cmpint(store_step(st), ==, STORE_DONE);
	store_finalize(st);
	return got;
}

/* An insert that fails (a NULL where the table wants text) and reads back as it does when
 * the statement was just compiled; the message is read after the statement is finalized,
 * as some callers do. */
static char *
insert_fails(struct store *s)
{
	struct store_stmt *st = store_prepare(s, "INSERT INTO cache_t (k, v) VALUES (?, ?)", "is",
	                                      (gint64)7, (const char *)NULL);
	g_autoptr(GError) e = NULL;

	g_assert_nonnull(st);
	g_assert_cmpint(store_step(st), ==, STORE_FAILED);
	store_finalize(st);
	store_fail(s, &e, "cannot insert");
	g_assert_nonnull(e);
	return g_strdup(e->message);
}

/* A statement is compiled once and reused, never while it is in use: a query inside the loop
 * of another with the same SQL gets its own; a failed step leaves the next run of the same
 * statement clean, and reads as the failure of a fresh one; a statement finalized before its
 * last row starts again from the first; the cache keeps a bounded number, and closing the
 * store frees those it keeps. */
static void
test_statements_are_compiled_once(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autofree char *first = NULL, *again = NULL;
	struct store_stmt *outer, *inner;
	gint64 compiled, reused;

	/* the same SQL twice: compiled the first time only */
	compiled = s->compiled;
	reused = s->reused;
	g_assert_cmpint(plus_one(s, 1), ==, 2);
	g_assert_cmpint(s->compiled, ==, compiled + 1);
	g_assert_cmpint(plus_one(s, 41), ==, 42);
	g_assert_cmpint(s->compiled, ==, compiled + 1);
	g_assert_cmpint(s->reused, ==, reused + 1);

	/* nested: the inner statement of the same SQL is not the outer one, whose row stays */
	g_assert_cmpint(store_run(s,
	                          store_prepare(s,
	                                        "CREATE TABLE cache_t (k INTEGER PRIMARY KEY,"
	                                        " v TEXT NOT NULL)",
	                                        ""),
	                          &e, "cannot create"),
	                ==, 0);
	for (gint64 k = 1; k <= 3; k++)
		g_assert_cmpint(
		    store_run(s,
		              store_prepare(s, "INSERT INTO cache_t (k, v) VALUES (?, ?)", "is", k,
		                            k == 2 ? "two" : "other"),
		              &e, "cannot insert"),
		    ==, 0);
	g_assert_no_error(e);
	outer =
	    store_prepare(s, "SELECT k, v FROM cache_t WHERE k >= ? ORDER BY k", "i", (gint64)1);
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(outer, 0), ==, 1);
	inner =
	    store_prepare(s, "SELECT k, v FROM cache_t WHERE k >= ? ORDER BY k", "i", (gint64)2);
	g_assert_true(inner != outer);
	g_assert_cmpint(store_step(inner), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(inner, 0), ==, 2);
	g_assert_cmpstr(s->be->col_text(inner, 1), ==, "two");
	g_assert_cmpint(store_col_int64(outer, 0), ==, 1);
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(outer, 0), ==, 2);
	g_assert_cmpint(store_step(inner), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(inner, 0), ==, 3);
	store_finalize(inner);
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(outer, 0), ==, 3);
	g_assert_cmpint(store_step(outer), ==, STORE_DONE);
	store_finalize(outer);
	/* finalized at its first row: the next run begins at the first row again */
	outer =
	    store_prepare(s, "SELECT k, v FROM cache_t WHERE k >= ? ORDER BY k", "i", (gint64)1);
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	store_finalize(outer);
	outer =
	    store_prepare(s, "SELECT k, v FROM cache_t WHERE k >= ? ORDER BY k", "i", (gint64)0);
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	g_assert_cmpint(store_col_int64(outer, 0), ==, 1);
	g_assert_cmpstr(s->be->col_text(outer, 1), ==, "other");
	store_finalize(outer);

	/* a failed step, then again from the cache: the same message; then a good one */
	first = insert_fails(s);
	g_assert_true(strstr(first, "NOT NULL") != NULL || strstr(first, "not-null") != NULL);
	reused = s->reused;
	again = insert_fails(s);
	g_assert_cmpint(s->reused, >, reused);
	g_assert_cmpstr(again, ==, first);
	g_assert_cmpint(store_run(s,
	                          store_prepare(s, "INSERT INTO cache_t (k, v) VALUES (?, ?)", "is",
	                                        (gint64)7, "seven"),
	                          &e, "cannot insert"),
	                ==, 0);
	g_assert_no_error(e);
	/* inside a transaction that fails and is rolled back, then after it */
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	g_assert_cmpint(store_query_int(s,
	                                store_prepare(s, "SELECT count(*) FROM cache_t WHERE k > ?",
	                                              "i", (gint64)1),
	                                &compiled, &e, "cannot count"),
	                ==, 1);
	g_assert_cmpint(compiled, ==, 3);
	g_free(again);
	again = insert_fails(s);
	g_assert_cmpstr(again, ==, first);
	g_assert_cmpint(store_commit(s, &e), ==, -1);
	g_clear_error(&e);
	/* what was first compiled in the transaction rolled back is still there, and right */
	reused = s->reused;
	g_assert_cmpint(store_query_int(s,
	                                store_prepare(s, "SELECT count(*) FROM cache_t WHERE k > ?",
	                                              "i", (gint64)2),
	                                &compiled, &e, "cannot count"),
	                ==, 1);
	g_assert_no_error(e);
	g_assert_cmpint(compiled, ==, 2);
	g_assert_cmpint(s->reused, ==, reused + 1);
	g_assert_cmpint(store_run(s,
	                          store_prepare(s, "INSERT INTO cache_t (k, v) VALUES (?, ?)", "is",
	                                        (gint64)8, "eight"),
	                          &e, "cannot insert"),
	                ==, 0);
	g_assert_no_error(e);
	g_assert_cmpint(
	    store_query_int(
	        s, store_prepare(s, "SELECT count(*) FROM cache_t WHERE v <> ?", "s", "other"),
	        &compiled, &e, "cannot count"),
	    ==, 1);
	g_assert_cmpint(compiled, ==, 3);

	/* more SQL than the cache keeps: the oldest is compiled again, the newest is not */
	for (int i = 0; i <= STORE_CACHE_MAX + 8; i++) {
		g_autofree char *sql = g_strdup_printf("SELECT ?1 + %d", i);
		gint64 v = 0;

		g_assert_cmpint(
		    store_query_int(s, store_prepare(s, sql, "i", (gint64)1), &v, &e, "cannot add"),
		    ==, 1);
		g_assert_cmpint(v, ==, i + 1);
	}
	compiled = s->compiled;
	g_assert_cmpint(plus_one(s, 2), ==, 3);
	if (strcmp(store_backend_name(s), "sqlite") == 0)
		g_assert_cmpint(s->compiled, ==, compiled + 1);

	/* closing with statements kept, several of one SQL among them */
	outer = store_prepare(s, "SELECT k FROM cache_t", "");
	inner = store_prepare(s, "SELECT k FROM cache_t", "");
	g_assert_cmpint(store_step(outer), ==, STORE_ROW);
	g_assert_cmpint(store_step(inner), ==, STORE_ROW);
	store_finalize(inner);
	store_finalize(outer);
	store_close(s);
	remove_temp(dir);
}

/* One incident of each kind the readers of a long history tell apart. */
static gint64
add_ended(struct store *s, const char *title, int severity, enum incident_status status,
          gint64 created, gint64 resolved, gboolean unverified)
{
	g_autoptr(incident) inc = incident_new(title, "nagios", created);
	g_autoptr(GError) e = NULL;

	g_assert_cmpint(store_incident_insert(s, inc, &e), ==, 0);
	inc->severity = severity;
	inc->status = status;
	inc->resolved_at = resolved;
	inc->unverified = unverified;
	g_assert_cmpint(store_incident_update(s, inc, &e), ==, 0);
	return inc->id;
}

static void
add_events(struct store *s, gint64 id, const char *kind, int n)
{
	g_autoptr(GError) e = NULL;

	for (int i = 0; i < n; i++) {
		struct event *ev = event_new(1000 + i, "sevmail", kind, "x");

		g_assert_cmpint(store_event_add(s, id, ev, NULL, &e), ==, 0);
		event_free(ev);
	}
}

static void
assert_ids(GPtrArray *list, const gint64 *want, guint n)
{
	g_assert_nonnull(list);
	g_assert_cmpuint(list->len, ==, n);
	for (guint i = 0; i < n; i++)
		g_assert_cmpint(((struct incident *)list->pdata[i])->id, ==, want[i]);
}

/* What the timers, list, the status page and stats read of a history: the open incidents
 * and the resolved SEV 1-2 (reminded of their post-mortem) for the timers; the latest ended
 * within the week, bounded, with how many more; stats' columns and event counts. */
static void
test_readers_of_a_long_history(void)
{
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) timers = NULL, open = NULL, two = NULL, ten = NULL, st = NULL;
	gint64 now = 1795000000, week = now - 7 * 86400, esc = -1, rep = -1;
	gint64 t = add_ended(s, "Triggered", 2, STATUS_TRIGGERED, now - 900, 0, FALSE);
	gint64 inv = add_ended(s, "Investigating", 3, STATUS_INVESTIGATING, now - 800, 0, FALSE);
	gint64 sev2 =
	    add_ended(s, "Resolved SEV 2", 2, STATUS_RESOLVED, now - 700, now - 100, FALSE);
	gint64 sev3 =
	    add_ended(s, "Resolved SEV 3", 3, STATUS_RESOLVED, now - 600, now - 200, FALSE);
	gint64 closed = add_ended(s, "Closed SEV 1", 1, STATUS_CLOSED, now - 500, now - 300, FALSE);
	guint more = 99;

	gint64 old = add_ended(s, "Resolved long ago", 1, STATUS_CLOSED, now - 40 * 86400,
	                       now - 30 * 86400, FALSE);

	add_ended(s, "Unverified", 3, STATUS_RESOLVED, now - 400, now - 50, TRUE);
	add_events(s, t, "escalated", 2);
	add_events(s, t, "paged", 1);
	add_events(s, sev3, "alert_repeat", 3);
	add_events(s, old, "alert_repeat", 4); /* declared before the since below */

	timers = store_incidents_for_timers(s, &e);
	g_assert_no_error(e);
	assert_ids(timers, (const gint64[]){sev2, inv, t}, 3);
	open = store_incident_list(s, FALSE, &e);
	assert_ids(open, (const gint64[]){inv, t}, 2);
	two = store_incidents_ended(s, week, 2, &more, &e);
	g_assert_no_error(e);
	assert_ids(two, (const gint64[]){sev2, sev3}, 2);
	g_assert_cmpuint(more, ==, 1);
	ten = store_incidents_ended(s, week, 10, &more, &e);
	assert_ids(ten, (const gint64[]){sev2, sev3, closed}, 3);
	g_assert_cmpuint(more, ==, 0);
	st = store_incidents_for_stats(s, now - 86400, &esc, &rep, &e);
	g_assert_no_error(e);
	g_assert_cmpuint(st->len, ==, 6);
	g_assert_cmpint(esc, ==, 2);
	g_assert_cmpint(rep, ==, 3);
	g_clear_pointer(&st, g_ptr_array_unref);
	st = store_incidents_for_stats(s, 0, &esc, &rep, &e);
	g_assert_cmpuint(st->len, ==, 7);
	g_assert_cmpint(rep, ==, 7);
	store_close(s);
	remove_temp(dir);
}

/* Retention: the raw bytes of old messages go, a batch at a time, and nothing else of them:
 * a copy is still a duplicate, a newer message and the quarantine keep their bytes. */
static void
test_prune_drops_old_raw_bytes_in_batches(void)
{
	g_autoptr(GError) e = NULL;
	char *dir = NULL;
	struct store *s = open_temp(&dir);
	struct quarantined *q = NULL;
	const int old = STORE_PRUNE_BATCH + 20;

	g_assert_no_error(e);
	g_assert_cmpint(store_begin(s, &e), ==, 0);
	for (int i = 0; i <= old; i++) {
		g_autofree char *id = g_strdup_printf("<m%d@example.com>", i);
		g_autofree char *hash = g_strdup_printf("h%d", i);
		g_autofree char *raw = g_strdup_printf("Message-ID: %s\r\n\r\nbody %d\r\n", id, i);
		/* the last one is newer than the cut-off */
		struct stored_message m = {id,      hash,           NULL,
		                           "INBOX", (guint32)i + 1, i == old ? 5000 : 1000 + i,
		                           raw,     strlen(raw)};

		g_assert_cmpint(store_message_add(s, &m, &e), >, 0);
		if (i == 0)
			g_assert_cmpint(store_quarantine_add(s, &m, "it broke", 1, &e), ==, 0);
	}
	g_assert_cmpint(store_commit(s, &e), ==, 0);

	/* one batch, then the rest; then nothing is left to prune */
	g_assert_cmpint(store_prune_raw(s, 4000, 6000, 1, &e), ==, STORE_PRUNE_BATCH);
	g_assert_cmpint(store_prune_raw(s, 4000, 6000, 0, &e), ==, old - STORE_PRUNE_BATCH);
	g_assert_cmpint(store_prune_raw(s, 4000, 6000, 0, &e), ==, 0);
	g_assert_no_error(e);
	g_assert_cmpint(store_message_known(s, "<m3@example.com>", "h3", NULL, &e), ==,
	                STORE_MESSAGE_KNOWN);
	g_assert_cmpint(store_quarantine_get(s, 1, &q, &e), ==, 1);
	g_assert_cmpuint(g_bytes_get_size(q->raw), >, 0);
	quarantined_free(q);
	/* the newer one was whole all along */
	g_assert_cmpint(store_prune_raw(s, 6000, 6000, 0, &e), ==, 1);
	g_assert_no_error(e);
	store_close(s);
	remove_temp(g_steal_pointer(&dir));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/a-failed-step-makes-the-commit-refuse",
	                test_a_failed_step_makes_the_commit_refuse);
	g_test_add_func("/store/a-failed-message-rolls-back-alone-in-a-batch",
	                test_a_failed_message_rolls_back_alone_in_a_batch);
	g_test_add_func("/store/overrides", test_overrides);
	g_test_add_func("/store/bounces-are-recorded-once", test_bounces_are_recorded_once);
	g_test_add_func("/store/suspension-and-resubscribing", test_suspension_and_resubscribing);
	g_test_add_func("/store/alerts-of-incidents-and-merges",
	                test_alerts_of_incidents_and_merges);
	g_test_add_func("/store/upgrade-keeps-the-alerts-of-older-incidents",
	                test_upgrade_keeps_the_alerts_of_older_incidents);
	g_test_add_func("/store/statements-are-compiled-once", test_statements_are_compiled_once);
	g_test_add_func("/store/readers-of-a-long-history", test_readers_of_a_long_history);
	g_test_add_func("/store/prune-drops-old-raw-bytes-in-batches",
	                test_prune_drops_old_raw_bytes_in_batches);
	return g_test_run();
}
