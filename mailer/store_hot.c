/*
 * store_hot: the statements that must cost the same after a year of history as on the first
 * day, by name, as the store files run them, for the test of their query plans
 * (tests/unit/test_plans.c).
 */
#include "store_int.h"

#define HOT(name)                                                                                  \
	static const char *hot_##name(void)                                                        \
	{                                                                                          \
		return store_sql_##name;                                                           \
	}
HOT(incident_get)
HOT(action_items)
HOT(incidents_all)
HOT(incidents_open)
HOT(incidents_timers)
HOT(incidents_ended)
HOT(incidents_ended_count)
HOT(incidents_stats)
HOT(event_counts)
HOT(event_counts_all)
HOT(events)
HOT(open_by_fingerprint)
HOT(by_message_id)
HOT(incidents_untold)
HOT(alert_incidents_since)
HOT(open_by_source)
HOT(outbox_count)
HOT(outbox_last)
HOT(message_known)
HOT(subscription_mails)
#undef HOT

const struct store_hot_sql store_hot_statements[] = {
    {"incident_get", hot_incident_get, ""},
    {"action_items", hot_action_items, ""},
    /* list --all: every incident, by design */
    {"incidents_all", hot_incidents_all, "incidents"},
    {"incidents_open", hot_incidents_open, ""},
    {"incidents_timers", hot_incidents_timers, ""},
    {"incidents_ended", hot_incidents_ended, ""},
    {"incidents_ended_count", hot_incidents_ended_count, ""},
    {"incidents_stats", hot_incidents_stats, ""},
    {"event_counts", hot_event_counts, ""},
    {"event_counts_all", hot_event_counts_all, ""},
    {"events", hot_events, ""},
    {"open_by_fingerprint", hot_open_by_fingerprint, ""},
    {"by_message_id", hot_by_message_id, ""},
    {"incidents_untold", hot_incidents_untold, ""},
    {"alert_incidents_since", hot_alert_incidents_since, ""},
    {"open_by_source", hot_open_by_source, ""},
    {"outbox_count", hot_outbox_count, ""},
    {"outbox_last", hot_outbox_last, ""},
    {"outbox_due", store_sql_outbox_due, ""},
    {"answers", store_sql_answers, ""},
    {"message_known", hot_message_known, ""},
    {"subscription_mails", hot_subscription_mails, ""},
    {NULL, NULL, NULL},
};
