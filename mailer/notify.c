/*
 * notify: composing and queueing every mail about an incident. Message-IDs are fixed at
 * queue time (inc-N.KIND.K@domain) so a retry is the same message, and every mail about
 * incident N references the first one, so mail clients thread them.
 */
#include "notify_int.h"

#include "postmortem.h"

#include "auth.h"
#include "command.h"
#include "digest.h"
#include "mime.h"
#include "template.h"
#include "util.h"
#include <string.h>

GHashTable *
notify_incident_vars(const struct notify *n, const struct incident *inc)
{
	GHashTable *v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	g_hash_table_insert(v, "id", g_strdup_printf("%" G_GINT64_FORMAT, inc->id));
	g_hash_table_insert(v, "title", g_strdup(inc->title));
	g_hash_table_insert(v, "severity", incident_severity_label(inc));
	/* a merged incident goes on in another: its people and lists read where */
	g_hash_table_insert(
	    v, "status",
	    inc->merged_into != 0
	        ? g_strdup_printf("Merged into INC-%" G_GINT64_FORMAT, inc->merged_into)
	        : g_strdup(incident_status_word(inc->status)));
	g_hash_table_insert(v, "commander",
	                    g_strdup(inc->commander != NULL ? inc->commander : "not yet assigned"));
	g_hash_table_insert(v, "impact",
	                    g_strdup(inc->impact != NULL ? inc->impact : "Being assessed."));
	g_hash_table_insert(v, "next_steps",
	                    g_strdup(inc->next_steps != NULL ? inc->next_steps : "Being decided."));
	g_hash_table_insert(v, "created", util_human_time(inc->created_at));
	g_hash_table_insert(v, "source", g_strdup(inc->source));
	/* the default team is not named: without [team:] sections mail looks as before */
	g_hash_table_insert(v, "team", g_strdup(inc->team != NULL ? inc->team : ""));
	g_hash_table_insert(v, "details", g_strdup(inc->details != NULL ? inc->details : ""));
	g_hash_table_insert(v, "latest_update",
	                    g_strdup(inc->latest_update != NULL ? inc->latest_update : ""));
	g_hash_table_insert(v, "name", g_strdup(n->cfg->name));
	g_hash_table_insert(v, "address", g_strdup(n->cfg->address));
	g_hash_table_insert(
	    v, "unverified",
	    g_strdup(inc->unverified
	                 ? "This alert could not be verified as coming from your monitoring: "
	                   "check it before you act on it. The stakeholders hear of it only once "
	                   "you acknowledge it."
	                 : ""));
	return v;
}

int
notify_may_answer(const struct notify *n, const char *to, GError **err)
{
	int answered = store_answers_since(n->store, to, n->now - 3600, err);

	if (answered < 0)
		return -1;
	if (answered < NOTIFY_ANSWERS_PER_HOUR)
		return 1;
	g_message("not answering %s: %d answers in the last hour already", to,
	          NOTIFY_ANSWERS_PER_HOUR);
	return 0;
}

/* NULL + err when the count fails: a guessed number could reuse a Message-ID. */
static char *
next_message_id(const struct notify *n, const struct incident *inc, enum outbox_kind kind,
                GError **err)
{
	int seq = store_outbox_count(n->store, inc->id, kind, err) + 1;

	if (seq <= 0)
		return NULL;
	return g_strdup_printf("inc-%" G_GINT64_FORMAT ".%s.%d@%s", inc->id, outbox_kind_name(kind),
	                       seq, util_domain(n->cfg->address));
}

/* A mail that cannot be built from what it was given (an address or a header value a
 * stranger's mail brought) is dropped, with an event that says why: one bad value never
 * rolls back the message that caused it, nor stops the timers and the outbox. */
