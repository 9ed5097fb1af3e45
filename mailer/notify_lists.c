/*
 * notify_lists: mail about the lists themselves rather than an incident: the answers to
 * subscription requests, and the word to a list's owner that a subscriber was suspended.
 */
#include "notify.h"
#include "notify_int.h"

#include "digest.h"
#include "util.h"
#include <string.h>

char *
notify_request_address(const struct list_config *l)
{
	const char *at = strrchr(l->address, '@');

	return g_strdup_printf("%.*s-request%s", (int)(at - l->address), l->address, at);
}

int
notify_subscription(const struct notify *n, const struct list_config *l, const char *to,
                    const char *variant, const char *token, const char *action, const char *text,
                    GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr(GPtrArray) rcpt = g_ptr_array_new();
	g_autofree char *template = g_strconcat("subscription-", variant, NULL);
	g_autofree char *message_id = g_strdup_printf("list.%s.%s.%s@%s", l->name, variant, token,
	                                              util_domain(n->cfg->address));
	g_autofree char *request = notify_request_address(l);
	struct envelope env = {.kind = OUTBOX_SUBSCRIPTION,
	                       .to = rcpt,
	                       .rcpts = rcpt,
	                       .reply_to = request,
	                       .template = template,
	                       .message_id = message_id};

	g_ptr_array_add(rcpt, (gpointer)to);
	g_hash_table_insert(vars, "list", g_strdup(l->name));
	g_hash_table_insert(vars, "list_address", g_strdup(l->address));
	g_hash_table_insert(vars, "request", g_strdup(request));
	g_hash_table_insert(vars, "token", g_strdup(token));
	g_hash_table_insert(vars, "action", g_strdup(action));
	g_hash_table_insert(vars, "text", util_one_line(text, 500));
	g_hash_table_insert(vars, "subscriber", g_strdup(to));
	g_hash_table_insert(vars, "name", g_strdup(n->cfg->name));
	g_hash_table_insert(vars, "address", g_strdup(n->cfg->address));
	return notify_queue(n, NULL, &env, vars, err);
}

int
notify_list_owner(const struct notify *n, const struct list_config *l, const char *subscriber,
                  const char *why, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr(GPtrArray) rcpt = g_ptr_array_new();
	g_autofree char *seed = g_strdup_printf("%s %" G_GINT64_FORMAT, subscriber, n->now);
	g_autofree char *hash = digest_sha256_hex(seed, strlen(seed));
	g_autofree char *message_id = g_strdup_printf("list.%s.suspended.%.24s@%s", l->name, hash,
	                                              util_domain(n->cfg->address));
	struct envelope env = {.kind = OUTBOX_OWNER,
	                       .to = rcpt,
	                       .rcpts = rcpt,
	                       .template = "list-owner",
	                       .message_id = message_id};

	g_ptr_array_add(rcpt, l->owner);
	g_hash_table_insert(vars, "list", g_strdup(l->name));
	g_hash_table_insert(vars, "list_address", g_strdup(l->address));
	g_hash_table_insert(vars, "subscriber", g_strdup(subscriber));
	g_hash_table_insert(vars, "reason", util_one_line(why, 500));
	g_hash_table_insert(vars, "name", g_strdup(n->cfg->name));
	g_hash_table_insert(vars, "address", g_strdup(n->cfg->address));
	return notify_queue(n, NULL, &env, vars, err);
}
