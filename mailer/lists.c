/*
 * lists: subscription requests by mail and their double opt-in.
 */
#include "lists.h"

#include "auth.h"
#include "digest.h"
#include "util.h"
#include <string.h>

#define TOKEN_HEX 24

static const char *const action_words[] = {
    [LIST_SUBSCRIBE] = "subscribe", [LIST_UNSUBSCRIBE] = "unsubscribe", [LIST_CONFIRM] = "confirm"};

/* "subscribe", "Re: confirm 3f2a...", "AW: unsubscribe" -> action and token. */
static enum list_action
parse_words(const char *text, char *token)
{
	g_autofree char *line = util_one_line(text, 200);
	g_auto(GStrv) words = g_strsplit(line, " ", -1);
	char **w = words;

	while (*w != NULL && g_str_has_suffix(*w, ":")) /* Re: Fwd: AW: SV: */
		w++;
	for (int a = LIST_SUBSCRIBE; *w != NULL && a <= LIST_CONFIRM; a++) {
		if (g_ascii_strcasecmp(*w, action_words[a]) != 0)
			continue;
		if (a != LIST_CONFIRM)
			return (enum list_action)a;
		if (w[1] == NULL || strlen(w[1]) != TOKEN_HEX ||
		    strspn(w[1], "0123456789abcdef") != TOKEN_HEX)
			return LIST_NONE;
		g_strlcpy(token, w[1], TOKEN_HEX + 1);
		return LIST_CONFIRM;
	}
	return LIST_NONE;
}

/* The list a recipient address belongs to, and the action its form implies. */
static const struct list_config *
list_of(const struct config *cfg, const char *rcpt, enum list_action *implied)
{
	const char *at = strrchr(cfg->address, '@');
	size_t local = (size_t)(at - cfg->address);

	*implied = LIST_NONE;
	for (guint i = 0; i < cfg->lists->len; i++) {
		const struct list_config *l = cfg->lists->pdata[i];
		g_autofree char *sub =
		    g_strdup_printf("%.*s+%s-subscribe%s", (int)local, cfg->address, l->name, at);
		g_autofree char *unsub =
		    g_strdup_printf("%.*s+%s-unsubscribe%s", (int)local, cfg->address, l->name, at);

		if (g_ascii_strcasecmp(rcpt, sub) == 0)
			*implied = LIST_SUBSCRIBE;
		else if (g_ascii_strcasecmp(rcpt, unsub) == 0)
			*implied = LIST_UNSUBSCRIBE;
		else if (g_ascii_strcasecmp(rcpt, l->address) == 0)
			*implied = LIST_POST;
		else if (config_list_by_address(cfg, rcpt) != l)
			continue;
		return l;
	}
	return NULL;
}

gboolean
lists_request(const struct config *cfg, const struct mail *m, struct list_request *r)
{
	memset(r, 0, sizeof *r);
	for (guint i = 0; i < m->recipients->len && r->list == NULL; i++)
		r->list = list_of(cfg, m->recipients->pdata[i], &r->action);
	if (r->list == NULL)
		return FALSE;
	if (r->action == LIST_NONE) {
		g_auto(GStrv) lines = g_strsplit(m->text, "\n", 2);

		r->action = parse_words(m->subject, r->token);
		if (r->action == LIST_NONE && lines[0] != NULL)
			r->action = parse_words(lines[0], r->token);
	}
	return TRUE;
}

/* A token nobody can guess without the secret, unique per request. */
static char *
new_token(const struct notify *n, const char *list, const char *address, const char *action)
{
	g_autofree char *seed =
	    g_strdup_printf("list-token:%s:%s:%s:%" G_GINT64_FORMAT ":%u:%u", list, address, action,
	                    g_get_real_time(), g_random_int(), g_random_int());
	g_autofree char *mac = digest_hmac_sha256_hex(n->cfg->secret, seed);

	return g_strndup(mac, TOKEN_HEX);
}

static gboolean
domain_allowed(const struct list_config *l, const char *address)
{
	const char *domain = util_domain(address);

	if (l->any_domain)
		return TRUE;
	for (char **d = l->domains; d != NULL && *d != NULL; d++)
		if (g_ascii_strcasecmp(*d, domain) == 0)
			return TRUE;
	return FALSE;
}

/* The incident address with any +detail, a list address or a request address: mail to
 * it would only come back to sevmail's own mailbox. */
static gboolean
own_address(const struct config *cfg, const char *address)
{
	const char *at = strrchr(cfg->address, '@');
	size_t local = (size_t)(at - cfg->address);

	if (config_list_by_address(cfg, address) != NULL)
		return TRUE;
	return g_ascii_strcasecmp(util_domain(address), at + 1) == 0 &&
	       g_ascii_strncasecmp(address, cfg->address, local) == 0 &&
	       (address[local] == '@' || address[local] == '+');
}

