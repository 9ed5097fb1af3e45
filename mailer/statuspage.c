/*
 * statuspage: the static status page. Plain HTML and inline CSS, one column, system fonts:
 * it must read well on a phone and cannot run anything even if a title carries markup
 * (everything is escaped, and the page's policy forbids scripts besides).
 */
#include "statuspage.h"

#include "util.h"
#include <string.h>

static const char *const page_style =
    ":root{color-scheme:light}"
    "body{margin:0 auto;max-width:40rem;padding:1rem;background:#fff;color:#1a1a1a;"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "overflow-wrap:anywhere}"
    "h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}"
    "h3{font-size:1.05rem;margin:0 0 .25rem}"
    "a{color:#0b57d0}.muted,time{color:#555}"
    ".summary{font-size:1.1rem;font-weight:600}"
    ".incident{border:1px solid #c8c8c8;border-radius:.5rem;padding:.75rem 1rem;"
    "margin:.75rem 0}.incident p{margin:.25rem 0}"
    ".badge{display:inline-block;padding:0 .45em;border-radius:.25em;font-size:.85em;"
    "font-weight:700;white-space:nowrap;color:#fff}"
    ".sev-1{background:#b3261e}.sev-2{background:#a04000}"
    ".sev-3{background:#fdd835;color:#1a1a1a}.sev-none{background:#5f6368}"
    ".status{font-weight:700}.status-investigating{color:#b3261e}"
    ".status-mitigating{color:#a04000}.status-resolved{color:#1b6e2d}"
    "dl{margin:.5rem 0}dt{font-weight:600}dd{margin:0 0 .5rem}"
    "ol.timeline{list-style:none;padding:0;margin:0}"
    "ol.timeline li{border-top:1px solid #ddd;padding:.5rem 0}"
    "ol.timeline time{display:block;font-size:.9em}"
    "footer{margin-top:2rem;font-size:.85em;color:#555}";

/* Public wording of the public event kinds: NULL shows the event's own detail. */
static const char *const public_words[EVENT_KIND_COUNT] = {
    [EVENT_DECLARED] = "Incident declared",
    [EVENT_ACKNOWLEDGED] = "A responder acknowledged the incident and is working on it",
    [EVENT_ALERT_RESOLVED] = "Monitoring reports that the problem has cleared",
};

/* The reader's text for e, or NULL when the event is internal. */
static const char *
public_text(const struct event *e)
{
	if (!event_kind_info(e->kind)->public)
		return NULL;
	if (public_words[e->kind] != NULL)
		return public_words[e->kind];
	if (e->kind != EVENT_UPDATED)
		return e->detail;
	/* root causes and action items are written for the post-mortem's readers */
	return e->field == FIELD_TITLE || e->field == FIELD_IMPACT || e->field == FIELD_NEXT_STEPS
	           ? e->detail
	           : NULL;
}

/* Escaped one-line text: valid UTF-8, no control characters, markup inert. */
static char *
esc(const char *s, glong max_chars)
{
	g_autofree char *line = util_one_line(s, max_chars);

	return g_markup_escape_text(line, -1);
}

static void
append_esc(GString *out, const char *s)
{
	g_autofree char *e = esc(s, 1000);

	g_string_append(out, e);
}

static void
append_time(GString *out, gint64 t)
{
	g_autofree char *iso = util_iso8601(t);
	g_autofree char *human = util_human_time(t);

	g_string_append_printf(out, "<time datetime=\"%s\">%s</time>", iso, human);
}

static gboolean
is_open(const struct incident *inc)
{
	return inc->status != STATUS_RESOLVED && inc->status != STATUS_CLOSED;
}

static gint64
resolved_time(const struct incident *inc)
{
	return inc->resolved_at != 0 ? inc->resolved_at : inc->created_at;
}

gboolean
statuspage_listed(const struct incident *inc, gint64 now)
{
	/* a merged incident goes on as the one it was merged into */
	if (inc->unverified || inc->merged_into != 0)
		return FALSE;
	return is_open(inc) || resolved_time(inc) >= now - STATUSPAGE_RECENT;
}

char *
statuspage_incident_file(const struct incident *inc)
{
	return g_strdup_printf("inc-%" G_GINT64_FORMAT ".html", inc->id);
}

static gint64
last_update(const struct incident *inc, GPtrArray *events)
{
	gint64 last = MAX(inc->created_at, MAX(inc->acked_at, inc->resolved_at));

	for (guint i = 0; events != NULL && i < events->len; i++) {
		const struct event *e = events->pdata[i];

		if (public_text(e) != NULL)
			last = MAX(last, e->at);
	}
	return last;
}

static void
append_badge(GString *out, const struct incident *inc)
{
	g_autofree char *label = incident_severity_label(inc);

	if (inc->severity >= 1 && inc->severity <= 3)
		g_string_append_printf(out, "<span class=\"badge sev-%d\">%s</span>", inc->severity,
		                       label);
	else
		g_string_append(out,
		                "<span class=\"badge sev-none\">Severity being assessed</span>");
}

