"""The IMAP server restarted under a running daemon, and the daemon's memory through many
dropped connections (hung servers and cuts mid-FETCH are in tests/system/test_intake.py)."""

import time

import pytest

from faultproxy import FaultProxy
from helpers import daemon, db, integrity, name, scalar, stop, vm_rss_kib, wait_until


def test_dovecot_restart_under_a_running_daemon(desk, figure):
    desk.clock = 1795701600  # fixed: no re-page of the first incident can pass for a page
    desk.write_config(imap__poll_interval=1)
    log = desk.dir + "/daemon.log"
    proc = daemon(desk, log)
    try:
        desk.deliver(desk.monitor_mail("Before the restart on %s" % name(1)))
        desk.inbox(desk.alice, 1)
        desk.stack.restart_dovecot(down=3)
        restarted = time.monotonic()
        desk.deliver(desk.monitor_mail("After the restart on %s" % name(2)))
        desk.inbox(desk.alice, 2)
        figure("from Dovecot back to the page of new mail", "%.1f s"
               % (time.monotonic() - restarted))
        assert proc.poll() is None
    finally:
        code = stop(proc)
    with open(log) as f:
        text = f.read()
    assert code == 0, text
    assert "working again" in text
    assert sorted(i["title"] for i in desk.incidents()) == [
        "After the restart on %s" % name(2), "Before the restart on %s" % name(1)]
    assert scalar(desk, "SELECT count(*) FROM messages") == 2
    assert scalar(desk, "SELECT count(*) FROM outbox WHERE kind = 'page'") == 2
    assert integrity(desk) == "ok"


@pytest.mark.slow
def test_memory_stays_flat_through_30_reconnects(desk, figure):
    rss = {}
    with FaultProxy(desk.stack.imap_port) as proxy:
        desk.write_config(imap__port=proxy.port, imap__poll_interval=1)
        proc = daemon(desk)
        try:
            wait_until(lambda: proxy.accepted >= 1, what="the first connection")
            for cut in range(1, 31):
                # one message read over this connection, then the connection is cut
                desk.deliver(desk.monitor_mail("Flapping link on %s" % name(cut)))
                wait_until(lambda: scalar(desk, "SELECT count(*) FROM messages") == cut,
                           what="message %d" % cut)
                before = proxy.accepted
                proxy.drop_all()
                wait_until(lambda: proxy.accepted > before, what="reconnect %d" % cut)
                # the pass after the reconnect is over once the daemon says so
                proc.wait_log("working again", cut)
                if cut in (5, 30):
                    rss[cut] = vm_rss_kib(proc.pid)
            assert proc.poll() is None
        finally:
            code = stop(proc)
    assert code == 0
    figure("VmRSS after 5 reconnects", "%d KiB" % rss[5])
    figure("VmRSS after 30 reconnects", "%d KiB" % rss[30])
    figure("growth", "%.1f %%" % (100.0 * (rss[30] - rss[5]) / rss[5]))
    figure("connections accepted by the proxy", proxy.accepted)
    assert rss[30] < rss[5] * 1.10
    assert scalar(desk, "SELECT count(*) FROM messages") == 30
    assert len(desk.incidents()) == 30
    assert db(desk).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
