/*
 * cli_lists: the commands about stakeholder lists: subscribing and unsubscribing an
 * address, and who is on which list.
 */
#include "cli.h"
#include "util.h"
#include "view.h"
#include <stdio.h>
#include <string.h>

static int
cli_subscription_check(struct cli_ctx *ctx)
{
	g_autofree char *address = NULL;

	if (ctx->argc != 3)
		return cli_usage_error(ctx, "give a list name and an address");
	address = util_address(ctx->argv[2]);
	if (strchr(address, '@') == NULL || strpbrk(address, " \t\r\n<>,;") != NULL)
		return cli_usage_error(ctx, "'%s' is not an e-mail address", ctx->argv[2]);
	return 0;
}

/* The list named by argv[1]; NULL after saying that the configuration has none. */
static const struct list_config *
cli_list_arg(const struct cli_ctx *ctx)
{
	const struct list_config *l = config_list_by_name(ctx->cfg, ctx->argv[1]);

	if (l == NULL)
		fprintf(stderr, "sevmail: %s has no [list:%s]\n", ctx->cfg->path, ctx->argv[1]);
	return l;
}

/* Needs only the configuration: an unknown list is a configuration error (2), reported
 * before the database is tried. */
static int
cli_change_subscription(struct cli_ctx *ctx, gboolean subscribe)
{
	g_autofree char *address = util_address(ctx->argv[2]);
	g_autoptr(GError) e = NULL;
	const struct list_config *l;
	int rc, changed;

	if ((l = cli_list_arg(ctx)) == NULL)
		return EXIT_USAGE;
	if ((rc = cli_store_open(ctx)) != 0)
		return rc;
	changed = subscribe ? store_subscribe(ctx->store, l->name, address, util_now(), &e)
	                    : store_unsubscribe(ctx->store, l->name, address, &e);
	if (changed < 0)
		return cli_fail(e);
	if (!subscribe && changed == 0)
		printf("%s was not subscribed to %s\n", address, l->name);
	else
		printf("%s %s %s\n", address, subscribe ? "subscribed to" : "unsubscribed from",
		       l->name);
	return 0;
}

static int
cli_subscribe(struct cli_ctx *ctx)
{
	return cli_change_subscription(ctx, TRUE);
}

static int
cli_unsubscribe(struct cli_ctx *ctx)
{
	return cli_change_subscription(ctx, FALSE);
}

const struct cli_cmd cli_cmd_subscribe = {
    .name = "subscribe",
    .usage = "LIST ADDRESS",
    .summary = "add a subscriber to a stakeholder list",
    .parameter = "LIST ADDRESS - add a subscriber",
    .needs = CLI_CONFIG,
    .check = cli_subscription_check,
    .run = cli_subscribe,
};

const struct cli_cmd cli_cmd_unsubscribe = {
    .name = "unsubscribe",
    .usage = "LIST ADDRESS",
    .summary = "remove a subscriber",
    .parameter = "LIST ADDRESS - remove a subscriber",
    .needs = CLI_CONFIG,
    .check = cli_subscription_check,
    .run = cli_unsubscribe,
};

static const GOptionEntry lists_options[] = {CLI_OPTION_JSON, {NULL}};

static int
cli_lists(struct cli_ctx *ctx)
{
	const GPtrArray *lists = ctx->cfg->lists;
	g_autoptr(GPtrArray) subs =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) e = NULL;

	for (guint i = 0; i < lists->len; i++) {
		const struct list_config *l = lists->pdata[i];
		GPtrArray *members = store_subscribers(ctx->store, l->name, &e);

		if (members == NULL)
			return cli_fail(e);
		g_ptr_array_add(subs, members);
	}
	if (cli_json) {
		g_autofree char *json = view_lists_json(ctx->cfg->lists, subs);

		printf("%s\n", json);
		return 0;
	}
	for (guint i = 0; i < lists->len; i++) {
		const struct list_config *l = lists->pdata[i];
		GPtrArray *members = subs->pdata[i];

		printf("%s <%s>: %u subscriber(s)\n", l->name, l->address, members->len);
		for (guint j = 0; j < members->len; j++)
			printf("  %s\n", (const char *)members->pdata[j]);
	}
	return 0;
}

const struct cli_cmd cli_cmd_lists = {
    .name = "lists",
    .usage = "[--json]",
    .summary = "stakeholder lists and their subscribers",
    .parameter = "- stakeholder lists",
    .needs = CLI_STORE,
    .options = lists_options,
    .run = cli_lists,
};

static int
cli_members_check(struct cli_ctx *ctx)
{
	return ctx->argc != 2 ? cli_usage_error(ctx, "give the name of a list") : 0;
}

/* One address a line; a suspended member's line says so, since when and why. */
static int
cli_members(struct cli_ctx *ctx)
{
	g_autoptr(GPtrArray) members = NULL;
	g_autoptr(GError) e = NULL;
	const struct list_config *l;

	if ((l = cli_list_arg(ctx)) == NULL)
		return EXIT_USAGE;
	if ((members = store_members(ctx->store, l->name, &e)) == NULL)
		return cli_fail(e);
	for (guint i = 0; i < members->len; i++) {
		const struct member *m = members->pdata[i];
		g_autofree char *since = util_human_time(m->suspended_at);

		if (m->suspended_at == 0)
			printf("%s\n", m->address);
		else
			printf("%s suspended since %s: %s\n", m->address, since,
			       m->suspended_reason != NULL ? m->suspended_reason : "bounces");
	}
	return 0;
}

const struct cli_cmd cli_cmd_members = {
    .name = "members",
    .usage = "NAME",
    .summary = "the subscribers of one list, and who is suspended",
    .parameter = "NAME - the subscribers of a list, suspended ones marked",
    .needs = CLI_STORE,
    .check = cli_members_check,
    .run = cli_members,
};