static void
append_status(GString *out, const struct incident *inc)
{
	const char *word = incident_status_word(inc->status);
	g_autofree char *cls = g_ascii_strdown(word, -1);

	g_string_append_printf(out, "<span class=\"status status-%s\">%s</span>", cls, word);
}

static void
page_start(GString *out, const char *title)
{
	g_string_append(
	    out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	         "style-src 'unsafe-inline'\">\n<title>");
	g_string_append(out, title);
	g_string_append_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", page_style);
}

static char *
page_end(GString *out, gint64 now)
{
	g_string_append(out, "<footer>Page generated ");
	append_time(out, now);
	g_string_append(out, " by sevmail.</footer>\n</body>\n</html>\n");
	return g_string_free(out, FALSE);
}

/* --- index.html --- */

struct listed {
	const struct incident *inc;
	GPtrArray *events;
};

static int
open_order(gconstpointer a, gconstpointer b)
{
	const struct incident *x = ((const struct listed *)a)->inc;
	const struct incident *y = ((const struct listed *)b)->inc;
	int sx = x->severity >= 1 && x->severity <= 3 ? x->severity : 4;
	int sy = y->severity >= 1 && y->severity <= 3 ? y->severity : 4;

	if (sx != sy)
		return sx - sy;
	return (y->created_at > x->created_at) - (y->created_at < x->created_at);
}

static int
resolved_order(gconstpointer a, gconstpointer b)
{
	gint64 x = resolved_time(((const struct listed *)a)->inc);
	gint64 y = resolved_time(((const struct listed *)b)->inc);

	return (y > x) - (y < x);
}

static void
append_card(GString *out, const struct listed *l)
{
	const struct incident *inc = l->inc;
	g_autofree char *file = statuspage_incident_file(inc);

	g_string_append_printf(
	    out, "<article class=\"incident\" id=\"inc-%" G_GINT64_FORMAT "\">\n<h3>", inc->id);
	append_badge(out, inc);
	g_string_append_printf(out, " <a href=\"%s\">", file);
	append_esc(out, inc->title);
	g_string_append(out, "</a></h3>\n<p>");
	append_status(out, inc);
	if (inc->team != NULL) {
		g_string_append(out, " <span class=\"muted\">· team</span> ");
		append_esc(out, inc->team);
	}
	g_string_append(out, " <span class=\"muted\">· last update</span> ");
	append_time(out, last_update(inc, l->events));
	g_string_append(out, "</p>\n");
	if (inc->impact != NULL) {
		g_string_append(out, "<p>Impact: ");
		append_esc(out, inc->impact);
		g_string_append(out, "</p>\n");
	}
	if (inc->latest_update != NULL) {
		g_string_append(out, "<p>Latest update: ");
		append_esc(out, inc->latest_update);
		g_string_append(out, "</p>\n");
	}
	g_string_append(out, "</article>\n");
}

static void
append_section(GString *out, const char *id, const char *heading, GArray *items, const char *empty)
{
	g_string_append_printf(out, "<section id=\"%s\">\n<h2>%s</h2>\n", id, heading);
	if (items->len == 0)
		g_string_append_printf(out, "<p class=\"muted\">%s</p>\n", empty);
	for (guint i = 0; i < items->len; i++)
		append_card(out, &g_array_index(items, struct listed, i));
	g_string_append(out, "</section>\n");
}

/* Maintenance in progress or planned: what the readers may see go down on purpose. */
static void
append_windows(GString *out, GPtrArray *windows, gint64 now)
{
	if (windows == NULL || windows->len == 0)
		return;
	g_string_append(out, "<section id=\"maintenance\">\n<h2>Maintenance</h2>\n");
	for (guint i = 0; i < windows->len; i++) {
		const struct window *w = windows->pdata[i];
		gboolean now_on = route_window_active(w, now);

		g_string_append(out, "<article class=\"incident\">\n<h3>");
		append_esc(out, w->reason != NULL ? w->reason : "Planned maintenance");
		g_string_append_printf(out, "</h3>\n<p><span class=\"status\">%s</span> ",
		                       now_on ? "In progress" : "Planned");
		append_time(out, w->starts_at);
		g_string_append(out, " <span class=\"muted\">until</span> ");
		append_time(out, route_window_end(w));
		g_string_append(out, "</p>\n<p class=\"muted\">Alerts about ");
		append_esc(out, w->match);
		g_string_append(out, " are held back meanwhile.</p>\n</article>\n");
	}
	g_string_append(out, "</section>\n");
}

