"""Shared pieces of sevmail's benchmarks: the private mail stack, desks, timing a child
process (wall clock, CPU, peak RSS), IMAP watchers that notice new mail quickly, a
counting SMTP proxy, and the storm corpus made from tests/corpus/alerts.

Standard library only; run with /usr/bin/python3 as root (the mail stack needs it)."""

import email
import email.policy
import os
import random
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
sys.path.insert(0, TESTS)

from faultproxy import FaultProxy  # noqa: E402
from mailstack import MailStack  # noqa: E402
from story import Desk  # noqa: E402

SEVMAIL = os.environ.get("SEVMAIL") or os.path.join(ROOT, "sevmail")
CORPUS = os.path.join(TESTS, "corpus", "alerts")
_BARE_LF = re.compile(rb"(?<!\r)\n")


class BenchBroken(RuntimeError):
    """The run itself went wrong (not a slow number): the benchmark reports BROKEN."""


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def log(fmt, *args):
    sys.stderr.write("bench: " + (fmt % args if args else fmt) + "\n")
    sys.stderr.flush()


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def crlf(raw):
    return _BARE_LF.sub(b"\r\n", raw)


# ------------------------------------------------------------------ the stack and desks

class BenchStack(MailStack):
    """tests/mailstack.MailStack as it is: it gives smtpd a resolv.conf that answers
    127.0.0.1 from /etc/hosts, so no greeting waits 5 s for a dropped DNS query."""


def start_stack():
    base = tempfile.mkdtemp(prefix="sevmail-bench-", dir="/tmp")
    os.chmod(base, 0o755)
    stack = BenchStack(base)
    stack.start()
    return stack


def stop_stack(stack, keep=False):
    stack.stop()
    if not keep:
        shutil.rmtree(stack.base_dir, ignore_errors=True)


_desk_seq = [0]


def new_desk(stack, name, store=None, **overrides):
    """A Desk with its own addresses and a workdir under the stack's temp dir. Timers that
    would add mail of their own during a benchmark (re-pages, reminders) are pushed out."""
    _desk_seq[0] += 1
    tag = "%s%d-%s" % (name, _desk_seq[0], os.urandom(3).hex())
    settings = {"escalation__ack_timeout": 86400, "escalation__update_interval": 604800}
    settings.update(overrides)
    desk = Desk(stack, os.path.join(stack.base_dir, "desks", tag), tag, store=store,
                **settings)
    desk.overrides = settings  # for write_config(**desk.overrides, ...) later
    return desk


def mailbox_count(stack, address):
    with stack.imap(address) as conn:
        typ, data = conn.status("INBOX", "(MESSAGES)")
    return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))


def db(desk):
    return sqlite3.connect(desk.db, timeout=30)


def db_scalar(desk, sql, *args):
    with db(desk) as conn:
        return conn.execute(sql, args).fetchone()[0]


# ------------------------------------------------------------------ child processes

GNU_TIME = "/usr/bin/time"


class Measured:
    def __init__(self, rc, wall, maxrss_kib, user, sys_, out, err):
        self.rc = rc
        self.wall = wall
        self.maxrss_kib = maxrss_kib
        self.user = user
        self.sys = sys_
        self.stdout = out
        self.stderr = err

    @property
    def maxrss_mib(self):
        return self.maxrss_kib / 1024.0


def _vm_hwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(argv, env=None, timeout=1800):
    """Runs argv to completion: wall time, CPU time and peak RSS of that one program.
    Output goes to temp files so a chatty child never blocks on a pipe.

    Peak RSS comes from GNU time (%M). Not from this process's wait4(): Linux counts in a
    child's ru_maxrss the RSS it had before exec, which for a child of this Python process
    is this process's RSS (hundreds of MiB with a storm corpus in memory). Without
    /usr/bin/time, VmHWM is sampled from /proc while the child runs."""
    use_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as stats:
        full = ([GNU_TIME, "-o", stats.name, "-f", "%M %U %S"] if use_time else []) + argv
        start = time.monotonic()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env)
        deadline = start + timeout
        hwm = 0
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not use_time:
                hwm = max(hwm, _vm_hwm(proc.pid))
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise BenchBroken("%s timed out after %ss" % (argv[0], timeout))
            time.sleep(0.002)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        user, sys_ = ru.ru_utime, ru.ru_stime
        if use_time:
            lines = stats.read().split("\n")
            fields = [l for l in lines if l.strip()][-1].split() if any(lines) else []
            try:
                hwm, user, sys_ = int(fields[0]), float(fields[1]), float(fields[2])
            except (IndexError, ValueError):
                raise BenchBroken("GNU time wrote %r" % lines)
        return Measured(proc.returncode, wall, hwm, user, sys_, out.read(), err.read())


def sevmail_measured(desk, *args, check=True, env_extra=None, timeout=1800):
    env = dict(os.environ)
    if desk.clock is not None:
        env["SEVMAIL_NOW"] = str(int(desk.clock))
    env.update(env_extra or {})
    m = run_measured([SEVMAIL, "-c", desk.config] + list(args), env=env, timeout=timeout)
    if check and m.rc != 0:
        raise BenchBroken("sevmail %s exited %d:\n%s" % (
            " ".join(args), m.rc, m.stderr.decode(errors="replace")[-3000:]))
    return m


