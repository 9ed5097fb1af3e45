"""`sevmail run`: the polling daemon, its signals, and what it leaves in the mailbox."""

import signal
import subprocess
import time

from story import SEVMAIL


def start_daemon(desk):
    return subprocess.Popen([SEVMAIL, "-c", desk.config, "run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def stop(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, err.decode()


def test_daemon_pages_while_running_and_stops_on_sigterm(desk):
    proc = start_daemon(desk)
    try:
        desk.alert()
        [page] = desk.inbox(desk.alice, 1, timeout=20)
        assert page["Subject"].startswith("[INC-1]")
        desk.phone_reply(desk.alice, page, "ack")
        confirm = desk.inbox(desk.alice, 2, timeout=20)[1]
        assert "Acknowledged by" in confirm.get_body(("plain",)).get_content()
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert "stopping" in err
    assert desk.show(1)["status"] == "investigating"


def test_sighup_reloads_and_a_bad_config_is_refused_without_stopping(desk):
    proc = start_daemon(desk)
    try:
        time.sleep(1)
        with open(desk.config, "a") as f:
            f.write("[imap]\nbogus = 1\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert proc.poll() is None, "the daemon keeps running on its old configuration"
        desk.write_config()
        proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert proc.poll() is None
        desk.alert()
        desk.inbox(desk.alice, 1, timeout=20)
    finally:
        code, err = stop(proc, signal.SIGINT)
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


def test_imap_outage_is_reported_once_per_change(desk, tmp_path):
    desk.write_config(imap__port="1", imap__poll_interval="1")
    proc = start_daemon(desk)
    time.sleep(3.5)
    code, err = stop(proc)
    assert code == 0
    # several failed passes, one log line about it
    assert err.count("retrying") == 1, err
