/*
 * noise: noise control's timers, called from the daemon's tick like escalate_run. Each step
 * is one transaction that records what it did with it (a window released, a silence
 * declared for, a heartbeat queued), so no step is ever taken twice.
 */
#include "noise.h"

#include "intake.h"
#include "notify.h"
#include "route.h"
#include "util.h"

int
noise_release(const struct config *cfg, struct store *s, gint64 now)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) over = store_windows_to_release(s, now, &e);
	int declared = 0;

	if (over == NULL) {
		g_warning("maintenance windows not released: %s", e->message);
		return 0;
	}
	for (guint i = 0; i < over->len; i++) {
		const struct window *w = over->pdata[i];
		int n = 0;

		if (store_begin(s, &e) != 0 || intake_release_window(cfg, s, w, now, &n, &e) != 0 ||
		    store_commit(s, &e) != 0) {
			store_rollback(s);
			g_warning("maintenance window %" G_GINT64_FORMAT " not released: %s", w->id,
			          e->message);
			g_clear_error(&e);
			continue;
		}
		declared += n;
	}
	return declared;
}

/* One heartbeat monitor at now: 1 when its silence was declared, 0, -1 + err. */
static int
silence(const struct config *cfg, struct store *s, const struct heartbeat *h, gint64 now,
        GError **err)
{
	struct heartbeat_seen seen;
	g_autofree char *fingerprint = route_heartbeat_fingerprint(h);
	gint64 since, due, open, id = 0;
	int known = store_heartbeat_get(s, h->name, &seen, err);

	if (known < 0)
		return -1;
	if (known == 0) /* watched from now on: its first heartbeat is due in `every` */
		return store_heartbeat_first(s, h->name, now, err);
	since = seen.last_seen != 0 ? seen.last_seen : seen.first_seen;
	if (route_heartbeat_state(h, since, now, &due) != ROUTE_BEAT_MISSING ||
	    seen.declared_for == since)
		return 0;
	if (store_begin(s, err) != 0)
		return -1;
	if ((open = store_incident_open_by_fingerprint(s, fingerprint, err)) < 0 ||
	    (open == 0 && intake_heartbeat_missing(cfg, s, h, since, now, &id, err) != 0) ||
	    store_heartbeat_declared(s, h->name, since, err) != 0 || store_commit(s, err) != 0) {
		store_rollback(s);
		return -1;
	}
	if (id > 0)
		g_message("INC-%" G_GINT64_FORMAT ": no heartbeat from %s since %" G_GINT64_FORMAT,
		          id, h->name, since);
	return id > 0;
}

/* sevmail's own heartbeat, when heartbeat_every has passed since the last one queued. */
static int
own_heartbeat(const struct config *cfg, struct store *s, gint64 now, GError **err)
{
	struct notify n = {cfg, s, now};
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autofree char *key = g_strdup_printf("heartbeat %" G_GINT64_FORMAT, now);
	gint64 last = 0;
	int queued = store_outbox_last(s, OUTBOX_HEARTBEAT, &last, err);

	if (queued < 0)
		return -1;
	if (queued > 0 && now < last + cfg->heartbeat_every)
		return 0;
	g_hash_table_insert(vars, "time", util_human_time(now));
	g_hash_table_insert(vars, "every", util_duration(cfg->heartbeat_every));
	if (store_begin(s, err) != 0)
		return -1;
	if (notify_person(&n, OUTBOX_HEARTBEAT, cfg->heartbeat_to, "heartbeat", key, vars, NULL,
	                  err) != 0 ||
	    store_commit(s, err) != 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
noise_run(const struct config *cfg, struct store *s, gint64 now)
{
	g_autoptr(GError) e = NULL;
	int declared = noise_release(cfg, s, now);

	for (guint i = 0; i < cfg->heartbeats->len; i++) {
		const struct heartbeat *h = cfg->heartbeats->pdata[i];
		int rc = silence(cfg, s, h, now, &e);

		if (rc < 0) {
			g_warning("[heartbeat:%s]: not checked: %s", h->name, e->message);
			g_clear_error(&e);
		}
		declared += MAX(rc, 0);
	}
	if (cfg->heartbeat_to != NULL && own_heartbeat(cfg, s, now, &e) != 0)
		g_warning("sevmail's own heartbeat not queued: %s", e->message);
	return declared;
}
