"""SMTP refused for a while during an incident's updates, then back: every mail of the
incident goes over the wire once and in the order it was queued (status mails
inc-1.status.N in ascending N), and reaches the subscriber's mailbox once.

The order on the wire is what sevmail controls. The order in which the MTA then delivers
into a mailbox is its own (OpenSMTPD runs a queue and may deliver mail accepted in one
order in another), so the mailbox is compared as a set and its order is only measured."""

import re
import sqlite3

from helpers import RecordingProxy, message_ids, reply, token_address


def status_numbers(ids):
    return [int(m.group(1)) for m in (re.match(r"<inc-1\.status\.(\d+)@", i or "") for i in ids)
            if m]


def test_smtp_down_during_updates_then_back_delivers_once_in_order(desk, figure):
    desk.clock = 1795701600
    with RecordingProxy(desk.stack.smtp_port) as proxy:
        desk.write_config(smtp__port=proxy.port)
        desk.alert()  # critical: SEV1 at once, so the list hears of every change
        desk.wait_incoming(1)
        desk.once()
        [page] = desk.inbox(desk.alice, 1)
        desk.inbox(desk.dave, 1)
        before = len(proxy.sent)

        proxy.refuse()
        updates = ["ack", "UPDATE: error rate still at 40 %, looking at the gateway",
                   "MITIGATING\nNEXT: roll back the gateway", "UPDATE: rollback half done",
                   "UPDATE: rollback done, watching", "NEXT: watch the error rate for 30 min"]
        for text in updates:
            desk.clock += 300
            desk.deliver(reply(desk, desk.alice, text, token_address(desk, 1),
                               subject="Re: " + page["Subject"],
                               in_reply_to=page["Message-ID"]))
            desk.once()
        conn = sqlite3.connect(desk.db)
        queued = [r[0] for r in conn.execute(
            "SELECT message_id FROM outbox WHERE incident_id = 1 AND state = 'queued'"
            " ORDER BY id")]
        attempts = conn.execute("SELECT sum(attempts) FROM outbox WHERE state = 'queued'") \
            .fetchone()[0]
        figure("mails queued during the outage", len(queued))
        figure("delivery attempts refused during the outage", attempts)
        assert len(status_numbers("<%s>" % q for q in queued)) >= 4

        # SMTP is back a minute after the last update; the daemon passes once a minute
        proxy.listen()
        passes = 0
        while conn.execute("SELECT count(*) FROM outbox WHERE state = 'queued'") \
                .fetchone()[0] and passes < 120:
            desk.clock += 60
            desk.once()
            passes += 1
        figure("passes (1 per simulated minute) until the outbox was empty", passes)
        wire = proxy.sent[before:]

    # the subscriber's mailbox: each status mail once
    expected = 1 + len(status_numbers("<%s>" % q for q in queued))
    desk.inbox(desk.dave, expected)
    got = status_numbers(message_ids(desk.stack, desk.dave))
    figure("order on the wire", " ".join(w.split("@")[0] for w in wire))
    figure("status mails in dave's mailbox (arrival order, the MTA's)", got)

    # every queued mail went out exactly once ...
    assert sorted(wire) == sorted(queued)
    # ... each kind (confirmations, status mails) in the order it was queued; pages never
    # wait
    for kind in ("confirm", "status"):
        assert [w for w in wire if ".%s." % kind in w] == [q for q in queued if ".%s." % kind in q]
    assert status_numbers("<%s>" % w for w in wire) == sorted(status_numbers(
        "<%s>" % q for q in queued))
    # ... and reached the subscriber once each, in whatever order the MTA delivered them
    assert sorted(got) == list(range(1, expected + 1))
