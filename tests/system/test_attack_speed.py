"""Attacks on what makes sevmail fast and small: group commit (the messages of one IMAP fetch
in one transaction, a savepoint each), retention of raw mail (keep_raw, `sevmail prune`) and
the status page's bound. Against the real Dovecot and OpenSMTPD, on SQLite or PostgreSQL."""

import json
import os
import re

import pytest

from faultproxy import FaultProxy
from story import Daemon

T = 1796220000  # Wednesday 2026-12-02 14:00 UTC
DAY = 86400


def events(desk, kind):
    return desk.value("SELECT count(*) FROM events WHERE kind = ?", (kind,))


def checkpoint(desk):
    return desk.value("SELECT last_uid FROM checkpoints")


def titles(desk):
    return sorted(i["title"] for i in desk.incidents())


# --- group commit ---


def test_a_poisoned_alert_amid_a_fetch_is_quarantined_alone(desk):
    """Five alerts with one the database refuses in the middle, all in one fetch: the bad
    one is quarantined with its bytes, the four around it are applied and paged once, and
    nothing is applied again on the next pass."""
    desk.run("check")
    desk.poison_incidents()
    names = ["Disk full on alpha", "Disk full on bravo", "poison pill", "Disk full on delta",
             "Disk full on echo"]
    for n in names:
        desk.deliver(desk.monitor_mail(n))
    ran = desk.once()
    assert titles(desk) == sorted(n for n in names if "poison" not in n), ran.stderr
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    assert "poisoned row" in q["error"], q
    assert desk.value("SELECT length(raw) FROM quarantine") > 100
    assert desk.sent_to(desk.alice).count("page") == 4
    assert events(desk, "declared") == 4 and events(desk, "paged") == 4
    assert desk.value("SELECT count(*) FROM messages") == 4
    last = checkpoint(desk)
    assert last == 5
    desk.once()
    assert titles(desk) == sorted(n for n in names if "poison" not in n)
    assert desk.sent_to(desk.alice).count("page") == 4
    assert events(desk, "declared") == 4 and events(desk, "paged") == 4
    assert desk.value("SELECT count(*) FROM messages") == 4
    assert desk.intact()


def test_a_declare_and_its_copy_in_one_fetch_declare_once(desk):
    """The same alert twice in the mailbox (one Message-ID, the same bytes), read in one
    fetch: the second is a duplicate of the first, still uncommitted in the same
    transaction."""
    raw = desk.monitor_mail("Disk full on alpha")
    desk.deliver(raw)
    desk.deliver(raw)
    desk.deliver(desk.monitor_mail("Disk full on bravo"))
    desk.once()
    assert titles(desk) == ["Disk full on alpha", "Disk full on bravo"]
    assert desk.value("SELECT count(*) FROM messages") == 2
    assert desk.sent_to(desk.alice).count("page") == 2
    assert events(desk, "declared") == 2
    assert checkpoint(desk) == 3


