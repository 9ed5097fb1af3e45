/*
 * notify_check: every template, text and HTML, rendered against a sample incident for
 * `sevmail check`, so that a broken edit is found before a page needs it.
 */
#include "notify_int.h"

#include "template.h"
#include "util.h"

/* Text templates, and which of them have an HTML alternative that must render too. */
static const struct {
	const char *name;
	gboolean html;
} notify_check_kinds[] = {
    {"page", TRUE},
    {"repage", TRUE},
    {"confirm", TRUE},
    {"error", TRUE},
    {"notice", TRUE},
    {"status", TRUE},
    {"postmortem", TRUE},
    {"help", FALSE},
    {"relay", FALSE},
    {"short_page", FALSE},
    {"subscription-confirm", FALSE},
    {"subscription-welcome", FALSE},
    {"subscription-goodbye", FALSE},
    {"subscription-notice", FALSE},
    {"declare-syntax", FALSE},
    {"override", FALSE},
    {"list-owner", FALSE},
    {"handoff", FALSE},
    {"maintenance", FALSE},
    {"maintenance-refused", FALSE},
    {"heartbeat", FALSE},
};

/* The values of every kind's own (beyond the incident's), and those of the HTML. */
static const char *const notify_check_extra[] = {
    "changes",   "refusals",     "problem",
    "commands",  "unsubscribe",  "next_update",
    "notice",    "author",       "text",
    "list",      "list_address", "request",
    "token",     "action",       "subscriber",
    "waiting",   "date",         "meeting",
    "declared",  "resolved",     "mtta",
    "mttr",      "timezone",     "attendees",
    "timeline",  "root_cause",   "action_items",
    "summary",   "headline",     "reply_to",
    "sev_class", "actions",      "severity_meaning",
    "act_ack",   "act_resolved", "act_sev1",
    "act_sev2",  "act_sev3",     "command_lines",
    "done",      "refused",      "reason",
    "schedule",  "team_note",    "from",
    "until",     "incidents",    "window",
    "match",     "time",         "every",
};

int
notify_check_templates(const struct config *cfg, GError **err)
{
	struct notify n = {cfg, NULL, util_now()};
	g_autoptr(incident) inc = incident_new("Sample: checkout failing", "check", n.now);
	g_autoptr(GHashTable) vars = NULL;

	inc->id = 1;
	inc->severity = 1;
	vars = notify_incident_vars(&n, inc);
	for (gsize i = 0; i < G_N_ELEMENTS(notify_check_extra); i++)
		g_hash_table_insert(vars, (gpointer)notify_check_extra[i], g_strdup("sample"));
	for (gsize i = 0; i < G_N_ELEMENTS(notify_check_kinds); i++) {
		g_autofree char *subject = NULL, *body = NULL, *html = NULL;

		if (template_render(cfg->templates, notify_check_kinds[i].name, vars, &subject,
		                    &body, err) != 0)
			return -1;
		if (notify_check_kinds[i].html &&
		    template_render_html(cfg->templates, notify_check_kinds[i].name, vars, &html,
		                         err) < 0)
			return -1;
	}
	return 0;
}
