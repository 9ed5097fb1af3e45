#!/usr/bin/python3
"""A private, throw-away mail stack for sevmail's system tests and demo.

It runs a real Dovecot (IMAP + LMTP) and a real OpenSMTPD on 127.0.0.1, both from
config files inside ``base_dir``, so several stacks can run side by side and none of
them touches (or depends on) the system's own mail servers:

    SMTP client --smtp--> smtpd --lmtp (unix socket)--> dovecot --imap--> tests

Any address of the configured domains is deliverable and every user logs in to IMAP
with the full address and the same password; mailboxes appear on first delivery.

Needs root: Dovecot drops to unprivileged users itself, and OpenSMTPD can only run
once per machine unless it gets a private mount namespace (see _start_smtpd).

Library use::

    with MailStack("/tmp/x") as ms:
        ms.send(raw, "a@example.org", ["b+tag@example.com"])
        msgs = ms.wait_for("b@example.com", 1)

Manual use::

    python3 tests/mailstack.py start DIR    # prints the ports as JSON, Ctrl-C stops
    python3 tests/mailstack.py start-tls DIR    # the same with TLS (see below)

With ``MailStack(base, tls=True)`` Dovecot also speaks TLS: implicit TLS on imaps_port
and STARTTLS on imap_port, with certificates from a private test CA (ca_file) made by
the openssl command. A client that asks for ``localhost`` by SNI gets a certificate for
localhost; any other client (no SNI, e.g. one connecting to 127.0.0.1) gets one for
``imap.wrong.test`` from the same CA. SMTP stays plain (OpenSMTPD 6.8 on Debian 12
cannot do TLS with OpenSSL 3).
"""

import email
import email.policy
import grp
import imaplib
import json
import os
import pwd
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time
import uuid

DEFAULT_DOMAINS = ("example.com", "example.net", "example.org", "example.test")
# A domain smtpd takes mail for but has no mailboxes in: it accepts the mail, finds at
# delivery that nobody of that name exists, and sends its own bounce to the sender.
UNKNOWN_USERS_DOMAIN = "gone.example.com"
DEFAULT_PASSWORD = "sevmail-test-password"

# Deadlines, not durations: how long to wait at most for a delivery to show up in a
# mailbox, and for one SMTP or IMAP exchange. Generous, because tests run on loaded
# machines; a test that gets what it waits for does not wait any longer.
DELIVERY_TIMEOUT = 120
IO_TIMEOUT = 120

DOVECOT = "/usr/sbin/dovecot"
SMTPD = "/usr/sbin/smtpd"
UNSHARE = "/usr/bin/unshare"
SETPRIV = "/usr/bin/setpriv"
OPENSSL = "/usr/bin/openssl"

# The host name the test certificates are for, and the one every other client gets.
TLS_HOST = "localhost"
TLS_WRONG_HOST = "imap.wrong.test"

# smtpd delivers by running mail.lmtp as the local user the virtual table maps every
# recipient to; the "dovecot" account exists wherever dovecot-core is installed and
# has a real home directory for the delivery agent to chdir into.
SMTPD_DELIVERY_USER = "dovecot"

_BARE_LF = re.compile(rb"(?<!\r)\n")


class MailStackError(RuntimeError):
    """The mail stack could not be started; the message carries the relevant logs."""


class _PortTaken(MailStackError):
    """A picked port was grabbed by someone else between picking and binding."""


def _free_port():
    # The kernel hands out a currently unused port; there is a small window before
    # the server binds it, which start() covers by retrying with fresh ports.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hold_port(port):
    """A socket bound to 127.0.0.1:port without listening: the port stays taken, and
    connections to it are refused."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    return s


def _tail(path, lines=40, offset=0):
    try:
        with open(path, "r", errors="replace") as f:
            f.seek(offset)
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log at %s)\n" % path


def _greeting(port, timeout=1.0):
    """First line a server sends on connect, or None if it does not answer (yet)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
            return data.decode("ascii", "replace")
    except OSError:
        return None


