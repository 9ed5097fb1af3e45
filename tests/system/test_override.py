"""Schedule overrides, run as the real binary on the private mail stack: OVERRIDE by mail in
a reply to a page and in a new mail, answered with whom it displaced; a stranger's changes
nothing and hears nothing; `sevmail override`, `overrides` and `override --remove`, and
overlapping overrides, where the later one wins. The clock is 2026-11-26 14:03 UTC; the
schedule hands over Mondays at 09:00 Berlin time, alice the week of December 3."""

import email.policy
import json
from email.message import EmailMessage
from email.utils import make_msgid

from story import body_of

T0 = 1795701780  # 2026-11-26 14:03 UTC


def with_schedule(desk):
    desk.clock = T0  # no escalation timer fires, however long the test takes
    desk.carol = desk.alice.replace("alice", "carol")
    desk.write_config(**{
        "responders__" + desk.carol: "commander",
        "schedule_primary__time_zone": "Europe/Berlin",
        "schedule_primary__rotation": "%s, %s" % (desk.alice, desk.bob),
        "schedule_primary__start": "2026-11-30 09:00",
        "schedule_primary__shift": "1w"})


def answers(desk, who):
    """What sevmail sent who, but the handoff notice of whoever is on call now."""
    return [m for m in desk.delivered(who) if not m["Subject"].startswith("On call for")]


def oncall_at(desk, at):
    [primary] = json.loads(desk.run("oncall", "--at", at, "--json").stdout)
    return primary


def overrides(desk):
    return json.loads(desk.run("overrides", "--json").stdout)


def new_mail(desk, sender, subject, body="", dmarc=True):
    """A new mail to the incident address, as the MTA delivers it: with a DMARC pass from
    our own server for the sender's domain, or without."""
    msg = EmailMessage(policy=email.policy.SMTP)
    if dmarc:
        msg["Authentication-Results"] = (
            "mx.example.com; spf=pass smtp.mailfrom=example.com; dmarc=pass "
            "header.from=example.com")
    msg["From"] = sender
    msg["To"] = desk.address
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content(body or "\n")
    return msg.as_bytes()


def test_an_override_in_a_reply_to_a_page(desk):
    with_schedule(desk)
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    [page] = [m for m in answers(desk, desk.alice) if "[INC-1]" in m["Subject"]]
    before = desk.show(1)
    # alice, paged, hands Thursday night to bob, by his name
    bob = desk.bob.split("@")[0]
    desk.phone_reply(desk.alice, page,
                     "OVERRIDE primary %s 2026-12-03 18:00 2026-12-04 09:00" % bob)
    desk.wait_incoming(2)
    desk.once()
    assert oncall_at(desk, "2026-12-03 17:30") == {
        "schedule": "primary", "time_zone": "Europe/Berlin", "oncall": desk.bob,
        "since": "2026-12-03T17:00:00Z", "until": "2026-12-04T08:00:00Z",
        "next": desk.alice}
    assert oncall_at(desk, "2026-12-03 16:59")["oncall"] == desk.alice
    assert oncall_at(desk, "2026-12-04 08:00")["oncall"] == desk.alice
    # the incident is as it was: still waiting for an ACK, nothing in its timeline
    after = desk.show(1)
    assert after["status"] == "triggered"
    assert after["events"] == before["events"]
    [done] = [m for m in desk.inbox(desk.alice, 2) if "Done:" in m["Subject"]]
    assert done["Subject"].startswith("[INC-1] Done: Override 1:")
    assert ("Override 1: %s is on call for primary from 2026-12-03 18:00 CET until "
            "2026-12-04 09:00 CET instead of %s" % (desk.bob, desk.alice)) in \
        " ".join(body_of(done).split())


