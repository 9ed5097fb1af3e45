"""Noise control (DESIGN.md, "Noise control") over the real mail stack with the clock fixed by
SEVMAIL_NOW: alerts of one host grouped into one incident that pages once, its responders
told of the joined alerts in one summary at most every five minutes, a grouped incident
resolved only when all its alerts recovered, and the storm guard that folds an alert storm
into one incident paged once."""

import email
import email.policy
import os
from email.utils import make_msgid

from story import CORPUS, body_of

T0 = 1796220000  # 2026-12-02 14:00 UTC
MINUTE = 60


def host_alert(desk, service, recovery=False, host="web-frontend-02"):
    """Nagios mails a problem (or recovery) of `service` on `host` to the secret alert
    address: every service of the host is an alert of its own."""
    name = "nagios-service-recovery.eml" if recovery else "nagios-service-problem.eml"
    with open(os.path.join(CORPUS, "alerts", name), "rb") as f:
        raw = f.read().replace(b"HTTPS", service.encode()).replace(
            b"web-frontend-02", host.encode())
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for header in ("Delivered-To", "Return-Path", "To", "From", "Message-Id"):
        del msg[header]
    msg["From"] = desk.monitor
    msg["To"] = desk.alert_address
    msg["Message-Id"] = make_msgid(domain="monitoring.example.com")
    desk.deliver(msg.as_bytes())


def quiet(desk, **keys):
    """The desk with keys, and no escalation within the story's hour: what the responders
    get is the page and the summaries alone."""
    desk.write_config(escalation__ack_timeout=86400, **keys)


def at(desk, t):
    desk.clock = t
    return desk.once()


def kinds(desk, incident=1):
    return [e["kind"] for e in desk.show(incident)["events"]]


def pages(desk, incident=None):
    """The pages queued, to whom, for one incident or all."""
    return [(kind, to) for kind, to, _ in desk.outbox()
            if kind == "page"] if incident is None else [
        e["detail"] for e in desk.show(incident)["events"] if e["kind"] == "paged"]


def notices(desk, who):
    return [m for m in desk.delivered(who) if "joined" in m["Subject"]]


def test_thirty_alerts_of_one_host_are_one_incident_and_one_page(desk):
    quiet(desk, alerts__group_by="host")
    for n in range(30):
        host_alert(desk, "SVC%02d" % n)
    at(desk, T0)
    [incident] = desk.incidents()
    shown = desk.show(incident["id"])
    assert len(shown["alerts"]) == 30
    assert {a["state"] for a in shown["alerts"]} == {"firing"}
    assert shown["alerts"][0]["title"] == shown["title"]  # the first alert is one of them
    assert all(a["source"] == "nagios" and a["count"] == 1 for a in shown["alerts"])
    assert kinds(desk).count("alert_joined") == 29
    assert pages(desk) == [("page", desk.alice)]
    assert shown["paged"] == [desk.alice]
    # a repeat of a known alert is still a repeat: counted with its alert, nobody paged
    host_alert(desk, "SVC07")
    at(desk, T0 + MINUTE)
    shown = desk.show(1)
    assert [a["count"] for a in shown["alerts"] if "SVC07" in a["title"]] == [2]
    assert kinds(desk).count("alert_repeat") == 1
    # the responders hear of the joined alerts in one summary, five minutes after the page
    at(desk, T0 + 4 * MINUTE)
    assert desk.sent_to(desk.alice) == ["page"]
    at(desk, T0 + 5 * MINUTE)
    assert desk.sent_to(desk.alice) == ["page", "notice"]
    [summary] = notices(desk, desk.alice)
    assert summary["Subject"].startswith("[INC-1] 29 more alerts joined:")
    assert "29 more alerts joined INC-1" in body_of(summary).replace("\n", " ")
    # two more join: told once, and not before five minutes after the last summary
    host_alert(desk, "NTP")
    host_alert(desk, "DNS")
    at(desk, T0 + 6 * MINUTE)
    at(desk, T0 + 9 * MINUTE)
    assert desk.sent_to(desk.alice) == ["page", "notice"]
    at(desk, T0 + 10 * MINUTE)
    assert desk.sent_to(desk.alice) == ["page", "notice", "notice"]
    assert len(desk.show(1)["alerts"]) == 32
    at(desk, T0 + 20 * MINUTE)
    assert desk.sent_to(desk.alice).count("notice") == 2
    # past the group window (10 minutes after the declaration) a new incident begins
    host_alert(desk, "SMTP")
    at(desk, T0 + 21 * MINUTE)
    assert len(desk.incidents()) == 2
    assert len(desk.show(2)["alerts"]) == 1
    # another host is another group, and without group_by every alert is its own
    host_alert(desk, "SSH", host="db-primary-01")
    at(desk, T0 + 22 * MINUTE)
    assert len(desk.incidents()) == 3
    quiet(desk)
    host_alert(desk, "IMAP", host="db-primary-01")
    at(desk, T0 + 23 * MINUTE)
    assert len(desk.incidents()) == 4


