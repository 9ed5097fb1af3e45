/*
 * config_warn: what `sevmail check` warns about in a configuration that loads: clear-text
 * passwords, alerts nobody can verify, alert senders that take in responders, nobody to page
 * (a team step of commanders when there are none too), lists open to all, people nobody
 * pages, and secrets other users may read.
 */
#include "config.h"
#include "config_sections.h"

#include <glib/gstdio.h>
#include <string.h>

static gboolean
config_has_role(const struct config *c, unsigned role)
{
	for (guint i = 0; i < c->responders->len; i++)
		if (((struct responder *)c->responders->pdata[i])->roles & role)
			return TRUE;
	return FALSE;
}

/* A team step of commanders when no responder is one pages nobody: an alert of a team
 * whose steps are all such waits for no one at all. */
static void
config_warn_teams(GPtrArray *w, const struct config *c)
{
	if (config_has_role(c, ROLE_COMMANDER))
		return;
	for (guint i = 0; i < c->teams->len; i++) {
		const struct team *t = c->teams->pdata[i];

		for (guint k = 0; k < t->steps->len; k++)
			if (((const struct team_step *)t->steps->pdata[k])->target ==
			    TARGET_COMMANDERS) {
				g_ptr_array_add(
				    w,
				    g_strdup_printf("[team:%s] escalation: no responder has the "
				                    "role commander, so its commanders step pages "
				                    "nobody",
				                    t->name));
				break;
			}
	}
}

/* [alerts] senders that take in a responder: a mail of theirs that no alert format reads is
 * a generic alert, so DECLARE, OVERRIDE and MAINTENANCE in a new mail would declare an
 * incident titled by the command instead. */
static void
config_warn_senders(GPtrArray *w, const struct config *c)
{
	g_autoptr(GPtrArray) taken = g_ptr_array_new();
	g_autofree char *names = NULL;

	if (c->alert_senders == NULL || c->alert_senders[0] == NULL)
		return;
	for (guint i = 0; i < c->responders->len; i++) {
		const struct responder *r = c->responders->pdata[i];

		if (config_alert_sender_allowed(c, r->address))
			g_ptr_array_add(taken, r->address);
	}
	if (taken->len == 0)
		return;
	g_ptr_array_add(taken, NULL);
	names = g_strjoinv(", ", (char **)taken->pdata);
	g_ptr_array_add(w, g_strdup_printf("[alerts] senders takes in the responders %s: a new "
	                                   "mail of theirs is read as an alert, so DECLARE, "
	                                   "OVERRIDE and MAINTENANCE by mail declare an "
	                                   "incident instead; name the monitoring's addresses "
	                                   "only",
	                                   names));
}

/* A file that every user may read, among those that hold secrets. */
static void
config_warn_mode(GPtrArray *w, const char *path, const char *what)
{
	GStatBuf st;

	/* group read is allowed: the service reads root:sevmail 0640 files */
	if (path != NULL && g_stat(path, &st) == 0 && (st.st_mode & 007) != 0)
		g_ptr_array_add(w,
		                g_strdup_printf("%s %s has mode %04o: every user of this "
		                                "machine may read it; chmod o-rwx %s",
		                                what, path, (unsigned)(st.st_mode & 07777), path));
}

/* The files of secrets: secret files, the database (reply mail, addresses), and the
 * configuration file itself when it holds passwords or alert keys. */
static void
config_warn_modes(GPtrArray *w, const struct config *c)
{
	gboolean inline_secrets =
	    (c->alert_keys != NULL && g_hash_table_size(c->alert_keys) > 0) ||
	    c->inline_passwords ||
	    (c->store.conninfo != NULL && strstr(c->store.conninfo, "password") != NULL);

	for (guint i = 0; i < c->secret_files->len; i++)
		config_warn_mode(w, c->secret_files->pdata[i], "the secret file");
	if (!c->store.postgresql)
		config_warn_mode(w, c->database, "the database");
	if (inline_secrets)
		config_warn_mode(w, c->path,
		                 "the configuration file (it holds passwords or alert keys)");
}

char **
config_warnings(const struct config *c)
{
	GPtrArray *w = g_ptr_array_new();
	const struct server_config *servers[] = {&c->imap, &c->smtp};
	const char *names[] = {"imap", "smtp"};

	for (gsize i = 0; i < 2; i++)
		if (servers[i]->security == SECURITY_NONE && !config_loopback(servers[i]->host))
			g_ptr_array_add(
			    w, g_strdup_printf("[%s] security = none sends the password in clear "
			                       "text to %s; use tls or starttls",
			                       names[i], servers[i]->host));
	if (c->sender_auth == AUTH_NONE)
		g_ptr_array_add(w, g_strdup("[security] sender_auth = none lets anyone who forges "
		                            "a responder's From command incidents"));
	if (!config_alerts_verifiable(c))
		g_ptr_array_add(w,
		                g_strdup("[alerts] has no keys, and no senders with [security] "
		                         "authserv_id: no alert can be verified, so every "
		                         "alert reaches the lists and the status page only after "
		                         "a responder acknowledges it; set [alerts] keys"));
	if (c->responders->len == 0)
		g_ptr_array_add(w, g_strdup("[responders] is empty: nobody can be paged"));
	else if (!config_has_role(c, ROLE_ONCALL) &&
	         (c->rotation == NULL || c->rotation[0] == NULL))
		g_ptr_array_add(w,
		                g_strdup("no responder has the role oncall and [oncall] rotation "
		                         "is not set: alerts page nobody"));
	for (guint i = 0; i < c->lists->len; i++) {
		const struct list_config *l = c->lists->pdata[i];

		if (!l->severities_set)
			g_ptr_array_add(w,
			                g_strdup_printf("[list:%s] has no severities: it hears of "
			                                "incidents of every severity",
			                                l->name));
		if (l->any_domain && l->policy != POLICY_CLOSED)
			g_ptr_array_add(
			    w, g_strdup_printf(
			           "[list:%s] is open to everyone (domains = *, policy = "
			           "%s): anyone may subscribe and read its status mails "
			           "and post-mortems; name the domains that may subscribe, "
			           "or set policy = closed",
			           l->name, config_policy_names[l->policy]));
	}
	for (char **r = c->rotation; r != NULL && *r != NULL; r++)
		if (config_responder(c, *r) == NULL)
			g_ptr_array_add(
			    w, g_strdup_printf("[oncall] rotation: %s is not in "
			                       "[responders]: their replies will be refused",
			                       *r));
	config_warn_schedules(w, c);
	config_warn_teams(w, c);
	config_warn_senders(w, c);
	config_warn_people(w, c);
	config_warn_modes(w, c);
	g_ptr_array_add(w, NULL);
	return (char **)g_ptr_array_free(w, FALSE);
}
