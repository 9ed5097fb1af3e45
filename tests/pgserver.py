#!/usr/bin/python3
"""A private, throw-away PostgreSQL server for sevmail's tests, benchmarks and demo.

Debian's server binaries (initdb, pg_ctl) run as the `postgres` user on a data directory
inside ``base_dir``; the server listens on a Unix socket in that directory and on
127.0.0.1 at a free port, so several can run side by side and none touches the system's
own cluster. The superuser `postgres` connects over the socket without a password; over
TCP every user needs its password (scram-sha-256), which the bad-password tests need.

Library use::

    server = PgServer("/tmp/x")
    server.start()
    conninfo = server.create_database("d1")   # "host=/tmp/x port=... dbname=d1 user=postgres"
    server.restart()                            # the database goes away and comes back
    server.stop()
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time

BIN = "/usr/lib/postgresql/15/bin"
RUNUSER = "/usr/sbin/runuser"
USER = "postgres"


class PgServerError(RuntimeError):
    """The server could not be started; the message carries its log."""


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    """Whether this machine has Debian's PostgreSQL server and a user to run it as."""
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return False
    return os.path.exists(os.path.join(BIN, "pg_ctl"))


class PgServer:
    def __init__(self, base, fsync=False):
        self.base = base
        self.data = os.path.join(base, "data")
        self.log = os.path.join(base, "postgres.log")
        self.port = None
        self.fsync = fsync

    def _as_postgres(self, *args, check=True):
        proc = subprocess.run([RUNUSER, "-u", USER, "--"] + list(args), capture_output=True,
                              timeout=120, cwd="/")
        if check and proc.returncode != 0:
            raise PgServerError("%s exited %d:\n%s%s\n%s" % (
                " ".join(args), proc.returncode, proc.stdout.decode(errors="replace"),
                proc.stderr.decode(errors="replace"), self.tail()))
        return proc

    def tail(self, lines=30):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def start(self):
        pw = pwd.getpwnam(USER)
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)
        os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self._as_postgres(os.path.join(BIN, "initdb"), "-D", self.data, "-U", USER,
                          "-E", "UTF8", "--no-locale", "--auth-local=trust",
                          "--auth-host=scram-sha-256")
        self.port = _free_port()
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\n" % self.port)
            f.write("unix_socket_directories = '%s'\n" % self.base)
            f.write("max_connections = 200\n")
            if not self.fsync:  # tests, not the benchmark: a crash of the machine loses nothing
                f.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        self._pg_ctl("start")

    def _pg_ctl(self, action, mode="fast"):
        args = [os.path.join(BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t",
                "60"]
        if action != "start":
            args += ["-m", mode]
        self._as_postgres(*(args + [action]))

    def stop(self, mode="fast"):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._pg_ctl("stop", mode)

    def restart(self, mode="fast"):
        """The database goes away (every session ends) and comes back."""
        self._pg_ctl("restart", mode)

    def remove(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def conninfo(self, dbname="postgres", user=USER, tcp=False):
        host = "127.0.0.1" if tcp else self.base
        return "host=%s port=%d dbname=%s user=%s" % (host, self.port, dbname, user)

    def connect(self, dbname="postgres"):
        import psycopg2
        conn = psycopg2.connect(self.conninfo(dbname))
        conn.autocommit = True
        return conn

    def sql(self, statement, dbname="postgres"):
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def create_database(self, name):
        """A new, empty database; its conninfo."""
        self.sql('CREATE DATABASE "%s"' % name)
        return self.conninfo(name)

    def drop_database(self, name):
        self.sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


_shared = None


def shared():
    """One server for the whole test process, started on first use and stopped at exit."""
    global _shared
    if _shared is None:
        import atexit
        import tempfile
        base = tempfile.mkdtemp(prefix="sevmail-pg-", dir="/tmp")
        server = PgServer(base)
        server.start()
        atexit.register(server.remove)
        _shared = server
    return _shared


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "start":
        sys.exit("usage: pgserver.py start DIR")
    server = PgServer(sys.argv[2])
    server.start()
    print(server.conninfo(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