char *
statuspage_index(GPtrArray *incidents, GPtrArray *events_per_incident, GPtrArray *windows,
                 gint64 now, const char *name, guint more_resolved)
{
	g_autoptr(GArray) open = g_array_new(FALSE, FALSE, sizeof(struct listed));
	g_autoptr(GArray) resolved = g_array_new(FALSE, FALSE, sizeof(struct listed));
	g_autofree char *who = esc(name != NULL ? name : "sevmail", 200);
	g_autofree char *title = g_strdup_printf("%s: status", who);
	GString *out = g_string_new(NULL);

	for (guint i = 0; incidents != NULL && i < incidents->len; i++) {
		struct listed l = {incidents->pdata[i], NULL};

		if (events_per_incident != NULL && i < events_per_incident->len)
			l.events = events_per_incident->pdata[i];
		if (l.inc->unverified)
			continue; /* an unverified alert's: nobody vouched for it yet */
		if (is_open(l.inc))
			g_array_append_val(open, l);
		else if (statuspage_listed(l.inc, now))
			g_array_append_val(resolved, l);
	}
	g_array_sort(open, open_order);
	g_array_sort(resolved, resolved_order);
	if (resolved->len > STATUSPAGE_RESOLVED_MAX) {
		more_resolved += resolved->len - STATUSPAGE_RESOLVED_MAX;
		g_array_set_size(resolved, STATUSPAGE_RESOLVED_MAX);
	}
	page_start(out, title);
	g_string_append_printf(out, "<header>\n<h1>%s</h1>\n<p class=\"summary\">", title);
	if (open->len == 0)
		g_string_append(out, "No open incidents.");
	else
		g_string_append_printf(out, "%u open incident%s.", open->len,
		                       open->len == 1 ? "" : "s");
	g_string_append(out, "</p>\n</header>\n<main>\n");
	append_windows(out, windows, now);
	append_section(out, "open", "Open incidents", open, "Nothing is being worked on now.");
	append_section(out, "resolved", "Resolved in the last 7 days", resolved,
	               "No incidents were resolved in the last 7 days.");
	if (more_resolved > 0) {
		/* inside the section it belongs to: the closing tag is the last thing written */
		g_string_truncate(out, out->len - strlen("</section>\n"));
		g_string_append_printf(out, "<p class=\"muted\">And %u more.</p>\n</section>\n",
		                       more_resolved);
	}
	g_string_append(out, "</main>\n");
	return page_end(out, now);
}

/* --- inc-N.html --- */

static void
append_field(GString *out, const char *label, const char *value)
{
	if (value == NULL)
		return;
	g_string_append_printf(out, "<dt>%s</dt><dd>", label);
	append_esc(out, value);
	g_string_append(out, "</dd>\n");
}

static void
append_timeline(GString *out, GPtrArray *events)
{
	guint shown = 0;

	g_string_append(out, "<h2>Updates</h2>\n<ol class=\"timeline\" reversed>\n");
	for (guint i = events != NULL ? events->len : 0; i-- > 0;) {
		const struct event *e = events->pdata[i];
		const char *text = public_text(e);

		if (text == NULL)
			continue;
		g_string_append(out, "<li>");
		append_time(out, e->at);
		g_string_append(out, "<span>");
		append_esc(out, text);
		g_string_append(out, "</span></li>\n");
		shown++;
	}
	g_string_append(out, "</ol>\n");
	if (shown == 0)
		g_string_append(out, "<p class=\"muted\">No updates yet.</p>\n");
}

char *
statuspage_incident(const struct incident *inc, GPtrArray *events, gint64 now, const char *name)
{
	g_autofree char *who = esc(name != NULL ? name : "sevmail", 200);
	g_autofree char *what = esc(inc->title, 300);
	g_autofree char *title =
	    g_strdup_printf("INC-%" G_GINT64_FORMAT ": %s - %s", inc->id, what, who);
	GString *out = g_string_new(NULL);

	page_start(out, title);
	g_string_append(out, "<header>\n<p><a href=\"index.html\">&larr; All incidents</a></p>\n"
	                     "<h1>");
	append_badge(out, inc);
	g_string_append_printf(out, " %s</h1>\n<p class=\"summary\">", what);
	append_status(out, inc);
	g_string_append(out, "</p>\n</header>\n<main>\n<dl>\n");
	append_field(out, "Impact", inc->impact);
	append_field(out, "Next steps", inc->next_steps);
	append_field(out, "Latest update", inc->latest_update);
	append_field(out, "Team", inc->team);
	g_string_append(out, "<dt>Declared</dt><dd>");
	append_time(out, inc->created_at);
	g_string_append(out, "</dd>\n");
	if (!is_open(inc) && inc->resolved_at != 0) {
		g_string_append(out, "<dt>Resolved</dt><dd>");
		append_time(out, inc->resolved_at);
		g_string_append(out, "</dd>\n");
	}
	g_string_append_printf(out, "<dt>Reference</dt><dd>INC-%" G_GINT64_FORMAT "</dd>\n</dl>\n",
	                       inc->id);
	append_timeline(out, events);
	g_string_append(out, "</main>\n");
	return page_end(out, now);
}