def start_daemon(desk):
    log_path = os.path.join(desk.dir, "daemon.log")
    logf = open(log_path, "wb")
    proc = subprocess.Popen([SEVMAIL, "-c", desk.config, "run"], stdin=subprocess.DEVNULL,
                            stdout=logf, stderr=logf)
    proc.log_path = log_path
    logf.close()
    # Ready once it has logged in and is waiting (it logs "running: ..." first).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchBroken("the daemon exited %s:\n%s" % (proc.returncode, tail(log_path)))
        if b"running:" in open(log_path, "rb").read():
            time.sleep(0.5)  # the first pass and the IDLE command
            return proc
        time.sleep(0.05)
    raise BenchBroken("the daemon did not start:\n" + tail(log_path))


def stop_daemon(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-n:]).decode(errors="replace")
    except OSError:
        return "(no %s)" % path


# ------------------------------------------------------------------ IMAP helpers

class MailboxPoller:
    """A logged-in IMAP connection with INBOX selected; count() asks the server (NOOP
    makes Dovecot look at the Maildir at once), so a poll loop notices new mail within its
    interval, without IDLE's notification delay."""

    def __init__(self, stack, address):
        self.conn = stack.imap(address)
        typ, data = self.conn.select("INBOX")
        if typ != "OK":
            raise BenchBroken("SELECT INBOX for %s: %r" % (address, data))
        self.exists = int(data[0])

    def count(self):
        self.conn.noop()
        typ, data = self.conn.response("EXISTS")
        values = [int(v) for v in data if v is not None]
        if values:
            self.exists = values[-1]
        return self.exists

    def wait_count(self, n, timeout=30, interval=0.005):
        """Monotonic time at which the mailbox first held at least n messages."""
        deadline = time.monotonic() + timeout
        while True:
            if self.count() >= n:
                return time.monotonic()
            if time.monotonic() > deadline:
                raise BenchBroken("mailbox has %d message(s), wanted %d within %ss"
                                  % (self.exists, n, timeout))
            time.sleep(interval)

    def fetch(self, seq):
        typ, data = self.conn.fetch(str(seq), "(BODY.PEEK[])")
        raw = next(part[1] for part in data if isinstance(part, tuple))
        return email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)

    def close(self):
        try:
            self.conn.logout()
        except Exception:
            pass


class IdleWatcher(threading.Thread):
    """A plain IMAP client waiting in IDLE on a mailbox, as any mail client would: records
    the monotonic time at which it heard of each message count (`* N EXISTS`). Shows how
    long the server takes to tell an IDLE client about new mail."""

    def __init__(self, stack, address):
        super().__init__(daemon=True)
        self.conn = stack.imap(address)
        typ, data = self.conn.select("INBOX")
        self.seen = {}  # count -> monotonic time first heard
        self.cond = threading.Condition()
        self._stop = False
        self.sock = self.conn.socket()
        tag = self.conn._new_tag()
        self.conn.send(tag + b" IDLE\r\n")
        line = self.conn.readline()
        if not line.startswith(b"+"):
            raise BenchBroken("IDLE refused: %r" % line)

    def run(self):
        buf = b""
        while not self._stop:
            r, _, _ = select.select([self.sock], [], [], 0.2)
            if not r:
                continue
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            now = time.monotonic()
            buf += chunk
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                m = re.match(rb"\* (\d+) EXISTS", line)
                if m:
                    with self.cond:
                        self.seen.setdefault(int(m.group(1)), now)
                        self.cond.notify_all()

    def wait_count(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hits = [t for c, t in self.seen.items() if c >= n]
                if hits:
                    return min(hits)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self):
        self._stop = True
        try:
            self.sock.sendall(b"DONE\r\n")
            self.sock.close()
        except OSError:
            pass


def append_many(stack, address, messages, mailbox="INBOX", chunk=200):
    """APPENDs every message: MULTIAPPEND commands of `chunk` messages with LITERAL+
    (Dovecot offers both), pipelined over one connection, so setup costs seconds rather
    than a round trip and a commit per message. UIDs follow the order of `messages`. A
    MULTIAPPEND is all or nothing, so after a dropped connection the commands that were
    not answered OK are sent again on a new one (the server takes them in order, so the
    order holds; one applied but unanswered command would appear twice, and sevmail
    would take its copies as duplicates)."""
    chunks = [messages[i:i + chunk] for i in range(0, len(messages), chunk)]
    pending = list(range(len(chunks)))
    for attempt in range(3):
        done = _multiappend(stack, address, mailbox, chunks, pending)
        pending = [i for i in pending if i not in done]
        if not pending:
            return
        log("APPEND: connection lost with %d of %d commands unanswered; again (%s)",
            len(pending), len(chunks), tail(os.path.join(stack.base_dir, "dovecot.log"), 3))
    raise BenchBroken("APPEND failed three times")


