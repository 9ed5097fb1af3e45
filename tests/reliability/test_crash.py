"""SIGKILL at random points while a 2,000-message backlog is read, applied and paged out:
every message is applied once (incidents, events, outbox rows exactly once) and every page
reaches the on-call's mailbox; a kill between the SMTP server's acceptance and the database
recording it may send a page twice (the outbox is at-least-once), which is measured."""

import collections
import os
import random
import subprocess
import time

import pytest

from helpers import append_many, db, integrity, message_ids, name
from story import SEVMAIL

BACKLOG = int(os.environ.get("SEVMAIL_BACKLOG", "2000"))
SHORT_ROUNDS = 6    # kills while the backlog is read and applied
LONG_ROUNDS = int(os.environ.get("SEVMAIL_KILL_ROUNDS", "20"))   # kills while the pages go out
SEED = int(os.environ.get("SEVMAIL_KILL_SEED", "20261126"))


@pytest.mark.slow
def test_sigkill_during_a_2000_message_backlog(desk, figure):
    desk.clock = 1795701600  # fixed: no escalation timer fires during the long run
    desk.write_config(alerts__storm="off")  # one incident per alert, no storm guard
    started = time.monotonic()
    append_many(desk.stack, desk.address,
                [desk.monitor_mail("Backlog alert %s" % name(n)) for n in range(BACKLOG)])
    figure("backlog appended", "%d messages in %.1f s" % (BACKLOG, time.monotonic() - started))

    rng = random.Random(SEED)
    env = dict(os.environ, SEVMAIL_NOW=str(desk.clock))
    kills = []
    delays = [rng.uniform(0.05, 2.0) for _ in range(SHORT_ROUNDS)] + \
             [rng.uniform(1.0, 20.0) for _ in range(LONG_ROUNDS)]
    for delay in delays:
        proc = subprocess.Popen([SEVMAIL, "-c", desk.config, "run", "--once"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        alive = proc.poll() is None
        proc.kill()
        proc.wait()
        conn = db(desk)
        stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        checkpoint = conn.execute("SELECT coalesce(max(last_uid), 0) FROM checkpoints") \
            .fetchone()[0]
        sent = conn.execute("SELECT count(*) FROM outbox_rcpts WHERE state = 'sent'") \
            .fetchone()[0]
        conn.close()
        # the checkpoint never runs ahead of what is stored (UIDs are 1..BACKLOG)
        assert checkpoint == stored, (checkpoint, stored)
        kills.append((round(delay, 2), alive, stored, sent))
    figure("kill rounds (seed %d)" % SEED, len(kills))
    figure("rounds killed while still running", sum(1 for k in kills if k[1]))
    figure("kill points (delay s, running, stored, pages recorded sent)",
           " ".join("%s/%s/%d/%d" % k for k in kills))

    started = time.monotonic()
    final = subprocess.run([SEVMAIL, "-c", desk.config, "run", "--once"], env=env,
                           capture_output=True, timeout=3600)
    figure("final clean pass", "%.1f s" % (time.monotonic() - started))
    assert final.returncode == 0, final.stderr[-2000:]
    assert b"0 to retry, 0 failed" in final.stderr

    conn = db(desk)
    assert integrity(desk) == "ok"
    one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
    assert one("SELECT count(*), count(DISTINCT message_id) FROM messages") \
        == (BACKLOG, BACKLOG)
    assert one("SELECT max(last_uid) FROM checkpoints")[0] == BACKLOG
    assert one("SELECT count(*), count(DISTINCT title) FROM incidents") == (BACKLOG, BACKLOG)
    # exactly the events of one declaration each, nothing repeated or lost
    events = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind"))
    assert events == {"declared": BACKLOG, "paged": BACKLOG}, events
    assert one("SELECT count(*) FROM (SELECT incident_id FROM events GROUP BY incident_id"
               " HAVING count(*) != 2)")[0] == 0
    assert one("SELECT count(*), count(DISTINCT incident_id), count(DISTINCT message_id)"
               " FROM outbox") == (BACKLOG, BACKLOG, BACKLOG)
    assert one("SELECT count(*) FROM outbox WHERE kind != 'page'")[0] == 0
    assert one("SELECT count(*) FROM outbox_rcpts WHERE state != 'sent'")[0] == 0
    queued_ids = {r[0] for r in conn.execute("SELECT '<' || message_id || '>' FROM outbox")}

    # deliveries in alice's mailbox: every page at least once
    deadline = time.monotonic() + 120
    while True:
        delivered = message_ids(desk.stack, desk.alice)
        if len(set(delivered)) >= BACKLOG or time.monotonic() > deadline:
            break
        time.sleep(1)
    counts = collections.Counter(delivered)
    duplicates = sum(c - 1 for c in counts.values())
    figure("pages queued", BACKLOG)
    figure("pages delivered (mailbox)", len(delivered))
    figure("duplicate pages delivered", duplicates)
    assert set(counts) == queued_ids
    assert len(delivered) >= BACKLOG