char *
lists_refusal(const struct config *cfg, const struct mail *m, const struct list_request *r)
{
	const char *from = m->from_addr;
	const char *quiet = auth_no_answer(m, cfg->address);
	g_autofree char *shown = util_one_line(from, 80);

	if (r->action == LIST_POST)
		return g_strdup_printf("mail to the address of list %s: sevmail does not forward "
		                       "mail to lists; stored with no effect",
		                       r->list->name);
	if (quiet != NULL || from == NULL)
		return g_strdup_printf("list request not answered: %s",
		                       quiet != NULL ? quiet : "no sender address");
	/* checked before anything is built from it: a quoted or overlong address cannot be
	 * a header, and the answer would fail with the message it answers */
	if (!util_address_valid(from))
		return g_strdup_printf("list request from %s not answered: not a plain mail "
		                       "address (quotes, commas, spaces or an overlong part)",
		                       shown);
	if (own_address(cfg, from))
		return g_strdup_printf("list request from %s not answered: it is one of "
		                       "sevmail's own addresses",
		                       from);
	/* no mail to outsiders: their address may be forged, an answer would be backscatter */
	if (!domain_allowed(r->list, from))
		return g_strdup_printf("%s for %s refused without an answer: the domain %s may not "
		                       "subscribe to %s (its domains setting)",
		                       r->action == LIST_NONE ? "list request"
		                                              : action_words[r->action],
		                       from, util_domain(from), r->list->name);
	return NULL;
}

/* A confirmation to answer, or a welcome/goodbye/notice about what happened. */
static int
tell(const struct notify *n, const struct list_config *l, const char *to, const char *variant,
     const char *token, const char *action, const char *text, GError **err)
{
	g_autofree char *own = token == NULL ? new_token(n, l->name, to, variant) : NULL;

	return notify_subscription(n, l, to, variant, token != NULL ? token : own, action, text,
	                           err);
}

static int
request(const struct notify *n, const struct list_request *r, const char *from, char **reason,
        GError **err)
{
	const struct list_config *l = r->list;
	const char *action = action_words[r->action];
	int member = store_subscribed(n->store, l->name, from, NULL, err);
	g_autofree char *token = NULL;

	if (member < 0)
		return -1;
	/* a suspended member subscribes again like anyone: that lifts the suspension */
	if (r->action == LIST_SUBSCRIBE && member == STORE_SUBSCRIBED) {
		*reason = g_strdup_printf("%s is already subscribed to %s", from, l->name);
		return tell(n, l, from, "notice", NULL, action,
		            "You are already subscribed to this list.", err);
	}
	if (r->action == LIST_UNSUBSCRIBE && member == STORE_NOT_SUBSCRIBED) {
		*reason = g_strdup_printf("%s is not subscribed to %s", from, l->name);
		return tell(n, l, from, "notice", NULL, action,
		            "You are not subscribed to this list.", err);
	}
	if (r->action == LIST_SUBSCRIBE && l->policy == POLICY_CLOSED) {
		*reason = g_strdup_printf("%s is closed: members are added by its administrators",
		                          l->name);
		return tell(n, l, from, "notice", NULL, action,
		            "This list is closed: its administrators add and remove members.", err);
	}
	if (l->policy == POLICY_OPEN) {
		*reason = g_strdup_printf(
		    "%s %s %s (open list)", from,
		    r->action == LIST_SUBSCRIBE ? "subscribed to" : "unsubscribed from", l->name);
		if ((r->action == LIST_SUBSCRIBE
		         ? store_subscribe(n->store, l->name, from, n->now, err)
		         : store_unsubscribe(n->store, l->name, from, err)) < 0)
			return -1;
		return tell(n, l, from, r->action == LIST_SUBSCRIBE ? "welcome" : "goodbye", NULL,
		            action, "", err);
	}
	token = new_token(n, l->name, from, action);
	if (store_list_token_add(n->store, token, l->name, from, action, n->now, err) != 0)
		return -1;
	*reason = g_strdup_printf("%s asked to %s %s: confirmation sent", from, action, l->name);
	return tell(n, l, from, "confirm", token, action, "", err);
}

