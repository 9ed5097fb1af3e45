"""Configurations that turn mail against the people who sent it, which `sevmail check`
warns of before the night it matters: a team whose escalation names `commanders` when no
responder has the role commander (its alerts are declared and page nobody at all), and
[alerts] senders that take in responders (their commands by new mail become alerts)."""

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC


def test_check_warns_of_a_commanders_step_with_no_commanders(desk):
    desk.write_config(**{"responders__" + desk.alice: "oncall",
                         "team_ops__escalation": "commanders",
                         "team_ops__match": "subject=*ops*"})
    proc = desk.run("check")
    assert b"configuration OK" in proc.stdout
    assert (b"[team:ops] escalation: no responder has the role commander, so its "
            b"commanders step pages nobody") in proc.stderr, proc.stderr
    # what it warns of: the team's alert is declared and nobody hears of it
    desk.deliver(desk.monitor_mail("ops database down"))
    desk.clock = T
    said = desk.once().stderr.decode()
    assert "for team ops, nobody to page" in said, said
    assert desk.outbox() == []
    # with a commander, no warning
    desk.write_config(**{"responders__" + desk.alice: "oncall, commander"})
    assert b"commanders step" not in desk.run("check").stderr


def test_check_warns_of_alert_senders_that_take_in_responders(desk):
    """With [alerts] senders = *@example.com, alice's MAINTENANCE by new mail is read as a
    generic alert: it declares an incident titled by the command and pages, and no window
    is made. `check` says so."""
    desk.write_config(alerts__senders="*@example.com")
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Authentication-Results"] = "mx.example.com; dmarc=pass header.from=example.com"
    msg["From"] = desk.alice
    msg["To"] = desk.address
    msg["Subject"] = "MAINTENANCE host=db-1 2h kernel upgrade"
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("\n")
    desk.deliver(msg.as_bytes())
    desk.clock = T
    desk.once()
    assert [i["title"] for i in desk.incidents()] == ["MAINTENANCE host=db-1 2h kernel upgrade"]
    proc = desk.run("check")
    assert (b"[alerts] senders takes in the responders %s, %s: a new mail of theirs is read "
            b"as an alert" % (desk.alice.encode(), desk.bob.encode())) in proc.stderr, \
        proc.stderr
    desk.write_config(alerts__senders=desk.monitor)
    assert b"senders takes in" not in desk.run("check").stderr

