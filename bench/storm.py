"""Benchmark 1, storm ingest, and benchmark 4, memory.

A backlog of alert mails (BENCH_STORM, default 10,000: BENCH_STORM_DISTINCT = 50 distinct
alerts in eight formats, the rest repeats) is APPENDed to sevmail's mailbox (setup, not
measured); then one `sevmail run --once` applies it. Measured: its wall time, CPU time and
peak RSS; beside it, in the same run, mbsync (isync) copying the same mailbox to a Maildir,
the floor for "read every message over IMAP". The outcome is checked: BENCH_STORM_DISTINCT
incidents, the rest `alert_repeat` events, one page per incident.

Memory: the same for a backlog of BENCH_MEMORY_SMALL (default 1,000) messages; the peak
RSS is compared with the storm's."""

import os
import shutil
import tempfile
import time

import common
from common import BenchBroken, log

MBSYNC = "/usr/bin/mbsync"


def storm_desk(stack, name, store=None):
    # every distinct alert declares its own incident, as the outcome check expects: the
    # storm guard ([alerts] storm) would fold all but the first 20 into one
    return common.new_desk(stack, name, store=store,
                           alerts__senders=", ".join(common.storm_senders()),
                           alerts__severity_map=None, alerts__storm="off")


def load_backlog(stack, desk, total, distinct, seed):
    msgs = common.storm_messages(total, distinct, desk.address, seed=seed, tag=desk.tag)
    t0 = time.monotonic()
    common.append_many(stack, desk.address, msgs)
    took = time.monotonic() - t0
    size = sum(len(m) for m in msgs)
    log("storm: %d messages (%.1f MiB) appended in %.1fs", total, size / 1048576.0, took)
    # Warm Dovecot's index and cache for the listing everyone does first, so neither
    # sevmail nor mbsync pays for building them.
    with stack.imap(desk.address) as conn:
        conn.select("INBOX", readonly=True)
        conn.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE)")
    return size


def run_once(desk):
    m = common.sevmail_measured(desk, "run", "--once")
    return m


def check_outcome(desk, total, distinct):
    q = desk.value  # the desk's own database, SQLite or PostgreSQL
    got = {
        "messages": q("SELECT count(*) FROM messages"),
        "incidents": q("SELECT count(*) FROM incidents"),
        "repeats": q("SELECT count(*) FROM events WHERE kind = 'alert_repeat'"),
        "pages": q("SELECT count(*) FROM outbox WHERE kind = 'page'"),
        "pages_sent": q("SELECT count(*) FROM outbox_rcpts r JOIN outbox o"
                        " ON o.id = r.outbox_id WHERE o.kind = 'page'"
                        " AND r.state = 'sent'"),
    }
    want = {"messages": total, "incidents": distinct, "repeats": total - distinct,
            "pages": distinct, "pages_sent": distinct}
    return got, want


def mbsync_floor(stack, desk):
    if not os.access(MBSYNC, os.X_OK):
        return None, "mbsync missing (apt-get install isync)"
    work = tempfile.mkdtemp(prefix="mbsync-", dir=stack.base_dir)
    conf = os.path.join(work, "mbsyncrc")
    os.makedirs(os.path.join(work, "mail"))
    with open(conf, "w") as f:
        f.write("""\
IMAPAccount far
Host 127.0.0.1
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore far-store
Account far

MaildirStore near
Path {work}/mail/
Inbox {work}/mail/INBOX
SubFolders Verbatim

Channel bench
Far :far-store:
Near :near:
Patterns INBOX
Sync Pull
Create Near
Expunge None
SyncState *
""".format(port=stack.imap_port, user=desk.address, password=stack.password, work=work))
    m = common.run_measured([MBSYNC, "-c", conf, "-q", "bench"], timeout=1800)
    copied = sum(len(os.listdir(os.path.join(work, "mail", "INBOX", d)))
                 for d in ("cur", "new"))
    shutil.rmtree(work, ignore_errors=True)
    if m.rc != 0:
        raise BenchBroken("mbsync exited %d: %s" % (m.rc, m.stderr.decode(errors="replace")))
    return m, copied


def db_per_message(desk, stored, size, total):
    """The SQLite file with its -wal after the run, per stored message, beside the mean size
    of a raw message: what [general] keep_raw can win back."""
    on_disk = sum(os.path.getsize(p) for p in (desk.db, desk.db + "-wal") if os.path.exists(p))
    per = on_disk / max(stored, 1)
    log("storm: database %.1f MiB for %d messages: %.1f KiB each (raw mail %.1f KiB)",
        on_disk / 1048576.0, stored, per / 1024.0, size / max(total, 1) / 1024.0)
    return "%.1f KiB  (raw mail %.1f KiB)" % (per / 1024.0, size / max(total, 1) / 1024.0)


