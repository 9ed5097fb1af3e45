"""Benchmark 3, fan-out: a status update to a list of BENCH_FANOUT (default 10,000)
subscribers.

An Alertmanager alert with severity=critical and `[alerts] severity_map = critical:1`
declares a SEV1, which queues the page and the list's status mail in the same pass. That
pass runs with SMTP refused (a FaultProxy that is not listening), so everything is
deferred; the page's recipients are then marked sent in the database, so that the measured
pass sends the status mail alone. The measured `sevmail run --once` (clock moved past the
retry time) sends it through a counting proxy to OpenSMTPD: its wall time, the SMTP
connections, transactions (MAIL FROM) and recipients.

Baseline, in the same run, through the same proxy: a plain smtplib client sends the same
raw message (the outbox row) to the same recipients in the same batches (max_recipients,
default 100), one connection per batch as sevmail does. Between the two, the benchmark
waits until the server has delivered the first round (LMTP into 10,000 new mailboxes, far
slower than accepting them), so that both find it idle."""

import os
import smtplib
import time

import common
from common import BenchBroken, log

BATCH = 100  # sevmail's default [smtp] max_recipients


def _addresses(desk, n):
    return ["fan%05d-%s@example.net" % (i, desk.tag) for i in range(n)]


def _delivered(stack, addresses):
    total = 0
    for a in addresses:
        local, domain = a.split("@")
        base = os.path.join(stack.maildir_root, domain, local, "Maildir")
        for d in ("new", "cur"):
            try:
                total += len(os.listdir(os.path.join(base, d)))
            except OSError:
                pass
    return total


def _wait_delivered(stack, addresses, want, timeout):
    t0 = time.monotonic()
    last, last_change = -1, t0
    while True:
        got = _delivered(stack, addresses)
        now = time.monotonic()
        if got >= want:
            return now - t0, got
        if got != last:
            last, last_change = got, now
        if now - t0 > timeout or now - last_change > 60:
            return None, got
        time.sleep(1)


def _alert(desk):
    with open(os.path.join(common.CORPUS, "alertmanager-firing.eml"), "rb") as f:
        raw = f.read()
    head, _, body = raw.partition(b"\n\n")
    head = common._HEADER_DROP.sub(b"", head + b"\n")
    head = head.replace(b"From: alertmanager@example.com", b"From: " + desk.monitor.encode())
    return (b"To: %s\nMessage-Id: <fanout.%s@bench.example.com>\n" % (
        desk.address.encode(), desk.tag.encode())) + head + b"\n" + body


def fanout(stack, results):
    n = common.env_int("BENCH_FANOUT", 10000)
    drain_timeout = common.env_int("BENCH_FANOUT_DRAIN", 600)
    proxy = common.CountingProxy(stack.smtp_port)  # not listening yet: SMTP refused
    # the alert is believed as it is (security.sender_auth = none), as a monitoring tool's
    # authenticated mail would be: an unverified one reaches the lists only once a
    # responder acknowledges it
    desk = common.new_desk(stack, "fan", smtp__port=proxy.port,
                           alerts__severity_map="critical:1", security__sender_auth="none")
    addresses = _addresses(desk, n)
    desk.run("subscribe", "stakeholders", addresses[0])
    with common.db(desk) as conn:
        now = int(time.time())
        conn.executemany("INSERT OR IGNORE INTO subscriptions (list, address, created_at)"
                         " VALUES ('stakeholders', ?, ?)", [(a, now) for a in addresses])
    desk.deliver(_alert(desk))
    desk.once()  # declares SEV1; page and status mail deferred (SMTP refused)
    with common.db(desk) as conn:
        rows = conn.execute(
            "SELECT o.id, o.kind, o.sender, o.raw, count(r.address) FROM outbox o"
            " JOIN outbox_rcpts r ON r.outbox_id = o.id WHERE r.state = 'queued'"
            " GROUP BY o.id").fetchall()
        status = [r for r in rows if r[1] == "status"]
        if len(status) != 1 or status[0][4] != n:
            raise BenchBroken("expected one status mail to %d queued recipients, outbox: %r"
                              % (n, [(r[1], r[4]) for r in rows]))
        status_id, _, sender, raw, _ = status[0]
        others = [r for r in rows if r[1] != "status"]
        conn.execute("UPDATE outbox_rcpts SET state = 'sent' WHERE state = 'queued'"
                     " AND outbox_id <> ?", (status_id,))
    log("fan-out: status mail <%d bytes> to %d recipients queued (set aside: %s)",
        len(raw), n, ", ".join("%s to %d" % (r[1], r[4]) for r in others) or "nothing")

    proxy.listen()
    proxy.reset()
    desk.clock = time.time() + 600  # past the first retry (30 s + jitter)
    m = common.sevmail_measured(desk, "run", "--once")
    conns, mails, rcpts = proxy.accepted, proxy.mail, proxy.rcpt
    sent = common.db_scalar(desk, "SELECT count(*) FROM outbox_rcpts WHERE outbox_id = ?"
                            " AND state = 'sent'", status_id)
    log("fan-out: sevmail %.2fs, %d connections, %d transactions, %d recipients, %d sent",
        m.wall, conns, mails, rcpts, sent)
    if sent != n:
        results.broken("fan-out: %d of %d recipients sent" % (sent, n))
    drain, got = _wait_delivered(stack, addresses, n, drain_timeout)
    log("fan-out: server delivered %d in %s", got, "%.0fs" % drain if drain else "(gave up)")

    # the baseline: the same message, recipients and batches with smtplib
    raw = common.crlf(bytes(raw))
    proxy.reset()
    t0 = time.monotonic()
    for start in range(0, n, BATCH):
        with smtplib.SMTP("127.0.0.1", proxy.port, timeout=60) as smtp:
            refused = smtp.sendmail(sender, addresses[start:start + BATCH], raw)
            if refused:
                raise BenchBroken("smtplib: refused %r" % list(refused)[:3])
    base = time.monotonic() - t0
    b_conns, b_mails, b_rcpts = proxy.accepted, proxy.mail, proxy.rcpt
    log("fan-out: smtplib %.2fs, %d connections, %d transactions", base, b_conns, b_mails)
    proxy.close()

    name = "3 fan-out (%d subscribers)" % n
    want_tx = -(-n // BATCH)
    ratio = m.wall / base
    results.add(name, "sevmail run --once (status mail only)", "%.1f s  (%.0f rcpt/s)" % (
        m.wall, n / m.wall), "", "")
    results.add(name, "  SMTP connections / transactions / RCPT",
                "%d / %d / %d" % (conns, mails, rcpts), "%d / %d / %d" % (want_tx, want_tx, n),
                "ok" if (conns, mails, rcpts) == (want_tx, want_tx, n) else "DIFFERS")
    results.add(name, "  peak RSS", "%.1f MiB" % m.maxrss_mib, "", "")
    results.add(name, "smtplib, same batches", "%.1f s  (%.0f rcpt/s)" % (base, n / base),
                "", "")
    results.add(name, "  SMTP connections / transactions / RCPT",
                "%d / %d / %d" % (b_conns, b_mails, b_rcpts), "", "")
    results.add(name, "sevmail / smtplib", "%.2fx" % ratio, "<= 2x",
                "ok" if ratio <= 2 else "OVER")
    results.add(name, "server: all delivered to mailboxes after",
                "%.0f s" % drain if drain else "incomplete (%d)" % got, "", "")