def _mount_ns(pid):
    try:
        return os.readlink("/proc/%d/ns/mnt" % pid)
    except OSError:
        return None


class _Namespace:
    """The mount namespace a server runs in, held open by a file descriptor.

    The kernel gives a namespace's number to the next new namespace as soon as the old
    one is gone (`unshare --mount` three times in a row gets the same number three
    times). Had stop() looked for a bare number, it would find, once this stack's
    processes were gone, some other mail stack's freshly started server (another test
    run's on the same machine) and kill it. An open descriptor keeps the namespace, and
    with it the number, this stack's until close()."""

    def __init__(self, pid):
        self.fd = os.open("/proc/%d/ns/mnt" % pid, os.O_RDONLY | os.O_CLOEXEC)
        self.id = "mnt:[%d]" % os.fstat(self.fd).st_ino

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _user_ids(user, group, fallback):
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        uid = fallback
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        gid = fallback
    return uid, gid


class MailStack:
    """Dovecot + OpenSMTPD for the given domains, configured and run from base_dir.

    After start(): imap_port and smtp_port (127.0.0.1), password (valid for every
    address), maildir_root (mailboxes live in maildir_root/DOMAIN/LOCAL/Maildir).
    With tls=True also imaps_port (implicit TLS), ca_file (the test CA, PEM) and
    tls_dir (the CA and server keys and certificates, see make_test_ca()).
    """

    def __init__(self, base_dir, domains=DEFAULT_DOMAINS, password=DEFAULT_PASSWORD,
                 start_timeout=120.0, tls=False):
        self.base_dir = os.path.abspath(base_dir)
        self.domains = tuple(d.lower() for d in domains) + (UNKNOWN_USERS_DOMAIN,)
        self.password = password
        self.start_timeout = start_timeout
        self.imap_port = None
        self.smtp_port = None
        self.tls = tls
        self.imaps_port = None
        self.tls_dir = os.path.join(self.base_dir, "tls")
        self.ca_file = None
        self.maildir_root = os.path.join(self.base_dir, "mail")
        self.lmtp_socket = os.path.join(self.base_dir, "dovecot", "lmtp")
        # (name, Popen, mount namespace or None, log path, log size at spawn)
        self._procs = []

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if os.geteuid() != 0:
            raise MailStackError("MailStack must run as root (Dovecot privilege "
                                 "separation, OpenSMTPD mount namespace)")
        binaries = (DOVECOT, SMTPD, UNSHARE, SETPRIV) + ((OPENSSL,) if self.tls else ())
        for binary in binaries:
            if not os.access(binary, os.X_OK):
                raise MailStackError("%s missing: apt-get install dovecot-imapd "
                                     "dovecot-lmtpd opensmtpd openssl" % binary)
        # Dovecot puts sockets up to ~30 characters deep below base_dir, and a unix
        # socket path must fit in 108 bytes.
        if len(self.base_dir) > 70:
            raise MailStackError("base_dir %s is too long for unix socket paths; "
                                 "use a short one such as /tmp/..." % self.base_dir)
        # Dovecot's unprivileged auth/lmtp processes and smtpd's mail.lmtp (running as
        # SMTPD_DELIVERY_USER) must be able to walk into base_dir.
        os.makedirs(self.base_dir, exist_ok=True)
        os.chmod(self.base_dir, 0o755)
        if self.tls:
            self.ca_file = make_test_ca(self.tls_dir)

        # Only a lost race for a port is worth another try; anything else is a real
        # configuration or installation problem and is reported at once.
        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                self._start_once()
                return self
            except _PortTaken:
                self.stop()
                if attempt == attempts:
                    raise
            except BaseException:
                self.stop()
                raise

    def _start_once(self):
        self.imap_port = _free_port()
        self.smtp_port = _free_port()
        while self.smtp_port == self.imap_port:
            self.smtp_port = _free_port()
        if self.tls:
            self.imaps_port = _free_port()
            while self.imaps_port in (self.imap_port, self.smtp_port):
                self.imaps_port = _free_port()
        # A per-start token in both banners proves that the server answering on a
        # port is ours, not some other process that happened to take it.
        self._token = uuid.uuid4().hex[:10]
        self._start_dovecot()
        self._start_smtpd()
        self._wait_ready()

    def stop(self):
        """Stop every process this stack started, including stray grandchildren.

        Safe to call at any time, also after a failed or partial start()."""
        procs, self._procs = self._procs, []
        # SIGTERM to the masters only: they shut their children down in order,
        # which keeps the logs free of every child complaining about the others.
        for _name, proc, _ns, _log, _start in procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for _name, proc, _ns, _log, _start in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _name, proc, ns, _log, _start in procs:
            # A master that did not stop goes with its process group. (Only one not yet
            # reaped: the pid of a reaped one may by now be another process's.)
            if proc.returncode is None:
                self._signal_group(proc, signal.SIGKILL)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            # Whatever is left, in any process group, is found by its namespace.
            if ns is not None:
                self._kill_namespace(ns)

    @staticmethod
    def _signal_group(proc, sig):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    @staticmethod
    def _kill_namespace(ns):
        # Every process of a stack lives in a mount namespace of its own (see
        # _spawn), so even one that changed its session or process group can be
        # found and killed; this is what makes stop() leave nothing behind. The
        # namespace is held open (_Namespace) until the sweep is over.
        try:
            for _ in range(50):
                found = False
                for entry in os.listdir("/proc"):
                    if entry.isdigit() and _mount_ns(int(entry)) == ns.id:
                        found = True
                        try:
                            os.kill(int(entry), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                if not found:
                    return
                time.sleep(0.1)
        finally:
            ns.close()

    def _spawn(self, name, argv, log_path):
        """Run argv in its own session and its own mount namespace.

        setpriv and ``unshare --mount`` exec the next program in place, so the pid
        is the server's; its namespace identifies every descendant for stop(), and
        the parent-death signal takes the server down should this Python process
        die without calling stop() (e.g. pytest killed by a CI timeout). That
        signal fires when the *thread* that started the stack ends, so start a
        long-lived stack from the main thread."""
        own_ns = _mount_ns(os.getpid())
        log = open(log_path, "ab")
        # Logs accumulate when a base_dir is reused; only this run's part matters.
        log_start = log.tell()
        try:
            proc = subprocess.Popen(
                [SETPRIV, "--pdeathsig", "TERM", "--",
                 UNSHARE, "--mount", "--propagation", "private", "--"] + argv,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.base_dir)
        finally:
            log.close()
        # unshare(2) happens just after exec; wait for it so the recorded namespace
        # is the new one and never our own (which stop() would then sweep).
        ns = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                # not reaped yet, so the pid is still this server's
                ns = _Namespace(proc.pid)
            except OSError:
                ns = None
            if ns is not None and ns.id != own_ns:
                break
            if ns is not None:
                ns.close()
            ns = None
            time.sleep(0.01)
        self._procs.append((name, proc, ns, log_path, log_start))
        if ns is None and proc.poll() is None:
            raise MailStackError("%s: %s did not enter its mount namespace" % (name, UNSHARE))
        return proc

    # ---------------------------------------------------------------- Dovecot

    def _start_dovecot(self, before_spawn=None):
        mail_uid, mail_gid = _user_ids("nobody", "nogroup", 65534)
        os.makedirs(self.maildir_root, exist_ok=True)
        os.chown(self.maildir_root, mail_uid, mail_gid)
        state_dir = os.path.join(self.base_dir, "dovecot-state")
        os.makedirs(state_dir, mode=0o755, exist_ok=True)
        conf = os.path.join(self.base_dir, "dovecot.conf")
        log = os.path.join(self.base_dir, "dovecot.log")
        with open(conf, "w") as f:
            f.write(DOVECOT_CONF.format(
                base_dir=os.path.join(self.base_dir, "dovecot"),
                state_dir=state_dir,
                log=log,
                instance="sevmail-" + self._token,
                token=self._token,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port if self.tls else 0,
                ssl=DOVECOT_SSL.format(tls_dir=self.tls_dir, host=TLS_HOST,
                                       wrong=TLS_WRONG_HOST) if self.tls else "ssl = no\n",
                password=self.password,
                mail_uid=mail_uid,
                mail_gid=mail_gid,
                mail_root=self.maildir_root,
            ))
        try:
            self._check_config("dovecot", [DOVECOT, "-n", "-c", conf], conf)
        finally:
            if before_spawn is not None:
                before_spawn()
        self._spawn("dovecot", [DOVECOT, "-F", "-c", conf], log)

    def restart_dovecot(self, down=0.0):
        """Stop Dovecot (every IMAP connection drops), stay down `down` seconds, and start
        it again on the same ports with the same mailboxes."""
        for entry in [p for p in self._procs if p[0] == "dovecot"]:
            _name, proc, ns, _log, _start = entry
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=5)
            if ns is not None:
                self._kill_namespace(ns)
            self._procs.remove(entry)
        # Hold the ports while Dovecot is down (bound, not listening: connections are
        # refused as by a server that is down), so that nothing else is given them
        # meanwhile; they are let go just before Dovecot binds them again.
        held = [_hold_port(p) for p in (self.imap_port, self.imaps_port) if p]

        def release():
            for s in held:
                s.close()
        try:
            time.sleep(down)
            self._start_dovecot(before_spawn=release)
        finally:
            release()
        self._wait_ready()

    # ---------------------------------------------------------------- OpenSMTPD

    def _start_smtpd(self):
        domains = os.path.join(self.base_dir, "smtpd-domains")
        virtual = os.path.join(self.base_dir, "smtpd-virtual")
        with open(domains, "w") as f:
            f.write("".join(d + "\n" for d in self.domains))
        # "@domain user" is the catch-all form: every address of the domain expands
        # to the local user, and "rcpt-to" makes smtpd still hand Dovecot the
        # original recipient rather than that user's name.
        with open(virtual, "w") as f:
            f.write("".join("@%s %s\n" % (d, SMTPD_DELIVERY_USER) for d in self.domains))
        conf = os.path.join(self.base_dir, "smtpd.conf")
        with open(conf, "w") as f:
            f.write(SMTPD_CONF.format(
                port=self.smtp_port,
                hostname="mailstack-%s.localdomain" % self._token,
                domains=domains,
                virtual=virtual,
                lmtp_socket=self.lmtp_socket,
                unknown_users=UNKNOWN_USERS_DOMAIN,
            ))
        self._check_config("smtpd", [SMTPD, "-n", "-f", conf], conf)

        # smtpd has its control socket (/var/run/smtpd.sock, also its "already
        # running" check) and its queue (/var/spool/smtpd) compiled in. Private
        # bind mounts over /var/run and /var/spool, visible only in smtpd's own
        # mount namespace, let it coexist with the system instance and with other
        # stacks. smtpd creates /var/spool/smtpd and the subdirs owned by its queue
        # user (opensmtpq on Debian) itself, in the empty root-owned directory, with
        # exactly the owners and modes it checks on every start.
        run = os.path.join(self.base_dir, "smtpd-run")
        spool = os.path.join(self.base_dir, "smtpd-spool")
        for d in (run, spool):
            os.makedirs(d, exist_ok=True)
            os.chown(d, 0, 0)
            os.chmod(d, 0o755)
        # smtpd looks up every client's address, and its resolver (libasr) asks DNS
        # before /etc/hosts: where DNS drops a query, a connection waits 5 s for its
        # greeting. A resolv.conf saying "lookup file bind", in the same private
        # namespace, answers 127.0.0.1 from /etc/hosts.
        resolv = os.path.join(self.base_dir, "smtpd-resolv.conf")
        try:
            with open("/etc/resolv.conf") as f:
                rest = [line for line in f if not line.startswith("lookup")]
        except OSError:
            rest = []
        with open(resolv, "w") as f:
            f.write("lookup file bind\n" + "".join(rest))
        log = os.path.join(self.base_dir, "smtpd.log")
        self._smtpd_log = log
        script = ('set -e; if [ -f /etc/resolv.conf ]; then mount --bind "$5" /etc/resolv.conf; '
                  'fi; mount --bind "$1" /var/run; mount --bind "$2" /var/spool; '
                  'exec "$3" -d -f "$4"')
        self._spawn("smtpd", ["/bin/sh", "-c", script, "sh", run, spool, SMTPD, conf, resolv],
                    log)

    @staticmethod
    def _check_config(name, argv, conf):
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        if res.returncode != 0:
            raise MailStackError("%s rejects %s:\n%s" % (
                name, conf, res.stdout.decode("utf-8", "replace")))

    # ---------------------------------------------------------------- readiness

    def _wait_ready(self):
        want = {
            "dovecot": (self.imap_port, lambda g: g.startswith("* OK") and self._token in g),
            "smtpd": (self.smtp_port, lambda g: g.startswith("220 ") and self._token in g),
        }
        ready = set()
        deadline = time.monotonic() + self.start_timeout
        while True:
            for name, proc, _ns, log, log_start in self._procs:
                if proc.poll() is not None:
                    text = _tail(log, offset=log_start)
                    cls = _PortTaken if "Address already in use" in text else MailStackError
                    raise cls("%s exited with status %s during startup; %s:\n%s"
                              % (name, proc.returncode, log, text))
                if name not in ready:
                    port, ok = want[name]
                    greeting = _greeting(port)
                    if greeting is not None:
                        if not ok(greeting):
                            raise _PortTaken("port %d answers %r, not %s"
                                             % (port, greeting, name))
                        ready.add(name)
            if ready == set(want) and os.path.exists(self.lmtp_socket):
                return
            if time.monotonic() > deadline:
                logs = "".join("--- %s\n%s" % (log, _tail(log, offset=start))
                               for _n, _p, _ns, log, start in self._procs)
                raise MailStackError("mail stack not ready after %ss (ready: %s)\n%s"
                                     % (self.start_timeout, sorted(ready), logs))
            time.sleep(0.1)

    # ---------------------------------------------------------------- helpers

    def info(self):
        return {
            "imap_host": "127.0.0.1",
            "imap_port": self.imap_port,
            "smtp_host": "127.0.0.1",
            "smtp_port": self.smtp_port,
            "password": self.password,
            "maildir_root": self.maildir_root,
            "base_dir": self.base_dir,
            "domains": list(self.domains),
            "imaps_port": self.imaps_port,
            "ca_file": self.ca_file,
            "tls_host": TLS_HOST if self.tls else None,
        }

    def send(self, raw_bytes, mail_from, rcpt_tos):
        """Submit one message over SMTP; raises smtplib errors if it is refused.

        Bare LF line ends (files from the corpus, EmailMessage.as_bytes()) become
        CRLF, as SMTP requires; smtplib sends bytes untouched."""
        if isinstance(rcpt_tos, str):
            rcpt_tos = [rcpt_tos]
        raw_bytes = _BARE_LF.sub(b"\r\n", raw_bytes)
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=IO_TIMEOUT) as smtp:
            smtp.sendmail(mail_from, list(rcpt_tos), raw_bytes)

    def imap(self, address):
        """A logged-in imaplib connection for address (use as a context manager)."""
        conn = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=IO_TIMEOUT)
        try:
            conn.login(address, self.password)
        except BaseException:
            conn.shutdown()
            raise
        return conn

    def fetch_raw(self, address, mailbox="INBOX"):
        """Every message in the mailbox, oldest first, as the bytes IMAP returns."""
        with self.imap(address) as conn:
            typ, _ = conn.select(_quote(mailbox), readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("SEARCH", None, "ALL")
            uids = data[0].split() if typ == "OK" and data and data[0] else []
            messages = []
            for uid in uids:
                typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                messages.append(next(part[1] for part in data if isinstance(part, tuple)))
            return messages

    def fetch_all(self, address, mailbox="INBOX"):
        """Every message in the mailbox, oldest first, as EmailMessage objects.

        Line ends are turned from IMAP's CRLF into LF first, so that bodies
        compare equal to the Python strings the tests wrote."""
        return [email.message_from_bytes(raw.replace(b"\r\n", b"\n"),
                                         policy=email.policy.default)
                for raw in self.fetch_raw(address, mailbox)]

    def wait_for(self, address, count, timeout=None, mailbox="INBOX"):
        """Poll until the mailbox holds at least count messages; return them all, in the
        order the MTA delivered them (which need not be the order they were sent in).

        The deadline is generous (DELIVERY_TIMEOUT): on a loaded machine the MTA's queue
        runs late, and waiting costs nothing when the mail is there."""
        if timeout is None:
            timeout = DELIVERY_TIMEOUT
        deadline = time.monotonic() + timeout
        while True:
            messages = self.fetch_all(address, mailbox)
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(
                    "%s/%s has %d message(s), wanted %d within %ss; logs in %s; "
                    "smtpd log ends:\n%s" % (address, mailbox, len(messages), count,
                                             timeout, self.base_dir,
                                             _tail(self._smtpd_log, 15)))
            time.sleep(0.2)

    def append(self, address, raw_bytes, mailbox="INBOX"):
        """Put a message straight into a mailbox, bypassing SMTP."""
        with self.imap(address) as conn:
            if mailbox.upper() != "INBOX":
                conn.create(_quote(mailbox))  # fails harmlessly if it exists
            typ, data = conn.append(_quote(mailbox), None, None, raw_bytes)
            if typ != "OK":
                raise MailStackError("APPEND to %s/%s failed: %r" % (address, mailbox, data))


def _quote(mailbox):
    return '"%s"' % mailbox.replace("\\", "\\\\").replace('"', '\\"')


# Written from scratch rather than including /etc/dovecot, so whatever the system's
# Dovecot is configured to do cannot leak in.
DOVECOT_CONF = """\
# Generated by tests/mailstack.py
base_dir = {base_dir}
state_dir = {state_dir}
instance_name = {instance}
log_path = {log}
protocols = imap lmtp
listen = 127.0.0.1
{ssl}# Plain-text LOGIN/PLAIN over loopback without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login
# A test that tries a wrong password must not slow down every later login.
auth_failure_delay = 0
login_greeting = sevmail mailstack {token} ready

# Any user name is accepted with the one shared password; LMTP and IMAP both get
# uid/gid/home from the static userdb, so no user has to exist beforehand.
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={mail_root}/%d/%n allow_all_users=yes
}}
mail_location = maildir:~/Maildir
# sevmail may keep IDLE connections open beside the harness's own logins.
protocol imap {{
  mail_max_userip_connections = 100
}}
# The user name is the full address; keep the "@" and the dots of the domain.
auth_username_format = %Lu

# incidents+1-abc@example.com is delivered to incidents@example.com, and the
# Delivered-To header keeps the address exactly as it came in RCPT TO.
recipient_delimiter = +
lmtp_hdr_delivery_address = original

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
  }}
}}
# After a failed login Dovecot delays every further login from that IP (2s,
# doubling up to 15s), which would leak from one test into the next. There is no
# setting for it, but auth skips the penalty when anvil's penalty socket does not
# exist, and mode 0 keeps the master from creating that socket.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  # smtpd's mail.lmtp connects as an unprivileged user; the socket lives in a
  # private directory anyway. (A name relative to base_dir overrides the default
  # listener instead of adding a second one.)
  unix_listener lmtp {{
    mode = 0666
  }}
}}
"""

# With tls=True: certificates by SNI name, and STARTTLS offered on the plain port (plain
# LOGIN stays allowed there, for the harness's own imaplib connections).
DOVECOT_SSL = """\
ssl = yes
ssl_cert = <{tls_dir}/{wrong}.pem
ssl_key = <{tls_dir}/{wrong}.key
local_name {host} {{
  ssl_cert = <{tls_dir}/{host}.pem
  ssl_key = <{tls_dir}/{host}.key
}}
"""

# Used by make_test_ca(); written from scratch so the system's openssl.cnf cannot
# change what the certificates contain.
OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:${ENV::SAN_DNS}
"""


def _openssl(args, cwd, env=None):
    res = subprocess.run([OPENSSL] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                         env=env)
    if res.returncode != 0:
        raise MailStackError("openssl %s failed:\n%s" % (
            " ".join(args), res.stdout.decode("utf-8", "replace")))


def make_test_ca(tls_dir, names=(TLS_HOST, TLS_WRONG_HOST)):
    """A test CA (ca.pem, ca.key) in tls_dir and, for each name, NAME.pem and NAME.key:
    a server certificate for DNS:NAME signed by it. Returns the path of ca.pem.

    Everything is made once per directory; P-256 keys keep it quick."""
    os.makedirs(tls_dir, mode=0o755, exist_ok=True)
    ca = os.path.join(tls_dir, "ca.pem")
    cnf = os.path.join(tls_dir, "openssl.cnf")
    if all(os.path.exists(os.path.join(tls_dir, n + ".pem")) for n in names) \
            and os.path.exists(ca):
        return ca
    with open(cnf, "w") as f:
        f.write(OPENSSL_CNF)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    env = dict(os.environ, SAN_DNS="unused")
    _openssl(["req", "-x509", "-config", cnf, "-extensions", "ca", "-days", "30",
              "-subj", "/O=sevmail tests/CN=sevmail test CA", "-keyout", "ca.key",
              "-out", "ca.pem"] + key, tls_dir, env)
    for n in names:
        env = dict(os.environ, SAN_DNS=n)
        _openssl(["req", "-new", "-config", cnf, "-subj", "/CN=" + n, "-keyout", n + ".key",
                  "-out", n + ".csr"] + key, tls_dir, env)
        _openssl(["x509", "-req", "-in", n + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                  "-set_serial", "0x" + uuid.uuid4().hex[:16], "-days", "30",
                  "-extfile", cnf, "-extensions", "server", "-out", n + ".pem"],
                  tls_dir, env)
        os.unlink(os.path.join(tls_dir, n + ".csr"))
    return ca


SMTPD_CONF = """\
# Generated by tests/mailstack.py
table domains file:{domains}
table catchall file:{virtual}

listen on 127.0.0.1 port {port} hostname {hostname}

action "deliver" lmtp "{lmtp_socket}" rcpt-to virtual <catchall>
action "nouser" mda "/bin/sh -c 'echo 5.1.1 user unknown >&2; exit 67'" virtual <catchall>

# Only the test domains are accepted; everything else is refused (no relaying).
match from any for domain "{unknown_users}" action "nouser"
match from any for domain <domains> action "deliver"
"""


def _main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "start-tls"):
        sys.stderr.write("usage: %s start|start-tls DIR\n" % argv[0])
        return 2

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    # Explicitly for SIGINT too: started in the background by a non-interactive
    # shell (as `make demo` may do), Python would inherit SIGINT as ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    stack = MailStack(argv[2], tls=argv[1] == "start-tls")
    try:
        stack.start()
        print(json.dumps(stack.info(), indent=2), flush=True)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    except MailStackError as e:
        sys.stderr.write("mailstack: %s\n" % e)
        return 1
    finally:
        # A second Ctrl-C must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
