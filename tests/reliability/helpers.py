"""Helpers shared by the reliability tests: the daemon as a child process, its memory, the
database's invariants, reply tokens computed the way sevmail computes them, bulk IMAP
appends and counts, and peak memory of one child process."""

import base64
import email
import email.policy
import hashlib
import hmac
import os
import re
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid

from faultproxy import FaultProxy
from story import Daemon


def name(n):
    """A name without digits (the generic detector drops digits from fingerprints)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n // 26 // 26 % 26] + letters[n // 26 % 26] + letters[n % 26]


def db(desk):
    return sqlite3.connect(desk.db, timeout=30)


def scalar(desk, sql, *args):
    conn = db(desk)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def integrity(desk):
    return scalar(desk, "PRAGMA integrity_check")


def daemon(desk, stderr_path=None):
    """`sevmail run` in the background (a story.Daemon), once it runs; its log goes to
    stderr_path (a file, so a long run never blocks on a full pipe, and a test can wait
    for what the daemon says)."""
    return Daemon(desk, stderr_path)


def stop(proc):
    return proc.stop()[0]


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def wait_until(predicate, timeout=120, step=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(step)


# --- reply tokens, as mailer/auth.c computes them ---

def secret_of(desk):
    with open(os.path.join(desk.dir, "secret")) as f:
        return f.read().strip()


def token(desk, incident_id, secret=None):
    key = (secret if secret is not None else secret_of(desk)).encode()
    digest = hmac.new(key, b"incident:%d" % incident_id, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def token_address(desk, incident_id, tok=None):
    local, domain = desk.address.split("@")
    return "%s+%d-%s@%s" % (local, incident_id, tok or token(desk, incident_id), domain)


# --- mailboxes ---

def append_many(stack, address, raws):
    """APPEND every message on one IMAP connection (a backlog in seconds, not minutes)."""
    with stack.imap(address) as conn:
        for raw in raws:
            typ, data = conn.append("INBOX", None, None, raw)
            if typ != "OK":
                raise AssertionError("APPEND failed: %r" % data)


_MSGID = re.compile(rb"Message-ID:\s*(<[^>\r\n]*>)", re.I)


def message_ids(stack, address):
    """The Message-ID of every message in the mailbox, in UID (arrival) order, fetched in
    one command."""
    with stack.imap(address) as conn:
        typ, _ = conn.select("INBOX", readonly=True)
        if typ != "OK":
            return []
        typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        if typ != "OK" or data == [None]:
            return []
        ids = []
        for part in data:
            if isinstance(part, tuple):
                m = _MSGID.search(part[1])
                ids.append(m.group(1).decode() if m else None)
        return ids


def delivered_ids(desk, address, timeout=120):
    """message_ids() of address's mailbox once all that sevmail handed to the SMTP server
    for it (its outbox says what) has arrived: in the MTA's delivery order."""
    want = len(desk.sent_to(address))
    deadline = time.monotonic() + timeout
    while True:
        ids = message_ids(desk.stack, address)
        if len(ids) >= want:
            return ids
        if time.monotonic() > deadline:
            raise AssertionError("%s has %d of the %d mails sent to it after %ss"
                                 % (address, len(ids), want, timeout))
        time.sleep(0.2)


def mailbox_count(stack, address):
    with stack.imap(address) as conn:
        typ, data = conn.select("INBOX", readonly=True)
        return int(data[0]) if typ == "OK" else 0


# --- measuring one child ---

def run_measured(argv, env=None, timeout=900):
    """Runs argv under /usr/bin/time; returns (exit code, stderr, peak RSS in MiB, wall
    seconds). /usr/bin/time forks a small process of its own, so the peak is sevmail's and
    not that of a copy of this (large) test process, as wait4 on a direct child would be
    right after fork."""
    fd, stats = tempfile.mkstemp(prefix="sevmail-time-")
    os.close(fd)
    try:
        started = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-o", stats, "-f", "%M"] + list(argv),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env=env, timeout=timeout)
        elapsed = time.monotonic() - started
        with open(stats) as f:
            lines = f.read().split()
        peak_kib = int(lines[-1])
    finally:
        os.unlink(stats)
    return proc.returncode, proc.stderr.decode(errors="replace"), peak_kib / 1024.0, elapsed


