"""The database busy (another writer holds the lock past [general] busy_timeout) and the disk
full (the database on a 2 MiB tmpfs): the message in hand is rolled back and read again
later, the checkpoint never runs ahead of what is stored, the log says what happened,
`PRAGMA integrity_check` stays `ok`, and once the fault is gone every message is applied
once."""

import contextlib
import errno
import os
import sqlite3
import subprocess
import time

import pytest

from helpers import (RecordingProxy, append_many, daemon, db, integrity, message_ids, name,
                     scalar, stop, wait_until)

# A fixed clock (SEVMAIL_NOW): no escalation timer adds a re-page, however long a test takes
T0 = 1795701600


def stored_and_checkpoint(desk):
    conn = db(desk)
    try:
        stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        uids = [r[0] for r in conn.execute("SELECT uid FROM messages ORDER BY uid")]
        last = conn.execute("SELECT coalesce(max(last_uid), 0) FROM checkpoints").fetchone()[0]
    finally:
        conn.close()
    return stored, uids, last


def assert_checkpoint_not_ahead(desk):
    stored, uids, last = stored_and_checkpoint(desk)
    # UIDs of this desk's mailbox are 1, 2, 3 ...: everything up to the checkpoint is stored
    assert uids == list(range(1, stored + 1))
    assert last == stored, (last, stored)
    return stored


def page_recorded_sent(desk, count):
    """Wait until sevmail has recorded `count` pages as accepted by the SMTP server. A page
    in the mailbox is not enough: sevmail records it just after the server's answer, and a
    fault injected in between makes it send the page again (at-least-once)."""
    wait_until(lambda: desk.sent_to(desk.alice).count("page") >= count,
               what="%d page(s) recorded as sent" % count)


@contextlib.contextmanager
def writer_holding_the_lock(desk):
    # a generous timeout: sevmail may be in the middle of a write of its own
    holder = sqlite3.connect(desk.db, timeout=60)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        holder.rollback()
        holder.close()


def test_busy_database_rolls_back_and_retries(desk, figure):
    desk.clock = T0
    desk.write_config(general__busy_timeout=1)
    for n in range(3):
        desk.deliver(desk.monitor_mail("Busy test first %s" % name(n)))
    desk.once()
    for n in range(3, 7):
        desk.deliver(desk.monitor_mail("Busy test second %s" % name(n)))
    with writer_holding_the_lock(desk):
        started = time.monotonic()
        busy = desk.run("run", "--once", check=False)
        figure("run --once against a locked database", "exit %d after %.1f s"
               % (busy.returncode, time.monotonic() - started))
        assert assert_checkpoint_not_ahead(desk) == 3
    log = busy.stderr.decode()
    figure("log line", [l for l in log.splitlines() if "locked" in l or "busy" in l][:1])
    assert busy.returncode == 1, log
    assert "database is locked" in log
    assert integrity(desk) == "ok"
    desk.once()
    assert assert_checkpoint_not_ahead(desk) == 7
    assert scalar(desk, "SELECT count(*), count(DISTINCT title) FROM incidents") == 7
    assert scalar(desk, "SELECT count(*) FROM events WHERE kind = 'declared'") == 7
    assert scalar(desk, "SELECT count(*) FROM outbox WHERE kind = 'page'") == 7
    assert integrity(desk) == "ok"
    desk.inbox(desk.alice, 7)
    assert len(set(message_ids(desk.stack, desk.alice))) == 7


def test_busy_database_under_the_daemon(desk, figure):
    desk.clock = T0
    desk.write_config(general__busy_timeout=1, imap__poll_interval=1)
    log = os.path.join(desk.dir, "daemon.log")
    proc = daemon(desk, log)
    try:
        desk.deliver(desk.monitor_mail("Daemon busy test %s" % name(0)))
        desk.inbox(desk.alice, 1)
        page_recorded_sent(desk, 1)
        with writer_holding_the_lock(desk):
            append_many(desk.stack, desk.address,
                        [desk.monitor_mail("Daemon busy test %s" % name(n)) for n in range(1, 6)])
            # a pass runs into the lock: the daemon says so (however long that takes) ...
            proc.wait_log("database is locked")
            # ... and has stored nothing
            assert assert_checkpoint_not_ahead(desk) == 1
        released = time.monotonic()
        wait_until(lambda: scalar(desk, "SELECT count(*) FROM messages") == 6,
                   what="the backlog after the lock is released")
        figure("from the lock released to everything applied", "%.1f s"
               % (time.monotonic() - released))
        desk.inbox(desk.alice, 6)
        assert proc.poll() is None
    finally:
        code = stop(proc)
    with open(log) as f:
        text = f.read()
    assert code == 0, text
    assert "database is locked" in text
    assert text.count("database is locked") <= 2, text  # said once per change of state
    assert assert_checkpoint_not_ahead(desk) == 6
    assert scalar(desk, "SELECT count(*) FROM outbox WHERE kind = 'page'") == 6
    assert integrity(desk) == "ok"
    assert len(message_ids(desk.stack, desk.alice)) == 6


