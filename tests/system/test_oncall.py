"""`sevmail oncall` with [schedule:NAME] sections, run as the real binary: who is on call
at a time, across a daylight saving change, as text and as JSON; the errors of --at and of
a schedule that cannot be read; and a configuration without schedules as it always was."""

import json


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
