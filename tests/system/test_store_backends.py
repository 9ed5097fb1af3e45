"""The PostgreSQL store as an operator meets it: a wrong connection string or password says
which server and what failed, a database newer than the binary is refused, store-copy
moves a SQLite desk into PostgreSQL with everything in it, and with two `sevmail run` on
one database one is active, the other says so once and takes over when the first stops,
while `ingest` and `check` work beside them. Against a private PostgreSQL server and the
real mail stack."""

import json
import os
import re
import socket

import pgserver
import pytest

from story import Daemon, Desk

pytestmark = pytest.mark.skipif(not pgserver.available(),
                                reason="Debian's PostgreSQL server is not installed")


def pg_desk(mailstack, unique, tmp_path, **overrides):
    return Desk(mailstack, str(tmp_path / "pg"), unique, store="postgresql", **overrides)


def test_no_server_at_the_address_names_it(mailstack, unique, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens there once closed
    desk = Desk(mailstack, str(tmp_path / "d"), unique, store__backend="postgresql",
                store__conninfo="host=127.0.0.1 port=%d dbname=sevmail user=sevmail" % port)
    proc = desk.run("check", check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "cannot connect to the PostgreSQL database" in err
    assert "127.0.0.1" in err and str(port) in err and "refused" in err, err


def test_a_wrong_password_says_so_and_names_the_host(mailstack, unique, tmp_path):
    desk = pg_desk(mailstack, unique, tmp_path)
    desk.pg.sql("CREATE ROLE r_%s LOGIN PASSWORD 'right-password'" % unique)
    conninfo = desk.pg.conninfo(desk.pg_database, user="r_%s" % unique, tcp=True)
    with open(os.path.join(desk.dir, "db-password"), "w") as f:
        f.write("wrong-password\n")
    desk.write_config(store__conninfo=conninfo,
                      store__password_file=os.path.join(desk.dir, "db-password"))
    proc = desk.run("list", check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "password authentication failed for user \"r_%s\"" % unique in err, err
    assert "127.0.0.1" in err
    # the right one works
    with open(os.path.join(desk.dir, "db-password"), "w") as f:
        f.write("right-password\n")
    desk.pg.sql('GRANT ALL ON SCHEMA public TO "r_%s"' % unique, dbname=desk.pg_database)
    assert desk.run("list").returncode == 0


def test_a_newer_schema_is_refused_at_start(mailstack, unique, tmp_path):
    desk = pg_desk(mailstack, unique, tmp_path)
    desk.run("check")
    desk.query("UPDATE sevmail_schema SET version = 99")
    proc = desk.run("run", "--once", check=False)
    assert proc.returncode == 1
    assert re.search(r"schema version 99 is newer than this sevmail knows \(\d+\); use a "
                     r"newer sevmail", proc.stderr.decode()), proc.stderr.decode()


def test_store_copy_moves_a_sqlite_desk_into_postgresql(mailstack, unique, tmp_path):
    desk = Desk(mailstack, str(tmp_path / "lite"), unique, store="sqlite")
    desk.run("subscribe", "stakeholders", desk.dave)
    desk.deliver(desk.monitor_mail("Disk full on db-1", "disk full\n"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK\nSEV2\nIMPACT: reports are late")
    desk.wait_incoming(1)
    desk.once()
    before = desk.show(1)
    outbox = desk.run("outbox", "--all", "--json").stdout
    server = pgserver.shared()
    target = server.create_database("c_" + unique)
    proc = desk.run("store-copy", "--to", target)
    out = proc.stdout.decode()
    assert re.search(r"^incidents +1 rows$", out, re.M), out
    assert re.search(r"^events +\d+ rows$", out, re.M) and "the row counts match" in out

    # the same desk on PostgreSQL: the same incident, outbox and subscribers
    desk.write_config(store__backend="postgresql", store__conninfo=target)
    assert desk.show(1) == before
    assert desk.run("outbox", "--all", "--json").stdout == outbox
    assert desk.dave in desk.run("members", "stakeholders").stdout.decode()
    # new rows go on after the copied ones; replies to the old page still match
    desk.run("declare", "--severity", "3", "--title", "Printer on fire")
    assert [i["id"] for i in desk.incidents()] == [2, 1]
    desk.phone_reply(desk.alice, page, "RESOLVED")
    desk.wait_incoming(2)
    desk.once()
    assert desk.show(1)["status"] == "resolved"

    # a database with rows is never filled again
    again = desk.run("store-copy", "--to", target, check=False)
    assert again.returncode == 1
    assert "rows already; store-copy only fills an empty database" in again.stderr.decode()


def test_store_copy_needs_a_target(desk):
    proc = desk.run("store-copy", check=False)
    assert proc.returncode == 2 and b"--to CONNINFO" in proc.stderr


def test_one_active_instance_the_other_stands_by_and_takes_over(mailstack, unique, tmp_path):
    desk = pg_desk(mailstack, unique, tmp_path, store__takeover_interval=1)
    assert "active instance: none" in desk.run("check").stdout.decode()
    first = Daemon(desk, os.path.join(desk.dir, "first.log"))
    first.wait_log("active: this instance reads INBOX")
    second = Daemon(desk, os.path.join(desk.dir, "second.log"))
    try:
        host = socket.gethostname()[:30]
        second.wait_log("standby: %s pid %d is the active instance; trying every 1 s"
                        % (host, first.pid))
        check = desk.run("check").stdout.decode()
        assert "database: PostgreSQL database %s on " % desk.pg_database in check
        assert re.search(r"schema version \d+\n", check)
        assert "active instance: %s pid %d\n" % (host, first.pid) in check
        # mail from another machine's MTA is applied while both run
        desk.run("ingest", "--no-send", input=desk.monitor_mail("Queue stuck on mq-1"))
        # the active one pages (the standby sends nothing)
        [page] = desk.inbox(desk.alice, 1)
        assert "Queue stuck on mq-1" in page["Subject"]
        # run --once does not run beside an active instance
        once = desk.run("run", "--once", check=False)
        assert once.returncode == 1
        assert "pid %d is the active instance" % first.pid in once.stderr.decode()
        # a stop hands over
        first.stop()
        second.wait_log("active: this instance reads INBOX, runs the timers and sends mail "
                        "(took over)")
        assert second.text().count("standby: ") == 1, "the standby said it once"
        desk.deliver(desk.monitor_mail("Disk full on db-2"))
        second.wait_log("INBOX UID 1 ")
        assert "active instance: %s pid %d\n" % (host, second.pid) in \
            desk.run("check").stdout.decode()
        assert "pid %d" % second.pid not in first.text()
    finally:
        for d in (first, second):
            if d.poll() is None:
                d.stop()
    assert [i["title"] for i in desk.incidents()] == ["Disk full on db-2",
                                                      "Queue stuck on mq-1"]
    assert json.loads(desk.run("outbox", "--json").stdout) == []
