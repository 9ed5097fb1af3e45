/*
 * store_outbox: the queued outgoing mail and its recipients, the table of outbox kinds
 * (how each is delivered and counted), and the answers sent to an address.
 */
#include "store_int.h"

/* --- outbox --- */

/* Every outbox kind and how it is delivered and counted. The names go into SQL as they
 * are (kind_list): lower-case words, as the kinds test checks. */
static const struct outbox_kind_info outbox_kinds[OUTBOX_KIND_COUNT] = {
    /* ordered like every kind before there was this table */
    [OUTBOX_UNKNOWN] = {.name = "unknown", .ordered = TRUE},
    /* a page is never late for an older one that waits */
    [OUTBOX_PAGE] = {.name = "page", .reply_token = TRUE, .pages = TRUE, .html = TRUE},
    [OUTBOX_REPAGE] = {.name = "repage", .reply_token = TRUE, .pages = TRUE, .html = TRUE},
    [OUTBOX_CONFIRM] =
        {.name = "confirm", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE, .html = TRUE},
    [OUTBOX_ERROR] =
        {.name = "error", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE, .html = TRUE},
    [OUTBOX_HELP] = {.name = "help", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_NOTICE] = {.name = "notice", .ordered = TRUE, .reply_token = TRUE, .html = TRUE},
    [OUTBOX_RELAY] = {.name = "relay", .ordered = TRUE, .answer = TRUE, .reply_token = TRUE},
    [OUTBOX_STATUS] = {.name = "status", .ordered = TRUE, .html = TRUE},
    [OUTBOX_POSTMORTEM] = {.name = "postmortem", .ordered = TRUE, .html = TRUE},
    [OUTBOX_SUBSCRIPTION] = {.name = "subscription", .ordered = TRUE},
    [OUTBOX_OWNER] = {.name = "owner", .ordered = TRUE},
    /* a late heartbeat waits for nothing: the next one says as much */
    [OUTBOX_HEARTBEAT] = {.name = "heartbeat"},
    /* a text message: plain and short, and as urgent as the page it stands for */
    [OUTBOX_SHORT_PAGE] = {.name = "short_page", .reply_token = TRUE, .pages = TRUE},
};

const struct outbox_kind_info *
outbox_kind_info(enum outbox_kind k)
{
	g_return_val_if_fail(k < OUTBOX_KIND_COUNT, &outbox_kinds[OUTBOX_UNKNOWN]);
	return &outbox_kinds[k];
}

const char *
outbox_kind_name(enum outbox_kind k)
{
	return outbox_kind_info(k)->name;
}

enum outbox_kind
outbox_kind_parse(const char *name)
{
	for (int k = OUTBOX_UNKNOWN + 1; k < OUTBOX_KIND_COUNT; k++)
		if (g_strcmp0(name, outbox_kinds[k].name) == 0)
			return (enum outbox_kind)k;
	return OUTBOX_UNKNOWN;
}

static gboolean
never_waits(const struct outbox_kind_info *k)
{
	return !k->ordered;
}

static gboolean
is_answer(const struct outbox_kind_info *k)
{
	return k->answer;
}

/* "'page', 'repage'": the stored names of the known kinds pick says yes to, for SQL. */
static char *
kind_list(gboolean (*pick)(const struct outbox_kind_info *))
{
	GString *list = g_string_new(NULL);

	for (int k = OUTBOX_UNKNOWN + 1; k < OUTBOX_KIND_COUNT; k++)
		if (pick(&outbox_kinds[k]))
			g_string_append_printf(list, "%s'%s'", list->len ? ", " : "",
			                       outbox_kinds[k].name);
	return g_string_free(list, FALSE);
}

/* The outbox statements that depend on the kinds, built once from the table. */
static const char *
due_sql(void)
{
	static char *sql;

	if (g_once_init_enter(&sql)) {
		g_autofree char *never = kind_list(never_waits);

		g_once_init_leave(
		    &sql, g_strdup_printf(
		              "SELECT id, kind, message_id, sender, raw, attempts, created_at,"
		              " coalesce(incident_id, 0) FROM outbox o WHERE state = 'queued'"
		              " AND next_attempt <= ?1 AND NOT (o.kind NOT IN (%s)"
		              " AND EXISTS (SELECT 1 FROM outbox e WHERE e.incident_id ="
		              " o.incident_id AND e.kind = o.kind AND e.id < o.id AND"
		              " e.state = 'queued' AND e.next_attempt > ?1)) ORDER BY id",
		              never));
	}
	return sql;
}