static int
dropped(const struct notify *n, struct incident *inc, const struct envelope *env, const GError *why,
        GError **err)
{
	g_autoptr(GString) to = g_string_new(NULL);
	g_autofree char *detail = NULL;
	struct event *e;
	int rc;

	for (guint i = 0; i < env->rcpts->len; i++)
		g_string_append_printf(to, "%s%s", i ? ", " : "",
		                       (const char *)env->rcpts->pdata[i]);

	g_warning("%s mail to %s not sent: %s", outbox_kind_name(env->kind), to->str, why->message);
	if (inc == NULL || inc->id == 0)
		return 0;
	detail = g_strdup_printf("Mail not sent (%s to %s): %s", outbox_kind_name(env->kind),
	                         to->str, why->message);
	e = event_make(n->now, "sevmail", EVENT_DROPPED, detail);
	rc = store_event_add(n->store, inc->id, e, NULL, err);
	event_free(e);
	return rc;
}

int
notify_queue(const struct notify *n, struct incident *inc, const struct envelope *env,
             GHashTable *vars, GError **err)
{
	g_autofree char *subject = NULL, *body = NULL, *raw = NULL, *html = NULL;
	g_autofree char *message_id = env->message_id != NULL
	                                  ? g_strdup(env->message_id)
	                                  : next_message_id(n, inc, env->kind, err);
	g_autoptr(GPtrArray) refs = g_ptr_array_new();
	g_autoptr(GPtrArray) headers = g_ptr_array_new();
	const char *thread = inc != NULL ? inc->thread_id : NULL;
	g_autoptr(GError) bad = NULL;
	g_autoptr(GError) no_html = NULL;
	struct outmsg m = {0};
	gsize len = 0;
	char *line;

	if (message_id == NULL)
		return -1;
	if (template_render(n->cfg->templates,
	                    env->template ? env->template : outbox_kind_name(env->kind), vars,
	                    &subject, &body, err) != 0)
		return -1;
	/* a title may hold anything an alert or a reply brought: one clean line */
	line = util_one_line(subject, 900);
	g_free(subject);
	subject = line;
	/* the HTML is the text's alternative: a broken .html template never holds a page back
	 * (`sevmail check` names its line) */
	if (notify_html(n, inc, env, vars, subject, &html, &no_html) != 0)
		g_warning("%s mail sent as text only: %s", outbox_kind_name(env->kind),
		          no_html->message);
	if (thread != NULL)
		g_ptr_array_add(refs, (gpointer)thread);
	if (env->in_reply_to != NULL && g_strcmp0(env->in_reply_to, thread) != 0)
		g_ptr_array_add(refs, (gpointer)env->in_reply_to);
	g_ptr_array_add(headers, "Auto-Submitted");
	g_ptr_array_add(headers, "auto-generated");
	g_ptr_array_add(headers, "X-Loop");
	g_ptr_array_add(headers, n->cfg->address);
	g_ptr_array_add(headers, "X-Auto-Response-Suppress");
	g_ptr_array_add(headers, "All");
	for (guint i = 0; env->headers != NULL && i < env->headers->len; i++)
		g_ptr_array_add(headers, env->headers->pdata[i]);
	m.from_name = n->cfg->name;
	m.from_addr = n->cfg->address;
	m.reply_to = env->reply_to;
	m.to = env->to;
	m.subject = subject;
	m.message_id = message_id;
	m.in_reply_to = env->in_reply_to != NULL ? env->in_reply_to : thread;
	m.references = refs;
	m.headers = headers;
	m.text = body;
	m.html = html;
	m.calendar = env->calendar;
	m.date = n->now;
	raw = mime_build(&m, &len, &bad);
	if (raw == NULL)
		return dropped(n, inc, env, bad, err);
	if (store_outbox_add(n->store, env->kind, inc != NULL ? inc->id : 0, message_id,
	                     n->cfg->address, env->rcpts, raw, len, n->now, err) != 0)
		return -1;
	if (inc != NULL && inc->thread_id == NULL) {
		inc->thread_id = g_strdup(message_id);
		return store_incident_update(n->store, inc, err);
	}
	return 0;
}