# --- what sevmail hands to the SMTP server ---


_WIRE_MSGID = re.compile(rb"\r\nMessage-ID:\s*<([^>\r\n]*)>", re.I)


class RecordingProxy(FaultProxy):
    """A FaultProxy in front of the SMTP server that also notes the Message-ID of every
    message the client sends, in the order they go over the wire (`sent`)."""

    def __init__(self, target_port):
        super().__init__(target_port)
        self.sent = []
        self._record_lock = threading.Lock()

    def _pump(self, src, dst, limit, from_client=None):
        try:
            to_server = src.getsockname()[1] == self.port
        except OSError:
            to_server = False
        if not to_server:
            return FaultProxy._pump(src, dst, limit, from_client)
        seen = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                before = len(_WIRE_MSGID.findall(seen))
                seen += data
                found = _WIRE_MSGID.findall(seen)
                with self._record_lock:
                    self.sent.extend(m.decode() for m in found[before:])
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(2)
            except OSError:
                pass


# --- crafted replies ---


def reply(desk, sender, text, to, subject="Re: [INC-1] incident", in_reply_to=None,
          headers=(), date=None):
    """Raw bytes of a plain reply from `sender` to the address `to`; `headers` (name, value)
    pairs go on top, before From, as a receiving MX would put trace headers."""
    msg = EmailMessage(policy=email.policy.SMTP)
    for hname, value in headers:
        msg[hname] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or localtime())
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text + "\n")
    return msg.as_bytes()


def fetch_new(stack, address, after_uid):
    """(uid, message) for every message with a UID above after_uid, oldest first."""
    with stack.imap(address) as conn:
        typ, _ = conn.select("INBOX", readonly=True)
        if typ != "OK":
            return []
        typ, data = conn.uid("SEARCH", None, "UID %d:*" % (after_uid + 1))
        uids = [int(u) for u in data[0].split()] if typ == "OK" and data[0] else []
        out = []
        for uid in uids:
            if uid <= after_uid:  # "N:*" always matches the last message
                continue
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next(part[1] for part in data if isinstance(part, tuple))
            out.append((uid, email.message_from_bytes(raw.replace(b"\r\n", b"\n"),
                                                      policy=email.policy.default)))
        return out


class GreylistProxy:
    """An SMTP-aware proxy in front of the real server that answers `450` (greylisted, try
    later) to RCPT TO for every address containing one of `greylisted`, and passes
    everything else through. It hides PIPELINING so that commands come one at a time.
    `tempfailed` counts the refusals."""

    def __init__(self, target_port, greylisted):
        self.target_port = target_port
        self.greylisted = [g.lower() for g in greylisted]
        self.tempfailed = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    def __enter__(self):
        self._listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(client,), daemon=True).start()

    @staticmethod
    def _response(reader):
        lines = []
        while True:
            line = reader.readline()
            if not line:
                break
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                break
        return lines

    def _session(self, client):
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        c_in, s_in = client.makefile("rb"), server.makefile("rb")
        try:
            client.sendall(b"".join(self._response(s_in)))
            while True:
                line = c_in.readline()
                if not line:
                    break
                verb = line[:10].upper()
                if verb.startswith(b"RCPT TO:") and any(
                        g.encode() in line.lower() for g in self.greylisted):
                    self.tempfailed += 1
                    client.sendall(b"450 4.2.0 Recipient address rejected: greylisted, try "
                                   b"again later\r\n")
                    continue
                server.sendall(line)
                reply = self._response(s_in)
                if verb.startswith((b"EHLO", b"HELO")):
                    reply = [r for r in reply if b"PIPELINING" not in r.upper()]
                    if reply:
                        reply[-1] = reply[-1][:3] + b" " + reply[-1][4:]
                client.sendall(b"".join(reply))
                if verb.startswith(b"DATA") and reply and reply[0].startswith(b"354"):
                    while True:
                        data = c_in.readline()
                        if not data:
                            return
                        server.sendall(data)
                        if data == b".\r\n":
                            break
                    client.sendall(b"".join(self._response(s_in)))
                if verb.startswith(b"QUIT"):
                    break
        except OSError:
            pass
        finally:
            for s in (client, server):
                try:
                    s.close()
                except OSError:
                    pass