static const char *
answers_sql(void)
{
	static char *sql;

	if (g_once_init_enter(&sql)) {
		g_autofree char *answers = kind_list(is_answer);

		/* the mail of the last hour first (outbox_kind_created), then whether it went
		 * to the address (the recipients' key): as cheap after a year as on day one,
		 * where reading the address's recipient rows grows with its history */
		g_once_init_leave(
		    &sql, g_strdup_printf("SELECT count(*) FROM outbox o CROSS JOIN outbox_rcpts r"
		                          " WHERE r.outbox_id = o.id AND r.address = ?1 AND"
		                          " o.kind IN (%s) AND o.created_at >= ?2",
		                          answers));
	}
	return sql;
}

void
outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	g_free(it->message_id);
	g_free(it->sender);
	g_bytes_unref(it->raw);
	if (it->rcpts != NULL)
		g_ptr_array_unref(it->rcpts);
	g_free(it);
}

int
store_outbox_add(struct store *s, enum outbox_kind kind, gint64 incident_id, const char *message_id,
                 const char *sender, GPtrArray *rcpts, const char *raw, gsize len, gint64 now,
                 GError **err)
{
	gint64 id;

	id = store_query_id(
	    s,
	    store_prepare(s,
	                  "INSERT INTO outbox (kind, incident_id, message_id, sender, raw,"
	                  " next_attempt, created_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?)"
	                  " RETURNING id",
	                  "sissbii", outbox_kind_name(kind), incident_id, message_id, sender,
	                  (const void *)raw, len, now, now),
	    err, "cannot queue the message");
	if (id < 0)
		return -1;
	for (guint i = 0; i < rcpts->len; i++) {
		if (store_run(
		        s,
		        store_prepare(s,
		                      "INSERT INTO outbox_rcpts (outbox_id, address) VALUES (?, ?)"
		                      " ON CONFLICT DO NOTHING",
		                      "is", id, (const char *)rcpts->pdata[i]),
		        err, "cannot queue the message") != 0)
			return -1;
	}
	return 0;
}

const char *
store_sql_outbox_due(void)
{
	return due_sql();
}

const char *
store_sql_answers(void)
{
	return answers_sql();
}

/* an incident's mail of one kind (outbox_incident), and the latest of a kind, read from
 * the end of outbox_kind_created rather than by counting them all */
const char store_sql_outbox_count[] =
    "SELECT count(*) FROM outbox WHERE incident_id = ? AND kind = ?";
const char store_sql_outbox_last[] =
    "SELECT created_at FROM outbox WHERE kind = ? ORDER BY created_at DESC LIMIT 1";

int
store_outbox_count(struct store *s, gint64 incident_id, enum outbox_kind kind, GError **err)
{
	return (int)store_query_id(
	    s, store_prepare(s, store_sql_outbox_count, "is", incident_id, outbox_kind_name(kind)),
	    err, "cannot count the messages queued for the incident");
}

int
store_outbox_last(struct store *s, enum outbox_kind kind, gint64 *t, GError **err)
{
	return store_query_int(s,
	                       store_prepare(s, store_sql_outbox_last, "s", outbox_kind_name(kind)),
	                       t, err, "cannot read when the last message of its kind was queued");
}

GPtrArray *
store_outbox_due(struct store *s, gint64 now, GError **err)
{
	struct store_stmt *st = store_prepare(s, due_sql(), "i", now);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the outbox");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct outbox_item *it = g_new0(struct outbox_item, 1);
		g_autofree char *kind = store_col_text(st, 1);

		it->id = store_col_int64(st, 0);
		it->kind = outbox_kind_parse(kind);
		it->message_id = store_col_text(st, 2);
		it->sender = store_col_text(st, 3);
		it->raw = store_col_bytes(st, 4);
		it->attempts = store_col_int(st, 5);
		it->created_at = store_col_int64(st, 6);
		it->incident_id = store_col_int64(st, 7);
		g_ptr_array_add(list, it);
		it->rcpts = store_query_texts(
		    s,
		    store_prepare(s,
		                  "SELECT address FROM outbox_rcpts WHERE outbox_id = ?"
		                  " AND state = 'queued' ORDER BY rowid",
		                  "i", it->id),
		    err, "cannot read the outbox");
		if (it->rcpts == NULL)
			break;
	}
	return store_list_finish(s, st, rc, list, err, "cannot read the outbox");
}

