"""Benchmark "history": a year of history stays instant, and intake does not slow with age.

Two databases (SQLite), one of SEED incidents (100) and one of BENCH_HISTORY incidents
(default 100,000), each incident with about ten events. Both start the same way, through the
real intake: SEED distinct alerts (the storm corpus's eight formats) are mailed in with
`sevmail ingest --no-send` in ten batches three hours apart: each alert fires, repeats six
times five minutes apart and recovers 40 minutes after it fired, except the last
OPEN_ALERTS, which stay firing (their incidents are open, as on any day). That is the small
database, and the seed of the large one.

The large one then gets its history by a faster path than mailing in 100,000 alerts (which
would take hours): SQL that copies the seed's ended (resolved) incidents again and again,
each copy k with new ids (the seed's plus k times the largest seed id, per table) and every
time moved back by k * (365 days / copies), spread over the year before the seed. Every row
an incident owns is copied with it: incidents, events, incident_alerts, participants,
action_items, incident_lists, messages and outbox with outbox_rcpts. The copies are the
intake's own rows, column for column, with these differences only: ids and times shifted as
said; Message-IDs, message hashes and content hashes given a "h<k>." prefix so that they stay
unique, as real ones are; the copied outbox rows are 'sent' with their recipients (history
was delivered); and the raw mail (messages.raw, outbox.raw) is empty, since a year of raw
mail would be gigabytes and no measured command reads it. Only ended incidents are copied,
so both databases have the same OPEN_ALERTS open incidents: a year of history adds history,
not work in progress.

Measured on each database, after one unmeasured run (which applies any migration and warms
the page cache): `list --json`, `show ID --json` (the latest ended incident),
`stats --json`, `status-page --output DIR`, and `run --once` with nothing to fetch and no
timer due (one idle pass: the IMAP check, the timers, the outbox); each the median of RUNS
runs, wall and CPU (user+sys). Then ingesting 40 new alert mails, one `ingest --no-send` per
mail: the median wall and CPU per message. Printed: each figure at both sizes and their
ratio (the goal: at most 2x, and under 100 ms).

Environment: BENCH_HISTORY=100000 (incidents in the large database), BENCH_HISTORY_RUNS=5.
Only `run --once` and the page mail it sends need the mail stack."""

import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

import common
from common import BenchBroken, log

SEED = 100
OPEN_ALERTS = 5
BATCHES = 10
BATCH_GAP = 3 * 3600
REPEATS = 6
NEW_ALERTS = 40
YEAR = 365 * 86400
T0 = 1_780_000_000  # the first seed alert (2026-05-28), a fixed clock for every run

# The corpus's recovery mail of each storm template: the identity substitutions of the
# firing mail apply to it as well.
RECOVERY = {
    "alertmanager-firing.eml": "alertmanager-resolved.eml",
    "grafana-firing.eml": "grafana-resolved.eml",
    "nagios-service-problem.eml": "nagios-service-recovery.eml",
    "nagios-host-problem.eml": "nagios-host-recovery.eml",
    "icinga2-service-problem.eml": "icinga2-service-recovery.eml",
    "cloudwatch-sns-alarm.eml": "cloudwatch-sns-ok.eml",
    "uptime-kuma-down.eml": "uptime-kuma-up.eml",
    "datadog-triggered.eml": "datadog-recovered.eml",
}


def recovery_identity(i):
    """The raw recovery mail (without To and Message-Id) of distinct alert i."""
    name, subs = common.STORM_TEMPLATES[i % len(common.STORM_TEMPLATES)]
    with open(os.path.join(common.CORPUS, RECOVERY[name]), "rb") as f:
        raw = f.read()
    head, sep, body = raw.partition(b"\n\n")
    raw = common._HEADER_DROP.sub(b"", head + b"\n") + b"\n" + body
    for old, new in subs:
        raw = raw.replace(old, new % i)
    return raw


def history_desk(stack, name):
    # every distinct alert declares its own incident (no storm folding, no grouping by
    # severity map); new_desk pushes re-pages and reminders out, so a pass is idle
    # (the senders believed as they are, and a recovery resolves, as with a monitoring
    # tool whose mail is authenticated)
    return common.new_desk(stack, name, alerts__senders=", ".join(common.storm_senders()),
                           alerts__severity_map=None, alerts__storm="off",
                           alerts__auto_resolve="true", security__sender_auth="none")


def write_mail(path, to, tag, raw):
    with open(path, "wb") as f:
        f.write(b"To: %s\nMessage-Id: <%s@bench.example.com>\n" % (to.encode(), tag.encode())
                + raw)


def ingest(desk, clock, paths, check=True):
    env = {"SEVMAIL_NOW": str(int(clock))}
    return common.sevmail_measured(desk, "ingest", "--no-send", *paths, env_extra=env,
                                   check=check)


