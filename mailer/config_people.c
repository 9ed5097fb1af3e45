/*
 * config_people: the [person:ADDRESS] sections (DESIGN.md, "Reaching people"): more ways to
 * reach one person. page_also names addresses (an SMS gateway, a pager) that get a short
 * form of every page and re-page that person gets.
 */
#include "config_sections.h"
#include "util.h"

#include <string.h>

#define PERSON_PREFIX "person:"

void
config_person_free(struct person *p)
{
	if (p == NULL)
		return;
	g_free(p->address);
	g_strfreev(p->page_also);
	g_free(p);
}

/* TRUE when address is sevmail's own (its address or a +detail form of it): a page there
 * would come back as mail to read. */
static gboolean
ours(const struct config *c, const char *address)
{
	const char *at = strrchr(c->address, '@');
	gsize local = (gsize)(at - c->address);

	return g_ascii_strcasecmp(util_domain(address), at + 1) == 0 &&
	       g_ascii_strncasecmp(address, c->address, local) == 0 &&
	       (address[local] == '@' || address[local] == '+');
}

static int
person_page_also(struct config *c, const char *group, struct person *p, const char *value,
                 GError **err)
{
	p->page_also = config_split_list(value);
	if (p->page_also[0] == NULL)
		return config_bad(err, c, group, "page_also",
		                  "is empty: name the addresses that get a short page, such as "
		                  "15551234567@sms.example.net");
	for (char **a = p->page_also; *a != NULL; a++) {
		if (!util_address_valid(*a))
			return config_bad(err, c, group, "page_also", "\"%s\" is not an address",
			                  *a);
		if (ours(c, *a))
			return config_bad(
			    err, c, group, "page_also",
			    "%s is sevmail's own address: pages there would come back", *a);
		if (strcmp(*a, p->address) == 0)
			return config_bad(
			    err, c, group, "page_also",
			    "%s is the person's own address, which every page goes to "
			    "already",
			    *a);
	}
	return 0;
}

int
config_load_person(struct config *c, GKeyFile *kf, const char *group, GError **err)
{
	static const char *const known[] = {"page_also", NULL};
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);
	const char *address = group + strlen(PERSON_PREFIX);
	struct person *p = g_new0(struct person, 1);
	g_autofree char *page_also = NULL;

	g_ptr_array_add(c->people, p);
	p->address = util_address(address);
	if (!util_address_valid(p->address))
		return config_bad(err, c, group, NULL,
		                  "\"%s\" is not an address: write [person:ADDRESS], such as "
		                  "[person:alice@example.com]",
		                  address);
	if (config_person(c, p->address) != p)
		return config_bad(err, c, group, NULL,
		                  "%s has another [person:] section already: write one per person",
		                  p->address);
	for (char **n = names; n != NULL && *n != NULL; n++)
		if (!g_strv_contains(known, *n))
			return config_bad(err, c, group, *n, "unknown key (people have page_also)");
	page_also = g_key_file_get_value(kf, group, "page_also", NULL);
	return page_also != NULL ? person_page_also(c, group, p, page_also, err) : 0;
}

const struct person *
config_person(const struct config *c, const char *address)
{
	for (guint i = 0; address != NULL && i < c->people->len; i++) {
		const struct person *p = c->people->pdata[i];

		if (g_ascii_strcasecmp(p->address, address) == 0)
			return p;
	}
	return NULL;
}

void
config_warn_people(GPtrArray *w, const struct config *c)
{
	/* the people of teams became responders when the file was read */
	for (guint i = 0; i < c->people->len; i++) {
		const struct person *p = c->people->pdata[i];

		if (config_responder(c, p->address) == NULL)
			g_ptr_array_add(w, g_strdup_printf("[person:%s] is neither in [responders] "
			                                   "nor in a team: nobody pages them, so "
			                                   "page_also reaches nobody",
			                                   p->address));
	}
}
