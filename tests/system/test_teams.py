"""Teams (DESIGN.md, "Teams, schedules and escalation policies") over the real mail stack with
the clock fixed by SEVMAIL_NOW: alerts routed to two teams, each paged along its own ladder at
its own times and stopped by ACK; a list that takes one team's incidents only; low urgency
waiting for business hours; handoff notices, once each; and what `check` refuses."""

import email.policy
import json
from email.message import EmailMessage
from email.utils import make_msgid

from story import body_of

WED = 1796220000  # Wednesday 2026-12-02 14:00 UTC, 15:00 in Berlin
MINUTE = 60
HOUR = 3600


def two_teams(desk, **more):
    """payments: Berlin weekly rotation (alice this week, bob the next), then bob after 5 min,
    then the commanders after 10, a second round after 15 min; search: dave, then alice."""
    keys = dict(
        schedule_pay__time_zone="Europe/Berlin",
        schedule_pay__rotation="%s, %s" % (desk.alice, desk.bob),
        schedule_pay__start="2026-11-30 09:00",
        schedule_pay__shift="1w",
        schedule_search__rotation=desk.dave,
        schedule_search__start="2026-11-30 00:00",
        schedule_search__shift="1d",
        team_payments__escalation="schedule:pay, 5m %s, 10m commanders" % desk.bob,
        team_payments__repeat=1,
        team_payments__round="15m",
        team_payments__match="alertname=HighErrorRate, service=payments",
        team_search__escalation="schedule:search, 5m %s" % desk.alice,
        team_search__repeat=0,
        team_search__match="subject=*search*")
    keys.update(more)
    desk.write_config(**keys)


