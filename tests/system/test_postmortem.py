"""The end of the checklist: ROOT CAUSE, ACTION and POSTMORTEM MEETING by reply send the
post-mortem with its timeline and an invitation phone calendars accept, and close the
incident; `sevmail postmortem`, `stats` and `show` tell the same story."""

import json

from story import body_of

T0 = 1795701780  # 2026-11-26 14:03 UTC


def at(desk, offset):
    desk.clock = T0 + offset
    desk.once()


def unfold(ics):
    return ics.replace("\r\n ", "").replace("\r\n", "\n").splitlines()


def test_postmortem_by_reply_with_a_meeting(desk):
    desk.write_config(postmortem__timezone="Europe/Berlin")
    desk.alert()
    desk.wait_incoming(1)
    at(desk, 0)
    page = desk.inbox(desk.alice, 1)[0]
    steps = [(120, desk.alice, "ack"), (360, desk.alice, "IMPACT: checkout failing"),
             (600, desk.bob, "MITIGATING"), (2280, desk.alice, "RESOLVED")]
    for n, (when, who, text) in enumerate(steps):
        desk.phone_reply(who, page, text)
        desk.wait_incoming(2 + n)
        at(desk, when)
    desk.phone_reply(desk.alice, page,
                     "ROOT CAUSE: connection pool lowered from 512 to 64\n"
                     "ACTION: canary stage for api-gateway\n"
                     "ACTION: alert on pool saturation\n"
                     "POSTMORTEM MEETING 2026-12-01 15:00")
    desk.wait_incoming(6)
    at(desk, 3000)
    inc = desk.show(1)
    assert inc["status"] == "closed"
    assert inc["root_cause"] == "connection pool lowered from 512 to 64"
    assert inc["action_items"] == ["canary stage for api-gateway", "alert on pool saturation"]

    [pm] = [m for m in desk.delivered(desk.dave) if "Post-mortem for" in m["Subject"]]
    text = body_of(pm)
    assert pm["Subject"] == "[INC-1] Post-mortem for [SEV 1] HighErrorRate api-gateway"
    for line in ("Title: Post-mortem for [SEV 1] HighErrorRate api-gateway",
                 "Time to acknowledge (MTTA): 2 min", "Time to resolve (MTTR): 38 min",
                 "connection pool lowered from 512 to 64", "canary stage for api-gateway"):
        assert line in text, text
    # the timeline, in order, with actors (times in Europe/Berlin: UTC+1)
    timeline = text[text.index("Timeline ("):text.index("Root Cause:")]
    order = [timeline.index(s) for s in ("15:03", "15:05", "15:09", "15:13", "15:41")]
    assert order == sorted(order)
    assert desk.alice in text and desk.bob in text  # attendees

    [ics_part] = [p for p in pm.walk() if p.get_content_type() == "text/calendar"]
    assert ics_part.get_param("method") == "REQUEST"
    lines = unfold(ics_part.get_content())
    assert "METHOD:REQUEST" in lines and lines.count("BEGIN:VEVENT") == 1
    assert "DTSTART:20261201T140000Z" in lines  # 15:00 in Berlin
    assert any(l.startswith("ORGANIZER") and desk.address in l for l in lines)
    attendees = [l for l in lines if l.startswith("ATTENDEE")]
    assert any(desk.alice in a for a in attendees) and any(desk.bob in a for a in attendees)

    # responders get it too, and the incident is closed: a second POSTMORTEM is refused
    assert any("Post-mortem for" in m["Subject"] for m in desk.delivered(desk.bob))
    printed = desk.run("postmortem", "1").stdout.decode()
    assert "Root Cause:" in printed and "canary stage" in printed


def test_postmortem_cli_and_stats(desk):
    desk.alert()
    desk.wait_incoming(1)
    at(desk, 0)
    page = desk.inbox(desk.alice, 1)[0]
    desk.phone_reply(desk.alice, page, "ack")
    desk.wait_incoming(2)
    at(desk, 240)
    refused = desk.run("postmortem", "1", "--send", check=False)
    assert refused.returncode == 1 and b"resolved" in refused.stderr
    desk.phone_reply(desk.alice, page, "resolved")
    desk.wait_incoming(3)
    at(desk, 600)
    assert desk.run("postmortem", "1", "--send").returncode == 0
    assert desk.show(1)["status"] == "closed"
    st = json.loads(desk.run("stats", "--json").stdout)
    assert st["incidents"] == 1
    assert st["by_severity"]["1"]["mtta"]["median_seconds"] == 240
    assert st["by_severity"]["1"]["mttr"]["median_seconds"] == 600
    assert "MTTA" in desk.run("stats").stdout.decode()


def test_status_page_follows_every_change(desk, tmp_path):
    out = tmp_path / "www"
    desk.write_config(status_page__output=str(out))
    desk.alert()
    desk.wait_incoming(1)
    at(desk, 0)
    index = (out / "index.html").read_text()
    assert "HighErrorRate api-gateway" in index and "Investigating" in index
    page = desk.inbox(desk.alice, 1)[0]
    desk.phone_reply(desk.alice, page, "MITIGATING")
    desk.wait_incoming(2)
    at(desk, 120)
    assert "Mitigating" in (out / "index.html").read_text()
    assert "Mitigating" in (out / "inc-1.html").read_text()
