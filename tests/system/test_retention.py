"""Retention of raw mail (sevmail.conf(5), keep_raw; sevmail(1), prune), with the clock moved by SEVMAIL_NOW: with
[general] keep_raw the daemon drops the raw bytes of older inbound mail, and `sevmail prune
--before DATE` does the same from the command line while the daemon runs; what the mail led
to stays (incidents, timelines, `show`, `explain`), a copy of a pruned message is still a
duplicate, a quarantined message keeps its bytes, bad dates and durations are refused saying
where, and the SQLite file reuses or gives back the pages pruned mail held."""

import json
import sqlite3

import pytest

from story import Daemon

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
DAY = 86400


def alert(desk, subject, size=2000, message_id=None):
    """The monitoring tool's alert with a body of about size bytes."""
    body = (subject + " on db-1\n") + ("x" * 70 + "\n") * (size // 71)
    raw = desk.monitor_mail(subject, body, message_id=message_id)
    desk.deliver(raw)
    return raw


def raw_sizes(desk):
    """(Message-ID, length of its raw bytes, pruned_at) of every stored message."""
    return desk.query("SELECT message_id, length(raw), pruned_at FROM messages ORDER BY id")


def test_the_daemon_prunes_old_raw_mail_and_keeps_what_it_led_to(desk, tmp_path):
    desk.run("check")  # creates the database
    desk.poison_incidents()
    desk.clock = T
    first = alert(desk, "DiskFull db-1")
    alert(desk, "poison pill")
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    assert "DiskFull db-1" in page["Subject"]
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    timeline = desk.show(1)["events"]

    # 100 days later, with 90 days of raw mail kept: a new alert comes in
    desk.write_config(general__keep_raw="90d")
    desk.clock = T + 100 * DAY
    alert(desk, "CPU high db-2")
    ran = desk.once()
    assert b"keep_raw: pruned the raw bytes of 1 messages received before " \
           b"2026-12-12 14:00 UTC" in ran.stderr, ran.stderr
    [(old_id, old_len, old_pruned), (_, new_len, new_pruned)] = raw_sizes(desk)
    assert old_len == 0 and old_pruned == T + 100 * DAY
    assert new_len > 2000 and new_pruned is None
    # the quarantined message was not dealt with yet: it keeps its bytes
    assert json.loads(desk.run("quarantine", "--json").stdout) == [q]
    assert desk.value("SELECT length(raw) FROM quarantine") > 100

    # what the old mail led to is all there
    assert desk.show(1)["events"][:len(timeline)] == timeline  # (and escalated since)
    assert sorted(i["title"] for i in desk.incidents()) == ["CPU high db-2", "DiskFull db-1"]
    (tmp_path / "first.eml").write_bytes(first)
    why = json.loads(desk.run("explain", str(tmp_path / "first.eml"), "--json").stdout)
    assert why["already_processed"] is True, why
    # the same alert again (same Message-ID and bytes) is still a duplicate: no new page
    desk.deliver(first)
    desk.once()
    assert desk.value("SELECT count(*) FROM messages") == 2
    assert len(desk.incidents()) == 2
    assert desk.sent_to(desk.alice).count("page") == 2
    # and a later pass finds nothing more to prune
    assert b"keep_raw" not in desk.once().stderr
    assert desk.intact()


def test_prune_from_the_command_line_while_the_daemon_runs(desk):
    desk.clock = T
    for n in range(3):
        alert(desk, "Disk %d full" % n)
    alert(desk, "Disk 3 full", message_id="<late@monitoring.example.com>")
    desk.once()
    desk.query("UPDATE messages SET received_at = ?1 WHERE message_id ="
               " 'late@monitoring.example.com'", (T + 3 * DAY,))
    desk.clock = T + 30 * DAY
    daemon = Daemon(desk)
    try:
        # without keep_raw, prune needs to be told which mail
        refused = desk.run("prune", check=False)
        assert refused.returncode == 2
        assert b"keep_raw is forever: say which mail with --before DATE" in refused.stderr
        out = json.loads(desk.run("prune", "--before", "2026-12-04", "--json").stdout)
        assert out["pruned"] == 3 and out["before"] == "2026-12-04T00:00:00Z"
        assert (out["file"] is None) == (desk.pg is not None)
        # the daemon goes on reading mail meanwhile
        alert(desk, "Disk 4 full", message_id="<disk4@monitoring.example.com>")
        daemon.wait_log("<disk4@monitoring.example.com>: alert INC-1")
        text = desk.run("prune", "--before", "2026-12-06 12:00").stdout.decode()
        assert text.startswith("pruned the raw bytes of 1 messages received before "
                               "2026-12-06 12:00 UTC\n"), text
        assert "pruned the raw bytes of 0 messages" in desk.run(
            "prune", "--before", "2026-12-06 12:00").stdout.decode()
    finally:
        rc, log = daemon.stop()
    assert rc == 0, log
    assert [n for _, n, _ in raw_sizes(desk)][:4] == [0, 0, 0, 0]
    assert raw_sizes(desk)[4][1] > 1000
    assert [i["title"] for i in desk.incidents()] == ["Disk 0 full"]  # the others repeat it
    assert desk.intact()


def test_bad_dates_and_bad_keep_raw_are_refused_saying_where(desk):
    desk.clock = T
    alert(desk, "DiskFull db-1")
    desk.once()
    for bad, why in [("yesterday", b"is not a UTC date such as 2026-09-01"),
                     ("2026-02-30", b"is not a UTC date such as 2026-09-01"),
                     ("2026-12-01 25:00", b"is not a UTC date such as 2026-09-01"),
                     ("2027-01-01", b"is in the future")]:
        proc = desk.run("prune", "--before", bad, check=False)
        assert proc.returncode == 2 and why in proc.stderr, (bad, proc.stderr)
    for bad in ["90", "12h", "400d", "forever!"]:
        desk.write_config(general__keep_raw=bad)
        proc = desk.run("check", check=False)
        assert proc.returncode == 2
        assert ("[general] keep_raw: '%s' is not forever or a duration from 1d to 366d"
                % bad).encode() in proc.stderr, proc.stderr
        assert desk.run("run", "--once", check=False).returncode == 2
    # nothing was lost
    [(_, size, pruned)] = raw_sizes(desk)
    assert size > 1000 and pruned is None


def pages(desk):
    db = sqlite3.connect(desk.db)
    try:
        return [db.execute("PRAGMA %s" % p).fetchone()[0]
                for p in ("page_count", "freelist_count", "auto_vacuum")]
    finally:
        db.close()


def mail_of_a_day(desk, day, count=30):
    desk.clock = T + day * DAY
    for n in range(count):
        alert(desk, "Disk %d full on day %d" % (n, day), size=20000)
    return desk.once()


@pytest.mark.sqlite_only("the pages of the SQLite file")
def test_a_new_file_gives_the_pages_of_pruned_mail_back(desk):
    mail_of_a_day(desk, 0)
    full, _, mode = pages(desk)
    assert mode == 2  # auto_vacuum = incremental from the start
    desk.clock = T + 100 * DAY
    out = json.loads(desk.run("prune", "--before", "2026-12-05", "--json").stdout)
    assert out["pruned"] == 30 and out["file"]["incremental"] is True
    assert out["file"]["given_back"] > 0
    after, free, _ = pages(desk)
    assert after < full and free == 0
    # new mail of the same size takes the room the old took, not that and more
    mail_of_a_day(desk, 100)
    again, _, _ = pages(desk)
    assert again < full + (full - after) // 2, (full, after, again)


@pytest.mark.sqlite_only("the pages of the SQLite file")
def test_an_older_file_reuses_the_pages_and_prune_vacuum_converts_it(desk):
    desk.run("check")
    db = sqlite3.connect(desk.db)
    db.executescript("PRAGMA auto_vacuum = NONE; VACUUM;")  # as files made before it
    db.close()
    mail_of_a_day(desk, 0)
    full, before, mode = pages(desk)
    assert mode == 0
    desk.write_config(general__keep_raw="90d")
    ran = mail_of_a_day(desk, 100, count=1)  # the daemon prunes the 30 of day 0
    assert b"keep_raw: pruned the raw bytes of 30 messages" in ran.stderr
    assert b"gives none back to the file system; `sevmail prune --vacuum` once makes it do so" \
        in ran.stderr, ran.stderr
    grown, free, mode = pages(desk)
    assert mode == 0 and free > before + 100 and grown <= full + 8
    # freed pages are reused: 20 new mails of the same size do not grow the file
    mail_of_a_day(desk, 101, count=20)
    now, fewer, _ = pages(desk)
    assert now == grown and fewer < free, (grown, now, free, fewer)
    said = desk.run("prune").stdout.decode()
    assert "`sevmail prune --vacuum` once makes the file give them back" in said
    out = json.loads(desk.run("prune", "--vacuum", "--json").stdout)
    assert out["vacuumed"] is True and out["file"]["incremental"] is True
    small, free, mode = pages(desk)
    assert mode == 2 and free == 0 and small < now
    assert desk.intact()


@pytest.mark.sqlite_only("store-copy reads a SQLite file")
def test_a_pruned_sqlite_desk_moves_to_postgresql_as_it_is(desk, unique):
    import pgserver
    if not pgserver.available():
        pytest.skip("Debian's PostgreSQL server is not installed (scripts/ensure-deps)")
    desk.clock = T
    first = alert(desk, "DiskFull db-1")
    desk.once()
    desk.clock = T + 100 * DAY
    assert json.loads(desk.run("prune", "--before", "2026-12-05", "--json").stdout)["pruned"] == 1
    target = pgserver.shared().create_database("r_" + unique)
    desk.run("store-copy", "--to", target)
    desk.write_config(store__backend="postgresql", store__conninfo=target)
    desk.pg, desk.conninfo = pgserver.shared(), target  # desk.query reads it there
    # the pruned message is there without its bytes, and still a duplicate
    [(_, size, pruned)] = raw_sizes(desk)
    assert size == 0 and pruned == T + 100 * DAY
    desk.deliver(first)
    desk.once()
    assert desk.value("SELECT count(*) FROM messages") == 1
    assert len(desk.incidents()) == 1
