"""Intake that never loses or repeats a message: IDLE, outages, silent servers, connections
cut mid-FETCH, SIGKILL during a backlog, UIDVALIDITY changes and pipe delivery."""

import random
import sqlite3
import subprocess
import time

import pytest

from faultproxy import FaultProxy
from story import LOG_TIMEOUT, SEVMAIL, Daemon


def name(n):
    """host names without digits: the generic detector treats numbers as noise, so
    "host 1" and "host 2" would be repeats of one alert"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n // 26 // 26 % 26] + letters[n // 26 % 26] + letters[n % 26]


def wait_until(condition, what, timeout=LOG_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "no %s within %ss" % (what, timeout)
        time.sleep(0.1)


def test_mail_delivered_during_idle_is_processed_without_polling(desk):
    desk.write_config(imap__poll_interval=3600)  # no poll would come for an hour
    daemon = Daemon(desk)
    try:
        # A first alert: once its page is out, the pass is over and the daemon waits in
        # IDLE (however long it took to get there).
        desk.deliver(desk.monitor_mail("Before IDLE on %s" % name(0)))
        desk.inbox(desk.alice, 1)
        desk.alert()
        pages = desk.inbox(desk.alice, 2)
        assert sorted(p["Subject"][:7] for p in pages) == ["[INC-1]", "[INC-2]"]
    finally:
        code, err = daemon.stop()
    assert code == 0, err
    assert "HighErrorRate api-gateway" in [i["title"] for i in desk.incidents()]


def test_mail_told_of_in_the_answer_to_the_flags_is_fetched_at_once(desk):
    """An IMAP server tells of new mail once, in the answer to the next command. Mail that
    comes while sevmail marks what it processed is told of in the answer to that command
    (Dovecot: "* 2 EXISTS" before "OK Store completed"), and IDLE would never tell of it
    again: sevmail fetches again instead of waiting for the next poll (a day here)."""
    with FaultProxy(desk.stack.imap_port) as proxy:
        desk.write_config(imap__port=proxy.port, imap__poll_interval=86400)
        told = []

        def deliver_while_marking(data):
            if not told and (b"UID STORE" in data or b"UID MOVE" in data):
                told.append(data)
                desk.deliver(desk.monitor_mail("Disk full on %s" % name(2)))

        proxy.on_client_data = deliver_while_marking
        daemon = Daemon(desk)
        try:
            desk.deliver(desk.monitor_mail("Disk full on %s" % name(1)))
            pages = desk.inbox(desk.alice, 2, timeout=60)
        finally:
            code, err = daemon.stop()
    assert told, "sevmail never marked the first alert processed"
    assert code == 0, err
    assert sorted(p["Subject"][:7] for p in pages) == ["[INC-1]", "[INC-2]"]


def test_outage_is_logged_once_and_mail_from_it_is_processed_after(desk):
    with FaultProxy(desk.stack.imap_port) as proxy:
        desk.write_config(imap__port=proxy.port, imap__poll_interval=1)
        daemon = Daemon(desk)
        try:
            wait_until(lambda: proxy.accepted >= 1, "the daemon's first connection")
            proxy.refuse()  # the open connection is cut, new ones are refused
            desk.alert()
            daemon.wait_log("Connection refused")
            # nothing could be read meanwhile (sevmail's state, not an empty mailbox
            # after a while)
            assert desk.incidents() == []
            proxy.listen()
            [page] = desk.inbox(desk.alice, 1)
        finally:
            code, err = daemon.stop()
    assert code == 0
    # failed attempts during the outage, one line about them (test_daemon.py counts the
    # attempts of an outage)
    assert err.count("Connection refused") == 1, err
    assert "working again" in err
    assert len(desk.incidents()) == 1


def test_a_server_that_never_answers_cannot_hang_the_daemon(desk):
    with FaultProxy(desk.stack.imap_port) as proxy:
        proxy.mode = "hang"
        desk.write_config(imap__port=proxy.port, imap__timeout=2)
        # ends on its own: desk.run gives up on a hung sevmail (story.RUN_TIMEOUT); how
        # fast it gives up is not this test's business
        proc = desk.run("run", "--once", check=False)
    assert proc.returncode == 1
    assert "127.0.0.1" in proc.stderr.decode()


def test_connection_cut_mid_fetch_loses_and_repeats_nothing(desk):
    for n in range(6):
        desk.deliver(desk.monitor_mail("Disk full on host-%s" % name(n), "x" * 20000))
    with FaultProxy(desk.stack.imap_port) as proxy:
        # the cut ends the fetch at once (no timeout needed); a generous timeout keeps
        # a loaded machine's slow answers from being taken for a fault
        desk.write_config(imap__port=proxy.port, imap__timeout=120)
        proxy.cut_after = 60000  # a few messages into the body fetch
        first = desk.run("run", "--once", check=False)
        assert first.returncode == 1
        done = desk.value("SELECT count(*) FROM incidents")
        assert done < 6
        desk.once()
    titles = sorted(i["title"] for i in desk.incidents())
    assert titles == sorted("Disk full on host-%s" % name(n) for n in range(6))
    assert desk.value("SELECT count(*) FROM outbox WHERE kind = 'page'") == 6


def test_sigkill_during_a_backlog_applies_every_message_exactly_once(desk):
    count = 120
    desk.write_config(alerts__storm="off")  # one incident per alert, no storm guard
    for n in range(count):
        desk.deliver(desk.monitor_mail("Backlog alert %s" % name(n)))
    rng = random.Random(7)
    for _ in range(20):
        proc = subprocess.Popen([SEVMAIL, "-c", desk.config, "run", "--once"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.02, 0.3))
        proc.kill()
        proc.wait()
    desk.once()
    assert desk.intact()
    assert desk.value("SELECT count(*) FROM messages") == count
    assert desk.query("SELECT count(DISTINCT title), count(*) FROM incidents")[0] \
        == (count, count)
    assert desk.value("SELECT count(*) FROM events WHERE kind = 'declared'") == count
    assert desk.value("SELECT count(*) FROM outbox WHERE kind = 'page'") == count
    last = desk.value("SELECT last_uid FROM checkpoints")
    assert last == count


def test_uidvalidity_change_rereads_without_applying_twice(desk):
    for n in range(3):
        desk.deliver(desk.monitor_mail("Host down %s" % name(n)))
    desk.once()
    desk.query("UPDATE checkpoints SET uidvalidity = uidvalidity + 1")
    proc = desk.once()
    assert "UIDVALIDITY changed" in proc.stderr.decode()
    assert len(desk.incidents()) == 3
    assert desk.value("SELECT count(*) FROM messages") == 3


@pytest.mark.sqlite_only("another writer holds the SQLite file's lock")
def test_pipe_delivery_exit_codes(desk):
    raw = desk.monitor_mail("Pipe delivered alert")
    assert desk.run("ingest", "--no-send", input=raw).returncode == 0
    # the database is held by another writer past the busy timeout: try again later
    desk.write_config(general__busy_timeout=1)
    holder = sqlite3.connect(desk.db, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = desk.run("ingest", "--no-send", input=desk.monitor_mail("Second"), check=False)
    finally:
        holder.rollback()
    assert busy.returncode == 75, busy.stderr.decode()
    assert "nothing was changed" in busy.stderr.decode()
    # a broken configuration is also worth a retry for an MTA, not a bounce
    desk.write_config(imap__bogus="1")
    broken = desk.run("ingest", input=raw, check=False)
    assert broken.returncode == 75
    assert "[imap] bogus" in broken.stderr.decode()
    desk.write_config()
    assert [i["title"] for i in desk.incidents()] == ["Pipe delivered alert"]


def test_a_backlog_reports_progress_and_a_huge_message_is_read_by_its_header(desk):
    desk.write_config(general__max_message_size=100000, alerts__storm="off")
    for n in range(119):
        desk.deliver(desk.monitor_mail("Queue depth high on %s" % name(n)))
    desk.deliver(desk.monitor_mail("Core dump attached for gateway", "A" * 300000))
    proc = desk.once()
    log = proc.stderr.decode()
    assert "50/120 messages processed" in log and "120/120 messages processed" in log
    rows = desk.query("SELECT length(raw), reason FROM messages WHERE reason LIKE"
                      " '%max_message_size%'")
    row = rows[0] if rows else None
    assert row is not None and row[0] < 2000
    assert "Core dump attached for gateway" in [i["title"] for i in desk.incidents()]
    # the same through pipe delivery
    piped = desk.monitor_mail("Heap dump attached for worker", "B" * 300000)
    desk.run("ingest", "--no-send", input=piped)
    assert "Heap dump attached for worker" in [i["title"] for i in desk.incidents()]