def seed(desk, work):
    """SEED incidents through the real intake; returns the clock after the last mail."""
    per_batch = SEED // BATCHES
    clock = T0
    for b in range(BATCHES):
        base = T0 + b * BATCH_GAP
        ids = range(b * per_batch, (b + 1) * per_batch)
        steps = [(0, "f", common.storm_identity)]
        steps += [(300 * (r + 1), "r%d" % r, common.storm_identity) for r in range(REPEATS)]
        steps += [(2400, "ok", recovery_identity)]
        for offset, what, make in steps:
            paths = []
            for i in ids:
                if what == "ok" and i >= SEED - OPEN_ALERTS:
                    continue  # stays firing: an open incident
                p = os.path.join(work, "seed-%d-%s.eml" % (i, what))
                write_mail(p, desk.address, "%s.seed.%d.%s" % (desk.tag, i, what), make(i))
                paths.append(p)
            clock = base + offset
            ingest(desk, clock, paths)
    return clock + 600


# the columns of each table an incident owns that the copies change (the others are copied
# as they are): "id" ids get the table's offset, "inc" the incident offset, "time" moves
# back, "uniq" gets the copy's prefix, "raw" is emptied, "sent" marks delivered
CHANGES = {
    "incidents": {"id": "id", "merged_into": "inc", "created_at": "time", "acked_at": "time",
                  "resolved_at": "time", "snooze_until": "time", "ladder_at": "time"},
    "events": {"id": "id", "incident_id": "inc", "at": "time"},
    "incident_alerts": {"incident_id": "inc", "first_at": "time", "last_at": "time",
                        "told_at": "time"},
    "participants": {"incident_id": "inc"},
    "action_items": {"incident_id": "inc"},
    "incident_lists": {"incident_id": "inc"},
    "messages": {"id": "id", "incident_id": "inc", "received_at": "time", "hash": "uniq",
                 "message_id": "uniq", "content_hash": "uniq", "raw": "raw"},
    "outbox": {"id": "id", "incident_id": "inc", "message_id": "uniq", "raw": "raw",
               "state": "sent", "next_attempt": "time", "created_at": "time"},
    "outbox_rcpts": {"outbox_id": "outbox", "state": "sent", "bounced_at": "time"},
}
OWNED_BY = {"outbox_rcpts": "outbox_id IN (SELECT id FROM outbox WHERE incident_id IN ended)"}