def test_an_override_by_new_mail_names_whom_it_displaced(desk, tmp_path):
    with_schedule(desk)
    raw = new_mail(desk, desk.bob, "OVERRIDE primary me 2026-12-03 18:00 2026-12-04 09:00")
    saved = tmp_path / "override.eml"
    saved.write_bytes(raw)
    x = json.loads(desk.run("explain", "--json", str(saved)).stdout)
    assert (x["route"], x["authorized"], x["incident"]) == ("override", True, None)
    assert x["commands"][0]["keyword"] == "OVERRIDE"
    assert overrides(desk) == []  # explain changes nothing
    desk.deliver(raw)
    desk.once()
    assert overrides(desk) == [{
        "id": 1, "schedule": "primary", "person": desk.bob,
        "from": "2026-12-03T17:00:00Z", "until": "2026-12-04T08:00:00Z"}]
    assert oncall_at(desk, "2026-12-03 20:00")["oncall"] == desk.bob
    text = desk.run("oncall", "--at", "2026-12-03 20:00").stdout.decode()
    assert "  now:  %s since 2026-12-03 18:00 CET" % desk.bob in text
    assert "  next: %s from 2026-12-04 09:00 CET" % desk.alice in text
    [answer] = answers(desk, desk.bob)
    assert answer["Subject"].startswith("Done: Override 1: %s is on call" % desk.bob)
    assert "[INC-" not in answer["Subject"]
    assert ("%s is on call for primary from 2026-12-03 18:00 CET until 2026-12-04 09:00 "
            "CET instead of %s" % (desk.bob, desk.alice)) in " ".join(body_of(answer).split())
    assert desk.incidents() == []  # no incident was declared or touched


def test_refusals_say_what_to_write(desk):
    with_schedule(desk)
    desk.deliver(new_mail(desk, desk.bob, "schedule", body=(
        "OVERRIDE payments me 2026-12-03 18:00 2026-12-04 09:00\n"
        "OVERRIDE primary dave 2026-12-03 18:00 2026-12-04 09:00\n"
        "OVERRIDE primary me 2026-12-3 6pm until 2026-12-04 09:00\n")))
    desk.once()
    assert overrides(desk) == []
    [answer] = answers(desk, desk.bob)
    assert answer["Subject"].startswith('OVERRIDE not done: there is no schedule "payments"')
    body = " ".join(body_of(answer).split())
    assert "the schedules are primary" in body
    assert ('"dave" is not a responder; name one of %s, %s, %s'
            % (desk.alice, desk.bob, desk.carol)) in body
    assert ("FROM and UNTIL are local times in Europe/Berlin written YYYY-MM-DD HH:MM, such "
            "as OVERRIDE primary me 2026-11-27 18:00 2026-11-28 09:00") in body


def test_a_strangers_override_changes_nothing_and_gets_no_answer(desk):
    with_schedule(desk)
    desk.deliver(new_mail(desk, desk.mallory,
                          "OVERRIDE primary me 2026-12-03 18:00 2026-12-04 09:00"))
    desk.deliver(new_mail(desk, desk.mallory, "hi", body=(
        "OVERRIDE primary %s 2026-12-03 18:00 2026-12-04 09:00\n" % desk.bob)))
    desk.once()
    assert overrides(desk) == []
    assert oncall_at(desk, "2026-12-03 20:00")["oncall"] == desk.alice
    # nothing but the handoff notice of whoever is on call
    assert [kind for kind, _, _ in desk.outbox()] == ["notice"]
    assert desk.outbox(desk.mallory) == []


def test_a_responder_without_token_or_dmarc_is_told_how(desk):
    with_schedule(desk)
    desk.deliver(new_mail(desk, desk.bob,
                          "OVERRIDE primary me 2026-12-03 18:00 2026-12-04 09:00",
                          dmarc=False))
    desk.once()
    assert overrides(desk) == []
    [answer] = answers(desk, desk.bob)
    assert "sender authentication failed" in answer["Subject"]
    assert "reply to a page or a confirmation" in " ".join(body_of(answer).split())


