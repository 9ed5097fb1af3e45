/* The status page: hostile titles stay text, open and resolved incidents in their sections,
 * a badge per severity, and a public timeline that leaks no addresses or internal notes. */
#include "statuspage.h"

#include "mime.h" /* mime_html_to_text: what a reader sees of the page */
#include <string.h>

#define NOW 1795000000 /* 2026-11-18 11:06:40 UTC */
#define HOSTILE "<script>alert(1)</script> & \"quoted\" <img src=x onerror=alert(2)>"

static struct incident *
made(GPtrArray *list, gint64 id, const char *title, int severity, enum incident_status status,
     gint64 created, gint64 resolved)
{
	struct incident *inc = incident_new(title, "alertmanager", created);

	inc->id = id;
	inc->severity = severity;
	inc->status = status;
	inc->resolved_at = resolved;
	g_ptr_array_add(list, inc);
	return inc;
}

/* 1: open SEV 1 with a hostile title; 2: mitigating SEV 2; 3: unassessed, just declared;
 * 4: resolved 2 days ago (SEV 3); 5: closed 10 days ago (off the page). */
static GPtrArray *
incidents(void)
{
	GPtrArray *l = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	struct incident *one = made(l, 1, HOSTILE, 1, STATUS_TRIGGERED, NOW - 600, 0);

	one->impact = g_strdup("Checkout <b>fails</b>");
	made(l, 2, "Search is slow", 2, STATUS_MITIGATING, NOW - 3600, 0);
	made(l, 3, "Disk filling on db2", 0, STATUS_TRIGGERED, NOW - 60, 0);
	made(l, 4, "Logo misaligned", 3, STATUS_RESOLVED, NOW - 3 * 86400, NOW - 2 * 86400);
	made(l, 5, "Old outage", 1, STATUS_CLOSED, NOW - 11 * 86400, NOW - 10 * 86400);
	return l;
}

static char *
section(const char *html, const char *id)
{
	g_autofree char *open = g_strdup_printf("<section id=\"%s\">", id);
	const char *start = strstr(html, open);
	const char *end = start != NULL ? strstr(start, "</section>") : NULL;

	g_assert_nonnull(end);
	return g_strndup(start, end - start);
}

/* The page as a reader sees it contains text exactly once the markup is gone. */
static void
assert_reader_sees(const char *html, const char *text)
{
	g_autofree char *seen = mime_html_to_text(html, strlen(html));

	if (strstr(seen, text) == NULL)
		g_error("a reader does not see '%s' in:\n%s", text, seen);
}

static void
test_hostile_title_is_text(void)
{
	g_autoptr(GPtrArray) l = incidents();
	g_autofree char *index = statuspage_index(l, NULL, NULL, NOW, "Incident <Desk>", 0);
	g_autofree char *page = statuspage_incident(l->pdata[0], NULL, NOW, "Incident <Desk>");

	for (const char *const *html = (const char *const[]){index, page, NULL}; *html; html++) {
		g_assert_null(strstr(*html, "<script"));
		g_assert_null(strstr(*html, "<img"));
		g_assert_null(strstr(*html, "<b>"));
		g_assert_null(strstr(*html, "<Desk>"));
		g_assert_nonnull(strstr(*html,
		                        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
		                        "&quot;quoted&quot; &lt;img src=x onerror=alert(2)&gt;"));
		g_assert_nonnull(strstr(*html, "Incident &lt;Desk&gt;"));
		/* and nothing could run even if it got through */
		g_assert_nonnull(
		    strstr(*html, "Content-Security-Policy\" content=\"default-src 'none'"));
		assert_reader_sees(*html, HOSTILE);
	}
	g_assert_nonnull(strstr(index, "Impact: Checkout &lt;b&gt;fails&lt;/b&gt;"));
}