def test_busy_database_while_recording_a_delivery(desk, figure):
    """The SMTP server accepted a page, then the database is too busy to record it: the
    page is sent again on the next pass (at-least-once). Measured, not forbidden."""
    desk.clock = T0
    with RecordingProxy(desk.stack.smtp_port) as proxy:
        desk.write_config(general__busy_timeout=1, smtp__port=proxy.port)
        proxy.refuse()
        desk.deliver(desk.monitor_mail("Recorded late on %s" % name(0)))
        desk.once()  # the page waits in the outbox
        proxy.listen()
        desk.clock += 100  # past its retry time, before any escalation
        with writer_holding_the_lock(desk):
            busy = desk.run("run", "--once", check=False)
        assert busy.returncode == 1
        desk.clock += 100
        desk.once()
        sent = list(proxy.sent)
    # every copy the SMTP server accepted arrives: wait for as many as went over the wire
    delivered = wait_until(
        lambda: (lambda ids: ids if len(ids) >= len(sent) else None)(
            message_ids(desk.stack, desk.alice)), what="%d copies of the page" % len(sent))
    figure("pages queued", 1)
    figure("pages sent when the database was busy at recording time", len(sent))
    figure("pages delivered when the database was busy at recording time", len(delivered))
    assert len(sent) >= 1 and len(set(sent)) == 1
    assert len(delivered) == len(sent) and len(set(delivered)) == 1
    assert scalar(desk, "SELECT count(*) FROM outbox_rcpts WHERE state = 'sent'") == 1
    assert integrity(desk) == "ok"


# --- disk full ---

@contextlib.contextmanager
def small_tmpfs(path, size="2m"):
    os.makedirs(path, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs",
                          path], capture_output=True)
    if res.returncode != 0:
        pytest.skip("cannot mount a tmpfs: %s" % res.stderr.decode().strip())
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=False)