def grow(db_path, incidents):
    """Copies the seed's ended incidents until the database holds about `incidents`."""
    conn = sqlite3.connect(db_path, timeout=60)
    conn.execute("PRAGMA synchronous = OFF")
    ended = [r[0] for r in conn.execute(
        "SELECT id FROM incidents WHERE status IN ('resolved', 'closed') ORDER BY id")]
    have = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    if not ended:
        raise BenchBroken("the seed has no ended incident to copy")
    copies = max(0, -(-(incidents - have) // len(ended)))
    if copies == 0:
        return 0
    step = YEAR // copies
    offsets = {t: conn.execute("SELECT coalesce(max(%s), 0) FROM %s" % (
        "rowid", t)).fetchone()[0] for t in ("incidents", "events", "messages", "outbox")}
    conn.execute("CREATE TEMP TABLE ended (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO ended VALUES (?)", [(i,) for i in ended])
    conn.execute("CREATE TEMP TABLE k (k INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO k VALUES (?)", [(k,) for k in range(1, copies + 1)])
    t0 = time.monotonic()
    with conn:
        for table, changes in CHANGES.items():
            cols = [r[1] for r in conn.execute("PRAGMA table_info(%s)" % table)]
            exprs = []
            for c in cols:
                how = changes.get(c)
                if how == "id":
                    exprs.append("%s + k.k * %d" % (c, offsets[table]))
                elif how == "inc":
                    exprs.append("%s + k.k * %d" % (c, offsets["incidents"]))
                elif how == "outbox":
                    exprs.append("%s + k.k * %d" % (c, offsets["outbox"]))
                elif how == "time":
                    exprs.append("%s - k.k * %d" % (c, step))
                elif how == "uniq":
                    exprs.append("'h' || k.k || '.' || %s" % c)
                elif how == "raw":
                    exprs.append("x''")
                elif how == "sent":
                    exprs.append("CASE WHEN %s = 'bounced' THEN %s ELSE 'sent' END" % (c, c))
                else:
                    exprs.append(c)
            where = OWNED_BY.get(table, "incident_id IN ended" if table != "incidents"
                                 else "id IN ended")
            conn.execute("INSERT INTO %s (%s) SELECT %s FROM %s CROSS JOIN k WHERE %s" % (
                table, ", ".join(cols), ", ".join(exprs), table,
                where.replace("incident_id IN ended", "%s.incident_id IN ended" % table)
                if table != "outbox_rcpts" else where))
    log("history: %d copies of %d ended incidents in %.0fs", copies, len(ended),
        time.monotonic() - t0)
    conn.close()
    return copies


def timed(desk, *args, env_extra=None):
    """(wall, CPU user+sys) of one sevmail run, both to the microsecond: the CPU from
    wait4() on sevmail itself (GNU time, which common.run_measured uses for the peak RSS,
    gives CPU in hundredths, too coarse for runs of a few milliseconds)."""
    env = dict(os.environ)
    env.update(env_extra or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([common.SEVMAIL, "-c", desk.config] + list(args),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise BenchBroken("sevmail %s exited %d:\n%s" % (
                " ".join(args), proc.returncode, err.read().decode(errors="replace")[-3000:]))
    return wall, ru.ru_utime + ru.ru_stime


def median_run(desk, runs, *args, env_extra=None):
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = timed(desk, *args, env_extra=env_extra)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(desk, clock, runs, work):
    """{measure: (wall, cpu)} on one database, at clock."""
    env = {"SEVMAIL_NOW": str(int(clock))}
    latest = desk.value("SELECT id FROM incidents WHERE status = 'resolved'"
                        " ORDER BY resolved_at DESC, id DESC LIMIT 1")
    page_dir = os.path.join(work, "status-%s" % desk.tag)
    commands = [
        ("list --json", ["list", "--json"]),
        ("show ID --json", ["show", str(latest), "--json"]),
        ("stats --json", ["stats", "--json"]),
        ("status-page", ["status-page", "--output", page_dir]),
        ("idle pass (run --once)", ["run", "--once"]),
    ]
    out = {}
    for name, args in commands:
        timed(desk, *args, env_extra=env)  # migrations, caches, the mail due
        out[name] = median_run(desk, runs, *args, env_extra=env)
        log("history: %s: %s: %.1f ms wall, %.1f ms CPU", desk.tag, name,
            out[name][0] * 1000, out[name][1] * 1000)
    walls, cpus = [], []
    for n in range(NEW_ALERTS):
        i = 10000 + n
        p = os.path.join(work, "new-%s-%d.eml" % (desk.tag, i))
        write_mail(p, desk.address, "%s.new.%d" % (desk.tag, i), common.storm_identity(i))
        wall, cpu = timed(desk, "ingest", "--no-send", p,
                          env_extra={"SEVMAIL_NOW": str(int(clock + 60 + n))})
        walls.append(wall)
        cpus.append(cpu)
    out["ingest 1 new alert"] = (statistics.median(walls), statistics.median(cpus))
    log("history: %s: ingest: %.1f ms wall, %.1f ms CPU per mail", desk.tag,
        out["ingest 1 new alert"][0] * 1000, out["ingest 1 new alert"][1] * 1000)
    return out


def history(stack, results):
    big_n = common.env_int("BENCH_HISTORY", 100000)
    runs = common.env_int("BENCH_HISTORY_RUNS", 5)
    work = tempfile.mkdtemp(prefix="history-", dir=stack.base_dir)
    small = history_desk(stack, "hist-small")
    clock = seed(small, work)
    got = small.value("SELECT count(*) FROM incidents")
    open_ = small.value("SELECT count(*) FROM incidents WHERE status NOT IN"
                        " ('resolved', 'closed')")
    if got != SEED or open_ != OPEN_ALERTS:
        raise BenchBroken("the seed made %d incidents, %d open (wanted %d, %d)" % (
            got, open_, SEED, OPEN_ALERTS))
    big = history_desk(stack, "hist-big")
    # the same seed, the same rows: a copy of the small database under the big desk
    shutil.copyfile(small.db, big.db)
    grow(big.db, big_n)
    n_inc = big.value("SELECT count(*) FROM incidents")
    n_ev = big.value("SELECT count(*) FROM events")
    n_out = big.value("SELECT count(*) FROM outbox")
    s_ev = small.value("SELECT count(*) FROM events")
    log("history: small: %d incidents, %d events; big: %d incidents, %d events, %d outbox",
        got, s_ev, n_inc, n_ev, n_out)
    a = measure(small, clock, runs, work)
    b = measure(big, clock, runs, work)
    name = "history (%d vs %d incidents, %d vs %d events)" % (got, n_inc, s_ev, n_ev)
    for measure_name in a:
        (wa, ca), (wb, cb) = a[measure_name], b[measure_name]
        ratio = wb / wa if wa > 0 else float("inf")
        verdict = "ok" if ratio <= 2.0 and wb < 0.100 else "OVER"
        results.add(name, measure_name,
                    "%.1f -> %.1f ms wall (x%.2f); CPU %.1f -> %.1f ms" % (
                        wa * 1000, wb * 1000, ratio, ca * 1000, cb * 1000),
                    "<= x2, < 100 ms", verdict)
    shutil.rmtree(work, ignore_errors=True)
