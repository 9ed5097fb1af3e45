/*
 * notify_html: the HTML alternative of mail about an incident (DESIGN.md, "Reaching people"):
 * templates/KIND.html with the text's values, every one escaped by the renderer, a severity
 * badge, and in a responder's mail one-tap answers: mailto: links to the incident's reply
 * token address whose subject and body are the answer, so a tap and "send" acts.
 */
#include "notify_int.h"

#include "auth.h"
#include "mailto.h"
#include "template.h"

/* The answers offered as buttons, each while it would change something. */
static const struct notify_action {
	const char *var;     /* the template's placeholder: the link, or "" when not offered */
	const char *command; /* the answer's body, as a person would write it */
	int severity;        /* for SEVn: n, which is not offered when it is the severity */
	gboolean triggered;  /* offered only while nobody acknowledged the incident */
} notify_actions[] = {
    {"act_ack", "ACK", 0, TRUE},    {"act_resolved", "RESOLVED", 0, FALSE},
    {"act_sev1", "SEV1", 1, FALSE}, {"act_sev2", "SEV2", 2, FALSE},
    {"act_sev3", "SEV3", 3, FALSE},
};

/* The spec's meaning of each severity, under the badge. */
static const char *const notify_severity_meaning[] = {
    "Not assessed yet.",
    "Critical issue affecting all users.",
    "Major issue affecting a subset of users.",
    "Minor issue.",
};

static gboolean
notify_action_offered(const struct notify_action *a, const struct incident *inc)
{
	if (inc->status >= STATUS_RESOLVED)
		return FALSE;
	if (a->triggered)
		return inc->status == STATUS_TRIGGERED;
	return a->severity == 0 || a->severity != inc->severity;
}

/* The action links, when the mail carries inc's reply token address: an answer must go
 * there to be believed (sender_auth = token) and to find its incident. */
static void
notify_html_actions(const struct notify *n, const struct incident *inc, const char *reply_to,
                    const char *subject, GHashTable *vars)
{
	g_autofree char *token = auth_reply_address(n->cfg->secret, n->cfg->address, inc->id);
	g_autofree char *answer = g_strconcat("Re: ", subject, NULL);
	gboolean mine = g_strcmp0(reply_to, token) == 0, any = FALSE;

	for (gsize i = 0; i < G_N_ELEMENTS(notify_actions); i++) {
		const struct notify_action *a = &notify_actions[i];
		gboolean offered = mine && notify_action_offered(a, inc);

		g_hash_table_insert(vars, (gpointer)a->var,
		                    offered ? mailto_uri(token, answer, a->command) : g_strdup(""));
		any |= offered;
	}
	g_hash_table_insert(vars, "actions", g_strdup(any ? "yes" : ""));
}

/* The command list of the text ("  ACK      you are on it", padded for a monospaced font)
 * as lines that read in any font on a narrow screen: "ACK – you are on it". */
static char *
notify_html_command_lines(const char *commands)
{
	g_auto(GStrv) lines = g_strsplit(commands != NULL ? commands : "", "\n", -1);
	g_autoptr(GRegex) gap = g_regex_new("\\s{2,}", 0, 0, NULL);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l != NULL; l++) {
		g_autofree char *one =
		    g_regex_replace_literal(gap, g_strstrip(*l), -1, 0, " – ", 0, NULL);

		if (one != NULL && *one != '\0')
			g_string_append_printf(out, "%s%s", out->len > 0 ? "\n" : "", one);
	}
	return g_string_free(out, FALSE);
}

int
notify_html(const struct notify *n, const struct incident *inc, const struct envelope *env,
            GHashTable *vars, const char *subject, char **html, GError **err)
{
	int sev = inc != NULL && inc->severity >= 1 && inc->severity <= 3 ? inc->severity : 0;

	*html = NULL;
	/* a mail of another template (a handoff, the DECLARE syntax) stays text */
	if (inc == NULL || !outbox_kind_info(env->kind)->html || env->template != NULL)
		return 0;
	g_hash_table_insert(vars, "sev_class",
	                    sev > 0 ? g_strdup_printf("%d", sev) : g_strdup("none"));
	g_hash_table_insert(vars, "severity_meaning", g_strdup(notify_severity_meaning[sev]));
	g_hash_table_insert(vars, "command_lines",
	                    notify_html_command_lines(g_hash_table_lookup(vars, "commands")));
	notify_html_actions(n, inc, env->reply_to, subject, vars);
	return template_render_html(n->cfg->templates, outbox_kind_name(env->kind), vars, html,
	                            err) < 0
	           ? -1
	           : 0;
}
