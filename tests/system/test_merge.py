"""MERGE INC-n (DESIGN.md, command table) over the real mail stack with the clock fixed by
SEVMAIL_NOW: alice finds that two incidents are one outage and answers one page from her
phone with MERGE; the other incident's alerts come along, it is closed as merged, the people
paged for it and the list that heard of it are told where it went, the survivor takes its
severity when that is worse, and a reply to its page acts on the survivor. MERGE of an incident into itself, of an unknown, a merged or a closed
one is refused with the reason."""

from story import body_of

T0 = 1796220000  # 2026-12-02 14:00 UTC
MINUTE = 60


def at(desk, t):
    desk.clock = t
    return desk.once()


def page_of(desk, who, incident, count):
    """The page of `incident` among the first `count` mails of who's inbox."""
    [page] = [m for m in desk.inbox(who, count)
              if m["Subject"].startswith("[INC-%d] [SEV" % incident)]
    return page


def two_incidents(desk):
    """Two alerts, two incidents, both paged to alice; no escalation within the hour."""
    desk.write_config(escalation__ack_timeout=86400)
    desk.deliver(desk.monitor_mail("Checkout errors above 5%"))
    desk.deliver(desk.monitor_mail("Payments API latency high"))
    at(desk, T0)
    assert [i["title"] for i in desk.incidents()] == [
        "Payments API latency high", "Checkout errors above 5%"]


def reply(desk, who, original, text, t, received):
    """who answers original from a phone; sevmail reads it at t."""
    desk.phone_reply(who, original, text)
    desk.wait_incoming(received)
    at(desk, t)


def answers(desk, who, text):
    """The bodies (one line) of mails to who that contain text."""
    bodies = [body_of(m).replace("\n", " ") for m in desk.delivered(who)]
    return [b for b in bodies if text in b]


def test_merge_by_phone_moves_alerts_closes_the_other_and_tells_its_people(desk):
    two_incidents(desk)
    inc2 = page_of(desk, desk.alice, 2, 2)
    # INC-2 is assessed (dave's list hears of it) and bob is paged for it too
    reply(desk, desk.alice, inc2, "SEV2\nPAGE " + desk.bob, T0 + MINUTE, 3)
    assert [m["Subject"] for m in desk.inbox(desk.dave, 1)] == [
        "[INC-2] [SEV 2] Payments API latency high - Investigating"]
    inc1 = page_of(desk, desk.alice, 1, 3)
    reply(desk, desk.alice, inc1, "MERGE INC-2 - same outage, the database", T0 + 2 * MINUTE,
          4)
    gone, survivor = desk.show(2), desk.show(1)
    assert gone["status"] == "closed" and gone["merged_into"] == 1
    assert survivor["merged_into"] is None and survivor["status"] == "triggered"
    assert [a["title"] for a in survivor["alerts"]] == [
        "Checkout errors above 5%", "Payments API latency high"]
    merged = [e for e in gone["events"] if e["kind"] == "merged"]
    assert [(e["actor"], e["detail"]) for e in merged] == [
        (desk.alice, "Merged into INC-1 by %s" % desk.alice)]
    notes = [e["detail"] for e in survivor["events"] if e["kind"] == "note"]
    assert notes == ["INC-2 (Payments API latency high) was merged into this incident by "
                     "%s, with its 1 alert" % desk.alice,
                     "Note: same outage, the database"]
    assert gone["paged"] == [desk.alice, desk.bob] and survivor["paged"] == [desk.alice]
    # alice's confirmation, bob's notice, dave's status mail
    assert answers(desk, desk.alice, "Merged INC-2 (Payments API latency high) into INC-1")
    [notice] = [m for m in desk.delivered(desk.bob) if "Merged into" in m["Subject"]]
    assert notice["Subject"] == "[INC-2] Merged into INC-1: Payments API latency high"
    text = body_of(notice).replace("\n", " ")
    assert "a reply to any mail about INC-2 acts on INC-1" in text
    # the survivor is at least as severe as what joined it, and dave's list follows it
    assert survivor["severity"] == 2
    status = [m["Subject"] for m in desk.inbox(desk.dave, 3)]
    assert "[INC-2] [SEV 2] Payments API latency high - Merged into INC-1" in status
    assert "[INC-1] [SEV 2] Checkout errors above 5% - Investigating" in status
    told = [e["detail"] for e in gone["events"] if e["kind"] == "told"]
    assert told == ["Told %s, and the lists that heard of it: merged into INC-1" % desk.bob]
    # bob answers the page of the merged incident: the survivor is acknowledged
    # (his page, not the status mail "[INC-2] [SEV 2] … - Investigating" he was also sent,
    # whichever the MTA delivered first)
    [bob_page] = [m for m in desk.delivered(desk.bob)
                  if m["Subject"] == "[INC-2] [SEV 2] Payments API latency high"]
    reply(desk, desk.bob, bob_page, "ack", T0 + 3 * MINUTE, 5)
    assert desk.show(1)["acked_by"] == desk.bob and desk.show(1)["status"] == "investigating"
    assert desk.show(2)["acked_by"] is None and desk.show(2)["status"] == "closed"
    # the merged incident goes on as the survivor: listed as merged, alerts counted there
    listed = {i["id"]: i["merged_into"] for i in desk.incidents()}
    assert listed == {1: None, 2: 1}
    desk.deliver(desk.monitor_mail("Payments API latency high"))
    at(desk, T0 + 4 * MINUTE)
    assert [a["count"] for a in desk.show(1)["alerts"]] == [1, 2]
    assert len(desk.incidents()) == 2


def test_merge_refusals_say_why(desk):
    two_incidents(desk)
    desk.deliver(desk.monitor_mail("Search index stale"))
    at(desk, T0 + MINUTE)
    inc1 = page_of(desk, desk.alice, 1, 3)
    inc3 = page_of(desk, desk.alice, 3, 3)
    received = 0
    refusals = [
        ("MERGE INC-1", "MERGE INC-1 not done: an incident cannot be merged into itself."),
        ("merge inc 99", "MERGE INC-99 not done: there is no incident INC-99."),
        ("MERGE", "MERGE not done: say which incident joins this one, such as MERGE INC-4."),
    ]
    for n, (command, why) in enumerate(refusals):
        received += 1
        reply(desk, desk.alice, inc1, command, T0 + (2 + n) * MINUTE, received)
        assert answers(desk, desk.alice, why), command
    # INC-3 is over and its post-mortem sent: closed, it merges into nothing
    received += 1
    reply(desk, desk.alice, inc3, "RESOLVED\nPOSTMORTEM", T0 + 6 * MINUTE, received)
    assert desk.show(3)["status"] == "closed"
    received += 1
    reply(desk, desk.alice, inc1, "MERGE INC-3", T0 + 7 * MINUTE, received)
    assert answers(desk, desk.alice,
                   "MERGE INC-3 not done: INC-3 is closed (its post-mortem was published).")
    # merged once, not twice
    received += 1
    reply(desk, desk.alice, inc1, "MERGE INC-2", T0 + 8 * MINUTE, received)
    received += 1
    reply(desk, desk.alice, inc1, "MERGE INC-2", T0 + 9 * MINUTE, received)
    assert answers(desk, desk.alice,
                   "MERGE INC-2 not done: INC-2 was merged into INC-1 already.")
    # refused merges changed nothing
    assert desk.show(3)["merged_into"] is None
    assert [e["kind"] for e in desk.show(2)["events"]].count("merged") == 1
    assert len(desk.show(1)["alerts"]) == 2