int
store_outbox_rcpt(struct store *s, gint64 id, const char *address, const char *state,
                  const char *error, GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "UPDATE outbox_rcpts SET state = ?, last_error = ? WHERE outbox_id = ?"
	                  " AND address = ? AND state != 'bounced'",
	                  "ssis", state, error, id, address),
	    err, "cannot record a delivery");
}

int
store_outbox_attempt(struct store *s, gint64 id, gint64 next_attempt, const char *error,
                     GError **err)
{
	return store_run(
	    s,
	    store_prepare(s,
	                  "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2,"
	                  " last_error = ?3, state = CASE"
	                  "  WHEN EXISTS (SELECT 1 FROM outbox_rcpts WHERE outbox_id = ?1"
	                  "   AND state = 'queued') THEN 'queued'"
	                  "  WHEN EXISTS (SELECT 1 FROM outbox_rcpts WHERE outbox_id = ?1"
	                  "   AND state = 'failed') THEN 'failed'"
	                  "  ELSE 'sent' END WHERE id = ?1",
	                  "iis", id, next_attempt, error),
	    err, "cannot record a delivery attempt");
}

static void
outbox_rcpt_row_free(struct outbox_rcpt_row *r)
{
	g_free(r->address);
	g_free(r->state);
	g_free(r->error);
	g_free(r);
}

void
outbox_row_free(struct outbox_row *r)
{
	if (r == NULL)
		return;
	g_free(r->kind);
	g_free(r->message_id);
	g_free(r->state);
	g_free(r->last_error);
	if (r->rcpts != NULL)
		g_ptr_array_unref(r->rcpts);
	g_free(r);
}

/* The recipients of outbox row r, into r->rcpts; -1 + err on failure. */
static int
outbox_row_rcpts(struct store *s, struct outbox_row *r, GError **err)
{
	struct store_stmt *q =
	    store_prepare(s,
	                  "SELECT address, state, last_error FROM outbox_rcpts WHERE"
	                  " outbox_id = ? ORDER BY rowid",
	                  "i", r->id);
	int rc;

	if (q == NULL)
		return store_fail(s, err, "cannot read the outbox");
	while ((rc = store_step(q)) == STORE_ROW) {
		struct outbox_rcpt_row *rr = g_new0(struct outbox_rcpt_row, 1);

		rr->address = store_col_text(q, 0);
		rr->state = store_col_text(q, 1);
		rr->error = store_col_text(q, 2);
		g_ptr_array_add(r->rcpts, rr);
	}
	store_finalize(q);
	if (rc != STORE_DONE)
		return store_fail(s, err, "cannot read the outbox");
	return 0;
}

static const char outbox_row_columns[] =
    "SELECT id, coalesce(incident_id, 0), created_at, next_attempt, kind, message_id, state,"
    " last_error, attempts FROM outbox o";

/* One row of outbox_row_columns with its recipients; NULL + err when they cannot be read. */
static struct outbox_row *
outbox_row_read(struct store *s, struct store_stmt *st, GError **err)
{
	struct outbox_row *r = g_new0(struct outbox_row, 1);

	r->id = store_col_int64(st, 0);
	r->incident_id = store_col_int64(st, 1);
	r->created_at = store_col_int64(st, 2);
	r->next_attempt = store_col_int64(st, 3);
	r->kind = store_col_text(st, 4);
	r->message_id = store_col_text(st, 5);
	r->state = store_col_text(st, 6);
	r->last_error = store_col_text(st, 7);
	r->attempts = store_col_int(st, 8);
	r->rcpts = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_rcpt_row_free);
	if (outbox_row_rcpts(s, r, err) != 0) {
		outbox_row_free(r);
		return NULL;
	}
	return r;
}

GPtrArray *
store_outbox_list(struct store *s, gboolean all, GError **err)
{
	g_autofree char *sql = g_strdup_printf(
	    "%s WHERE ? != 0 OR state != 'sent' OR EXISTS (SELECT 1 FROM outbox_rcpts r"
	    " WHERE r.outbox_id = o.id AND r.state = 'bounced') ORDER BY id",
	    outbox_row_columns);
	struct store_stmt *st = store_prepare(s, sql, "i", (gint64)all);
	GPtrArray *list;
	int rc;

	if (st == NULL) {
		store_fail(s, err, "cannot read the outbox");
		return NULL;
	}
	list = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_row_free);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct outbox_row *r = outbox_row_read(s, st, err);

		if (r == NULL)
			break;
		g_ptr_array_add(list, r);
	}
	return store_list_finish(s, st, rc, list, err, "cannot read the outbox");
}