def fill(path):
    """Fill the file system at path with one file; returns its path and size."""
    filler = os.path.join(path, "filler")
    written = 0
    with open(filler, "wb", buffering=0) as f:
        for chunk in (65536, 4096, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    f.write(block)
                    written += chunk
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return filler, written


def on_tmpfs(desk, mount):
    desk.db = os.path.join(mount, "sevmail.db")
    desk.write_config(general__database=desk.db)
    desk.run("subscribe", "stakeholders", desk.dave)


def big_alert(desk, n):
    # 20 KiB each: the write-ahead log must grow to take it
    return desk.monitor_mail("Disk test alert %s" % name(n), ("%s\n" % ("x" * 99)) * 200)


def test_disk_full_rolls_back_and_retries(desk, figure):
    desk.clock = T0
    with small_tmpfs(os.path.join(desk.dir, "small")) as mount:
        on_tmpfs(desk, mount)
        for n in range(3):
            desk.deliver(big_alert(desk, n))
        desk.once()
        for n in range(3, 8):
            desk.deliver(big_alert(desk, n))
        filler, size = fill(mount)
        figure("filler", "%d KiB" % (size // 1024))
        assert size > 100 * 1024
        full = desk.run("run", "--once", check=False)
        log = full.stderr.decode()
        figure("run --once on a full disk", "exit %d" % full.returncode)
        figure("log line", log.splitlines()[:1])
        assert full.returncode == 1, log
        # a closed database reopened on a full disk fails at open (its -shm file cannot
        # be made): "disk I/O error"; see test_a_full_disk_is_named_in_the_log
        assert "database or disk is full" in log or "disk I/O error" in log
        assert desk.db in log or "database" in log
        os.unlink(filler)  # (even reading needs the room for the -shm file)
        assert assert_checkpoint_not_ahead(desk) == 3
        assert integrity(desk) == "ok"
        desk.once()
        assert assert_checkpoint_not_ahead(desk) == 8
        assert scalar(desk, "SELECT count(*), count(DISTINCT title) FROM incidents") == 8
        assert scalar(desk, "SELECT count(*) FROM events WHERE kind = 'declared'") == 8
        assert scalar(desk, "SELECT count(*) FROM outbox WHERE kind = 'page'") == 8
        assert integrity(desk) == "ok"
    desk.inbox(desk.alice, 8)
    assert len(set(message_ids(desk.stack, desk.alice))) == 8


def test_disk_full_under_the_daemon(desk, figure):
    desk.clock = T0
    with small_tmpfs(os.path.join(desk.dir, "small")) as mount:
        on_tmpfs(desk, mount)
        desk.write_config(general__database=desk.db, imap__poll_interval=1)
        log = os.path.join(desk.dir, "daemon.log")
        proc = daemon(desk, log)
        try:
            desk.deliver(big_alert(desk, 0))
            desk.inbox(desk.alice, 1)
            page_recorded_sent(desk, 1)
            filler, _ = fill(mount)
            append_many(desk.stack, desk.address, [big_alert(desk, n) for n in range(1, 5)])
            # a pass runs into the full disk: the daemon says so, and has stored nothing
            proc.wait_log("database or disk is full")
            assert assert_checkpoint_not_ahead(desk) == 1
            assert integrity(desk) == "ok"
            os.unlink(filler)
            freed = time.monotonic()
            wait_until(lambda: scalar(desk, "SELECT count(*) FROM messages") == 5,
                       what="the backlog after space is freed")
            figure("from space freed to everything applied", "%.1f s"
                   % (time.monotonic() - freed))
            desk.inbox(desk.alice, 5)
            assert proc.poll() is None
        finally:
            code = stop(proc)
        with open(log) as f:
            text = f.read()
        assert code == 0, text
        assert "database or disk is full" in text
        assert assert_checkpoint_not_ahead(desk) == 5
        assert scalar(desk, "SELECT count(*) FROM outbox WHERE kind = 'page'") == 5
        assert integrity(desk) == "ok"
    assert len(message_ids(desk.stack, desk.alice)) == 5


def test_disk_full_pipe_delivery_asks_the_mta_to_retry(desk, figure):
    """`sevmail ingest` from an MTA pipe on a full disk exits 75 (EX_TEMPFAIL): the MTA keeps
    the message and delivers it again later, once."""
    with small_tmpfs(os.path.join(desk.dir, "small")) as mount:
        on_tmpfs(desk, mount)
        desk.run("ingest", "--no-send", input=big_alert(desk, 0))
        raw = big_alert(desk, 1)
        filler, _ = fill(mount)
        full = desk.run("ingest", "--no-send", input=raw, check=False)
        figure("ingest from a pipe on a full disk", "exit %d" % full.returncode)
        assert full.returncode == 75, full.stderr.decode()
        os.unlink(filler)
        assert assert_checkpoint_not_ahead_of_pipe(desk) == 1
        desk.run("ingest", "--no-send", input=raw)
        desk.run("ingest", "--no-send", input=raw)  # the MTA may deliver twice: once applied
        assert scalar(desk, "SELECT count(*) FROM messages") == 2
        assert scalar(desk, "SELECT count(*) FROM incidents") == 2
        assert integrity(desk) == "ok"


def assert_checkpoint_not_ahead_of_pipe(desk):
    # pipe delivery keeps no IMAP checkpoint: what is stored is what was applied
    assert scalar(desk, "SELECT count(*) FROM checkpoints") == 0
    return scalar(desk, "SELECT count(*) FROM messages")

def test_a_full_disk_is_named_in_the_log(desk):
    with small_tmpfs(os.path.join(desk.dir, "small")) as mount:
        on_tmpfs(desk, mount)
        desk.deliver(big_alert(desk, 0))
        filler, _ = fill(mount)
        full = desk.run("run", "--once", check=False)
        os.unlink(filler)
    log = full.stderr.decode().replace(desk.db, "DATABASE")
    assert full.returncode == 1
    assert "full" in log or "No space left on device" in log, log