def test_an_ack_and_a_repeat_in_one_fetch_are_both_applied(desk):
    """An ACK of an open incident and a repeat of its alert, read in one fetch with a new
    alert: the incident is acknowledged, the repeat counted on it, the new alert paged."""
    desk.deliver(desk.monitor_mail("Disk full on alpha"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK")
    desk.wait_incoming(2)
    desk.deliver(desk.monitor_mail("Disk full on alpha"))
    desk.deliver(desk.monitor_mail("Disk full on bravo"))
    desk.once()
    inc = desk.show(1)
    assert inc["status"] == "investigating" and inc["acked_by"] == desk.alice, inc
    kinds = [e["kind"] for e in inc["events"]]
    assert kinds.count("alert_repeat") == 1, kinds
    assert titles(desk) == ["Disk full on alpha", "Disk full on bravo"]
    assert desk.sent_to(desk.alice).count("page") == 2
    assert desk.value("SELECT count(*) FROM messages") == 4


@pytest.mark.skipif(os.environ.get("STORE", "sqlite") != "postgresql",
                    reason="a transient error of one row is raised by a PostgreSQL trigger")
def test_a_transient_failure_amid_a_fetch_keeps_those_before_and_retries_the_rest(desk):
    """The third of five alerts meets an error that trying later cures (a serialization
    failure): the two before it are committed and paged, it and those after it wait for the
    next pass, and then each is applied once."""
    desk.run("check")
    desk.query("CREATE TABLE flaky_on (x INTEGER);"
               " INSERT INTO flaky_on VALUES (1);"
               " CREATE FUNCTION flaky() RETURNS trigger AS $$ BEGIN IF NEW.title LIKE"
               " '%flaky%' AND EXISTS (SELECT 1 FROM flaky_on) THEN RAISE EXCEPTION"
               " 'try again' USING ERRCODE = '40001'; END IF; RETURN NEW; END $$"
               " LANGUAGE plpgsql;"
               " CREATE TRIGGER flaky BEFORE INSERT ON incidents FOR EACH ROW"
               " EXECUTE FUNCTION flaky()")
    names = ["Disk full on alpha", "Disk full on bravo", "flaky disk on charlie",
             "Disk full on delta", "Disk full on echo"]
    for n in names:
        desk.deliver(desk.monitor_mail(n))
    desk.run("run", "--once", check=False)
    assert titles(desk) == names[:2]
    assert checkpoint(desk) == 2
    assert desk.sent_to(desk.alice).count("page") == 2
    assert json.loads(desk.run("quarantine", "--json").stdout) == []
    desk.query("DELETE FROM flaky_on")
    desk.once()
    assert titles(desk) == sorted(names)
    assert checkpoint(desk) == 5
    assert desk.sent_to(desk.alice).count("page") == 5
    assert events(desk, "declared") == 5
    assert desk.value("SELECT count(*) FROM messages") == 5


# --- retention ---


def test_prune_of_everything_keeps_duplicates_quarantine_and_history(desk, tmp_path):
    """Every raw byte pruned: a copy of an old alert is still a duplicate and pages nobody;
    show, explain and postmortem of its incident work; a quarantined message keeps its bytes
    and is retried after the prune."""
    desk.run("check")
    desk.poison_incidents()
    desk.clock = T
    first = desk.monitor_mail("Disk full on alpha")
    desk.deliver(first)
    desk.deliver(desk.monitor_mail("poison pill on bravo"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.clock = T + 60
    desk.phone_reply(desk.alice, page, "ACK")
    desk.wait_incoming(3)
    desk.once()
    desk.clock = T + 120
    desk.phone_reply(desk.alice, page, "RESOLVED: disk cleaned")
    desk.wait_incoming(4)
    desk.once()
    before_show = desk.show(1)
    [q] = json.loads(desk.run("quarantine", "--json").stdout)

    desk.clock = T + 2 * DAY
    out = json.loads(desk.run("prune", "--before", "2026-12-04", "--json").stdout)
    assert out["pruned"] == 3, out
    assert desk.value("SELECT count(*) FROM messages WHERE length(raw) > 0") == 0
    # the quarantine is untouched
    assert json.loads(desk.run("quarantine", "--json").stdout) == [q]
    assert desk.value("SELECT length(raw) FROM quarantine") > 100
    # show, explain, postmortem of the pruned incident
    assert desk.show(1) == before_show
    (tmp_path / "first.eml").write_bytes(first)
    why = json.loads(desk.run("explain", str(tmp_path / "first.eml"), "--json").stdout)
    assert why["already_processed"] is True, why
    pm = desk.run("postmortem", "1").stdout.decode()
    assert "Disk full on alpha" in pm
    # the old alert again: a duplicate, nobody paged
    desk.deliver(first)
    desk.once()
    assert desk.value("SELECT count(*) FROM messages") == 3
    assert len(desk.incidents()) == 1
    assert desk.sent_to(desk.alice).count("page") == 1
    # the poisoned message, retried once the database accepts it
    desk.query("DROP TRIGGER poison" + (" ON incidents" if desk.pg else ""))
    desk.run("quarantine", "retry", str(q["id"]))
    assert json.loads(desk.run("quarantine", "--json").stdout) == []
    assert titles(desk) == ["Disk full on alpha", "poison pill on bravo"]
    desk.once()
    assert desk.sent_to(desk.alice).count("page") == 2
    assert desk.intact()


def test_prune_before_odd_dates(desk):
    desk.clock = T
    desk.deliver(desk.monitor_mail("Disk full on alpha"))
    desk.once()
    for odd in ["1970-01-01 00:01", "2026-12-02 13:59"]:
        proc = desk.run("prune", "--before", odd, "--json", check=False)
        assert proc.returncode == 0, (odd, proc.stderr)
        out = json.loads(proc.stdout)
        assert out["pruned"] == 0, (odd, out)
        assert out["before"] is not None, (odd, out)
        text = desk.run("prune", "--before", odd).stdout.decode()
        assert "pruned the raw bytes of 0 messages" in text, (odd, text)
    for bad, why in [("1970-01-01", b"is not after 1970-01-01"),
                     ("1969-12-31", b"is not after 1970-01-01"),
                     ("0001-01-01", b"is not after 1970-01-01")]:
        proc = desk.run("prune", "--before", bad, "--json", check=False)
        assert proc.returncode == 2 and why in proc.stderr, (bad, proc.stderr)
    for bad in ["2026-12-02T00:00", "2026-12-02 00:00:00", " 2026-12-02", "2026-12-2",
                "", "2026-12-02 14:01"]:
        proc = desk.run("prune", "--before", bad, check=False)
        assert proc.returncode == 2 and proc.stderr, (bad, proc.stderr)
    assert desk.value("SELECT length(raw) FROM messages") > 100
    assert desk.run("prune", "--before", "2026-12-02 14:00", "--json").returncode == 0
    assert desk.value("SELECT length(raw) FROM messages") > 100  # received at 14:00, not before


# --- the status page's bound ---


def section(html, name):
    """The titles of the incidents a section of the index lists, in its order, and its text."""
    start = html.index('<section id="%s">' % name)
    text = html[start:html.index("</section>", start)]
    return re.findall(r'<a href="inc-\d+\.html">([^<]*)</a></h3>', text), text


def test_the_status_page_shows_50_resolved_and_counts_the_rest(desk, tmp_path):
    """Open incidents all; of those resolved or closed in the last 7 days the 50 latest, and
    "And N more." for the others; never one resolved earlier, merged or unverified."""
    desk.clock = T
    desk.run("check")
    rows = []

    def incident(title, status, created, resolved=None, merged=None, unverified=0):
        rows.append((title, status, created, resolved, merged, unverified))
    incident("Open one", "investigating", T - 3600)
    incident("Open two", "open", T - 7200)
    for k in range(1, 54):
        incident("Resolved %d" % k, "resolved", T - 8 * DAY, T - k * 3000)
    incident("Closed lately", "closed", T - 8 * DAY, T - 1000)
    incident("Resolved long ago", "resolved", T - 9 * DAY, T - 8 * DAY)
    incident("Merged lately", "resolved", T - 2 * DAY, T - 500, merged=1)
    incident("Unverified lately", "resolved", T - 2 * DAY, T - 400, unverified=1)
    desk.query("INSERT INTO incidents (title, severity, status, created_at, resolved_at,"
               " merged_into, unverified, source) VALUES (?, 2, ?, ?, ?, ?, ?, 'manual')",
               many=rows)
    out = tmp_path / "page"
    desk.run("status-page", "--output", str(out))
    html = (out / "index.html").read_text()
    assert section(html, "open")[0] == ["Open one", "Open two"]
    listed, text = section(html, "resolved")
    assert listed == ["Closed lately"] + ["Resolved %d" % k for k in range(1, 50)], listed
    assert "And 4 more." in text
    assert "Resolved long ago" not in html and "Merged lately" not in html
    assert "Unverified lately" not in html
    # exactly 50: nothing more to count
    desk.query("UPDATE incidents SET resolved_at = ?1 WHERE title IN ('Resolved 50',"
               " 'Resolved 51', 'Resolved 52', 'Resolved 53')", (T - 10 * DAY,))
    desk.run("status-page", "--output", str(out))
    html = (out / "index.html").read_text()
    assert "more." not in html
    listed, text = section(html, "resolved")
    assert listed == ["Closed lately"] + ["Resolved %d" % k for k in range(1, 50)], listed


# --- IDLE ---


@pytest.mark.parametrize("command", [b"RFC822.SIZE", b"BODY.PEEK[]", b"IDLE"],
                         ids=["listing", "bodies", "idle"])
def test_mail_delivered_as_a_command_goes_out_is_fetched_at_once(desk, command):
    """A mail delivered while sevmail's listing, its fetch of bodies or its IDLE is on its
    way to the server is read in this pass or the next at once, never at the next poll (a
    day here)."""
    with FaultProxy(desk.stack.imap_port) as proxy:
        desk.write_config(imap__port=proxy.port, imap__poll_interval=86400)
        told = []

        def deliver_then(data):
            if not told and command in data:
                told.append(data)
                desk.deliver(desk.monitor_mail("Disk full on bravo"))

        proxy.on_client_data = deliver_then
        daemon = Daemon(desk)
        try:
            if command != b"IDLE":
                desk.deliver(desk.monitor_mail("Disk full on alpha"))
            pages = desk.inbox(desk.alice, 1 if command == b"IDLE" else 2, timeout=60)
        finally:
            code, err = daemon.stop()
    assert told, "sevmail never sent %r" % command
    assert code == 0, err
    assert len(pages) == (1 if command == b"IDLE" else 2)


def test_prune_vacuum_while_the_daemon_reads_mail(desk):
    """`prune --vacuum` rewrites the file (or runs VACUUM on PostgreSQL) while the daemon
    runs and mail keeps coming: the mail before, during and after is applied once, and the
    database is intact."""
    desk.clock = T
    daemon = Daemon(desk)
    try:
        for n in range(20):
            desk.deliver(desk.monitor_mail("Disk %s full" % "abcdefghijklmnopqrst"[n],
                                           "x" * 20000))
        daemon.wait_log(": alert INC-20")
        desk.clock = T + 3 * DAY
        for n in range(5):
            desk.deliver(desk.monitor_mail("Swap %s full" % "abcde"[n]))
        out = json.loads(desk.run("prune", "--before", "2026-12-04", "--vacuum", "--json")
                         .stdout)
        assert out["vacuumed"] is True and out["pruned"] >= 20, out
        desk.deliver(desk.monitor_mail("Memory full on zulu",
                                       message_id="<zulu@monitoring.example.com>"))
        daemon.wait_log("<zulu@monitoring.example.com>: alert INC-")
    finally:
        rc, log = daemon.stop()
    assert rc == 0, log
    # each applied once (alerts that come together are grouped: count messages, not
    # incidents)
    assert desk.value("SELECT count(*) FROM messages") == 26
    assert desk.value("SELECT count(*) FROM messages WHERE route = 'alert'") == 26
    assert desk.value("SELECT count(DISTINCT message_id) FROM messages") == 26
    assert desk.value("SELECT count(*) FROM messages WHERE length(raw) > 0") == 26 - out["pruned"]
    assert desk.intact()


@pytest.mark.sqlite_only("the fault is a SQLite trigger that rolls back the whole transaction")
def test_a_message_that_loses_the_whole_transaction_is_quarantined_not_retried_forever(desk):
    """A message whose failure takes the whole transaction with it (SQLite rolls back the
    transaction itself on some errors; here a trigger's RAISE(ROLLBACK)), amid a fetch of
    good alerts: before group commit it was tried in transactions of its own and
    quarantined; the batch it was in must not fail every pass for ever, blocking the alerts
    before and behind it. The pass reads them again, one transaction each."""
    desk.run("check")
    desk.query("CREATE TRIGGER doom BEFORE INSERT ON incidents WHEN NEW.title LIKE"
               " '%doom%' BEGIN SELECT RAISE(ROLLBACK, 'doomed row'); END")
    names = ["Disk full on alpha", "Disk full on bravo", "doom on charlie",
             "Disk full on delta", "Disk full on echo"]
    for n in names:
        desk.deliver(desk.monitor_mail(n))
    ran = desk.once()
    assert b"quarantined" in ran.stderr, ran.stderr
    assert titles(desk) == sorted(n for n in names if "doom" not in n)
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    assert "doomed row" in q["error"], q
    assert checkpoint(desk) == 5
    assert desk.sent_to(desk.alice).count("page") == 4
    assert desk.intact()


@pytest.mark.skipif(os.environ.get("STORE", "sqlite") != "postgresql",
                    reason="the fault is a PostgreSQL deferred constraint trigger")
def test_a_message_whose_commit_fails_is_quarantined_alone(desk):
    """A message whose own transaction cannot commit (a deferred constraint trigger, checked
    at COMMIT), amid a fetch of good alerts: without group commit it was tried and
    quarantined alone; in a batch its commit fails the whole batch, which must not fail on
    every pass for ever."""
    desk.run("check")
    desk.query("CREATE FUNCTION doom() RETURNS trigger AS $$ BEGIN IF NEW.title LIKE"
               " '%doom%' THEN RAISE EXCEPTION 'doomed at commit'; END IF; RETURN NEW;"
               " END $$ LANGUAGE plpgsql;"
               " CREATE CONSTRAINT TRIGGER doom AFTER INSERT ON incidents"
               " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION doom()")
    names = ["Disk full on alpha", "Disk full on bravo", "doom on charlie",
             "Disk full on delta", "Disk full on echo"]
    for n in names:
        desk.deliver(desk.monitor_mail(n))
    ran = desk.once()
    assert b"quarantined" in ran.stderr, ran.stderr
    assert titles(desk) == sorted(n for n in names if "doom" not in n)
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    assert "doomed at commit" in q["error"], q
    assert checkpoint(desk) == 5
    assert desk.sent_to(desk.alice).count("page") == 4