static void
test_control_characters_and_bad_utf8(void)
{
	g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	g_autofree char *index = NULL;

	made(l, 9, "bad \xff\xfe bytes\x01\x1b[31m red", 1, STATUS_TRIGGERED, NOW, 0);
	index = statuspage_index(l, NULL, NULL, NOW, "Desk", 0);
	g_assert_true(g_utf8_validate(index, -1, NULL));
	g_assert_null(strchr(index, '\x01'));
	g_assert_null(strchr(index, '\x1b'));
}

static void
test_open_and_resolved_sections(void)
{
	g_autoptr(GPtrArray) l = incidents();
	g_autofree char *index = statuspage_index(l, NULL, NULL, NOW, "Desk", 0);
	g_autofree char *open = section(index, "open");
	g_autofree char *resolved = section(index, "resolved");
	const char *one = strstr(open, "href=\"inc-1.html\"");
	const char *two = strstr(open, "href=\"inc-2.html\"");
	const char *three = strstr(open, "href=\"inc-3.html\"");

	g_assert_nonnull(strstr(index, "<p class=\"summary\">3 open incidents.</p>"));
	/* most severe first, the unassessed last */
	g_assert_true(one != NULL && two != NULL && three != NULL);
	g_assert_true(one < two && two < three);
	g_assert_null(strstr(open, "inc-4.html"));
	g_assert_nonnull(strstr(resolved, "href=\"inc-4.html\">Logo misaligned</a>"));
	g_assert_nonnull(strstr(resolved, "status-resolved\">Resolved<"));
	g_assert_null(strstr(resolved, "inc-1.html"));
	/* closed 10 days ago: gone from the page */
	g_assert_null(strstr(index, "Old outage"));
	g_assert_null(strstr(index, "inc-5.html"));
	g_assert_true(statuspage_listed(l->pdata[3], NOW));
	g_assert_false(statuspage_listed(l->pdata[4], NOW));
	g_assert_nonnull(strstr(open, "status-investigating\">Investigating<"));
	g_assert_nonnull(strstr(open, "status-mitigating\">Mitigating<"));
}

/* A busy week: the 50 latest resolved are shown, and one line says how many more there
 * are, those given and those the caller left out (the store reads only the latest). */
static void
test_resolved_are_bounded(void)
{
	g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func((GDestroyNotify)incident_free);
	g_autofree char *index = NULL, *resolved = NULL, *none = NULL;

	for (gint64 i = 1; i <= 60; i++) {
		g_autofree char *title = g_strdup_printf("Outage %" G_GINT64_FORMAT, i);

		made(l, i, title, 3, STATUS_RESOLVED, NOW - 86400 - 600 * i, NOW - 600 * i);
	}
	index = statuspage_index(l, NULL, NULL, NOW, "Desk", 7);
	resolved = section(index, "resolved");
	/* the latest (1..50) shown, the 10 older ones not */
	g_assert_nonnull(strstr(resolved, "href=\"inc-1.html\""));
	g_assert_nonnull(strstr(resolved, "href=\"inc-50.html\""));
	g_assert_null(strstr(resolved, "href=\"inc-51.html\""));
	g_assert_null(strstr(resolved, "href=\"inc-60.html\""));
	g_assert_nonnull(strstr(resolved, "And 17 more."));
	g_ptr_array_set_size(l, 50);
	none = statuspage_index(l, NULL, NULL, NOW, "Desk", 0);
	g_assert_null(strstr(none, "more."));
	g_assert_nonnull(strstr(none, "</section>\n</main>"));
}

static void
test_nothing_open(void)
{
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	g_autofree char *index = statuspage_index(none, NULL, NULL, NOW, "Desk", 0);

	g_assert_nonnull(strstr(index, "No open incidents."));
	g_assert_nonnull(strstr(index, "No incidents were resolved in the last 7 days."));
}

