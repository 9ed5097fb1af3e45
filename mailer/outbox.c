/*
 * outbox: the retry schedule and delivery bookkeeping around relay_send.
 */
#include "outbox.h"

#include "auth.h"
#include "relay.h"

G_DEFINE_QUARK(sevmail_outbox_error, outbox_error)

#define OUTBOX_FIRST_RETRY 30
#define OUTBOX_MAX_RETRY 3600

static gint64
next_attempt(gint64 now, int attempts)
{
	gint64 delay = OUTBOX_FIRST_RETRY;

	for (int i = 0; i < attempts && delay < OUTBOX_MAX_RETRY; i++)
		delay *= 2;
	delay = MIN(delay, OUTBOX_MAX_RETRY);
	/* jitter, so that many deferred messages do not retry at the same second */
	return now + delay + g_random_int_range(0, (gint32)(delay / 5) + 1);
}

void
outbox_relay_params(const struct config *cfg, struct relay_params *p)
{
	p->host = cfg->smtp.host;
	p->port = cfg->smtp.port;
	p->security = cfg->smtp.security;
	p->user = cfg->smtp.user;
	p->password = cfg->smtp.password;
	p->ca_file = cfg->smtp.ca_file;
	p->timeout = cfg->smtp.timeout;
}

static const char *const status_states[] = {
    [RELAY_SENT] = "sent", [RELAY_TEMPFAIL] = "queued", [RELAY_PERMFAIL] = "failed"};

static int
record(struct store *s, const struct outbox_item *it, GPtrArray *results, gint64 now,
       gint64 max_age, struct outbox_stats *stats, GError **err)
{
	gboolean expired = now - it->created_at > max_age;
	const char *last_error = NULL;

	if (store_begin(s, err) != 0)
		return -1;
	for (guint i = 0; i < results->len; i++) {
		struct relay_rcpt_result *r = results->pdata[i];
		const char *state = status_states[r->status];

		if (r->status == RELAY_TEMPFAIL && expired)
			state = "failed";
		if (r->reason != NULL)
			last_error = r->reason;
		if (r->status != RELAY_SENT)
			g_message("outbox: <%s> to %s: %s%s", it->message_id, r->address,
			          r->reason != NULL ? r->reason : "not accepted",
			          g_strcmp0(state, "queued") == 0 ? " (will retry)"
			                                          : " (given up)");
		stats->sent += r->status == RELAY_SENT;
		stats->deferred += g_strcmp0(state, "queued") == 0;
		stats->failed += g_strcmp0(state, "failed") == 0;
		if (store_outbox_rcpt(s, it->id, r->address, state, r->reason, err) != 0)
			goto fail;
	}
	if (store_outbox_attempt(s, it->id, next_attempt(now, it->attempts), last_error, err) != 0)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

/* Sends one message from envelope sender `from` in transactions of at most max_recipients
 * recipients each (one connection per transaction), collecting every recipient's result. */
static GPtrArray *
send_batches(const struct relay_params *p, const struct outbox_item *it, const char *from,
             int max_recipients)
{
	GPtrArray *all = NULL;
	gsize len = 0;
	const char *raw = g_bytes_get_data(it->raw, &len);

	for (guint start = 0; start < it->rcpts->len; start += (guint)max_recipients) {
		guint n = MIN((guint)max_recipients, it->rcpts->len - start);
		g_autoptr(GPtrArray) batch = g_ptr_array_new();
		g_autoptr(GError) e = NULL;
		GPtrArray *results = NULL;

		for (guint i = 0; i < n; i++)
			g_ptr_array_add(batch, it->rcpts->pdata[start + i]);
		if (relay_send(p, from, batch, raw, len, &results, &e) != 0)
			g_message("outbox: <%s>: %s", it->message_id, e->message);
		if (all == NULL)
			all = results;
		else
			g_ptr_array_extend_and_steal(all, results); /* takes the elements */
	}
	return all;
}

int
outbox_flush(struct store *s, const struct config *cfg, gint64 now, struct outbox_stats *stats,
             GError **err)
{
	g_autoptr(GPtrArray) due = store_outbox_due(s, now, err);
	/* "incident kind" of messages this flush left queued */
	g_autoptr(GHashTable) held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct relay_params p = {0};
	int failures = 0;

	if (due == NULL)
		return -1;
	outbox_relay_params(cfg, &p);
	for (guint i = 0; i < due->len; i++) {
		struct outbox_item *it = due->pdata[i];
		GPtrArray *results;
		int rc, before = stats->deferred;

		/* an incident's mail of one kind goes out in order: after one stays queued,
		 * the later ones wait for it (as store_outbox_due, by the kind table) */
		gboolean ordered = it->incident_id != 0 && outbox_kind_info(it->kind)->ordered;
		g_autofree char *key =
		    g_strdup_printf("%" G_GINT64_FORMAT " %d", it->incident_id, (int)it->kind);
		/* a bounce names the message it is about by its envelope sender (VERP) */
		g_autofree char *from = auth_bounce_address(cfg->secret, it->sender, it->id);

		if (it->rcpts->len == 0 || (ordered && g_hash_table_contains(held, key)))
			continue;
		/* another instance may be active now (this one lost the database): its mail */
		if (!store_active_held(s)) {
			g_set_error(err, OUTBOX_ERROR, 0,
			            "the database session was lost: sending stopped; the active "
			            "instance sends what is left");
			return -1;
		}
		stats->messages++;
		results = send_batches(&p, it, from, cfg->smtp_max_recipients);
		rc = record(s, it, results, now, cfg->smtp_max_age, stats, err);
		relay_results_free(results);
		if (rc != 0) {
			/* logged; the row is tried again at the next flush, the others go on */
			g_warning("outbox: <%s>: %s", it->message_id,
			          err != NULL && *err != NULL ? (*err)->message : "not recorded");
			g_clear_error(err);
			failures++;
			continue;
		}
		if (ordered && stats->deferred > before)
			g_hash_table_add(held, g_steal_pointer(&key));
	}
	if (failures > 0) {
		g_set_error(
		    err, OUTBOX_ERROR, 0,
		    "%d message(s) could not be recorded after sending; they are tried again",
		    failures);
		return -1;
	}
	return 0;
}
