"""Heartbeats, the dead man's switch (DESIGN.md, "Noise control"), over the real mail stack
with the clock fixed by SEVMAIL_NOW: a heartbeat from the monitoring keeps quiet and never
declares, even though it comes from an alert sender; its silence for every + grace declares
an incident that pages as usual, once; the next heartbeat recovers it; `check` refuses a
heartbeat that would take every mail of a sender; and sevmail's own heartbeat reaches
heartbeat_to once per interval, whatever the number of passes."""

import json

from story import body_of

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
MINUTE = 60


def watchdog(desk, **more):
    keys = dict(heartbeat_watchdog__match="sender=%s&subject=*Watchdog*" % desk.monitor,
                heartbeat_watchdog__every="5m", heartbeat_watchdog__grace="5m",
                heartbeat_watchdog__severity=2)
    keys.update(more)
    desk.write_config(**keys)


def beat(desk):
    """The monitoring's always-firing Watchdog alert, to the secret alert address."""
    raw = desk.monitor_mail("[FIRING:1] Watchdog", "An alert that is always firing.\n")
    desk.deliver(raw)
    return raw


def at(desk, t):
    desk.clock = t
    return desk.once()


def heartbeats(desk):
    return json.loads(desk.run("heartbeats", "--json").stdout)


def test_heartbeats_keep_quiet_a_silence_declares_once_and_the_next_heartbeat_recovers(
        desk, tmp_path):
    watchdog(desk)
    at(desk, T)  # sevmail watches from now on: the first heartbeat is due at 14:05
    assert heartbeats(desk) == [{"name": "watchdog", "last_seen": None,
                                 "due": "2026-12-02T14:05:00Z", "state": "ok"}]
    raw = beat(desk)
    at(desk, T + 4 * MINUTE)
    assert desk.incidents() == []  # from an alert sender, and still no incident
    assert heartbeats(desk) == [{"name": "watchdog", "last_seen": "2026-12-02T14:04:00Z",
                                 "due": "2026-12-02T14:09:00Z", "state": "ok"}]
    (tmp_path / "beat.eml").write_bytes(raw)
    why = json.loads(desk.run("explain", str(tmp_path / "beat.eml"), "--json").stdout)
    assert why["route"] == "heartbeat" and "[heartbeat:watchdog]" in why["reason"]
    at(desk, T + 12 * MINUTE)
    assert heartbeats(desk)[0]["state"] == "late" and desk.incidents() == []
    at(desk, T + 14 * MINUTE)  # every + grace after the last one
    [incident] = desk.incidents()
    assert incident["title"] == "No heartbeat from watchdog since 2026-12-02 14:04 UTC"
    assert incident["source"] == "heartbeat" and incident["severity"] == 2
    assert heartbeats(desk)[0]["state"] == "missing"
    kinds = [e["kind"] for e in desk.show(1)["events"]]
    assert kinds[:3] == ["declared", "heartbeat_missing", "severity"] and "paged" in kinds
    [page] = desk.inbox(desk.alice, 1)
    assert page["Subject"].startswith("[INC-1] [SEV 2] No heartbeat from watchdog")
    assert "every 5 min (grace 5 min)" in body_of(page)
    desk.inbox(desk.dave, 1)  # SEV 2: the stakeholders hear of it
    at(desk, T + 20 * MINUTE)
    at(desk, T + 40 * MINUTE)
    assert len(desk.incidents()) == 1  # one silence, one incident
    beat(desk)
    at(desk, T + 45 * MINUTE)
    shown = desk.show(1)
    assert shown["status"] == "resolved"
    assert "A heartbeat from watchdog came again" in [e["detail"] for e in shown["events"]]
    notice = [m for m in desk.delivered(desk.alice) if "Heartbeat again" in m["Subject"]]
    assert len(notice) == 1
    assert heartbeats(desk)[0]["state"] == "ok"
    # a new silence is a new incident
    at(desk, T + 55 * MINUTE)
    assert len(desk.incidents()) == 2


def test_alerts_of_the_same_sender_still_declare(desk):
    watchdog(desk)
    desk.deliver(desk.monitor_mail("[FIRING:1] DiskFull db-1", "disk full\n"))
    beat(desk)
    at(desk, T)
    [incident] = desk.incidents()
    assert "DiskFull" in incident["title"]


def test_check_refuses_a_heartbeat_that_would_take_every_mail_of_a_sender(desk):
    for keys, says in [
        (dict(heartbeat_watchdog__match="sender=%s" % desk.monitor),
         "[heartbeat:watchdog] match"),
        (dict(heartbeat_watchdog__match="subject=*Watchdog*, sender=*@example.com"),
         "would make every mail of that sender a heartbeat"),
        (dict(heartbeat_watchdog__team="nope"), "[heartbeat:watchdog] team"),
        (dict(heartbeat_watchdog__every="soon"), "[heartbeat:watchdog] every"),
        (dict(heartbeat_watchdog__severity="4"), "[heartbeat:watchdog] severity"),
        (dict(heartbeat_watchdog__color="red"), "[heartbeat:watchdog] color: unknown key"),
        (dict(general__heartbeat_to="not an address"), "[general] heartbeat_to"),
        (dict(general__heartbeat_every="5"), "[general] heartbeat_every"),
    ]:
        watchdog(desk, **keys)
        proc = desk.run("check", check=False)
        assert proc.returncode == 2, keys
        assert says in proc.stderr.decode(), proc.stderr
    watchdog(desk)
    assert b"configuration OK" in desk.run("check").stdout


def test_sevmails_own_heartbeat_goes_out_once_per_interval(desk):
    deadman = "deadman-%s@example.net" % desk.tag
    desk.write_config(general__heartbeat_to=deadman, general__heartbeat_every="5m")
    at(desk, T)
    at(desk, T + MINUTE)  # another pass within the interval: nothing more
    assert desk.sent_to(deadman) == ["heartbeat"]
    at(desk, T + 5 * MINUTE)
    assert desk.sent_to(deadman) == ["heartbeat", "heartbeat"]
    mails = desk.inbox(deadman, 2)
    assert all(m["Subject"] == "Heartbeat of Incident Desk" for m in mails)
    assert "2026-12-02 14:05 UTC" in "".join(body_of(m) for m in mails)