static int
to_one(const struct notify *n, struct incident *inc, enum outbox_kind kind, const char *to,
       const char *in_reply_to, GHashTable *vars, GError **err)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	/* a reply token commands the incident: only responders are ever given one */
	g_autofree char *reply_to =
	    outbox_kind_info(kind)->reply_token && config_responder(n->cfg, to) != NULL
	        ? auth_reply_address(n->cfg->secret, n->cfg->address, inc->id)
	        : NULL;
	struct envelope env = {.kind = kind,
	                       .to = list,
	                       .rcpts = list,
	                       .reply_to = reply_to,
	                       .in_reply_to = in_reply_to};

	g_ptr_array_add(list, (gpointer)to);
	return notify_queue(n, inc, &env, vars, err);
}

int
notify_page(const struct notify *n, struct incident *inc, const char *to, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	/* the short list from the verb table: what a phone needs at 3 a.m. */
	g_hash_table_insert(vars, "commands", g_strdup(command_help_short()));
	if (to_one(n, inc, OUTBOX_PAGE, to, NULL, vars, err) != 0)
		return -1;
	return notify_short_pages(n, inc, to, err);
}

int
notify_repage(const struct notify *n, struct incident *inc, const char *to, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);
	g_autofree char *waiting = util_duration(n->now - inc->created_at);

	g_hash_table_insert(vars, "waiting", g_strdup(waiting));
	g_hash_table_insert(vars, "commands", g_strdup(command_help_short()));
	if (to_one(n, inc, OUTBOX_REPAGE, to, NULL, vars, err) != 0)
		return -1;
	return notify_short_pages(n, inc, to, err);
}

/* A list value for the template's loops: one item per line. */
static char *
lines_of(GPtrArray *items)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; items != NULL && i < items->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "\n" : "", (const char *)items->pdata[i]);
	return g_string_free(s, FALSE);
}

int
notify_confirm(const struct notify *n, struct incident *inc, const char *to,
               const struct incident_outcome *o, const char *in_reply_to, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	g_autofree char *all = lines_of(o->changes);
	g_auto(GStrv) each = g_strsplit(all, "\n", -1);
	g_autofree char *joined = g_strjoinv("; ", each);

	g_hash_table_insert(vars, "summary", util_one_line(joined, 80));
	g_hash_table_insert(vars, "changes", lines_of(o->changes));
	g_hash_table_insert(vars, "refusals", lines_of(o->refusals));
	return to_one(n, inc, OUTBOX_CONFIRM, to, in_reply_to, vars, err);
}

int
notify_error(const struct notify *n, struct incident *inc, const char *to, const char *problem,
             const char *in_reply_to, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	g_hash_table_insert(vars, "summary", util_one_line(problem, 80));
	g_hash_table_insert(vars, "problem", util_one_line(problem, 500));
	g_hash_table_insert(vars, "commands", g_strdup(command_help()));
	return to_one(n, inc, OUTBOX_ERROR, to, in_reply_to, vars, err);
}

int
notify_notice(const struct notify *n, struct incident *inc, const char *to, const char *headline,
              const char *notice, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	g_hash_table_insert(vars, "headline", util_one_line(headline, 80));
	g_hash_table_insert(vars, "notice", util_one_line(notice, 500));
	return to_one(n, inc, OUTBOX_NOTICE, to, NULL, vars, err);
}

int
notify_person(const struct notify *n, enum outbox_kind kind, const char *to, const char *template,
              const char *key, GHashTable *vars, const char *in_reply_to, GError **err)
{
	g_autoptr(GPtrArray) rcpt = g_ptr_array_new();
	g_autofree char *token = digest_sha256_hex(key, strlen(key));
	g_autofree char *message_id =
	    g_strdup_printf("%s.%.24s@%s", template, token, util_domain(n->cfg->address));
	struct envelope env = {.kind = kind,
	                       .to = rcpt,
	                       .rcpts = rcpt,
	                       .in_reply_to = in_reply_to,
	                       .template = template,
	                       .message_id = message_id};

	g_ptr_array_add(rcpt, (gpointer)to);
	g_hash_table_insert(vars, "name", g_strdup(n->cfg->name));
	g_hash_table_insert(vars, "address", g_strdup(n->cfg->address));
	return notify_queue(n, NULL, &env, vars, err);
}

