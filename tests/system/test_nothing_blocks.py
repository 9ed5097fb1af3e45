"""Nothing from outside can stop, steer or flood sevmail: one hostile mail never blocks the
mail behind it, a bad value never stops outgoing mail, a forged alert never reaches the
stakeholders on its own, and a message that cannot be processed is quarantined, not retried
forever. Against the real Dovecot and OpenSMTPD."""

import json
from email.message import EmailMessage
from email.utils import make_msgid

from story import body_of, token_address


def request_mail(desk, sender, text="subscribe"):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = desk.list_address.replace("@", "-request@")
    msg["Subject"] = text
    msg["Message-ID"] = make_msgid(domain="evil.test")
    msg.set_content(text + "\n")
    return msg.as_bytes()


def test_hostile_request_addresses_never_stop_the_alerts_behind_them(desk):
    for sender in ('"a,b"@evil.test', "x" * 300 + "@evil.test", '"o\'neil;--"@evil.test'):
        desk.deliver(request_mail(desk, sender))
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(4)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1] [SEV 1]")
    # every message was read: nothing is left behind the hostile ones
    assert desk.value("SELECT count(*) FROM messages") == 4
    assert json.loads(desk.run("quarantine", "--json").stdout) == []


def test_a_stray_character_in_IC_is_refused_when_read_and_mail_keeps_flowing(desk):
    desk.clock = 1_800_000_000
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK\nSEV2\nIC bob@example.com>")
    desk.wait_incoming(2)
    desk.once()
    inc = desk.show(1)
    assert inc["commander"] == desk.alice  # the ACK's default, not the broken address
    confirm = desk.inbox(desk.alice, 2)[1]
    assert "is not a configured responder" in body_of(confirm)

    # a stranger's address is refused the same way; a responder's name is accepted
    desk.phone_reply(desk.alice, page, "IC mallory@evil.example")
    desk.phone_reply(desk.alice, page, "IC bob-" + desk.tag)
    desk.wait_incoming(4)
    desk.once()
    assert desk.show(1)["commander"] == desk.bob

    # an hour later the reminder goes to bob, and a new incident still pages at once
    desk.clock += 3600
    desk.deliver(desk.monitor_mail("QueueBacklog worker", "backlog\n"))
    desk.once()
    reminders = desk.inbox(desk.bob, 2)  # told he is commander, then reminded
    assert any("No status update" in body_of(m) for m in reminders)
    pages = [m for m in desk.inbox(desk.alice, 4) if m["Subject"].startswith("[INC-2]")]
    assert pages
    outbox = json.loads(desk.run("outbox", "--json").stdout)
    assert outbox == []  # nothing stuck in the queue


def test_a_tab_in_a_declared_title_becomes_a_space(desk):
    msg = EmailMessage()
    msg["From"] = desk.alice
    msg["To"] = desk.address
    msg["Subject"] = "new incident"
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("DECLARE SEV2 payments\tdown in eu-west\n")
    desk.deliver(msg.as_bytes())
    desk.write_config(security__sender_auth="none")
    desk.once()
    inc = desk.show(1)
    assert inc["title"] == "payments down in eu-west"
    assert json.loads(desk.run("outbox", "--json").stdout) == []


def forged_alert(desk, subject, verdict="fail"):
    msg = EmailMessage()
    msg["Authentication-Results"] = (
        "mx.example.com; spf=pass smtp.mailfrom=example.com; dmarc=%s header.from=example.com"
        % verdict)
    msg["From"] = desk.monitor
    msg["To"] = desk.address  # not the secret alert address
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="evil.test")
    msg.set_content(subject + "\n")
    return msg.as_bytes()


def test_an_unverified_alert_is_paged_but_kept_from_the_stakeholders_until_acked(desk, tmp_path):
    site = tmp_path / "status"
    desk.write_config(alerts__severity_map="critical:1", alerts__auto_resolve="true",
                      status_page__output=str(site))
    desk.deliver(forged_alert(desk, "[FIRING:1] critical: Pay at evil.test/login"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert "UNVERIFIED" in body_of(page)
    assert "evil.test/login" not in (site / "index.html").read_text()
    kinds = [k for (k,) in desk.query("SELECT kind FROM outbox")]
    assert "status" not in kinds  # nothing went to the list

    # a forged recovery never resolves it, even with auto_resolve
    recovery = forged_alert(desk, "[RESOLVED] critical: Pay at evil.test/login")
    desk.deliver(recovery)
    desk.once()
    assert desk.show(1)["status"] == "triggered"

    # alice acknowledges: now the stakeholders hear of it
    desk.phone_reply(desk.alice, page, "ACK\nSEV2")
    desk.wait_incoming(3)
    desk.once()
    [status] = desk.inbox(desk.dave, 1)
    assert status["Subject"].startswith("[INC-1]")
    assert "evil.test/login" in (site / "index.html").read_text()


def test_an_alert_to_the_secret_address_is_verified(desk):
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert "UNVERIFIED" not in body_of(page)
    assert desk.inbox(desk.dave, 1)  # the SEV1 reaches the list at once


def test_a_junk_mail_with_a_future_alerts_message_id_does_not_swallow_it(desk):
    msgid = make_msgid(domain="alertmanager-main-0")
    junk = EmailMessage()
    junk["From"] = "spam@evil.test"
    junk["To"] = desk.address
    junk["Subject"] = "cheap watches"
    junk["Message-ID"] = msgid
    junk.set_content("buy now\n")
    desk.deliver(junk.as_bytes())
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n", message_id=msgid))
    desk.once()
    assert len(desk.incidents()) == 1
    # the same alert delivered twice is still one message
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n", message_id=msgid))
    desk.once()
    assert desk.value("SELECT count(*) FROM messages") == 2


def test_a_message_that_keeps_failing_is_quarantined_and_can_be_retried(desk):
    desk.run("check")  # creates the database
    # a fault of the message's own: the database refuses this one incident
    desk.poison_incidents()
    desk.deliver(desk.monitor_mail("poison pill", "x\n"))
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n"))
    desk.once()
    # the alert behind it was read and paged
    [page] = desk.inbox(desk.alice, 1)
    assert "DiskFull db-1" in page["Subject"]
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    assert q["tries"] == 3 and "poisoned row" in q["error"]
    assert "poison pill" not in str(desk.incidents())
    # the next pass does not read it again
    desk.once()
    assert len(json.loads(desk.run("quarantine", "--json").stdout)) == 1
    failed = desk.run("quarantine", "retry", str(q["id"]), check=False)
    assert failed.returncode == 1 and b"still fails" in failed.stderr
    desk.query("DROP TRIGGER poison" + (" ON incidents" if desk.pg else ""))
    desk.run("quarantine", "retry", str(q["id"]))
    assert json.loads(desk.run("quarantine", "--json").stdout) == []
    assert any(i["title"] == "poison pill" for i in desk.incidents())
    assert token_address(page)


def test_a_tokened_reply_that_also_went_to_a_list_is_a_reply(desk):
    desk.alert("alertmanager-firing.eml")
    desk.wait_incoming(1)
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK", headers={"Cc": desk.list_address})
    desk.wait_incoming(2)
    desk.once()
    assert desk.show(1)["status"] == "investigating"
