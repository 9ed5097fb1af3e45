/*
 * store_lists: the mailing lists' subscriptions, the tokens that confirm a subscribe or
 * unsubscribe by mail, and the subscription mail sent to a mailbox.
 */
#include "store_int.h"

const char store_sql_subscription_mails[] =
    "SELECT count(*) FROM outbox o JOIN outbox_rcpts r ON r.outbox_id = o.id"
    " WHERE o.kind = ?3 AND o.created_at >= ?2 AND (r.address = ?1 OR"
    " (instr(r.address, '+') BETWEEN 2 AND instr(r.address, '@') - 1 AND"
    " substr(r.address, 1, instr(r.address, '+') - 1) ||"
    " substr(r.address, instr(r.address, '@')) = ?1))";

int
store_subscription_mails_since(struct store *s, const char *mailbox, gint64 t, GError **err)
{
	/* local+detail@domain counts as local@domain: one mailbox, many addresses */
	struct store_stmt *st = store_prepare(s, store_sql_subscription_mails, "sis", mailbox, t,
	                                      outbox_kind_name(OUTBOX_SUBSCRIPTION));
	int n = -1;

	/* a failed count must not read as "none sent": that would lift the limit */
	if (st != NULL && store_step(st) == STORE_ROW)
		n = store_col_int(st, 0);
	if (n < 0)
		store_fail(s, err, "cannot count the subscription mail sent to an address");
	store_finalize(st);
	return n;
}

int
store_subscribe(struct store *s, const char *list, const char *address, gint64 now, GError **err)
{
	/* subscribing again lifts a suspension, and its bounces start counting anew */
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO subscriptions (list, address, created_at) VALUES (?, ?, ?)"
	                  " ON CONFLICT (list, address) DO UPDATE SET created_at = CASE WHEN"
	                  " subscriptions.suspended_at IS NULL THEN subscriptions.created_at"
	                  " ELSE excluded.created_at END,"
	                  " suspended_at = NULL, suspended_reason = NULL",
	                  "ssi", list, address, now),
	    err, "cannot store the subscription");
}

int
store_suspend(struct store *s, const char *list, const char *address, gint64 now,
              const char *reason, GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "UPDATE subscriptions SET suspended_at = ?,"
	                               " suspended_reason = ? WHERE list = ? AND address = ?",
	                               "isss", now, reason, list, address),
	                 err, "cannot suspend the subscription");
}

int
store_unsubscribe(struct store *s, const char *list, const char *address, GError **err)
{
	if (store_run(s,
	              store_prepare(s, "DELETE FROM subscriptions WHERE list = ? AND address = ?",
	                            "ss", list, address),
	              err, "cannot remove the subscription") != 0)
		return -1;
	return store_changes(s) > 0 ? 1 : 0;
}

int
store_subscribed(struct store *s, const char *list, const char *address, gint64 *since,
                 GError **err)
{
	struct store_stmt *st = store_prepare(s,
	                                      "SELECT suspended_at IS NOT NULL, created_at FROM"
	                                      " subscriptions WHERE list = ? AND address = ?",
	                                      "ss", list, address);
	int rc, state = STORE_NOT_SUBSCRIBED;

	if (st == NULL)
		return store_fail(s, err, "cannot read the subscriptions");
	if ((rc = store_step(st)) == STORE_ROW) {
		state = store_col_int(st, 0) ? STORE_SUSPENDED : STORE_SUBSCRIBED;
		if (since != NULL)
			*since = store_col_int64(st, 1);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the subscriptions");
	return state;
}

int
store_list_token_add(struct store *s, const char *token, const char *list, const char *address,
                     const char *action, gint64 now, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "INSERT INTO list_tokens (token, list, address, action, created_at)"
	                  " VALUES (?, ?, ?, ?, ?)",
	                  "ssssi", token, list, address, action, now),
	    err, "cannot store the confirmation token");
}

int
store_list_token_use(struct store *s, const char *token, const char *address, char **list,
                     char **action, gint64 now, GError **err)
{
	struct store_stmt *st =
	    store_prepare(s,
	                  "SELECT list, action FROM list_tokens WHERE token = ?"
	                  " AND address = ? AND used_at IS NULL AND created_at >= ?",
	                  "ssi", token, address, now - STORE_TOKEN_LIFETIME);
	int rc;

	if (st == NULL)
		return store_fail(s, err, "cannot read the confirmation token");
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*list = store_col_text(st, 0);
		*action = store_col_text(st, 1);
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the confirmation token");
	if (rc == STORE_DONE)
		return 0;
	if (store_run(s,
	              store_prepare(s, "UPDATE list_tokens SET used_at = ? WHERE token = ?", "is",
	                            now, token),
	              err, "cannot use the confirmation token") != 0)
		return -1;
	return 1;
}

GPtrArray *
store_subscribers(struct store *s, const char *list, GError **err)
{
	return store_query_texts(s,
	                         store_prepare(s,
	                                       "SELECT address FROM subscriptions WHERE list = ?"
	                                       " AND suspended_at IS NULL ORDER BY address",
	                                       "s", list),
	                         err, "cannot read the list's subscribers");
}

void
member_free(struct member *m)
{
	if (m == NULL)
		return;
	g_free(m->address);
	g_free(m->suspended_reason);
	g_free(m);
}

GPtrArray *
store_members(struct store *s, const char *list, GError **err)
{
	struct store_stmt *st =
	    store_prepare(s,
	                  "SELECT address, created_at, coalesce(suspended_at, 0),"
	                  " suspended_reason FROM subscriptions WHERE list = ?"
	                  " ORDER BY address",
	                  "s", list);
	GPtrArray *out;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the list's members");
		return NULL;
	}
	out = g_ptr_array_new_with_free_func((GDestroyNotify)member_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct member *m = g_new0(struct member, 1);

		m->address = store_col_text(st, 0);
		m->since = store_col_int64(st, 1);
		m->suspended_at = store_col_int64(st, 2);
		m->suspended_reason = store_col_text(st, 3);
		g_ptr_array_add(out, m);
	}
	return store_list_finish(s, st, rc, out, err, "cannot read the list's members");
}