def _multiappend(stack, address, mailbox, chunks, which):
    conn = stack.imap(address)
    sock = conn.socket()
    done = set()
    failed = []

    def reader():
        buf = b""
        try:
            while len(done) + len(failed) < len(which):
                data = sock.recv(65536)
                if not data:
                    return
                buf += data
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    m = re.match(rb"B(\d+) (OK|NO|BAD)", line)
                    if m and m.group(2) == b"OK":
                        done.add(int(m.group(1)))
                    elif m:
                        failed.append(line)
        except OSError:
            return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        for i in which:
            parts = [b"B%d APPEND %s" % (i, mailbox.encode())]
            for raw in chunks[i]:
                raw = crlf(raw)
                parts.append(b" {%d+}\r\n" % len(raw))
                parts.append(raw)
            parts.append(b"\r\n")
            sock.sendall(b"".join(parts))
    except OSError:
        pass
    t.join(timeout=600)
    if failed:
        raise BenchBroken("APPEND refused: %r" % failed[:3])
    try:
        conn.logout()
    except Exception:
        pass
    return done


# ------------------------------------------------------------------ counting SMTP proxy

class CountingProxy(FaultProxy):
    """tests/faultproxy.FaultProxy that also counts, in what the client sends, the SMTP
    transactions (MAIL FROM) and recipients (RCPT TO)."""

    def __init__(self, target_port):
        super().__init__(target_port)
        self.mail = 0
        self.rcpt = 0

    def reset(self):
        self.accepted = self.mail = self.rcpt = 0

    def _accept(self, listener):
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            self.accepted += 1
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            self._track(server)
            threading.Thread(target=self._count_pump, args=(client, server),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, None),
                             daemon=True).start()

    def _count_pump(self, src, dst):
        buf = b""
        in_data = False
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                buf += data
                lines = buf.split(b"\r\n")
                buf = lines.pop()
                for line in lines:
                    if in_data:
                        in_data = line != b"."
                        continue
                    word = line[:9].upper()
                    if word.startswith(b"MAIL FROM"):
                        with self._lock:
                            self.mail += 1
                    elif word.startswith(b"RCPT TO"):
                        with self._lock:
                            self.rcpt += 1
                    elif line.upper() == b"DATA":
                        in_data = True
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# ------------------------------------------------------------------ the storm corpus

# Each template: a corpus alert and the byte substitutions that give it identity i (the
# strings are chosen where the detector reads the identity: subject and body).
STORM_TEMPLATES = [
    ("alertmanager-firing.eml", [(b"HighErrorRate", b"HighErrorRate%d")]),
    ("grafana-firing.eml", [(b"CheckoutLatencyHigh", b"CheckoutLatencyHigh%d")]),
    ("nagios-service-problem.eml", [(b"web-frontend-02", b"web-frontend-s%d")]),
    ("nagios-host-problem.eml", [(b"db-primary-01", b"db-primary-h%d")]),
    ("icinga2-service-problem.eml", [(b"db-replica-02", b"db-replica-i%d")]),
    ("cloudwatch-sns-alarm.eml",
     [(b"orders-db-CPUUtilization-high", b"orders-db%d-CPUUtilization-high")]),
    ("uptime-kuma-down.eml", [(b"Shop_frontend", b"Shop_frontend_%d"),
                              (b"Shop frontend", b"Shop frontend %d")]),
    ("datadog-triggered.eml", [(b"Payments API 5xx rate is high",
                                b"Payments API 5xx rate is high %d"),
                               (b"48213157", b"4%07d")]),
]

_HEADER_DROP = re.compile(rb"^(Delivered-To|Return-Path|Message-I[Dd]|To):.*\n(?:[ \t].*\n)*",
                          re.M | re.I)


def _sender_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return email.utils.parseaddr(msg["From"])[1]


def storm_senders():
    senders = []
    for name, _ in STORM_TEMPLATES:
        with open(os.path.join(CORPUS, name), "rb") as f:
            s = _sender_of(f.read())
        if s not in senders:
            senders.append(s)
    return senders


def storm_identity(i):
    """The raw alert mail (without To and Message-Id) of distinct alert i."""
    name, subs = STORM_TEMPLATES[i % len(STORM_TEMPLATES)]
    with open(os.path.join(CORPUS, name), "rb") as f:
        raw = f.read()
    head, sep, body = raw.partition(b"\n\n")
    raw = _HEADER_DROP.sub(b"", head + b"\n") + b"\n" + body
    for old, new in subs:
        raw = raw.replace(old, new % i)
    return raw


def storm_messages(total, distinct, to, seed=1, tag="storm"):
    """total alert mails for `to`: each of `distinct` identities at least once, the rest
    repeats, in a shuffled order, each with its own Message-Id."""
    if total < distinct:
        raise ValueError("total < distinct")
    rng = random.Random(seed)
    bodies = [storm_identity(i) for i in range(distinct)]
    order = list(range(distinct)) + [rng.randrange(distinct) for _ in range(total - distinct)]
    rng.shuffle(order)
    out = []
    for n, ident in enumerate(order):
        head = b"To: %s\nMessage-Id: <%s.%d.%d@bench.example.com>\n" % (
            to.encode(), tag.encode(), n, ident)
        out.append(head + bodies[ident])
    return out