def test_a_grouped_incident_resolves_when_all_its_alerts_recovered(desk):
    quiet(desk, alerts__group_by="host", alerts__auto_resolve="true")
    for service in ("HTTPS", "SSH", "DISK"):
        host_alert(desk, service)
    at(desk, T0)
    assert len(desk.show(1)["alerts"]) == 3
    host_alert(desk, "HTTPS", recovery=True)
    host_alert(desk, "SSH", recovery=True)
    at(desk, T0 + 10 * MINUTE)
    shown = desk.show(1)
    assert shown["status"] == "triggered"
    assert {a["title"].split("/")[1].split()[0]: a["state"] for a in shown["alerts"]} == {
        "HTTPS": "resolved", "SSH": "resolved", "DISK": "firing"}
    recovered = [e["detail"] for e in shown["events"] if e["kind"] == "alert_resolved"]
    assert len(recovered) == 2 and "1 of 3 alerts still fire" in recovered[-1]
    # the last one ends it
    host_alert(desk, "DISK", recovery=True)
    at(desk, T0 + 12 * MINUTE)
    shown = desk.show(1)
    assert shown["status"] == "resolved"
    assert {a["state"] for a in shown["alerts"]} == {"resolved"}
    mail = desk.delivered(desk.alice)
    # the first recovery is told, the second is quiet, the last (it resolves) is told to
    # whoever had the incident: the on-call, not the monitoring tool that resolved it
    told = [body_of(m).replace("\n", " ") for m in mail if "recovered" in m["Subject"]]
    assert len(told) == 2  # (in the MTA's delivery order)
    assert sum("other alerts of the incident still fire" in t for t in told) == 1
    assert sum("the incident is resolved with it" in t for t in told) == 1
    assert any(m["Subject"].endswith("- Resolved") for m in mail)


def test_an_alert_storm_becomes_one_incident_paged_once(desk):
    quiet(desk)
    for n in range(25):
        desk.deliver(desk.monitor_mail("Disk full on db-%02d" % n))
    at(desk, T0)
    incidents = sorted(desk.incidents(), key=lambda i: i["id"])
    assert len(incidents) == 21
    storm = incidents[-1]
    assert storm["title"].startswith("Alert storm")
    assert storm["source"] == "storm"
    shown = desk.show(storm["id"])
    assert len(shown["alerts"]) == 5
    assert [a["title"] for a in shown["alerts"]] == [
        "Disk full on db-%02d" % n for n in range(20, 25)]
    assert all(len(desk.show(i["id"])["alerts"]) == 1 for i in incidents[:20])
    assert len(pages(desk)) == 21  # twenty incidents and the storm, once
    assert len(pages(desk, storm["id"])) == 1
    # within the storm's five minutes new alerts join it, and page no one
    desk.deliver(desk.monitor_mail("Disk full on db-25"))
    at(desk, T0 + 3 * MINUTE)
    assert len(desk.incidents()) == 21
    assert len(desk.show(storm["id"])["alerts"]) == 6
    assert len(pages(desk)) == 21
    # after them, alerts declare again
    desk.deliver(desk.monitor_mail("Disk full on db-26"))
    at(desk, T0 + 6 * MINUTE)
    assert len(desk.incidents()) == 22
    assert len(desk.show(storm["id"])["alerts"]) == 6
    assert len(pages(desk)) == 22


def test_the_storm_guard_can_be_turned_off(desk):
    quiet(desk, alerts__storm="off")
    for n in range(25):
        desk.deliver(desk.monitor_mail("Disk full on db-%02d" % n))
    at(desk, T0)
    assert len(desk.incidents()) == 25
    assert not any(i["title"].startswith("Alert storm") for i in desk.incidents())
