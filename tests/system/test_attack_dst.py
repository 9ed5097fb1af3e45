"""A low-urgency incident declared on the night the clocks change (sevmail.conf(5),
[team:NAME] low_urgency and business_hours): the `deferred` event says when the first page
will go, and the page goes then. In Berlin the clocks skip 02:00-03:00 on 2026-03-29 and
pass 02:00-03:00 twice on 2026-10-25."""

HOUR = 3600
MINUTE = 60
SAT_MAR28_23 = 1774735200  # 2026-03-28 22:00 UTC, 23:00 CET
SAT_OCT24_23 = 1792875600  # 2026-10-24 21:00 UTC, 23:00 CEST


def low_urgency_team(desk, hours):
    desk.write_config(schedule_pay__time_zone="Europe/Berlin",
                      schedule_pay__rotation="%s, %s" % (desk.alice, desk.bob),
                      schedule_pay__start="2026-01-05 09:00", schedule_pay__shift="1w",
                      team_payments__escalation="schedule:pay",
                      team_payments__low_urgency="3", team_payments__business_hours=hours)


def declare_sev3(desk, t):
    desk.clock = t
    desk.run("declare", "--severity", "3", "--title", "Refund report late", "--team",
             "payments")


def deferral(desk):
    return [e["detail"] for e in desk.show(1)["events"] if e["kind"] == "deferred"]


def first_page(desk):
    return [e["at"] for e in desk.show(1)["events"] if e["kind"] == "paged"]


def at(desk, t):
    desk.clock = t
    desk.once()


def test_business_hours_the_clocks_skip_wait_for_the_next_week(desk):
    low_urgency_team(desk, "sun 02:00-02:59")  # none of it exists on 2026-03-29
    declare_sev3(desk, SAT_MAR28_23)
    assert deferral(desk) == ["Low urgency (SEV 3) outside business hours: the first page "
                              "waits until 2026-04-05 00:00 UTC"]
    at(desk, SAT_MAR28_23 + 4 * HOUR)
    assert first_page(desk) == []
    at(desk, 1775347200)  # 2026-04-05 00:00 UTC, 02:00 CEST
    assert first_page(desk) == ["2026-04-05T00:00:00Z"]


def test_business_hours_that_begin_in_the_skipped_hour_begin_when_it_ends(desk):
    low_urgency_team(desk, "mon-sun 02:30-04:00")
    declare_sev3(desk, SAT_MAR28_23 + 2 * HOUR)  # 2026-03-29 00:00 UTC, 01:00 CET
    # 02:30 does not exist: business begins at 03:00 CEST, 01:00 UTC
    assert deferral(desk)[0].endswith("waits until 2026-03-29 01:00 UTC")
    at(desk, SAT_MAR28_23 + 3 * HOUR - MINUTE)
    assert first_page(desk) == []
    at(desk, SAT_MAR28_23 + 3 * HOUR)
    assert first_page(desk) == ["2026-03-29T01:00:00Z"]


def test_business_hours_the_clocks_pass_twice_begin_the_first_time(desk):
    low_urgency_team(desk, "mon-sun 02:00-02:30")
    declare_sev3(desk, SAT_OCT24_23)
    # 02:00 CEST (00:00 UTC) comes before 02:00 CET (01:00 UTC)
    assert deferral(desk)[0].endswith("waits until 2026-10-25 00:00 UTC")
    at(desk, SAT_OCT24_23 + 3 * HOUR)
    assert first_page(desk) == ["2026-10-25T00:00:00Z"]