static void
test_badge_per_severity(void)
{
	g_autoptr(GPtrArray) l = incidents();
	g_autofree char *index = statuspage_index(l, NULL, NULL, NOW, "Desk", 0);

	g_assert_nonnull(
	    strstr(index, "<span class=\"badge sev-1\">SEV 1</span> <a href=\"inc-1.html\""));
	g_assert_nonnull(
	    strstr(index, "<span class=\"badge sev-2\">SEV 2</span> <a href=\"inc-2.html\""));
	g_assert_nonnull(
	    strstr(index, "<span class=\"badge sev-3\">SEV 3</span> <a href=\"inc-4.html\""));
	g_assert_nonnull(strstr(index, "<span class=\"badge sev-none\">Severity being "
	                               "assessed</span> <a href=\"inc-3.html\""));
	/* the badge colours exist, and the page needs nothing from outside */
	g_assert_nonnull(strstr(index, ".sev-1{background:#b3261e}"));
	g_assert_nonnull(strstr(index, "<meta name=\"viewport\" content=\"width=device-width"));
	g_assert_null(strstr(index, "://"));
}

static GPtrArray *
timeline(void)
{
	GPtrArray *ev = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	const char *mon = "alertmanager@example.com", *alice = "alice@example.com";

	g_ptr_array_add(ev, event_new(NOW - 600, mon, "declared", "Declared by alert (am): x"));
	g_ptr_array_add(ev, event_new(NOW - 600, "sevmail", "paged", "Paged alice@example.com"));
	g_ptr_array_add(ev, event_new(NOW - 500, mon, "alert_repeat", "Alert repeated"));
	g_ptr_array_add(
	    ev, event_new(NOW - 420, alice, "acknowledged", "Acknowledged by alice@example.com"));
	g_ptr_array_add(ev, event_new(NOW - 400, alice, "severity", "Severity: SEV 1"));
	g_ptr_array_add(ev, event_new(NOW - 300, alice, "updated", "Impact: checkout fails"));
	((struct event *)ev->pdata[ev->len - 1])->field = FIELD_IMPACT;
	g_ptr_array_add(ev,
	                event_new(NOW - 290, alice, "note", "Note: the db password is hunter2"));
	g_ptr_array_add(ev, event_new(NOW - 280, alice, "updated", "Action item: rotate secrets"));
	((struct event *)ev->pdata[ev->len - 1])->field = FIELD_ACTION_ITEM;
	g_ptr_array_add(
	    ev, event_new(NOW - 200, alice, "status", "Status: Investigating -> Mitigating"));
	g_ptr_array_add(ev, event_new(NOW - 100, "sevmail", "escalated", "Escalated to bob"));
	return ev;
}

static void
test_incident_page_timeline(void)
{
	g_autoptr(GPtrArray) l = incidents();
	g_autoptr(GPtrArray) ev = timeline();
	g_autofree char *page = statuspage_incident(l->pdata[1], ev, NOW, "Desk");
	g_autofree char *file = statuspage_incident_file(l->pdata[1]);
	const char *rows[] = {
	    "<li><time datetime=\"2026-11-18T11:03:20Z\">2026-11-18 11:03 UTC</time>"
	    "<span>Status: Investigating -&gt; Mitigating</span></li>",
	    "<span>Impact: checkout fails</span>",
	    "<span>Severity: SEV 1</span>",
	    "<span>A responder acknowledged the incident and is working on it</span>",
	    "<span>Incident declared</span>",
	    NULL,
	};
	const char *p = page;

	g_assert_cmpstr(file, ==, "inc-2.html");
	g_assert_nonnull(strstr(page, "<a href=\"index.html\">"));
	g_assert_nonnull(
	    strstr(page, "<span class=\"badge sev-2\">SEV 2</span> Search is slow</h1>"));
	for (const char **r = rows; *r != NULL; r++) { /* newest first */
		const char *found = strstr(p, *r);

		if (found == NULL)
			g_error("row '%s' missing or out of order in:\n%s", *r, page);
		p = found + strlen(*r);
	}
	g_assert_null(strstr(page, "@"));
	g_assert_null(strstr(page, "hunter2"));
	g_assert_null(strstr(page, "rotate secrets"));
	g_assert_null(strstr(page, "Escalated"));
	g_assert_null(strstr(page, "Alert repeated"));
	assert_reader_sees(page, "Status: Investigating -> Mitigating");
}

