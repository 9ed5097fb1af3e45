"""Alerts that join an incident (DESIGN.md, "Noise control": grouping and the storm guard)
against forgers and against the severity they carry. A verified alert that joins an
incident a forged alert declared first makes it the real one, as a verified repeat does: the
stakeholders and the status page hear of it. And the incident is at least as severe as a
verified alert that joins it says, as MERGE makes a survivor: a critical alert that joins a
warning's incident makes it a SEV 1, the SEV 1 list hears of it, and a low-urgency page
that waited for business hours goes at once."""

import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
NIGHT = T + 9 * 3600  # 23:00 UTC, midnight in Berlin
MINUTE = 60


def at(desk, t):
    desk.clock = t
    return desk.once()


def nagios(desk, host, service, state, forged=False):
    """Nagios mails a problem of service on host: to the secret alert address, or, forged,
    to the plain incident address (From the monitoring's address all the same)."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = desk.monitor
    msg["To"] = desk.address if forged else desk.alert_address
    msg["Subject"] = "** PROBLEM Service Alert: %s/%s is %s **" % (host, service, state)
    msg["Message-ID"] = make_msgid(domain="monitoring.example.com")
    msg.set_content("***** Nagios *****\n\nNotification Type: PROBLEM\n\nService: %s\n"
                    "Host: %s\nAddress: 10.0.0.5\nState: %s\n\nAdditional Info:\n\n%s\n"
                    % (service, host, state, state))
    desk.deliver(msg.as_bytes())


def kinds(desk, incident=1):
    return [e["kind"] for e in desk.show(incident)["events"]]


def status_mails(desk):
    return [kind for kind, _, _ in desk.outbox(desk.dave) if kind == "status"]


def test_a_verified_alert_that_joins_a_forged_ones_incident_makes_it_real(desk, tmp_path):
    desk.write_config(escalation__ack_timeout=86400, alerts__group_by="host")
    nagios(desk, "db-1", "Ping", "CRITICAL", forged=True)  # the forger is quicker
    at(desk, T)
    assert "unverified" in kinds(desk)
    nagios(desk, "db-1", "MySQL", "CRITICAL")  # the monitoring's own alert joins it
    at(desk, T + MINUTE)
    [incident] = desk.incidents()
    assert len(incident["alerts"]) == 2
    assert "verified" in kinds(desk)
    assert status_mails(desk) == ["status"]  # dave's SEV 1,2 list hears of the SEV 1
    desk.run("status-page", "--output", str(tmp_path / "www"))
    assert "db-1/Ping is CRITICAL" in (tmp_path / "www" / "index.html").read_text()


def test_a_critical_alert_that_joins_a_warnings_incident_makes_it_sev1(desk):
    desk.write_config(escalation__ack_timeout=86400, alerts__group_by="host")
    nagios(desk, "db-1", "Disk", "WARNING")  # SEV 3: dave's list does not hear of it
    at(desk, T)
    assert desk.show(1)["severity"] == 3 and status_mails(desk) == []
    nagios(desk, "db-1", "MySQL", "CRITICAL")
    at(desk, T + MINUTE)
    [incident] = desk.incidents()
    assert incident["severity"] == 1 and len(incident["alerts"]) == 2
    [sev] = [e["detail"] for e in desk.show(1)["events"] if e["kind"] == "severity"][1:]
    assert sev == 'Severity: SEV 3 -> SEV 1 (a joined alert says "critical")'
    assert status_mails(desk) == ["status"]
    # a forged alert raises nothing
    nagios(desk, "db-2", "Disk", "WARNING")
    at(desk, T + 2 * MINUTE)
    nagios(desk, "db-2", "MySQL", "CRITICAL", forged=True)
    at(desk, T + 3 * MINUTE)
    [db2] = [i for i in desk.incidents() if "db-2" in i["title"]]
    assert db2["severity"] == 3 and len(db2["alerts"]) == 2


def test_a_critical_alert_joining_a_deferred_low_urgency_incident_pages_now(desk):
    desk.write_config(**{
        "escalation__ack_timeout": 86400, "alerts__group_by": "host",
        "schedule_db__time_zone": "Europe/Berlin", "schedule_db__rotation": desk.bob,
        "schedule_db__start": "2026-11-30 09:00", "schedule_db__shift": "1w",
        "team_db__escalation": "schedule:db", "team_db__match": "host=db-*",
        "team_db__low_urgency": "3", "team_db__business_hours": "mon-fri 09:00-18:00"})
    nagios(desk, "db-1", "Disk", "WARNING")
    at(desk, NIGHT)
    assert "deferred" in kinds(desk) and "paged" not in kinds(desk)
    nagios(desk, "db-1", "MySQL", "CRITICAL")  # minutes later the database is down
    at(desk, NIGHT + 5 * MINUTE)
    at(desk, NIGHT + 6 * MINUTE)
    shown = desk.show(1)
    assert shown["severity"] == 1
    [paged] = [e["detail"] for e in shown["events"] if e["kind"] == "paged"]
    assert paged == ("SEV 1 is not low urgency: paged %s (the page had waited for business "
                     "hours)" % desk.bob)
    assert [k for k in desk.sent_to(desk.bob) if k == "page"] == ["page"]


def test_a_storm_of_forged_alerts_does_not_hide_a_verified_sev1(desk):
    desk.write_config(escalation__ack_timeout=86400, alerts__storm="3/5m")
    for host in ("web-1", "web-2", "web-3", "web-4"):  # a forger's storm
        nagios(desk, host, "HTTP", "WARNING", forged=True)
    at(desk, T)
    # forged alerts count for nothing: each is an unverified incident, none is a storm
    assert not [i for i in desk.incidents() if i["title"].startswith("Alert storm")]
    assert len(desk.incidents()) == 4 and status_mails(desk) == []
    nagios(desk, "db-1", "MySQL", "CRITICAL")  # the real outage declares its own
    at(desk, T + MINUTE)
    [real] = [i for i in desk.incidents() if "db-1" in i["title"]]
    assert real["severity"] == 1 and "unverified" not in kinds(desk, real["id"])
    assert "paged" in kinds(desk, real["id"])
    assert status_mails(desk) == ["status"]