int
store_outbox_get(struct store *s, gint64 id, struct outbox_row **out, GError **err)
{
	g_autofree char *sql = g_strdup_printf("%s WHERE id = ?", outbox_row_columns);
	struct store_stmt *st = store_prepare(s, sql, "i", id);
	int rc;

	*out = NULL;
	if (st == NULL)
		return store_fail(s, err, "cannot read the outbox");
	rc = store_step(st);
	if (rc == STORE_ROW && (*out = outbox_row_read(s, st, err)) == NULL) {
		store_finalize(st);
		return -1;
	}
	store_finalize(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(s, err, "cannot read the outbox");
	return *out != NULL;
}

int
store_outbox_bounced(struct store *s, gint64 id, const char *address, const char *error, gint64 now,
                     GError **err)
{
	if (store_run(s,
	              store_prepare(s,
	                            "UPDATE outbox_rcpts SET state = 'bounced', last_error = ?,"
	                            " bounced_at = ? WHERE outbox_id = ? AND address = ? AND"
	                            " state != 'bounced'",
	                            "siis", error, now, id, address),
	              err, "cannot record a bounce") != 0)
		return -1;
	return store_changes(s) > 0 ? 1 : 0;
}

int
store_outbox_delayed(struct store *s, gint64 id, const char *address, const char *error,
                     GError **err)
{
	return store_run(s,
	                 store_prepare(s,
	                               "UPDATE outbox_rcpts SET last_error = ? WHERE outbox_id = ?"
	                               " AND address = ? AND state = 'sent'",
	                               "sis", error, id, address),
	                 err, "cannot record a delay report");
}

int
store_bounces_since(struct store *s, const char *address, gint64 bounced_since, gint64 sent_since,
                    GError **err)
{
	/* a failed count must not read as "none": that would keep a dead address on a list */
	return (int)store_query_id(
	    s,
	    store_prepare(s,
	                  "SELECT count(*) FROM outbox_rcpts r JOIN outbox o ON o.id = r.outbox_id"
	                  " WHERE r.address = ? AND r.state = 'bounced' AND r.bounced_at >= ?"
	                  " AND o.created_at >= ?",
	                  "sii", address, bounced_since, sent_since),
	    err, "cannot count an address's bounces");
}

int
store_outbox_retry(struct store *s, gint64 id, gint64 now, GError **err)
{
	gint64 one;
	int found =
	    store_query_int(s, store_prepare(s, "SELECT 1 FROM outbox WHERE id = ?", "i", id), &one,
	                    err, "cannot read the outbox");

	if (found <= 0)
		return found;
	if (store_begin(s, err) != 0)
		return -1;
	if (store_run(
	        s,
	        store_prepare(s,
	                      "UPDATE outbox_rcpts SET state = 'queued' WHERE outbox_id = ? AND"
	                      " state = 'failed'",
	                      "i", id),
	        err, "cannot requeue") != 0 ||
	    store_run(
	        s,
	        store_prepare(
	            s,
	            "UPDATE outbox SET state = CASE WHEN EXISTS (SELECT 1 FROM outbox_rcpts"
	            " WHERE outbox_id = ?1 AND state = 'queued') THEN 'queued' ELSE state END,"
	            " next_attempt = ?2, created_at = ?2 WHERE id = ?1",
	            "ii", id, now),
	        err, "cannot requeue") != 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err) == 0 ? 1 : -1;
}

int
store_answers_since(struct store *s, const char *address, gint64 t, GError **err)
{
	/* a failed count must not read as "none sent": that would lift the limit */
	return (int)store_query_id(s, store_prepare(s, answers_sql(), "si", address, t), err,
	                           "cannot count the answers sent to an address");
}

GPtrArray *
store_incident_bounced(struct store *s, gint64 incident_id, GError **err)
{
	return store_query_texts(
	    s,
	    store_prepare(s,
	                  "SELECT DISTINCT r.address FROM outbox_rcpts r JOIN outbox o"
	                  " ON o.id = r.outbox_id WHERE o.incident_id = ? AND r.state = 'bounced'",
	                  "i", incident_id),
	    err, "cannot read the incident's bounced recipients");
}