int
notify_declare_syntax(const struct notify *n, const char *to, const char *in_reply_to, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	return notify_person(n, OUTBOX_ERROR, to, "declare-syntax",
	                     in_reply_to != NULL ? in_reply_to : to, vars, in_reply_to, err);
}

int
notify_help(const struct notify *n, struct incident *inc, const char *to, const char *in_reply_to,
            GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	g_hash_table_insert(vars, "commands", g_strdup(command_help()));
	return to_one(n, inc, OUTBOX_HELP, to, in_reply_to, vars, err);
}

/* Everyone who takes part in the incident except `except` (and except the addresses in
 * `covered`, when given). NULL + err when they cannot be read. */
static GPtrArray *
participants_but(const struct notify *n, const struct incident *inc, const char *except,
                 GHashTable *covered, GError **err)
{
	g_autoptr(GPtrArray) all = store_participants(n->store, inc->id, err);
	GPtrArray *out;

	if (all == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < all->len; i++) {
		const char *a = all->pdata[i];

		if (g_strcmp0(a, except) != 0 &&
		    (covered == NULL || !g_hash_table_contains(covered, a)))
			g_ptr_array_add(out, g_strdup(a));
	}
	return out;
}

int
notify_relay(const struct notify *n, struct incident *inc, const char *author, GPtrArray *notes,
             GError **err)
{
	g_autoptr(GPtrArray) people = participants_but(n, inc, author, NULL, err);
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);
	g_autofree char *reply_to = auth_reply_address(n->cfg->secret, n->cfg->address, inc->id);
	GString *text = g_string_new(NULL);
	struct envelope env = {
	    .kind = OUTBOX_RELAY, .to = people, .rcpts = people, .reply_to = reply_to};

	if (people == NULL)
		return -1;
	for (guint i = 0; i < notes->len; i++)
		g_string_append_printf(text, "%s%s", i ? "\n" : "", (const char *)notes->pdata[i]);
	g_hash_table_insert(vars, "author", g_strdup(author));
	g_hash_table_insert(vars, "text", g_string_free(text, FALSE));
	/* two auto-responders on one incident would otherwise talk through sevmail forever:
	 * whoever had their hour's share of answers and relays gets no more */
	for (guint i = people->len; i > 0; i--) {
		int allowed = notify_may_answer(n, people->pdata[i - 1], err);

		if (allowed < 0)
			return -1;
		if (allowed == 0)
			g_ptr_array_remove_index(people, i - 1);
	}
	if (people->len == 0 || notes->len == 0)
		return 0;
	return notify_queue(n, inc, &env, vars, err);
}

static void next_update(const struct notify *n, const struct incident *inc, GHashTable *vars);

static void
notify_unref_array(gpointer p)
{
	if (p != NULL)
		g_ptr_array_unref(p);
}

/* Whether a list hears of inc: its severities include inc's, or it was told of inc before
 * (a SEV1 list is not left with "Investigating" when the incident becomes a SEV3). An
 * unverified alert's incident stays among the responders until one vouches for it. With
 * record, a list that hears is remembered. 1, 0, or -1 + err. */