static void
test_last_update_from_events(void)
{
	g_autoptr(GPtrArray) l = incidents();
	g_autoptr(GPtrArray) per =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autofree char *index = NULL, *open = NULL;

	g_ptr_array_add(per, g_ptr_array_new());
	g_ptr_array_add(per, timeline()); /* incident 2: last public update at NOW - 200 */
	index = statuspage_index(l, per, NULL, NOW, "Desk", 0);
	open = section(index, "open");
	/* the escalation at NOW - 100 is not an update readers see */
	g_assert_nonnull(strstr(open,
	                        "Mitigating</span> <span class=\"muted\">· last update</span> "
	                        "<time datetime=\"2026-11-18T11:03:20Z\">"));
	g_assert_nonnull(strstr(open,
	                        "Investigating</span> <span class=\"muted\">· last update</span> "
	                        "<time datetime=\"2026-11-18T10:56:40Z\">"));
}

static struct window *
window_of(gint64 id, const char *expr, gint64 from, gint64 until, const char *reason)
{
	struct window *w = g_new0(struct window, 1);

	w->id = id;
	w->match = g_strdup(expr);
	w->starts_at = from;
	w->ends_at = until;
	w->reason = g_strdup(reason);
	w->by = g_strdup("alice@example.com");
	return w;
}

/* Maintenance in progress and planned comes first, escaped; without any, no section. */
static void
test_maintenance_windows(void)
{
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	g_autoptr(GPtrArray) windows =
	    g_ptr_array_new_with_free_func((GDestroyNotify)route_window_free);
	g_autofree char *index = NULL, *quiet = NULL, *part = NULL, *text = NULL;

	g_ptr_array_add(windows, window_of(1, "host=db-1", NOW - 600, NOW + 3600, "DB <upgrade>"));
	g_ptr_array_add(windows, window_of(2, "service=search", NOW + 86400, NOW + 90000, NULL));
	index = statuspage_index(none, NULL, windows, NOW, "Desk", 0);
	part = section(index, "maintenance");
	g_assert_nonnull(strstr(part, "DB &lt;upgrade&gt;"));
	g_assert_null(strstr(index, "<upgrade>"));
	text = mime_html_to_text(part, strlen(part));
	g_assert_nonnull(
	    strstr(text, "In progress 2026-11-18 10:56 UTC until 2026-11-18 12:06 UTC"));
	g_assert_nonnull(strstr(text, "Planned maintenance"));
	g_assert_nonnull(strstr(text, "Alerts about service=search are held back meanwhile."));
	g_assert_true(strstr(index, "id=\"maintenance\"") < strstr(index, "id=\"open\""));
	quiet = statuspage_index(none, NULL, none, NOW, "Desk", 0);
	g_assert_null(strstr(quiet, "maintenance"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/statuspage/escape/hostile-title", test_hostile_title_is_text);
	g_test_add_func("/statuspage/escape/controls", test_control_characters_and_bad_utf8);
	g_test_add_func("/statuspage/index/sections", test_open_and_resolved_sections);
	g_test_add_func("/statuspage/index/nothing-open", test_nothing_open);
	g_test_add_func("/statuspage/index/resolved-bounded", test_resolved_are_bounded);
	g_test_add_func("/statuspage/index/badges", test_badge_per_severity);
	g_test_add_func("/statuspage/index/last-update", test_last_update_from_events);
	g_test_add_func("/statuspage/index/maintenance", test_maintenance_windows);
	g_test_add_func("/statuspage/incident/timeline", test_incident_page_timeline);
	return g_test_run();
}
