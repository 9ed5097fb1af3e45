"""An outsider against the dead man's switch (DESIGN.md, "Noise control"; sevmail.conf(5),
[heartbeat:NAME]): mail that forges the monitoring's sender, sent to the plain incident
address without a DMARC pass, looks like the heartbeat but is not verified. It must not keep
the switch quiet: when the real heartbeats stop, the silence declares at every + grace
whatever the forger sends, and a forged one never resolves that incident."""

import email.policy
import json
from email.message import EmailMessage
from email.utils import make_msgid

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
MINUTE = 60


def at(desk, t):
    desk.clock = t
    return desk.once()


def forged_beat(desk):
    """The Watchdog mail as anyone can write it: From the monitoring's address, to the plain
    incident address (not the secret alert address), no Authentication-Results."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = desk.monitor
    msg["To"] = desk.address
    msg["Subject"] = "[FIRING:1] Watchdog"
    msg["Message-ID"] = make_msgid(domain="forger.example.org")
    msg.set_content("An alert that is always firing.\n")
    desk.deliver(msg.as_bytes())


def real_beat(desk):
    desk.deliver(desk.monitor_mail("[FIRING:1] Watchdog", "An alert that is always firing.\n"))


def heartbeats(desk):
    return json.loads(desk.run("heartbeats", "--json").stdout)


def test_forged_heartbeats_do_not_keep_the_switch_quiet(desk):
    desk.write_config(heartbeat_watchdog__match="sender=%s&subject=*Watchdog*" % desk.monitor,
                      heartbeat_watchdog__every="5m", heartbeat_watchdog__grace="5m")
    at(desk, T)
    real_beat(desk)
    at(desk, T + MINUTE)  # the last real heartbeat: 14:01
    # the monitoring dies; a forger sends the Watchdog every four minutes
    for n in range(1, 5):
        forged_beat(desk)
        said = at(desk, T + MINUTE + n * 4 * MINUTE).stderr.decode()
        if n == 1:
            assert "heartbeat of [heartbeat:watchdog] (unverified: not counted)" in said, said
    assert heartbeats(desk)[0]["last_seen"] == "2026-12-02T14:01:00Z"
    # every + grace after the last real one (14:11) the silence was declared
    [incident] = desk.incidents()
    assert incident["title"] == "No heartbeat from watchdog since 2026-12-02 14:01 UTC"
    assert heartbeats(desk)[0]["state"] == "missing"
    # nor does a forged one resolve it
    forged_beat(desk)
    at(desk, T + 30 * MINUTE)
    assert desk.show(incident["id"])["status"] == "triggered"
    real_beat(desk)
    at(desk, T + 31 * MINUTE)
    assert desk.show(incident["id"])["status"] == "resolved"
    assert heartbeats(desk)[0]["last_seen"] == "2026-12-02T14:31:00Z"
