"""`sevmail oncall` with [schedule:NAME] sections, run as the real binary: who is on call
at a time, across a daylight saving change, as text and as JSON; the errors of --at and of
a schedule that cannot be read; a configuration without schedules as it always was; and
`oncall --ics`, a schedule's shifts as a calendar feed read back by the rules of RFC 5545."""

import datetime
import json
import re
import zoneinfo


def with_schedules(desk, **more):
    """Berlin hands over weekly on Mondays at 09:00 local time; New York daily at 18:00."""
    keys = dict(
        schedule_primary__time_zone="Europe/Berlin",
        schedule_primary__rotation="%s, %s" % (desk.alice, desk.bob),
        schedule_primary__start="2026-03-23 09:00",
        schedule_primary__shift="1w",
        schedule_nights__time_zone="America/New_York",
        schedule_nights__rotation="%s, %s" % (desk.bob, desk.alice),
        schedule_nights__start="2026-03-01 18:00",
        schedule_nights__shift="1d")
    keys.update(more)
    desk.write_config(**keys)


def oncall_json(desk, at):
    return json.loads(desk.run("oncall", "--at", at, "--json").stdout)


def test_the_berlin_handoff_stays_at_nine_local_across_dst(desk):
    with_schedules(desk)
    before = oncall_json(desk, "2026-03-28 12:00")
    assert [s["schedule"] for s in before] == ["primary", "nights"]
    assert before[0] == {
        "schedule": "primary", "time_zone": "Europe/Berlin", "oncall": desk.alice,
        "since": "2026-03-23T08:00:00Z",  # 09:00 CET
        "until": "2026-03-30T07:00:00Z",  # 09:00 CEST: the clocks went forward on the 29th
        "next": desk.bob,
    }
    after = oncall_json(desk, "2026-03-30 07:00")[0]
    assert (after["oncall"], after["since"], after["until"], after["next"]) == (
        desk.bob, "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z", desk.alice)
    # a minute before the handoff it is still alice's
    assert oncall_json(desk, "2026-03-30 06:59")[0]["oncall"] == desk.alice


def test_new_york_hands_over_daily_at_six_local(desk):
    with_schedules(desk)
    nights = oncall_json(desk, "2026-03-28 12:00")[1]
    assert nights["time_zone"] == "America/New_York"
    assert (nights["since"], nights["until"]) == ("2026-03-27T22:00:00Z",
                                                   "2026-03-28T22:00:00Z")  # 18:00 EDT
    assert {nights["oncall"], nights["next"]} == {desk.alice, desk.bob}


def test_the_text_gives_local_times_and_who_is_next(desk):
    with_schedules(desk)
    out = desk.run("oncall", "--at", "2026-03-28 12:00").stdout.decode()
    assert out.splitlines()[:3] == [
        "primary (Europe/Berlin)",
        "  now:  %s since 2026-03-23 09:00 CET" % desk.alice,
        "  next: %s from 2026-03-30 09:00 CEST" % desk.bob,
    ]
    assert "nights (America/New_York)" in out
    assert "from 2026-03-28 18:00 EDT" in out


def test_a_bad_at_is_a_usage_error_that_shows_the_format(desk):
    with_schedules(desk)
    for bad in ("2026-03-28", "2026-3-28 12:00", "2026-02-30 12:00", "2026-03-28 24:00",
                "tomorrow"):
        proc = desk.run("oncall", "--at", bad, check=False)
        assert proc.returncode == 2, bad
        assert b"2026-03-29 08:00" in proc.stderr, bad


def test_check_names_the_section_and_key_of_an_unknown_zone(desk):
    with_schedules(desk, schedule_primary__time_zone="Mars/Base")
    proc = desk.run("check", check=False)
    assert proc.returncode == 2
    assert b'[schedule:primary] time_zone: unknown time zone "Mars/Base"' in proc.stderr
    assert desk.run("oncall", check=False).returncode == 2


def test_check_warns_about_someone_on_a_schedule_who_is_not_a_responder(desk):
    with_schedules(desk, schedule_nights__rotation="%s, mallory@example.org" % desk.bob)
    proc = desk.run("check")
    assert b"[schedule:nights] rotation: mallory@example.org is not in [responders]" in \
        proc.stderr + proc.stdout


def test_without_schedules_oncall_is_unchanged(desk):
    # [responders] gives alice then bob, both oncall: no rotation, so no handoffs
    assert desk.run("oncall").stdout.decode() == "now:  %s\nthen: %s\n" % (desk.alice,
                                                                         desk.bob)
    assert json.loads(desk.run("oncall", "--json").stdout) == [{
        "schedule": "default", "time_zone": "UTC", "oncall": desk.alice,
        "since": None, "until": None, "next": None}]


def test_without_schedules_json_follows_the_oncall_rotation(desk):
    desk.write_config(oncall__rotation="%s, %s" % (desk.bob, desk.alice),
                      oncall__rotation_start="2026-03-02T09:00:00Z",
                      oncall__rotation_length=604800)
    assert desk.run("oncall", "--at", "2026-03-10 12:00").stdout.decode() == (
        "now:  %s\nnext: %s from 2026-03-16 09:00 UTC\n" % (desk.alice, desk.bob))
    assert oncall_json(desk, "2026-03-10 12:00") == [{
        "schedule": "default", "time_zone": "UTC", "oncall": desk.alice,
        "since": "2026-03-09T09:00:00Z", "until": "2026-03-16T09:00:00Z", "next": desk.bob}]


