"""An incident desk for one test (or the demo): a sevmail configuration of its own, with its
own addresses on the shared private mail stack, and helpers that play the people in the
story: the monitoring tool that sends an alert, and responders who answer from a phone.
"""

import email
import email.policy
import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid, parseaddr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.environ.get("SEVMAIL_CORPUS") or os.path.join(HERE, "corpus")
SEVMAIL = os.environ.get("SEVMAIL") or os.path.join(ROOT, "sevmail")
# A guard against a hung sevmail, not a measure of its speed (the sanitizer build on a
# loaded machine is slow): `make bench` measures that.
RUN_TIMEOUT = 600
# STORE=postgresql runs every desk on a database of its own in a private PostgreSQL server
# (tests/pgserver.py) instead of a SQLite file.
STORE = os.environ.get("STORE", "sqlite")


class Desk:
    """sevmail configured for addresses that carry `tag` (plain names when it is empty), so
    that desks never share mail."""

    def __init__(self, stack, workdir, tag, store=None, **overrides):
        self.stack = stack
        self.dir = workdir
        self.tag = tag
        sfx = "-" + tag if tag else ""
        self.address = "incidents%s@example.com" % sfx
        self.alice = "alice%s@example.com" % sfx
        self.bob = "bob%s@example.com" % sfx
        self.dave = "dave%s@example.net" % sfx
        self.mallory = "mallory%s@example.org" % sfx
        self.monitor = "alertmanager%s@example.com" % sfx
        # the monitoring tool mails the secret alert address, so its alerts are verified
        self.alert_key = uuid.uuid4().hex
        self.alert_address = "incidents%s+alert-%s@example.com" % (sfx, self.alert_key)
        self.list_address = "stakeholders%s@example.com" % sfx
        self.clock = None  # unix time sevmail reads as "now" (SEVMAIL_NOW), or the real one
        self.db = os.path.join(workdir, "sevmail.db")
        self.config = os.path.join(workdir, "sevmail.conf")
        os.makedirs(workdir, exist_ok=True)
        self.pg = self.conninfo = None
        if (store or STORE) == "postgresql":
            import pgserver
            self.pg = pgserver.shared()
            self.pg_database = "d_" + uuid.uuid4().hex[:16]
            self.conninfo = self.pg.create_database(self.pg_database)
        with open(os.path.join(workdir, "secret"), "w") as f:
            f.write(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
        self.write_config(**overrides)

    def write_config(self, **overrides):
        sections = {
            "general": {
                "address": self.address,
                "name": "Incident Desk",
                "database": self.db,
                "templates": os.path.join(ROOT, "templates"),
                "secret_file": os.path.join(self.dir, "secret"),
            },
            "imap": {
                "host": "127.0.0.1", "port": self.stack.imap_port, "security": "none",
                "user": self.address, "password": self.stack.password,
                "mailbox": "INBOX", "poll_interval": 1,
            },
            "smtp": {"host": "127.0.0.1", "port": self.stack.smtp_port, "security": "none"},
            "responders": {self.alice: "oncall, commander", self.bob: "oncall"},
            "security": {"sender_auth": "token-or-dmarc", "authserv_id": "mx.example.com"},
            "alerts": {"senders": self.monitor, "severity_map": "critical:1, warning:3",
                       "keys": "alertmanager:" + self.alert_key},
            "list:stakeholders": {
                "address": self.list_address, "severities": "1,2", "policy": "confirm",
                "domains": "example.com, example.net",
            },
        }
        if self.conninfo is not None:
            sections["store"] = {"backend": "postgresql", "conninfo": self.conninfo}
        for key, value in overrides.items():
            group, name = key.split("__", 1)
            group = group.replace("list_", "list:")
            if group.startswith("schedule_"):  # schedule_primary__shift -> [schedule:primary]
                group = "schedule:" + group[len("schedule_"):]
            if group.startswith("team_"):  # team_payments__match -> [team:payments]
                group = "team:" + group[len("team_"):]
            if group.startswith("heartbeat_"):  # heartbeat_watchdog__every -> [heartbeat:watchdog]
                group = "heartbeat:" + group[len("heartbeat_"):]
            if group.startswith("person_"):  # person_ADDRESS__page_also -> [person:ADDRESS]
                group = "person:" + group[len("person_"):]
            if value is None:
                sections[group].pop(name, None)
            else:
                sections.setdefault(group, {})[name] = value
        with open(self.config, "w") as f:
            for group, keys in sections.items():
                f.write("[%s]\n" % group)
                for name, value in keys.items():
                    f.write("%s = %s\n" % (name, value))
                f.write("\n")

    # --- running sevmail ---

    def env(self):
        """The environment sevmail runs in: this one, with the desk's clock if it has one
        and the real clock if not (whatever SEVMAIL_NOW the caller's environment has)."""
        env = dict(os.environ)
        env.pop("SEVMAIL_NOW", None)
        if self.clock is not None:
            env["SEVMAIL_NOW"] = str(int(self.clock))
        return env

    def run(self, *args, check=True, input=None):
        proc = subprocess.run([SEVMAIL, "-c", self.config] + list(args), input=input,
                              capture_output=True, timeout=RUN_TIMEOUT, env=self.env())
        if check and proc.returncode != 0:
            raise AssertionError("sevmail %s exited %d:\n%s%s" % (
                " ".join(args), proc.returncode, proc.stdout.decode(errors="replace"),
                proc.stderr.decode(errors="replace")))
        return proc

    def once(self):
        """One pass of the daemon: read the mailbox, apply, send."""
        return self.run("run", "--once")

    def show(self, incident=1):
        return json.loads(self.run("show", str(incident), "--json").stdout)

    def incidents(self, everything=True):
        args = ["list", "--json"] + (["--all"] if everything else [])
        return json.loads(self.run(*args).stdout)

    def wait_incoming(self, count, timeout=None):
        """Wait until sevmail's own mailbox has count messages (SMTP delivery is async)."""
        return self.stack.wait_for(self.address, count, timeout=timeout)

    # --- the monitoring tool ---

    def alert(self, name="alertmanager-firing.eml"):
        """Alertmanager sends the corpus mail `name` to the incident address."""
        with open(os.path.join(CORPUS, "alerts", name), "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        for header in ("Delivered-To", "Return-Path", "To", "From", "Message-Id"):
            del msg[header]
        msg["From"] = self.monitor
        msg["To"] = self.alert_address
        msg["Message-Id"] = make_msgid(domain="alertmanager-main-0")
        self.stack.send(msg.as_bytes(), self.monitor, [self.alert_address])

    def monitor_mail(self, subject, body="", message_id=None):
        """A plain alert mail from the configured monitoring sender (a generic alert)."""
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = self.monitor
        msg["To"] = self.alert_address
        msg["Subject"] = subject
        msg["Date"] = format_datetime(localtime())
        msg["Message-ID"] = message_id or make_msgid(domain="monitoring.example.com")
        msg.set_content(body or subject + "\n")
        return msg.as_bytes()

    def deliver(self, raw):
        """Put a message straight into sevmail's mailbox, as if the MTA had delivered it."""
        self.stack.append(self.address, raw)

    # --- people ---

    def phone_reply(self, sender, original, text, client="iphone", headers=None):
        """`sender` answers `original` (a mail they received) from a phone: `text` on top,
        then the client's signature and the whole original quoted, as phone clients do."""
        reply_to = parseaddr(original.get("Reply-To") or original["From"])[1]
        quoted = "\n".join("> " + line if line else ">"
                           for line in body_of(original).splitlines())
        sig = {"iphone": "Sent from my iPhone", "android": "Sent from my Galaxy"}[client]
        date = format_datetime(original["Date"].datetime) if original["Date"] else "today"
        body = "%s\n\n%s\n\n> On %s, Incident Desk <%s> wrote:\n>\n%s\n" % (
            text, sig, date, self.address, quoted)
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = sender
        msg["To"] = "Incident Desk <%s>" % reply_to
        msg["Subject"] = "Re: " + original["Subject"]
        msg["Date"] = format_datetime(localtime())
        msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
        msg["In-Reply-To"] = original["Message-ID"]
        msg["References"] = original["Message-ID"]
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body, cte="quoted-printable")
        self.stack.send(msg.as_bytes(), sender, [reply_to])
        return msg

    def inbox(self, who, count, timeout=None):
        return self.stack.wait_for(who, count, timeout=timeout)

    # --- the database, whichever it is ---

    def query(self, sql, args=(), many=None):
        """The rows of sql (SQLite's words, ? or ?N placeholders) in the desk's database;
        a statement that returns none is committed. many: a list of args, one run each."""
        if self.pg is None:
            conn = sqlite3.connect(self.db, timeout=60)
            try:
                if many is not None:
                    conn.executemany(sql, many)
                rows = conn.execute(sql, args).fetchall() if many is None else []
                conn.commit()
                return rows
            finally:
                conn.close()
        import psycopg2
        numbers = []

        def placeholder(m):
            numbers.append(int(m.group(1)) if m.group(1) else max(numbers or [0]) + 1)
            return "%%(p%d)s" % numbers[-1]
        sql = re.sub(r"\?(\d*)", placeholder, sql.replace("%", "%%"))

        def params(values):
            return {"p%d" % n: values[n - 1] for n in numbers}
        conn = psycopg2.connect(self.conninfo)
        try:
            with conn.cursor() as cur:
                if many is not None:
                    cur.executemany(sql, [params(a) for a in many])
                else:
                    cur.execute(sql, params(args))
                rows = cur.fetchall() if cur.description else []
            conn.commit()
            return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                    for r in rows]
        finally:
            conn.close()

    def poison_incidents(self):
        """A fault of a message's own: the database refuses incidents whose title has
        "poison" in it (a trigger raises), whichever the backend."""
        if self.pg is None:
            self.query("CREATE TRIGGER poison BEFORE INSERT ON incidents WHEN NEW.title LIKE "
                       "'%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END")
        else:
            self.query("CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.title LIKE"
                       " '%poison%' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW;"
                       " END $$ LANGUAGE plpgsql;"
                       " CREATE TRIGGER poison BEFORE INSERT ON incidents FOR EACH ROW"
                       " EXECUTE FUNCTION poison()")

    def check_says(self, stdout):
        """What `check` printed, less the lines that name a shared database and its active
        instance (test_store_backends.py tests those)."""
        return "".join(line for line in stdout.decode().splitlines(keepends=True)
                       if self.pg is None or not line.startswith(("database: ",
                                                                  "active instance: ")))

    def intact(self):
        """The database file passes SQLite's own check (a server keeps its own)."""
        return self.pg is not None or self.value("PRAGMA integrity_check") == "ok"

    def value(self, sql, args=()):
        """The first column of the first row of sql."""
        return self.query(sql, args)[0][0]

    # --- what sevmail sent (its outbox), which it controls, unlike the MTA's delivery ---

    def outbox(self, address=None):
        """(outbox kind, recipient, recipient state) of everything sevmail queued, in the
        order it was queued; only `address`'s part with one given."""
        return self.query(
            "SELECT o.kind, r.address, r.state FROM outbox o JOIN outbox_rcpts r"
            " ON r.outbox_id = o.id WHERE ?1 IS NULL OR r.address = ?1"
            " ORDER BY o.id, r.address", (address,))

    def sent_to(self, address):
        """The kind of every mail the SMTP server accepted from sevmail for address."""
        return [kind for kind, _, state in self.outbox(address) if state == "sent"]

    def delivered(self, who, timeout=None):
        """Every mail sevmail has handed over for `who`, once all of it is in who's mailbox
        (a poll with a generous deadline): in the MTA's delivery order, so pick messages
        by what they are, not by their position."""
        return self.stack.wait_for(who, len(self.sent_to(who)), timeout=timeout)


