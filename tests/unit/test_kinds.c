/* The kind tables: every stored name unique and read back as its kind, and the attributes
 * the status page, the timeline and the timers decide by. */
#include "incident.h"
#include "store.h"

#include <string.h>

static void
test_event_names(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int k = EVENT_UNKNOWN + 1; k < EVENT_KIND_COUNT; k++) {
		const char *name = event_kind_name((enum event_kind)k);

		g_assert_nonnull(name);
		g_assert_true(g_hash_table_add(seen, (gpointer)name));
		g_assert_cmpint(event_kind_parse(name), ==, k);
	}
	g_assert_cmpint(event_kind_parse("no_such_kind"), ==, EVENT_UNKNOWN);
	g_assert_cmpint(event_kind_parse(NULL), ==, EVENT_UNKNOWN);
}

/* A name this version does not know is kept and shown as stored. */
static void
test_event_unknown_kept(void)
{
	struct event *e = event_new(1, "sevmail", "dialled", "Called alice by phone");
	struct event *r = event_new(1, "sevmail", "reminded", "x");

	g_assert_cmpint(e->kind, ==, EVENT_UNKNOWN);
	g_assert_cmpstr(event_name(e), ==, "dialled");
	g_assert_cmpint(r->kind, ==, EVENT_REMINDED);
	g_assert_cmpstr(event_name(r), ==, "reminded");
	event_free(e);
	event_free(r);
}

static void
test_event_attributes(void)
{
	static const enum event_kind public[] = {EVENT_DECLARED, EVENT_ACKNOWLEDGED,
	                                         EVENT_SEVERITY, EVENT_STATUS,
	                                         EVENT_UPDATED,  EVENT_ALERT_RESOLVED};
	int n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(public); i++)
		g_assert_true(event_kind_info(public[i])->public);
	for (int k = 0; k < EVENT_KIND_COUNT; k++)
		n += event_kind_info((enum event_kind)k)->public;
	g_assert_cmpint(n, ==, G_N_ELEMENTS(public));
	/* internal kinds stay off the page and out of the post-mortem */
	g_assert_false(event_kind_info(EVENT_NOTE)->public);
	g_assert_false(event_kind_info(EVENT_UNKNOWN)->public);
	g_assert_false(event_kind_info(EVENT_REJECTED)->timeline);
	g_assert_false(event_kind_info(EVENT_POSTMORTEM)->timeline);
	g_assert_true(event_kind_info(EVENT_ALERT_REPEAT)->timeline);
	g_assert_true(event_kind_info(EVENT_POSTMORTEM_REMINDED)->timeline);
	/* the timers */
	g_assert_true(event_kind_info(EVENT_ESCALATED)->pages);
	g_assert_true(event_kind_info(EVENT_STATUS)->pages);
	g_assert_false(event_kind_info(EVENT_NOTE)->pages);
	g_assert_true(event_kind_info(EVENT_UPDATED)->told);
	g_assert_false(event_kind_info(EVENT_NOTE)->told);
	/* noise control: a joined alert pages no one and a summary of them to the responders
	 * is not the stakeholders' update; joins and merges are on the timeline */
	g_assert_false(event_kind_info(EVENT_ALERT_JOINED)->pages);
	g_assert_false(event_kind_info(EVENT_TOLD)->told);
	g_assert_true(event_kind_info(EVENT_ALERT_JOINED)->timeline);
	g_assert_true(event_kind_info(EVENT_MERGED)->timeline);
}

/* Outbox names go into SQL as they are: lower-case words only. */
static void
test_outbox_names(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int k = OUTBOX_UNKNOWN + 1; k < OUTBOX_KIND_COUNT; k++) {
		const char *name = outbox_kind_name((enum outbox_kind)k);

		g_assert_nonnull(name);
		g_assert_cmpuint(strspn(name, "abcdefghijklmnopqrstuvwxyz_"), ==, strlen(name));
		g_assert_true(g_hash_table_add(seen, (gpointer)name));
		g_assert_cmpint(outbox_kind_parse(name), ==, k);
	}
	g_assert_cmpint(outbox_kind_parse("digest"), ==, OUTBOX_UNKNOWN);
}

static void
test_outbox_attributes(void)
{
	static const enum outbox_kind answers[] = {OUTBOX_CONFIRM, OUTBOX_ERROR, OUTBOX_HELP,
	                                           OUTBOX_RELAY};
	int n = 0;

	/* the answer limit counts answers and relayed notes, nothing sevmail sends unasked */
	for (gsize i = 0; i < G_N_ELEMENTS(answers); i++)
		g_assert_true(outbox_kind_info(answers[i])->answer);
	for (int k = 0; k < OUTBOX_KIND_COUNT; k++)
		n += outbox_kind_info((enum outbox_kind)k)->answer;
	g_assert_cmpint(n, ==, G_N_ELEMENTS(answers));
	/* pages (their short form too) and sevmail's own heartbeat never wait; everything
	 * else, unknown kinds too, goes out in order */
	for (int k = 0; k < OUTBOX_KIND_COUNT; k++)
		g_assert_cmpint(outbox_kind_info((enum outbox_kind)k)->ordered, ==,
		                k != OUTBOX_PAGE && k != OUTBOX_REPAGE && k != OUTBOX_HEARTBEAT &&
		                    k != OUTBOX_SHORT_PAGE);
	/* list mail never carries a reply token */
	g_assert_false(outbox_kind_info(OUTBOX_STATUS)->reply_token);
	g_assert_false(outbox_kind_info(OUTBOX_POSTMORTEM)->reply_token);
	g_assert_false(outbox_kind_info(OUTBOX_SUBSCRIPTION)->reply_token);
	g_assert_true(outbox_kind_info(OUTBOX_PAGE)->reply_token);
	g_assert_false(outbox_kind_info(OUTBOX_OWNER)->reply_token);
	/* a bounce goes on the timeline for the mail that pages, and only for it */
	for (int k = 0; k < OUTBOX_KIND_COUNT; k++)
		g_assert_cmpint(outbox_kind_info((enum outbox_kind)k)->pages, ==,
		                k == OUTBOX_PAGE || k == OUTBOX_REPAGE || k == OUTBOX_SHORT_PAGE);
	/* an HTML alternative for what people read on a phone; a text message stays text */
	for (int k = 0; k < OUTBOX_KIND_COUNT; k++)
		g_assert_cmpint(outbox_kind_info((enum outbox_kind)k)->html, ==,
		                k == OUTBOX_PAGE || k == OUTBOX_REPAGE || k == OUTBOX_NOTICE ||
		                    k == OUTBOX_CONFIRM || k == OUTBOX_ERROR ||
		                    k == OUTBOX_STATUS || k == OUTBOX_POSTMORTEM);
	g_assert_false(outbox_kind_info(OUTBOX_SHORT_PAGE)->html);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kinds/event/names", test_event_names);
	g_test_add_func("/kinds/event/unknown", test_event_unknown_kept);
	g_test_add_func("/kinds/event/attributes", test_event_attributes);
	g_test_add_func("/kinds/outbox/names", test_outbox_names);
	g_test_add_func("/kinds/outbox/attributes", test_outbox_attributes);
	return g_test_run();
}