def storm(stack, results):
    total = common.env_int("BENCH_STORM", 10000)
    distinct = common.env_int("BENCH_STORM_DISTINCT", 50)
    desk = storm_desk(stack, "storm")
    size = load_backlog(stack, desk, total, distinct, seed=1)

    # the floor before and after sevmail's run: the disk and the neighbours vary
    floor, copied = mbsync_floor(stack, desk)
    if floor is not None:
        log("storm: mbsync copied %d messages in %.2fs", copied, floor.wall)
        held = common.mailbox_count(stack, desk.address)
        if copied != held:
            raise BenchBroken("mbsync copied %d of %d messages" % (copied, held))

    m = run_once(desk)
    log("storm: sevmail run --once: %.2fs wall, %.2fs user, %.2fs sys, %.1f MiB peak RSS",
        m.wall, m.user, m.sys, m.maxrss_mib)
    got, want = check_outcome(desk, total, distinct)
    if floor is not None:
        floor2, copied2 = mbsync_floor(stack, desk)
        log("storm: mbsync again: %d messages in %.2fs", copied2, floor2.wall)
        walls = (floor.wall, floor2.wall)

    name = "1 storm ingest (%d msgs, %.0f MiB)" % (total, size / 1048576.0)
    rate = total / m.wall
    results.add(name, "sevmail run --once", "%.1f s  (%.0f msg/s)" % (m.wall, rate), "", "")
    results.add(name, "  CPU user+sys", "%.1f s  (%.0f%% of wall)" % (
        m.user + m.sys, 100.0 * (m.user + m.sys) / m.wall), "", "")
    if floor is not None:
        mean = sum(walls) / 2
        ratio = m.wall / mean
        results.add(name, "mbsync (isync) floor, before / after", "%.1f s / %.1f s  (%.0f msg/s)"
                    % (walls[0], walls[1], total / mean), "", "")
        results.add(name, "sevmail / floor", "%.2fx" % ratio, "<= 0.7x",
                    "ok" if ratio <= 0.7 else "OVER")
    else:
        results.add(name, "mbsync (isync) floor", copied, "", "n/a")
    results.add(name, "peak RSS", "%.1f MiB" % m.maxrss_mib, "", "")
    results.add(name, "database per stored message", db_per_message(desk, got["messages"], size,
                                                                    total), "", "")
    for key in ("incidents", "repeats", "pages", "pages_sent"):
        label = {"incidents": "incidents", "repeats": "alert_repeat events",
                 "pages": "pages queued", "pages_sent": "pages sent"}[key]
        results.add(name, label, "%d" % got[key], "%d" % want[key],
                    "ok" if got[key] == want[key] else "WRONG")
    if got != want:
        results.broken("storm outcome %r, expected %r" % (got, want))
    results.storm_rss = (total, m.maxrss_mib)
    results.storm_wall = m.wall


def storm_pg(stack, results):
    """The storm again with the database in PostgreSQL: a private server (fsync on, as a
    real one) on this machine, over its Unix socket."""
    import pgserver
    if not pgserver.available():
        results.add("1b storm on PostgreSQL", "", "n/a", "", "postgresql missing")
        return
    total = common.env_int("BENCH_STORM", 10000)
    distinct = common.env_int("BENCH_STORM_DISTINCT", 50)
    # a directory of its own: BENCH_BEFORE runs this twice in one stack
    server = pgserver.PgServer(tempfile.mkdtemp(prefix="pg-", dir=stack.base_dir), fsync=True)
    server.start()
    try:
        pgserver._shared = server  # the desk's database is made there
        desk = storm_desk(stack, "stormpg", store="postgresql")
        load_backlog(stack, desk, total, distinct, seed=1)
        m = run_once(desk)
        log("storm on PostgreSQL: sevmail run --once: %.2fs wall, %.2fs user, %.2fs sys",
            m.wall, m.user, m.sys)
        got, want = check_outcome(desk, total, distinct)
    finally:
        pgserver._shared = None
        server.stop()
    name = "1b storm on PostgreSQL (%d msgs)" % total
    results.add(name, "sevmail run --once", "%.1f s  (%.0f msg/s)" % (m.wall, total / m.wall),
                "", "")
    results.add(name, "  CPU user+sys (sevmail)", "%.1f s" % (m.user + m.sys), "", "")
    lite = getattr(results, "storm_wall", None)
    if lite is not None:
        results.add(name, "PostgreSQL / SQLite", "%.2fx" % (m.wall / lite), "", "")
    results.add(name, "incidents, repeats, pages sent", "%d, %d, %d" % (
        got["incidents"], got["repeats"], got["pages_sent"]), "%d, %d, %d" % (
        want["incidents"], want["repeats"], want["pages_sent"]),
        "ok" if got == want else "WRONG")
    if got != want:
        results.broken("storm on PostgreSQL: outcome %r, expected %r" % (got, want))


def memory(stack, results):
    small = common.env_int("BENCH_MEMORY_SMALL", 1000)
    distinct = min(common.env_int("BENCH_STORM_DISTINCT", 50), small)
    name = "4 memory (peak RSS, run --once)"
    desk = storm_desk(stack, "mem")
    load_backlog(stack, desk, small, distinct, seed=2)
    m = run_once(desk)
    got, want = check_outcome(desk, small, distinct)
    if got != want:
        results.broken("memory backlog outcome %r, expected %r" % (got, want))
    results.add(name, "%d messages" % small, "%.1f MiB" % m.maxrss_mib, "< 40 MiB",
                "ok" if m.maxrss_mib < 40 else "OVER")
    big = getattr(results, "storm_rss", None)
    if big is None:  # the storm benchmark did not run: a large backlog of its own
        total = common.env_int("BENCH_STORM", 10000)
        desk = storm_desk(stack, "membig")
        load_backlog(stack, desk, total, distinct, seed=1)
        big = (total, run_once(desk).maxrss_mib)
    total, rss = big
    growth = rss / m.maxrss_mib
    results.add(name, "%d messages" % total, "%.1f MiB" % rss, "< 40 MiB",
                "ok" if rss < 40 else "OVER")
    results.add(name, "growth %dx backlog" % (total // small), "%.2fx" % growth, "< 1.2x",
                "ok" if growth < 1.2 else "OVER")
