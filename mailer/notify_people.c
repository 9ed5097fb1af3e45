/*
 * notify_people: who around an incident is told what, beyond the sender's own answer
 * (DESIGN.md "Who is told what"): those paged hear that someone acknowledged, the old
 * and the new commander hear of a change, a refused responder hears why.
 */
#include "notify.h"

#include "util.h"
#include <string.h>

/* The local part of an address, for subjects ("alice"). Caller frees. */
static char *
local_part(const char *address)
{
	const char *at = strchr(address, '@');

	return at != NULL ? g_strndup(address, (gsize)(at - address)) : g_strdup(address);
}

int
notify_acknowledged(const struct notify *n, struct incident *inc, const char *by, GPtrArray *people,
                    GError **err)
{
	g_autofree char *who = local_part(by);
	g_autofree char *headline = g_strdup_printf("Acknowledged by %s", who);
	g_autofree char *text = g_strdup_printf("INC-%" G_GINT64_FORMAT " was acknowledged by %s: "
	                                        "you can stand down unless you are asked to help.",
	                                        inc->id, by);

	for (guint i = 0; i < people->len; i++) {
		const char *to = people->pdata[i];

		if (g_strcmp0(to, by) == 0 || config_responder(n->cfg, to) == NULL)
			continue;
		if (notify_notice(n, inc, to, headline, text, err) != 0)
			return -1;
	}
	return 0;
}

int
notify_commander(const struct notify *n, struct incident *inc, const char *old, const char *by,
                 GError **err)
{
	const char *now = inc->commander;
	g_autofree char *text = NULL, *told_old = NULL;

	if (now == NULL || g_strcmp0(now, old) == 0)
		return 0;
	if (g_strcmp0(now, by) != 0) {
		text = g_strdup_printf("%s made you the incident commander of INC-%" G_GINT64_FORMAT
		                       ": you run the incident and keep the stakeholders informed. "
		                       "Reply to this mail with commands.",
		                       by, inc->id);
		if (notify_notice(n, inc, now, "You are the incident commander", text, err) != 0)
			return -1;
	}
	if (old == NULL || g_strcmp0(old, by) == 0)
		return 0;
	told_old = g_strdup_printf("%s made %s the incident commander of INC-%" G_GINT64_FORMAT
	                           " in your place.",
	                           by, now, inc->id);
	return notify_notice(n, inc, old, "New incident commander", told_old, err);
}

int
notify_refused(const struct notify *n, struct incident *inc, const char *to, const char *why,
               const char *in_reply_to, GError **err)
{
	g_autofree char *problem = g_strdup_printf(
	    "your mail was not carried out: %s. Reply to a page or a confirmation about "
	    "INC-%" G_GINT64_FORMAT ": they carry the reply token that proves a mail is yours",
	    why, inc->id);
	int allowed = notify_may_answer(n, to, err);

	if (allowed <= 0)
		return allowed;
	return notify_error(n, inc, to, problem, in_reply_to, err);
}