def test_nobody_on_call_still_exits_1(desk):
    desk.write_config(**{"responders__" + desk.alice: "commander",
                         "responders__" + desk.bob: "commander"})
    proc = desk.run("oncall", "--json", check=False)
    assert proc.returncode == 1
    assert b"nobody is on call" in proc.stderr


# --- the calendar feed: `oncall --ics NAME` --------------------------------------------

NOW = 1773835200  # Wednesday 2026-03-18 12:00 UTC
EIGHT_WEEKS = 8 * 7 * 86400


def unfold(raw):
    """Content lines of an iCalendar text, read as RFC 5545 says: every line ends with
    CRLF, and a CRLF followed by a space or tab is a fold to undo."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    for line in text[:-2].split("\r\n"):
        assert "\r" not in line and "\n" not in line, repr(line)
        assert len(line.encode("utf-8")) <= 75, line
    return re.sub(r"\r\n[ \t]", "", text)[:-2].split("\r\n")


def unescape(value):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def components(lines):
    """The events as {name: value} (parameters dropped), checking that every BEGIN has its
    END; the calendar's own properties under "VCALENDAR"."""
    stack, events, calendar = [], [], {}
    for line in lines:
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack and stack.pop() == value, line
        elif stack == ["VCALENDAR"]:
            calendar[name] = value
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1][name] = value
    assert stack == []
    return calendar, events


def utc_of(stamp):
    return datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)


def feed(desk, name):
    desk.clock = NOW
    return components(unfold(desk.run("oncall", "--ics", name).stdout))


def test_the_feed_keeps_the_berlin_handoff_at_nine_local_for_eight_weeks(desk):
    with_schedules(desk)
    calendar, events = feed(desk, "primary")
    assert (calendar["METHOD"], calendar["X-WR-CALNAME"], calendar["X-WR-TIMEZONE"]) == (
        "PUBLISH", "primary", "Europe/Berlin")
    # Mondays 09:00 in Berlin: 08:00 UTC until the clocks go forward on 29 March, then
    # 07:00 UTC; the first shift is the one under way (bob's, the week before the start)
    starts = ["20260316T080000Z", "20260323T080000Z", "20260330T070000Z",
              "20260406T070000Z", "20260413T070000Z", "20260420T070000Z",
              "20260427T070000Z", "20260504T070000Z", "20260511T070000Z"]
    assert [e["DTSTART"] for e in events] == starts
    assert [e["DTEND"] for e in events] == starts[1:] + ["20260518T070000Z"]
    people = [desk.bob, desk.alice] * 4 + [desk.bob]
    assert [unescape(e["SUMMARY"]) for e in events] == [
        "On call: %s (primary)" % p for p in people]
    # the same, worked out by the standard library's zone data
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for e in events:
        local = utc_of(e["DTSTART"]).astimezone(berlin)
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0), e
    # the eight weeks from now are covered, and no more than the shift that ends them
    now = datetime.datetime.fromtimestamp(NOW, datetime.timezone.utc)
    assert utc_of(events[0]["DTSTART"]) <= now
    assert utc_of(events[-2]["DTEND"]) < now + datetime.timedelta(seconds=EIGHT_WEEKS) <= \
        utc_of(events[-1]["DTEND"])
    assert len({e["UID"] for e in events}) == len(events)
    assert all(e["DTSTAMP"] == "20260318T120000Z" for e in events)


def test_the_feed_of_a_daily_schedule_in_new_york(desk):
    with_schedules(desk)
    _, events = feed(desk, "NIGHTS")  # names are not case-sensitive
    # 18:00 EDT is 22:00 UTC every day: the shift under way since the 17th, then daily up
    # to the one that begins before 13 May 12:00 UTC
    assert len(events) == 57
    assert events[0]["DTSTART"] == "20260317T220000Z"
    assert events[-1]["DTEND"] == "20260513T220000Z"
    assert all(e["DTSTART"].endswith("T220000Z") for e in events)
    assert "(nights)" in events[0]["SUMMARY"]


def test_the_feed_shows_an_override(desk):
    with_schedules(desk)
    desk.clock = NOW
    desk.run("override", "primary", desk.alice, "2026-03-18 18:00", "2026-03-19 09:00")
    _, events = feed(desk, "primary")
    # bob's week is cut in two by alice's night (18:00-09:00 CET is 17:00Z-08:00Z)
    assert [(e["DTSTART"], e["DTEND"], unescape(e["SUMMARY"])) for e in events[:4]] == [
        ("20260316T080000Z", "20260318T170000Z", "On call: %s (primary)" % desk.bob),
        ("20260318T170000Z", "20260319T080000Z", "On call: %s (primary)" % desk.alice),
        ("20260319T080000Z", "20260323T080000Z", "On call: %s (primary)" % desk.bob),
        ("20260323T080000Z", "20260330T070000Z", "On call: %s (primary)" % desk.alice)]


def test_an_unknown_schedule_is_a_usage_error_that_names_the_schedules(desk):
    with_schedules(desk)
    proc = desk.run("oncall", "--ics", "secondary", check=False)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert b"the schedules are: primary, nights" in proc.stderr
    for more in (["--json"], ["--at", "2026-03-28 12:00"]):
        proc = desk.run("oncall", "--ics", "primary", *more, check=False)
        assert proc.returncode == 2, more
        assert b"--ics" in proc.stderr and proc.stdout == b""
