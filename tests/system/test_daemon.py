"""`sevmail run`: the polling daemon, its signals, and what it leaves in the mailbox."""

import signal
import socket
import threading
import time

from story import LOG_TIMEOUT, Daemon


class HangUp:
    """An IMAP "server" that accepts every connection and closes it at once, counting
    them: an outage in which each of the daemon's attempts can be seen."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def test_daemon_pages_while_running_and_stops_on_sigterm(desk):
    daemon = Daemon(desk)
    try:
        desk.alert()
        [page] = desk.inbox(desk.alice, 1)
        assert page["Subject"].startswith("[INC-1]")
        desk.phone_reply(desk.alice, page, "ack")
        confirm = desk.inbox(desk.alice, 2)[1]
        assert "Acknowledged by" in confirm.get_body(("plain",)).get_content()
    finally:
        code, err = daemon.stop()
    assert code == 0, err
    assert "stopping" in err
    assert desk.show(1)["status"] == "investigating"


def test_sighup_reloads_and_a_bad_config_is_refused_without_stopping(desk):
    daemon = Daemon(desk)
    try:
        with open(desk.config, "a") as f:
            f.write("[imap]\nbogus = 1\n")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_log("reload refused")
        assert daemon.proc.poll() is None, "the daemon keeps running on its old configuration"
        desk.write_config()
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_log("configuration reloaded")
        assert daemon.proc.poll() is None
        desk.alert()
        desk.inbox(desk.alice, 1)
    finally:
        code, err = daemon.stop(signal.SIGINT)
    assert code == 0
    assert "reload refused" in err and "bogus" in err
    assert "configuration reloaded" in err


def test_processed_messages_are_seen_and_can_be_moved(desk):
    desk.alert()
    desk.wait_incoming(1)
    desk.once()
    with desk.stack.imap(desk.address) as conn:
        conn.select("INBOX", readonly=True)
        typ, data = conn.search(None, "UNSEEN")
        assert data[0].split() == []
    desk.write_config(imap__processed="Processed")
    desk.alert("alertmanager-resolved.eml")
    desk.wait_incoming(2)
    desk.once()
    moved = desk.stack.fetch_all(desk.address, mailbox="Processed")
    assert [m["Subject"].split()[0] for m in moved] == ["[RESOLVED]"]
    assert "alert_resolved" in [e["kind"] for e in desk.show(1)["events"]]


def test_imap_outage_is_reported_once_per_change(desk):
    server = HangUp()
    try:
        desk.write_config(imap__port=server.port, imap__poll_interval="1")
        daemon = Daemon(desk)
        try:
            # several failed passes (counted by the server, however long they take) ...
            deadline = time.monotonic() + LOG_TIMEOUT
            while server.accepted < 3:
                assert daemon.proc.poll() is None, daemon.text()
                assert time.monotonic() < deadline, "%d attempts" % server.accepted
                time.sleep(0.1)
        finally:
            code, err = daemon.stop()
    finally:
        server.close()
    assert code == 0, err
    # ... and one log line about them
    assert err.count("retrying") == 1, err