static int
list_hears(const struct notify *n, const struct incident *inc, const struct list_config *l,
           gboolean record, GError **err)
{
	if (inc->unverified)
		return 0;
	/* a list of other teams hears of this incident only when it heard of one of its own
	 * teams that was merged into it: such a list follows the survivor to the end */
	if (l->teams != NULL && !g_strv_contains((const char *const *)l->teams,
	                                         inc->team != NULL ? inc->team : "default"))
		return store_incident_list_was_told(n->store, inc->id, l->name, err);
	if (inc->severity < 1 || (l->severities & (1u << inc->severity)) == 0)
		return store_incident_list_was_told(n->store, inc->id, l->name, err);
	if (record && store_incident_list_told(n->store, inc->id, l->name, err) != 0)
		return -1;
	return 1;
}

/* Mail of kind (status, postmortem) to a list's subscribers, with the list headers. */
static int
to_list(const struct notify *n, struct incident *inc, const struct list_config *l,
        GPtrArray *subscribers, enum outbox_kind kind, GHashTable *vars, const char *calendar,
        GError **err)
{
	g_autoptr(GPtrArray) to = g_ptr_array_new();
	g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(g_free);
	const char *at = strrchr(l->address, '@');
	g_autofree char *request = notify_request_address(l);
	struct envelope env = {
	    .kind = kind, .to = to, .rcpts = subscribers, .headers = headers, .calendar = calendar};

	if (subscribers->len == 0)
		return 0;
	g_ptr_array_add(to, l->address);
	g_ptr_array_add(headers, g_strdup("List-Id"));
	g_ptr_array_add(headers, g_strdup_printf("%s <%s.%s>", l->name, l->name, at + 1));
	g_ptr_array_add(headers, g_strdup("List-Unsubscribe"));
	g_ptr_array_add(headers, g_strdup_printf("<mailto:%s?subject=unsubscribe>", request));
	g_ptr_array_add(headers, g_strdup("Precedence"));
	g_ptr_array_add(headers, g_strdup("list"));
	g_hash_table_insert(vars, "unsubscribe", g_strdup(request));
	return notify_queue(n, inc, &env, vars, err);
}

static int
status_to_list(const struct notify *n, struct incident *inc, const struct list_config *l,
               GPtrArray *subscribers, GError **err)
{
	g_autoptr(GHashTable) vars = notify_incident_vars(n, inc);

	next_update(n, inc, vars);
	return to_list(n, inc, l, subscribers, OUTBOX_STATUS, vars, NULL, err);
}

static void
next_update(const struct notify *n, const struct incident *inc, GHashTable *vars)
{
	g_hash_table_insert(vars, "next_update",
	                    inc->status < STATUS_RESOLVED && inc->severity >= 1 &&
	                            inc->severity <= 2
	                        ? util_human_time(n->now + n->cfg->update_interval)
	                        : g_strdup(""));
}

/* Who of the lists hears of inc now: one entry per configured list, its subscribers or NULL
 * when it does not hear; every subscriber is added to covered (they need no copy of their
 * own). record remembers the lists told (list_hears). NULL + err on failure. */
static GPtrArray *
notify_audience(const struct notify *n, struct incident *inc, gboolean record, GHashTable *covered,
                GError **err)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(notify_unref_array);

	for (guint i = 0; i < n->cfg->lists->len; i++) {
		const struct list_config *l = n->cfg->lists->pdata[i];
		GPtrArray *subscribers = NULL;
		int hears = list_hears(n, inc, l, record, err);

		if (hears > 0)
			subscribers = store_subscribers(n->store, l->name, err);
		if (hears < 0 || (hears > 0 && subscribers == NULL)) {
			g_ptr_array_unref(out);
			return NULL;
		}
		g_ptr_array_add(out, subscribers);
		for (guint j = 0; subscribers != NULL && j < subscribers->len; j++)
			g_hash_table_add(covered, subscribers->pdata[j]);
	}
	return out;
}