def dmarc_reply(desk, sender, incident, text):
    """A mail about [INC-n] from a responder, with a DMARC pass from our own MX (no token:
    the lists' mail carries none)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Authentication-Results"] = ("mx.example.com; dmarc=pass header.from=example.com")
    msg["From"] = sender
    msg["To"] = desk.address
    msg["Subject"] = "Re: [INC-%d] about it" % incident
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content(text + "\n")
    return msg.as_bytes()


def at(desk, t):
    desk.clock = t
    return desk.once()


def events(desk, incident=1):
    return desk.show(incident)["events"]


def escalations(desk, incident=1):
    return [e["detail"] for e in events(desk, incident) if e["kind"] == "escalated"]


def pages_to(desk, who):
    return [k for k in desk.sent_to(who) if k in ("page", "repage")]


def test_an_alert_climbs_its_teams_ladder_step_by_step_until_ack(desk):
    two_teams(desk)
    desk.alert()  # HighErrorRate: payments
    desk.wait_incoming(1)
    at(desk, WED)
    shown = desk.show(1)
    assert shown["team"] == "payments"
    assert pages_to(desk, desk.alice) == ["page"]  # alice has the pay schedule this week
    page = desk.inbox(desk.alice, 2)  # the handoff notice and the page
    assert any("Team:     payments" in body_of(m) for m in page)
    at(desk, WED + 4 * MINUTE)
    assert escalations(desk) == []  # not before its time
    at(desk, WED + 5 * MINUTE)
    assert pages_to(desk, desk.bob) == ["repage"]
    assert "round 1 of 2" in escalations(desk)[0]
    at(desk, WED + 10 * MINUTE)  # the commanders: alice
    assert pages_to(desk, desk.alice) == ["page", "repage"]
    at(desk, WED + 14 * MINUTE)
    assert len(escalations(desk)) == 2
    at(desk, WED + 15 * MINUTE)  # round 2 starts with the schedule again
    assert pages_to(desk, desk.alice) == ["page", "repage", "repage"]
    assert "round 2 of 2" in escalations(desk)[-1]
    bob_page = [m for m in desk.delivered(desk.bob) if "INC-1" in m["Subject"]][0]
    desk.phone_reply(desk.bob, bob_page, "ack")
    desk.wait_incoming(2)
    at(desk, WED + 16 * MINUTE)
    assert desk.show(1)["acked_by"] == desk.bob
    at(desk, WED + 60 * MINUTE)
    assert len(escalations(desk)) == 3  # ACK stopped the ladder


def test_each_team_has_its_own_ladder_and_the_rest_is_default(desk):
    two_teams(desk)
    desk.deliver(desk.monitor_mail("search latency above 2s"))
    desk.deliver(desk.monitor_mail("Disk almost full on backup-1"))
    at(desk, WED)
    teams = {i["title"]: i["team"] for i in desk.incidents()}
    assert teams == {"search latency above 2s": "search",
                     "Disk almost full on backup-1": "default"}
    search = [i["id"] for i in desk.incidents() if i["team"] == "search"][0]
    other = [i["id"] for i in desk.incidents() if i["team"] == "default"][0]
    assert pages_to(desk, desk.dave) == ["page"]
    at(desk, WED + 5 * MINUTE)
    assert "paged %s" % desk.alice in escalations(desk, search)[0]
    assert "round 1 of 1" in escalations(desk, search)[0]
    at(desk, WED + 30 * MINUTE)
    assert len(escalations(desk, search)) == 1  # repeat = 0: one round
    # the default team keeps [responders] and [escalation] ack_timeout as before
    assert events(desk, other)[1]["detail"] == "Paged %s" % desk.alice
    assert escalations(desk, other) and "paged %s" % desk.alice in escalations(desk, other)[0]
    stats = json.loads(desk.run("stats", "--json").stdout)
    assert stats["by_team"]["search"]["incidents"] == 1
    assert stats["by_team"]["default"]["incidents"] == 1
    assert "search" in desk.run("stats").stdout.decode()


def test_a_list_of_one_team_hears_only_that_teams_incidents(desk):
    two_teams(desk, list_stakeholders__teams="payments")
    desk.run("subscribe", "stakeholders", desk.dave)
    desk.clock = WED
    desk.run("declare", "--severity", "1", "--title", "Search index corrupt",
             "--team", "search")
    desk.run("declare", "--severity", "1", "--title", "Card payments failing",
             "--team", "payments")
    status = [k for k in desk.sent_to(desk.dave) if k == "status"]
    assert len(status) == 1
    assert desk.show(1)["team"] == "search" and desk.show(2)["team"] == "payments"
    [mail] = [m for m in desk.delivered(desk.dave) if "status" not in m["Subject"].lower()
              and "Card payments" in m["Subject"]]
    assert "Team: payments" in body_of(mail)
    bad = desk.run("declare", "--severity", "1", "--title", "x", "--team", "nope", check=False)
    assert bad.returncode == 2
    assert b"the teams: default, payments, search" in bad.stderr


def test_low_urgency_waits_for_business_hours_unless_acknowledged(desk):
    two_teams(desk, team_payments__low_urgency="3",
              team_payments__business_hours="mon-fri 09:00-18:00")
    night = WED + 8 * HOUR  # 23:00 in Berlin
    desk.clock = night
    desk.run("declare", "--severity", "3", "--title", "Refund report late", "--team",
             "payments")
    desk.run("declare", "--severity", "1", "--title", "Checkout down", "--team", "payments")
    desk.run("declare", "--severity", "3", "--title", "Invoices late", "--team", "payments")
    kinds = [e["kind"] for e in events(desk, 1)]
    assert "deferred" in kinds and "paged" not in kinds
    assert "paged" in [e["kind"] for e in events(desk, 2)]  # SEV1 is not low urgency
    desk.deliver(dmarc_reply(desk, desk.bob, 3, "ack - I'll look in the morning"))
    at(desk, night + HOUR)
    assert desk.show(3)["acked_by"] == desk.bob
    at(desk, night + 9 * HOUR)  # 08:00 Berlin: still night
    assert "paged" not in [e["kind"] for e in events(desk, 1)]
    assert escalations(desk, 1) == []
    at(desk, WED + 18 * HOUR)  # Thursday 09:00 Berlin
    paged = [e for e in events(desk, 1) if e["kind"] == "paged"]
    assert len(paged) == 1 and "Business hours began" in paged[0]["detail"]
    assert desk.alice in paged[0]["detail"]
    assert "paged" not in [e["kind"] for e in events(desk, 3)]  # the ACK cancelled it
    at(desk, WED + 18 * HOUR + 4 * MINUTE)
    assert escalations(desk, 1) == []  # the ladder starts at the deferred page
    at(desk, WED + 18 * HOUR + 5 * MINUTE)
    assert len(escalations(desk, 1)) == 1


def test_handoff_notices_once_each_and_missed_ones_in_the_log(desk):
    two_teams(desk, schedule_ops__rotation="%s, %s" % (desk.alice, desk.bob),
              schedule_ops__start="2026-12-01 00:00", schedule_ops__shift="1h")
    desk.clock = WED
    desk.run("declare", "--severity", "2", "--title", "Payments slow", "--team", "payments")
    at(desk, WED)
    handoffs = [m for m in desk.delivered(desk.alice) if m["Subject"].startswith("On call")]
    pay = [m for m in handoffs if "for pay" in m["Subject"]]
    assert len(pay) == 1
    text = body_of(pay[0])
    assert "(team payments)" in text and "INC-1" in text and "Payments slow" in text
    assert "2026-12-07 09:00 CET" in text  # until the next Monday 09:00 in Berlin
    at(desk, WED + 10 * MINUTE)
    at(desk, WED + 20 * MINUTE)
    assert len([k for k in desk.sent_to(desk.alice) if k == "notice"]) == len(handoffs)
    # a week on: bob has pay, once, however often the timers run
    monday = 1796630400 + 60  # 2026-12-07 08:01 UTC
    at(desk, monday)
    at(desk, monday + 60)
    bob = [m for m in desk.delivered(desk.bob) if m["Subject"].startswith("On call for pay")]
    assert len(bob) == 1
    # the hourly ops schedule handed over many times while sevmail was not running
    log = at(desk, monday + 3 * HOUR + 600).stderr.decode()
    assert "happened while sevmail was not running" in log


def test_check_names_the_section_and_key(desk):
    for keys, says in [
        (dict(team_payments__escalation="schedule:nope"),
         "[team:payments] escalation: schedule:nope"),
        (dict(team_payments__match="service payments"), "[team:payments] match"),
        (dict(schedule_pay__time_zone="Europe/Atlantis"), "[schedule:pay] time_zone"),
        (dict(team_Payments__escalation="commanders"), "already the name of another team"),
        (dict(list_stakeholders__teams="billing"), "[list:stakeholders] teams"),
    ]:
        two_teams(desk, **keys)
        proc = desk.run("check", check=False)
        assert proc.returncode == 2, keys
        assert says in proc.stderr.decode(), proc.stderr
    two_teams(desk)
    assert b"configuration OK" in desk.run("check").stdout


def test_an_override_pages_its_person_and_tells_them_at_its_start(desk):
    two_teams(desk)
    desk.clock = WED - HOUR
    desk.run("override", "pay", desk.bob, "2026-12-02 15:00", "2026-12-02 18:00")
    at(desk, WED - HOUR)  # alice's week: her handoff notice
    desk.alert()  # HighErrorRate: payments
    desk.wait_incoming(1)
    at(desk, WED + 60)  # 15:01 in Berlin: bob covers
    assert pages_to(desk, desk.bob) == ["page"]
    assert pages_to(desk, desk.alice) == []
    [notice] = [m for m in desk.delivered(desk.bob) if m["Subject"].startswith("On call")]
    assert "until 2026-12-02 18:00 CET" in body_of(notice)
    assert "INC-1" in body_of(notice)  # the open incident of the team
    at(desk, WED + 3 * HOUR + 60)  # the override is over: alice again, told once more
    handoffs = [m for m in desk.delivered(desk.alice) if m["Subject"].startswith("On call")]
    assert len(handoffs) == 2