# How long to wait at most for the daemon to log something it is about to do: a deadline
# for slow (loaded, sanitizer) runs, never a measure of speed.
LOG_TIMEOUT = 120


class Daemon:
    """`sevmail run` (with the desk's clock) and its log in a file, so that a test can wait
    for what it says."""

    def __init__(self, desk, log=None):
        self.log = log or os.path.join(desk.dir, "daemon.log")
        with open(self.log, "wb") as f:
            self.proc = subprocess.Popen([SEVMAIL, "-c", desk.config, "run"],
                                         stdout=subprocess.DEVNULL, stderr=f,
                                         env=desk.env())
        # Its signal handlers are in place once it says it is running; a signal before
        # that would simply kill it.
        try:
            self.wait_log("running: ")
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise

    @property
    def pid(self):
        return self.proc.pid

    def poll(self):
        return self.proc.poll()

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_log(self, what, count=1):
        deadline = time.monotonic() + LOG_TIMEOUT
        while self.text().count(what) < count:
            if self.proc.poll() is not None:
                raise AssertionError("the daemon exited %s before logging %r:\n%s"
                                     % (self.proc.returncode, what, self.text()))
            if time.monotonic() > deadline:
                raise AssertionError("the daemon did not log %r within %ss:\n%s"
                                     % (what, LOG_TIMEOUT, self.text()))
            time.sleep(0.1)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=LOG_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # no daemon outlives its test
            self.proc.wait()
            raise
        return self.proc.returncode, self.text()


def body_of(msg):
    """The text/plain body of a received message."""
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def token_address(msg):
    return parseaddr(msg["Reply-To"])[1]


def is_token_address(address, desk):
    local = desk.address.split("@")[0]
    return re.fullmatch(r"%s\+\d+-[a-z2-7]{16}@example\.com" % re.escape(local), address)