int
notify_status(const struct notify *n, struct incident *inc, const char *author, GError **err)
{
	g_autoptr(GHashTable) covered = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) lists = NULL;
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(GHashTable) vars = NULL;
	struct envelope env = {.kind = OUTBOX_STATUS};

	if ((lists = notify_audience(n, inc, TRUE, covered, err)) == NULL)
		return -1;
	for (guint i = 0; i < n->cfg->lists->len; i++) {
		GPtrArray *subscribers = lists->pdata[i];

		if (subscribers != NULL &&
		    status_to_list(n, inc, n->cfg->lists->pdata[i], subscribers, err) != 0)
			return -1;
	}
	if (author == NULL)
		return 0;
	/* the people on the incident hear of every change too, once, without list headers */
	if ((people = participants_but(n, inc, author, covered, err)) == NULL)
		return -1;
	if (people->len == 0)
		return 0;
	vars = notify_incident_vars(n, inc);
	g_hash_table_insert(vars, "unsubscribe", g_strdup(""));
	next_update(n, inc, vars);
	env.to = env.rcpts = people;
	return notify_queue(n, inc, &env, vars, err);
}

static gboolean
is_responder(const char *address, void *data)
{
	return config_responder(data, address) != NULL;
}

int
notify_postmortem(const struct notify *n, struct incident *inc, GPtrArray *events,
                  const char *meeting, GError **err)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(n->cfg->timezone);
	struct postmortem_input in = {.inc = inc,
	                              .events = events,
	                              .is_responder = is_responder,
	                              .responder_data = (void *)n->cfg,
	                              .tz = tz,
	                              .now = n->now,
	                              .meeting = meeting,
	                              .organizer = n->cfg->address,
	                              .organizer_name = n->cfg->name,
	                              .name = n->cfg->name,
	                              .address = n->cfg->address};
	g_autoptr(GPtrArray) attendees = postmortem_attendees(&in);
	g_autoptr(GHashTable) covered = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) lists = NULL;
	g_autoptr(GPtrArray) people = g_ptr_array_new();
	g_autofree char *uid = g_strdup_printf("inc-%" G_GINT64_FORMAT ".postmortem@%s", inc->id,
	                                       util_domain(n->cfg->address));
	g_autofree char *ics = NULL;
	struct envelope env = {.kind = OUTBOX_POSTMORTEM};

	if (meeting != NULL && (ics = postmortem_ics(&in, uid, err)) == NULL)
		return -1;
	if ((lists = notify_audience(n, inc, FALSE, covered, err)) == NULL)
		return -1;
	for (guint i = 0; i < n->cfg->lists->len; i++) {
		GPtrArray *subscribers = lists->pdata[i];
		g_autoptr(GHashTable) vars = NULL;

		if (subscribers == NULL || subscribers->len == 0)
			continue;
		vars = postmortem_vars(&in);
		if (to_list(n, inc, n->cfg->lists->pdata[i], subscribers, OUTBOX_POSTMORTEM, vars,
		            ics, err) != 0)
			return -1;
	}
	for (guint i = 0; i < attendees->len; i++)
		if (!g_hash_table_contains(covered, attendees->pdata[i]))
			g_ptr_array_add(people, attendees->pdata[i]);
	if (people->len > 0) {
		g_autoptr(GHashTable) vars = postmortem_vars(&in);

		env.to = env.rcpts = people;
		env.calendar = ics;
		return notify_queue(n, inc, &env, vars, err);
	}
	return 0;
}

char *
notify_postmortem_text(const struct config *cfg, const struct incident *inc, GPtrArray *events,
                       gint64 now, GError **err)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(cfg->timezone);
	struct postmortem_input in = {.inc = inc,
	                              .events = events,
	                              .is_responder = is_responder,
	                              .responder_data = (void *)cfg,
	                              .tz = tz,
	                              .now = now,
	                              .name = cfg->name,
	                              .address = cfg->address};
	g_autoptr(GHashTable) vars = postmortem_vars(&in);
	g_autofree char *subject = NULL, *body = NULL;

	if (template_render(cfg->templates, "postmortem", vars, &subject, &body, err) != 0)
		return NULL;
	return g_strdup_printf("Subject: %s\n\n%s", subject, body);
}