static int
confirm(const struct notify *n, const struct list_request *r, const char *from, char **reason,
        GError **err)
{
	g_autofree char *list = NULL, *action = NULL;
	const struct list_config *l;
	int found = store_list_token_use(n->store, r->token, from, &list, &action, n->now, err);
	gboolean subscribe;

	if (found < 0)
		return -1;
	if (found == 0 || (l = config_list_by_name(n->cfg, list)) == NULL) {
		*reason =
		    g_strdup_printf("confirmation from %s with a token that is unknown, used, "
		                    "expired or issued to someone else; no effect",
		                    from);
		return 0;
	}
	subscribe = strcmp(action, "subscribe") == 0;
	if ((subscribe ? store_subscribe(n->store, l->name, from, n->now, err)
	               : store_unsubscribe(n->store, l->name, from, err)) < 0)
		return -1;
	*reason = g_strdup_printf("%s %s %s (confirmed)", from,
	                          subscribe ? "subscribed to" : "unsubscribed from", l->name);
	return tell(n, l, from, subscribe ? "welcome" : "goodbye", r->token, action, "", err);
}

/* Requests nobody has proven to be theirs are answered at most LISTS_MAILS_PER_ADDRESS
 * times per address and window: forged requests must not flood the address they name,
 * nor its mailbox through victim+1@, victim+2@... */
static int
over_limit(const struct notify *n, const struct list_request *r, const char *from, char **reason,
           GError **err)
{
	const char *plus = strchr(from, '+');
	const char *at = strchr(from, '@');
	g_autofree char *mailbox = plus != NULL && plus != from && plus < at
	                               ? g_strdup_printf("%.*s%s", (int)(plus - from), from, at)
	                               : g_strdup(from);
	int sent =
	    store_subscription_mails_since(n->store, mailbox, n->now - LISTS_MAIL_WINDOW, err);

	if (sent < 0)
		return -1;
	if (sent < LISTS_MAILS_PER_ADDRESS)
		return 0;
	*reason = g_strdup_printf("%s for %s to %s not carried out and not answered: %d "
	                          "subscription mails went to %s in the last %d hours, the "
	                          "most sevmail sends",
	                          r->action == LIST_NONE ? "list request" : action_words[r->action],
	                          from, r->list->name, sent, mailbox, LISTS_MAIL_WINDOW / 3600);
	return 1;
}

int
lists_handle(const struct notify *n, const struct mail *m, const struct list_request *r,
             char **reason, GError **err)
{
	const char *from = m->from_addr;
	int limited;

	if ((*reason = lists_refusal(n->cfg, m, r)) != NULL)
		return 0;
	/* a confirmation carries a token that only the address's owner has seen */
	if (r->action == LIST_CONFIRM)
		return confirm(n, r, from, reason, err);
	if ((limited = over_limit(n, r, from, reason, err)) != 0)
		return limited < 0 ? -1 : 0;
	if (r->action == LIST_NONE) {
		*reason = g_strdup_printf("mail to %s-request with no subscribe, unsubscribe or "
		                          "confirm; answered with how to use it",
		                          r->list->name);
		return tell(n, r->list, from, "notice", NULL, "",
		            "Write \"subscribe\" or \"unsubscribe\" as the subject.", err);
	}
	return request(n, r, from, reason, err);
}

/* Suspends address on list l (its bounces are counted already) and tells the owner; what
 * was done goes to done. */
static int
suspend(const struct notify *n, const struct list_config *l, const char *address, int bounces,
        const char *diagnostic, GString *done, GError **err)
{
	g_autofree char *why =
	    g_strdup_printf("%d permanent bounces in %d days, the last: %s", bounces,
	                    LISTS_BOUNCE_WINDOW / (24 * 3600), diagnostic);

	if (store_suspend(n->store, l->name, address, n->now, why, err) != 0)
		return -1;
	/* a bounce never causes mail to the address that bounced */
	if (l->owner == NULL || g_ascii_strcasecmp(l->owner, address) == 0) {
		g_string_append_printf(done, ", suspended from %s, which has no owner to tell",
		                       l->name);
		return 0;
	}
	g_string_append_printf(done, ", suspended from %s, its owner told", l->name);
	return notify_list_owner(n, l, address, why, err);
}

int
lists_bounced(const struct notify *n, const char *address, const char *diagnostic, GString *done,
              GError **err)
{
	for (guint i = 0; i < n->cfg->lists->len; i++) {
		const struct list_config *l = n->cfg->lists->pdata[i];
		gint64 since = 0;
		int state = store_subscribed(n->store, l->name, address, &since, err);
		int bounces;

		if (state < 0)
			return -1;
		if (state != STORE_SUBSCRIBED)
			continue;
		bounces = store_bounces_since(n->store, address, n->now - LISTS_BOUNCE_WINDOW,
		                              since, err);
		if (bounces < 0)
			return -1;
		if (bounces >= LISTS_BOUNCES_TO_SUSPEND &&
		    suspend(n, l, address, bounces, diagnostic, done, err) != 0)
			return -1;
	}
	return 0;
}
