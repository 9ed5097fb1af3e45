"""MERGE across teams (sevmail(1), "MERGE INC-n": the lists that heard of the merged
incident "hear of m from then on"). The payments stakeholders' list (teams = payments)
heard of a payments SEV 1; on-call merges it into an incident of the default team. The list
must not be left with "Merged into INC-2": it hears of the survivor to its resolution.
And merges that would loop are refused: a reply to a merged incident acts on its survivor,
so MERGE of the survivor from there is a merge into itself."""

from story import body_of

T0 = 1796220000  # 2026-12-02 14:00 UTC
MINUTE = 60


def at(desk, t):
    desk.clock = t
    return desk.once()


def reply(desk, who, original, text, t, received):
    desk.phone_reply(who, original, text)
    desk.wait_incoming(received)
    at(desk, t)


def list_subjects(desk):
    return [m["Subject"] for m in desk.delivered(desk.dave) if m["List-Id"]]


def test_a_teams_list_follows_its_incident_merged_into_another_teams(desk):
    desk.write_config(escalation__ack_timeout=86400,
                      schedule_pay__rotation=desk.bob, schedule_pay__start="2026-11-30 09:00",
                      schedule_pay__shift="1w", team_payments__escalation="schedule:pay",
                      team_payments__match="subject=*pay*",
                      list_stakeholders__teams="payments")
    desk.run("subscribe", "stakeholders", desk.dave)
    desk.deliver(desk.monitor_mail("pay API down"))  # INC-1, payments: bob is paged
    desk.deliver(desk.monitor_mail("disk full on db-1"))  # INC-2, default: alice
    at(desk, T0)
    assert [(i["id"], i["team"]) for i in desk.incidents()] == [(2, "default"),
                                                                (1, "payments")]
    [bob_page] = [m for m in desk.inbox(desk.bob, 2) if m["Reply-To"]]
    reply(desk, desk.bob, bob_page, "SEV1", T0 + MINUTE, 3)
    assert list_subjects(desk) == ["[INC-1] [SEV 1] pay API down - Investigating"]
    [alice_page] = desk.inbox(desk.alice, 1)
    reply(desk, desk.alice, alice_page, "MERGE INC-1 - the disk is why payments fail",
          T0 + 2 * MINUTE, 4)
    assert desk.show(1)["merged_into"] == 2 and desk.show(2)["severity"] == 1
    reply(desk, desk.alice, alice_page, "RESOLVED", T0 + 3 * MINUTE, 5)
    subjects = list_subjects(desk)
    assert "[INC-1] [SEV 1] pay API down - Merged into INC-2" in subjects
    assert "[INC-2] [SEV 1] disk full on db-1 - Resolved" in subjects
    # a list of that team never hears of the default team's own incidents
    desk.deliver(desk.monitor_mail("disk full on db-2"))
    at(desk, T0 + 4 * MINUTE)
    [page] = [m for m in desk.delivered(desk.alice) if m["Subject"].startswith("[INC-3]")]
    reply(desk, desk.alice, page, "SEV1", T0 + 5 * MINUTE, 7)
    assert not [s for s in list_subjects(desk) if "INC-3" in s]


def test_merging_back_from_the_merged_incident_is_refused(desk):
    desk.write_config(escalation__ack_timeout=86400)
    desk.deliver(desk.monitor_mail("Checkout errors above 5%"))
    desk.deliver(desk.monitor_mail("Payments API latency high"))
    at(desk, T0)
    pages = {m["Subject"][:7]: m for m in desk.inbox(desk.alice, 2)}
    reply(desk, desk.alice, pages["[INC-1]"], "MERGE INC-2", T0 + MINUTE, 3)
    reply(desk, desk.alice, pages["[INC-2]"], "MERGE INC-1", T0 + 2 * MINUTE, 4)
    said = [body_of(m) for m in desk.delivered(desk.alice) if "Not done" in m["Subject"]]
    assert any("an incident cannot be merged into itself" in b for b in said)
    assert desk.show(1)["merged_into"] is None and desk.show(1)["status"] == "triggered"
    assert desk.show(2)["merged_into"] == 1
