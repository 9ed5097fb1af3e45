"""Replies as people write them from a phone, against the real Dovecot and OpenSMTPD: the
command acts with its note kept, questions never act, a failed one-line command gets a
"Did you mean", and ESCALATE, PAGE, SNOOZE and UNACK do what the command table says."""

import json

from story import body_of, is_token_address, token_address


def paged(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    return page


def reply(desk, who, original, text, incoming):
    desk.phone_reply(who, original, text)
    desk.wait_incoming(incoming)
    desk.once()


def test_ack_with_a_note_acts_and_keeps_the_note(desk):
    page = paged(desk)
    reply(desk, desk.alice, page, "ack - looking now", 2)
    inc = desk.show(1)
    assert inc["status"] == "investigating"
    assert any(e["kind"] == "note" and "looking now" in e["detail"] for e in inc["events"])
    confirm = desk.inbox(desk.alice, 2)[1]
    assert confirm["Subject"].startswith("[INC-1] Done: Acknowledged")


def test_a_question_never_acts_and_gets_a_did_you_mean(desk):
    page = paged(desk)
    reply(desk, desk.alice, page, "Resolved?", 2)
    assert desk.show(1)["status"] == "triggered"
    answer = desk.inbox(desk.alice, 2)[1]
    assert answer["Subject"].startswith("[INC-1] Not done:")
    assert "Did you mean RESOLVED?" in body_of(answer)


def test_a_typo_gets_the_closest_command(desk):
    page = paged(desk)
    reply(desk, desk.alice, page, "Akc", 2)
    assert desk.show(1)["status"] == "triggered"
    assert "Did you mean ACK?" in body_of(desk.inbox(desk.alice, 2)[1])


def test_page_brings_in_a_responder_and_refuses_a_stranger(desk):
    page = paged(desk)
    reply(desk, desk.alice, page, "ACK\nPAGE " + desk.bob.split("@")[0], 2)
    [bob_page] = desk.inbox(desk.bob, 1)
    assert bob_page["Subject"].startswith("[INC-1] [SEV 1]")
    assert is_token_address(token_address(bob_page), desk)
    reply(desk, desk.alice, page, "PAGE mallory@evil.example", 3)
    answer = desk.inbox(desk.alice, 3)[2]
    assert "PAGE not done" in body_of(answer) and desk.bob in body_of(answer)
    outbox = desk.run("outbox", "--all", "--json").stdout.decode()
    assert "mallory" not in outbox


def test_escalate_pages_the_next_step_now(desk):
    desk.clock = 1_800_000_000
    page = paged(desk)
    reply(desk, desk.alice, page, "ESCALATE", 2)  # step 1 of the ladder: alice again
    reply(desk, desk.alice, page, "ESCALATE", 3)  # step 2: bob
    [bob_page] = desk.inbox(desk.bob, 1)
    assert bob_page["Subject"].startswith("[INC-1]")
    kinds = [e["kind"] for e in desk.show(1)["events"]]
    assert kinds.count("escalated") == 2


def test_snooze_wakes_the_incident_and_pages_again(desk):
    desk.clock = 1_800_000_000
    page = paged(desk)
    reply(desk, desk.alice, page, "ACK\nSNOOZE 30m", 2)
    inc = desk.show(1)
    assert inc["status"] == "investigating"
    assert any(e["kind"] == "snoozed" for e in inc["events"])
    desk.clock += 29 * 60
    desk.once()
    assert desk.show(1)["status"] == "investigating"
    desk.clock += 2 * 60
    desk.once()
    assert desk.show(1)["status"] == "triggered"
    again = desk.inbox(desk.alice, 3)[2]
    assert again["Subject"].startswith("[INC-1] Still not acknowledged:")
    reply(desk, desk.alice, page, "ACK\nSNOOZE 400d", 3)
    assert "at most a day" in body_of(desk.inbox(desk.alice, 4)[3])


def test_unack_hands_the_incident_back_to_escalation(desk):
    desk.clock = 1_800_000_000
    desk.write_config(escalation__ack_timeout=300)
    page = paged(desk)
    reply(desk, desk.alice, page, "ACK", 2)
    desk.clock += 3600
    reply(desk, desk.alice, page, "UNACK - handing over", 3)
    assert desk.show(1)["status"] == "triggered"
    desk.clock += 200
    desk.once()
    assert "escalated" not in [e["kind"] for e in desk.show(1)["events"]]
    desk.clock += 101
    desk.once()
    assert "escalated" in [e["kind"] for e in desk.show(1)["events"]]


def test_explain_shows_the_note_and_the_suggestion(desk, tmp_path):
    page = paged(desk)
    for text, keyword, extra in (("Ack 👍 on it", "ACK", ("note", "on it")),
                                 ("SEV5", "UNKNOWN", ("suggestion", "SEV"))):
        msg = page  # reply shape: text on top, the page quoted below
        desk.phone_reply(desk.alice, msg, text)
    desk.wait_incoming(3)
    files = []
    for i, raw in enumerate(desk.stack.fetch_raw(desk.address)[1:]):
        path = tmp_path / ("r%d.eml" % i)
        path.write_bytes(raw)
        files.append(path)
    found = {}
    for path in files:
        x = json.loads(desk.run("explain", str(path), "--json").stdout)
        for cmd in x["commands"]:
            found[cmd["keyword"]] = cmd
    assert found["ACK"]["note"] == "on it"
    assert found["UNKNOWN"]["suggestion"] == "SEV"
