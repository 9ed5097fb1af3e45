"""Two machines, one PostgreSQL database, one mailbox: two `sevmail run` processes share a
backlog of alerts while the active one is killed with SIGKILL again and again (and started
again, as a standby), and while the database itself restarts. Every alert is applied once
(incidents, events, outbox rows exactly once: what the old instance committed the new one
never applies again), every page reaches the on-call at least once and at most twice (a
kill between the SMTP server's acceptance and the database recording it sends one again),
and each takeover comes within takeover_interval plus a few seconds.

The short version (make reliability-short) runs a smaller backlog with fewer kills."""

import collections
import os
import random
import time

import pgserver
import pytest

from helpers import append_many, message_ids, name
from story import Daemon, Desk

TAKEOVER = 2  # [store] takeover_interval for the test: a standby tries every 2 s
SLACK = 8     # seconds a takeover may take beyond that (a pass under load, the log)


def two_machines(mailstack, unique, tmp_path):
    if not pgserver.available():
        pytest.skip("Debian's PostgreSQL server is not installed (scripts/ensure-deps)")
    # every alert its own incident: the storm guard would fold all but the first 20 into one
    desk = Desk(mailstack, str(tmp_path / "desk"), unique, store="postgresql",
                store__takeover_interval=TAKEOVER, alerts__storm="off")
    desk.clock = 1795701600  # fixed: no escalation timer fires during the run
    return desk


class Instance:
    """One machine's `sevmail run`, with a log of its own per start."""

    def __init__(self, desk, label, n):
        self.label = label
        self.daemon = Daemon(desk, os.path.join(desk.dir, "%s-%d.log" % (label, n)))

    def says(self, what):
        return self.daemon.text().count(what)


def wait_for(what, instances, at_least, timeout):
    """The first of instances whose log says `what` at least at_least[i] times; its index
    and when."""
    deadline = time.monotonic() + timeout
    while True:
        for i, inst in enumerate(instances):
            if inst.says(what) >= at_least[i]:
                return i, time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError("no instance said %r within %ss:\n%s" % (
                what, timeout, "\n".join(inst.daemon.text()[-2000:] for inst in instances)))
        time.sleep(0.05)


def progress(desk):
    return desk.query("SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM"
                      " outbox_rcpts WHERE state = 'sent')")[0]


def run_failover(desk, figure, backlog, plan, seed):
    """plan: "kill" (SIGKILL the active instance; the other takes over; the killed one
    starts again as a standby) or "restart" (the database restarts) steps, a moment apart
    while the backlog is worked on."""
    append_many(desk.stack, desk.address,
                [desk.monitor_mail("Failover alert %s" % name(n)) for n in range(backlog)])
    rng = random.Random(seed)
    starts = collections.Counter()

    def start(label):
        starts[label] += 1
        return Instance(desk, label, starts[label])

    machines = [start("a")]
    machines[0].daemon.wait_log("active: ")
    machines.append(start("b"))
    machines[1].daemon.wait_log("standby: ")
    active, takeovers, midpass = 0, [], 0
    for step, what in enumerate(plan, 1):
        time.sleep(rng.uniform(0.3, 1.5))
        before = progress(desk)
        midpass += before != (backlog, backlog)
        if what == "kill":
            victim, other = machines[active], 1 - active
            said = machines[other].says("(took over)")
            victim.daemon.proc.kill()
            victim.daemon.proc.wait()
            since = time.monotonic()
            wait_for("(took over)", [machines[other]], [said + 1], TAKEOVER + SLACK + 60)
            machines[active] = start(victim.label)
            machines[active].daemon.wait_log("standby: ")
            active = other
        else:
            counts = [m.says("active: ") for m in machines]
            desk.pg.restart()
            since = time.monotonic()
            active, _ = wait_for("active: ", machines, [c + 1 for c in counts],
                                 TAKEOVER + SLACK + 60)
        took = time.monotonic() - since
        takeovers.append(took)
        figure("step %d: %s at (stored, sent) = %s of %d; active again after" % (
            step, "SIGKILL" if what == "kill" else "database restart", before, backlog),
            "%.1f s" % took)
        assert took <= TAKEOVER + SLACK + 2, "took %.1f s" % took
    figure("steps taken while the backlog was being worked on", "%d of %d" % (midpass,
                                                                             len(plan)))
    assert midpass >= 1, "no step came while there was work: make the backlog larger"
    deadline = time.monotonic() + 1800
    while progress(desk) != (backlog, backlog):
        assert time.monotonic() < deadline, "stalled at %s of %d" % (progress(desk), backlog)
        time.sleep(0.5)
    for m in machines:
        m.daemon.stop()
    return takeovers


def check_exactly_once(desk, figure, backlog):
    one = lambda sql: desk.query(sql)[0]  # noqa: E731
    assert one("SELECT count(*), count(DISTINCT message_id) FROM messages") \
        == (backlog, backlog)
    assert one("SELECT max(last_uid) FROM checkpoints")[0] == backlog
    assert one("SELECT count(*), count(DISTINCT title) FROM incidents") == (backlog, backlog)
    events = dict(desk.query("SELECT kind, count(*) FROM events GROUP BY kind"))
    assert events == {"declared": backlog, "paged": backlog}, events
    assert one("SELECT count(*) FROM (SELECT incident_id FROM events GROUP BY incident_id"
               " HAVING count(*) != 2) AS x")[0] == 0
    assert one("SELECT count(*), count(DISTINCT incident_id), count(DISTINCT message_id)"
               " FROM outbox") == (backlog, backlog, backlog)
    assert one("SELECT count(*) FROM outbox_rcpts WHERE state != 'sent'")[0] == 0
    queued = {r[0] for r in desk.query("SELECT '<' || message_id || '>' FROM outbox")}
    deadline = time.monotonic() + 180
    while True:
        delivered = message_ids(desk.stack, desk.alice)
        if len(set(delivered)) >= backlog or time.monotonic() > deadline:
            break
        time.sleep(1)
    counts = collections.Counter(delivered)
    figure("pages delivered (mailbox) of %d" % backlog, len(delivered))
    figure("pages delivered twice", sum(1 for c in counts.values() if c == 2))
    assert set(counts) == queued, "every page delivered"
    assert max(counts.values()) <= 2, "no page delivered more than twice"


@pytest.mark.slow
def test_failover_with_a_1000_alert_backlog(mailstack, unique, tmp_path, figure):
    desk = two_machines(mailstack, unique, tmp_path)
    backlog = int(os.environ.get("SEVMAIL_FAILOVER_BACKLOG", "1000"))
    plan = ["kill", "kill", "restart", "kill", "kill", "restart", "kill"]
    takeovers = run_failover(desk, figure, backlog, plan, seed=20261202)
    figure("takeovers (max)", "%d (%.1f s)" % (len(takeovers), max(takeovers)))
    check_exactly_once(desk, figure, backlog)


def test_failover_short(mailstack, unique, tmp_path, figure):
    desk = two_machines(mailstack, unique, tmp_path)
    run_failover(desk, figure, 300, ["kill", "restart", "kill"], seed=7)
    check_exactly_once(desk, figure, 300)
