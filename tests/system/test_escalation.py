"""The checklist's timers on a clock the test controls (SEVMAIL_NOW): an unanswered page
escalates and ACK stops it; a quiet SEV1 reminds its commander; a resolved one without a
post-mortem too; the on-call rotation decides who is paged."""

from story import body_of

T0 = 1795701780  # 2026-11-26 14:03 UTC


def kinds(desk):
    return [e["kind"] for e in desk.show(1)["events"]]


def at(desk, offset):
    desk.clock = T0 + offset
    desk.once()


def test_unanswered_page_escalates_until_ack(desk):
    desk.write_config(escalation__ack_timeout=300, escalation__repeat=2)
    desk.alert()
    desk.wait_incoming(1)
    at(desk, 0)
    assert len(desk.inbox(desk.alice, 1)) == 1
    at(desk, 200)
    assert "escalated" not in kinds(desk)
    at(desk, 301)  # round 1: alice again
    repage = desk.inbox(desk.alice, 2)[1]
    assert "Still not acknowledged" in repage["Subject"]
    assert "5 min" in body_of(repage)
    at(desk, 602)  # the next on-call
    [bob_page] = desk.inbox(desk.bob, 1)
    assert bob_page["Subject"].startswith("[INC-1]")
    at(desk, 903)  # every commander
    assert len(desk.inbox(desk.alice, 3)) == 3
    assert kinds(desk).count("escalated") == 3
    desk.phone_reply(desk.bob, bob_page, "ack")
    desk.wait_incoming(2)
    at(desk, 1000)
    assert desk.show(1)["acked_by"] == desk.bob
    at(desk, 5000)
    assert kinds(desk).count("escalated") == 3  # ACK stopped it


def test_escalation_stops_after_its_rounds(desk):
    desk.write_config(escalation__ack_timeout=60, escalation__repeat=1)
    desk.alert()
    desk.wait_incoming(1)
    for minute in range(0, 12):
        at(desk, minute * 61)
    # one round: alice again, bob, the commanders (alice)
    assert kinds(desk).count("escalated") == 3


def test_quiet_sev1_reminds_its_commander_and_postmortem_is_due(desk):
    desk.write_config(escalation__update_interval=1800, postmortem__due=3 * 86400)
    desk.alert()
    desk.wait_incoming(1)
    at(desk, 0)
    page = desk.inbox(desk.alice, 1)[0]
    desk.phone_reply(desk.alice, page, "ack\nIMPACT: checkout down")
    desk.wait_incoming(2)
    at(desk, 60)
    at(desk, 60 + 1700)
    assert "reminded" not in kinds(desk)
    at(desk, 60 + 1801)
    assert kinds(desk).count("reminded") == 1
    reminder = [m for m in desk.inbox(desk.alice, 3) if "No status update" in body_of(m)]
    assert len(reminder) == 1
    at(desk, 60 + 1900)
    assert kinds(desk).count("reminded") == 1  # once per interval
    desk.phone_reply(desk.alice, page, "resolved")
    desk.wait_incoming(3)
    at(desk, 4000)
    at(desk, 4000 + 3 * 86400 + 1)
    reminded = [e for e in desk.show(1)["events"] if e["kind"] == "postmortem_reminded"]
    assert reminded[-1]["detail"].startswith("Post-mortem due")


def test_rotation_decides_who_is_paged(desk):
    desk.write_config(oncall__rotation="%s, %s" % (desk.bob, desk.alice),
                      oncall__rotation_start="2026-11-26T00:00:00Z",
                      oncall__rotation_length=86400)
    desk.clock = T0  # the first day: bob's turn
    out = desk.run("oncall").stdout.decode()
    assert out.splitlines()[0] == "now:  " + desk.bob
    assert out.splitlines()[1].startswith("next: " + desk.alice + " from 2026-11-27 00:00")
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    assert len(desk.inbox(desk.bob, 1)) == 1
    assert desk.outbox(desk.alice) == []
