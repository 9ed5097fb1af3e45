"""Maintenance windows (DESIGN.md, "Noise control") over the real mail stack with the clock
fixed by SEVMAIL_NOW: a responder's MAINTENANCE by mail (or in a reply) holds back the alerts
it matches and no others; when the window ends, an alert still firing declares and pages as
usual, one that recovered meanwhile does not; an incident open before the window goes on as
usual; the command line adds, lists and ends windows; and refusals say why."""

import email.policy
import json
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid

from story import body_of

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
MINUTE = 60
HOUR = 3600


def host_alert(desk, host, ok=False):
    """Nagios mails the state of MySQL on host (to the secret alert address)."""
    kind, state = ("RECOVERY", "OK") if ok else ("PROBLEM", "CRITICAL")
    raw = desk.monitor_mail(
        "** %s Service Alert: %s/MySQL is %s **" % (kind, host, state),
        "***** Nagios *****\n\nNotification Type: %s\n\nService: MySQL\nHost: %s\n"
        "Address: 10.0.0.5\nState: %s\n\nAdditional Info:\n\n%s - replication\n"
        % (kind, host, state, state))
    desk.deliver(raw)
    return raw


def new_mail(desk, sender, subject, body="", dmarc=True):
    """A new mail to the incident address, as the MX hands it over (with its DMARC
    verdict)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    if dmarc:
        msg["Authentication-Results"] = "mx.example.com; dmarc=pass header.from=%s" % (
            sender.split("@")[1])
    msg["From"] = sender
    msg["To"] = desk.address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(localtime())
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    msg.set_content(body or "\n")
    desk.deliver(msg.as_bytes())


def at(desk, t):
    desk.clock = t
    return desk.once()


def windows(desk):
    return json.loads(desk.run("maintenance", "--json").stdout)


def pages_to(desk, who):
    return [k for k in desk.sent_to(who) if k in ("page", "repage")]


def test_a_maintenance_by_mail_holds_back_the_alerts_it_matches_and_no_others(desk, tmp_path):
    new_mail(desk, desk.alice, "MAINTENANCE host=db-1 2h kernel upgrade")
    at(desk, T)
    [done] = desk.inbox(desk.alice, 1)
    assert done["Subject"] == "Done: maintenance window 1 for host=db-1"
    assert "kernel upgrade" in body_of(done) and "2026-12-02 16:00 UTC" in body_of(done)
    assert windows(desk) == [{"id": 1, "match": "host=db-1", "from": "2026-12-02T14:00:00Z",
                              "until": "2026-12-02T16:00:00Z", "reason": "kernel upgrade",
                              "by": desk.alice}]
    db1 = host_alert(desk, "db-1")
    host_alert(desk, "db-2")
    at(desk, T + 10 * MINUTE)
    [incident] = desk.incidents()
    assert "db-2" in incident["title"]
    assert pages_to(desk, desk.alice) == ["page"]  # for db-2 only
    # why db-1 did nothing, as `explain` tells it
    (tmp_path / "db1.eml").write_bytes(db1)
    why = json.loads(desk.run("explain", str(tmp_path / "db1.eml"), "--json").stdout)
    assert why["route"] == "alert" and why["incident"] is None
    assert "suppressed by maintenance window 1" in why["reason"]
    assert why["alert"]["state"] == "firing"


def test_the_windows_end_declares_what_still_fires_and_pages_as_usual(desk):
    desk.clock = T
    desk.run("maintenance", "add", "host=db-*", "--for", "1h", "--reason", "failover drill")
    host_alert(desk, "db-1")
    host_alert(desk, "db-2")
    at(desk, T + 5 * MINUTE)
    host_alert(desk, "db-2", ok=True)  # db-2 came back during the drill
    at(desk, T + 20 * MINUTE)
    assert desk.incidents() == []
    assert pages_to(desk, desk.alice) == [] and pages_to(desk, desk.bob) == []
    at(desk, T + HOUR)  # the window is over: db-1 still fires
    [incident] = desk.incidents()
    assert "db-1" in incident["title"]
    shown = desk.show(incident["id"])
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds[0] == "declared" and "paged" in kinds and "suppressed" in kinds
    [held] = [e["detail"] for e in shown["events"] if e["kind"] == "suppressed"]
    assert "maintenance window 1 (host=db-*) since 2026-12-02 14:05 UTC" in held
    assert pages_to(desk, desk.alice) == ["page"]
    [page] = [m for m in desk.inbox(desk.alice, 1) if "INC-1" in m["Subject"]]
    assert "db-1" in page["Subject"]
    at(desk, T + HOUR + 5 * MINUTE)  # released once
    assert len(desk.incidents()) == 1 and windows(desk) == []


def test_an_incident_open_before_the_window_goes_on_as_usual(desk):
    desk.write_config(alerts__auto_resolve="true")
    host_alert(desk, "db-1")
    at(desk, T)
    desk.run("maintenance", "add", "host=db-1", "--for", "2h")
    host_alert(desk, "db-1")
    at(desk, T + 5 * MINUTE)
    assert "alert_repeat" in [e["kind"] for e in desk.show(1)["events"]]
    host_alert(desk, "db-1", ok=True)  # the recovery acts during the window
    at(desk, T + 10 * MINUTE)
    assert desk.show(1)["status"] == "resolved"
    at(desk, T + 3 * HOUR)
    assert len(desk.incidents()) == 1


def test_maintenance_in_a_reply_to_a_page(desk):
    host_alert(desk, "web-1")
    at(desk, T)
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ack\nMAINTENANCE host=db-1, host=db-2 30m patching")
    desk.wait_incoming(2)
    at(desk, T + MINUTE)
    [confirm] = [m for m in desk.inbox(desk.alice, 2) if "Done" in m["Subject"]]
    assert ("Maintenance window 1 for host=db-1, host=db-2 until 2026-12-02 14:31 UTC: "
            "patching") in body_of(confirm)
    [w] = windows(desk)
    assert w["match"] == "host=db-1, host=db-2" and w["by"] == desk.alice
    notes = [e["detail"] for e in desk.show(1)["events"] if e["kind"] == "note"]
    assert any("Maintenance window 1" in n for n in notes)
    host_alert(desk, "db-2")
    at(desk, T + 2 * MINUTE)
    assert len(desk.incidents()) == 1


def test_the_command_line_adds_lists_and_ends_windows(desk, tmp_path):
    desk.clock = T
    added = desk.run("maintenance", "add", "host=db-1&service=mysql", "--for", "90m",
                     "--reason", "schema migration")
    assert b"host=db-1&service=mysql  in force" in added.stdout
    desk.run("maintenance", "add", "host=web-*", "--for", "1h", "--from", "2026-12-02 20:00")
    listed = windows(desk)
    assert [(w["id"], w["from"], w["until"]) for w in listed] == [
        (1, "2026-12-02T14:00:00Z", "2026-12-02T15:30:00Z"),
        (2, "2026-12-02T20:00:00Z", "2026-12-02T21:00:00Z")]
    assert listed[0]["reason"] == "schema migration" and listed[1]["reason"] is None
    assert listed[0]["by"].endswith("(command line)")
    text = desk.run("maintenance").stdout.decode()
    assert "in force" in text and "to come" in text
    desk.run("status-page", "--output", str(tmp_path / "www"))
    page = (tmp_path / "www" / "index.html").read_text()
    assert "schema migration" in page and "Planned maintenance" in page
    assert "In progress" in page and "Alerts about host=web-*" in page
    host_alert(desk, "db-1")
    at(desk, T + 10 * MINUTE)
    assert desk.incidents() == []
    desk.clock = T + 20 * MINUTE
    ended = desk.run("maintenance", "end", "1")
    assert b"maintenance window 1 ended; 1 alert(s) still firing declared" in ended.stdout
    assert len(desk.incidents()) == 1
    assert [w["id"] for w in windows(desk)] == [2]
    for args, code, says in [
        (("end", "1"), 1, b"over already"),
        (("end", "9"), 1, b"no maintenance window 9"),
        (("add", "host=db-1"), 2, b"--for"),
        (("add", "host=db-1", "--for", "8d"), 2, b"at most 7 days"),
        (("add", "host=db-1", "--for", "0m"), 2, b"lasts longer than 0"),
        (("add", "host", "db-1", "--for", "1h"), 2, b"is not key=glob"),
        (("add", "host=db-1", "--for", "1h", "--from", "tomorrow"), 2, b"--from"),
        (("--reason", "x"), 2, b"maintenance add"),
    ]:
        proc = desk.run("maintenance", *args, check=False)
        assert proc.returncode == code, (args, proc.stderr)
        assert says in proc.stderr, (args, proc.stderr)


def test_refusals_say_why_and_strangers_hear_nothing(desk):
    new_mail(desk, desk.alice, "MAINTENANCE host=db-1 8d")
    new_mail(desk, desk.bob, "Re: plans", "MAINTENANCE host=db-1 & env 2h\n")
    new_mail(desk, desk.alice, "MAINTENANCE")
    new_mail(desk, desk.bob, "MAINTENANCE host=db-1 2h", dmarc=False)
    new_mail(desk, desk.mallory, "MAINTENANCE host=db-1 2h")
    at(desk, T)
    assert windows(desk) == []
    alice = sorted(body_of(m) for m in desk.inbox(desk.alice, 2))
    assert any("at most 7 days" in b for b in alice)
    assert any("needs a match and a duration" in b for b in alice)
    bob = [body_of(m) for m in desk.inbox(desk.bob, 2)]
    assert any('"env" is not key=glob' in b for b in bob)
    assert any("sender authentication failed" in b for b in bob)
    subjects = sorted(m["Subject"] for m in desk.delivered(desk.alice) + desk.delivered(desk.bob))
    assert subjects == ["Not done: MAINTENANCE", "Not done: MAINTENANCE host=db-1 & env 2h",
                        "Not done: MAINTENANCE host=db-1 2h",
                        "Not done: MAINTENANCE host=db-1 8d"]
    assert desk.sent_to(desk.mallory) == []