def test_the_command_line_adds_lists_and_removes(desk):
    with_schedule(desk)
    out = desk.run("override", "primary", desk.bob, "2026-12-03 18:00",
                   "2026-12-04 09:00").stdout.decode()
    assert out == ("override 1: %s is on call for primary from 2026-12-03 18:00 CET until "
                   "2026-12-04 09:00 CET instead of %s\n" % (desk.bob, desk.alice))
    # FROM and UNTIL unquoted, a name for the person, and the words between
    desk.run("override", "primary", desk.carol.split("@")[0], "from", "2026-12-10", "09:00",
             "until", "2026-12-10", "18:00")
    assert overrides(desk) == [
        {"id": 1, "schedule": "primary", "person": desk.bob,
         "from": "2026-12-03T17:00:00Z", "until": "2026-12-04T08:00:00Z"},
        {"id": 2, "schedule": "primary", "person": desk.carol,
         "from": "2026-12-10T08:00:00Z", "until": "2026-12-10T17:00:00Z"}]
    text = desk.run("overrides").stdout.decode()
    assert ("1  primary  %s  from 2026-12-03 18:00 CET until 2026-12-04 09:00 CET"
            % desk.bob) in text
    assert desk.run("override", "--remove", "1").stdout == b"override 1 removed\n"
    assert [o["id"] for o in overrides(desk)] == [2]
    assert oncall_at(desk, "2026-12-03 20:00")["oncall"] == desk.alice
    again = desk.run("override", "--remove", "1", check=False)
    assert (again.returncode, again.stderr) == (1, b"sevmail: override 1 was removed already\n")
    # an override over by now is not listed
    desk.clock = T0 + 30 * 86400
    assert overrides(desk) == []


def test_the_command_line_refuses_with_the_sentence(desk):
    with_schedule(desk)
    for args, says in (
            (["payments", desk.bob, "2026-12-03 18:00", "2026-12-04 09:00"],
             b"there is no schedule \"payments\"; the schedules are primary"),
            (["primary", "me", "2026-12-03 18:00", "2026-12-04 09:00"],
             b"\"me\" is not a responder"),
            (["primary", desk.mallory, "2026-12-03 18:00", "2026-12-04 09:00"],
             b"is not a responder; name one of"),
            (["primary", desk.bob, "2026-12-03", "2026-12-04"],
             b"written YYYY-MM-DD HH:MM, such as sevmail override primary"),
            (["primary", desk.bob, "2027-03-28 02:30", "2027-03-28 09:00"],
             b"2027-03-28 02:30 does not exist in Europe/Berlin"),
            (["primary", desk.bob, "2026-12-04 09:00", "2026-12-03 18:00"],
             b"is not after FROM"),
            (["primary", desk.bob, "2026-11-01 09:00", "2026-11-02 09:00"],
             b"is past already"),
            (["primary", desk.bob, "2026-12-01 09:00", "2027-03-02 09:00"],
             b"at most 90 days")):
        proc = desk.run("override", *args, check=False)
        assert proc.returncode == 2, args
        assert says in proc.stderr, (args, proc.stderr)
    assert overrides(desk) == []


def test_overlapping_overrides_the_later_wins(desk):
    with_schedule(desk)
    desk.run("override", "primary", desk.bob, "2026-12-03 18:00", "2026-12-04 09:00")
    # carol takes two hours of bob's night: she displaces bob, not alice
    out = desk.run("override", "primary", desk.carol, "2026-12-03 20:00",
                   "2026-12-03 22:00").stdout.decode()
    assert out.endswith("until 2026-12-03 22:00 CET instead of %s\n" % desk.bob)
    assert oncall_at(desk, "2026-12-03 18:30")["oncall"] == desk.bob      # 19:30 CET
    assert oncall_at(desk, "2026-12-03 19:30") == {                       # 20:30 CET
        "schedule": "primary", "time_zone": "Europe/Berlin", "oncall": desk.carol,
        "since": "2026-12-03T19:00:00Z", "until": "2026-12-03T21:00:00Z", "next": desk.bob}
    assert oncall_at(desk, "2026-12-03 21:00")["until"] == "2026-12-04T08:00:00Z"
    # bob, later again, takes back an hour of hers
    desk.run("override", "primary", desk.bob, "2026-12-03 21:00", "2026-12-03 23:00")
    assert oncall_at(desk, "2026-12-03 19:30")["until"] == "2026-12-03T20:00:00Z"
    assert oncall_at(desk, "2026-12-03 20:30")["oncall"] == desk.bob
    # removing the last brings carol's hour back
    desk.run("override", "--remove", "3")
    assert oncall_at(desk, "2026-12-03 20:30")["oncall"] == desk.carol
