/*
 * config_sections: the sections that are not key tables, [responders] (address = roles) and
 * [list:NAME], for config.c (through config_sections.h).
 */
#include "config_sections.h"
#include "config.h"

#include "util.h"
#include <string.h>

int
config_load_responders(struct config *c, GKeyFile *kf, GError **err)
{
	g_auto(GStrv) names = g_key_file_get_keys(kf, "responders", NULL, NULL);

	for (char **n = names; n != NULL && *n != NULL; n++) {
		g_autofree char *value = g_key_file_get_value(kf, "responders", *n, NULL);
		g_auto(GStrv) roles = config_split_list(value);
		struct responder *r = g_new0(struct responder, 1);

		r->address = util_address(*n);
		g_ptr_array_add(c->responders, r);
		if (strchr(r->address, '@') == NULL)
			return config_bad(err, c, "responders", *n,
			                  "the key must be an e-mail address");
		for (char **role = roles; *role != NULL; role++) {
			if (strcmp(*role, "oncall") == 0)
				r->roles |= ROLE_ONCALL;
			else if (strcmp(*role, "commander") == 0)
				r->roles |= ROLE_COMMANDER;
			else if (strcmp(*role, "responder") != 0)
				return config_bad(
				    err, c, "responders", *n,
				    "unknown role '%s' (use oncall, commander or responder)",
				    *role);
		}
	}
	return 0;
}

void
config_list_free(struct list_config *l)
{
	g_free(l->name);
	g_free(l->address);
	g_strfreev(l->domains);
	g_strfreev(l->teams);
	g_free(l->owner);
	g_free(l);
}

/* `domains = *` opens the list to everyone; otherwise every entry must be a host name, so a
 * typo such as "*.example.com" is an error rather than a list nobody can join. */
static int
config_load_list_domains(struct config *c, struct list_config *l, const char *group,
                         const char *value, GError **err)
{
	l->domains = config_split_list(value);
	if (l->domains[0] == NULL)
		return config_bad(
		    err, c, group, "domains",
		    "is empty: name the domains that may subscribe by mail, or * for any");
	if (strcmp(l->domains[0], "*") == 0 && l->domains[1] == NULL) {
		l->any_domain = TRUE;
		return 0;
	}
	for (char **d = l->domains; *d != NULL; d++)
		if (!util_hostname_valid(*d))
			return config_bad(
			    err, c, group, "domains",
			    "'%s' is not a domain name (write domains such as example.com, "
			    "or * alone to let anyone subscribe)",
			    *d);
	return 0;
}

int
config_load_list(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	static const char *const known[] = {"address", "severities", "policy", "domains",
	                                    "teams",   "owner",      NULL};
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);
	struct list_config *l = g_new0(struct list_config, 1);
	g_autofree char *address = NULL, *sev = NULL, *policy = NULL, *domains = NULL;
	g_autofree char *owner = NULL;
	g_auto(GStrv) sevs = NULL;
	int p;

	g_ptr_array_add(c->lists, l);
	l->name = g_ascii_strdown(group + strlen("list:"), -1);
	for (char **n = names; n != NULL && *n != NULL; n++)
		if (!g_strv_contains(known, *n))
			return config_bad(
			    err, c, group, *n,
			    "unknown key (lists have address, severities, policy, domains, teams, "
			    "owner)");
	address = g_key_file_get_value(kf, group, "address", NULL);
	if (address == NULL || strchr(address, '@') == NULL)
		return config_bad(err, c, group, "address", "every list needs an e-mail address");
	l->address = util_address(address);
	sev = g_key_file_get_value(kf, group, "severities", NULL);
	l->severities_set = sev != NULL;
	sevs = config_split_list(sev != NULL ? sev : "1,2,3");
	for (char **v = sevs; *v != NULL; v++) {
		if (strlen(*v) != 1 || **v < '1' || **v > '3')
			return config_bad(err, c, group, "severities",
			                  "'%s' is not a list of severities 1, 2, 3", sev);
		l->severities |= 1u << (**v - '0');
	}
	policy = g_key_file_get_value(kf, group, "policy", NULL);
	if ((p = config_enum_value(config_policy_names, 3,
	                           policy != NULL ? g_strstrip(policy) : "confirm")) < 0)
		return config_bad(err, c, group, "policy",
		                  "'%s' is not one of open, confirm, closed", policy);
	l->policy = (enum list_policy)p;
	if (g_key_file_has_key(kf, group, "teams", NULL)) {
		g_autofree char *teams = g_key_file_get_value(kf, group, "teams", NULL);

		/* checked against the [team:] sections once all are read */
		l->teams = config_split_list(teams);
	}
	owner = g_key_file_get_value(kf, group, "owner", NULL);
	if (owner != NULL) {
		l->owner = util_address(owner);
		if (!util_address_valid(l->owner))
			return config_bad(err, c, group, "owner",
			                  "'%s' is not a plain mail address (local@domain)", owner);
	}
	domains = g_key_file_get_value(kf, group, "domains", NULL);
	return domains != NULL ? config_load_list_domains(c, l, group, domains, err) : 0;
}

/* A list without `domains` takes only the incident address's domain: post-mortems carry
 * notes and addresses that outsiders should not read just by asking. */
void
config_default_list_domains(struct config *c)
{
	for (guint i = 0; i < c->lists->len; i++) {
		struct list_config *l = c->lists->pdata[i];

		if (l->domains == NULL && !l->any_domain)
			l->domains = config_split_list(util_domain(c->address));
	}
}
