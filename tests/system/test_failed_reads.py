"""A read the database cannot answer is an error, never "nothing there": the message that
needed it is not applied (here: the incident's action items cannot be read, and a reply
that read them as "none" would have erased them), and once the fault is gone it is applied
exactly once. Against the real Dovecot and OpenSMTPD."""

import json
import sqlite3

import pytest


def action_items(desk):
    db = sqlite3.connect(desk.db)
    try:
        cols = [r[1] for r in db.execute("PRAGMA table_xinfo(action_items)")]
        col = "body" if "body" in cols else "text"
        return [r[0] for r in db.execute("SELECT %s FROM action_items ORDER BY position" % col)]
    finally:
        db.close()


def events(desk, kind):
    db = sqlite3.connect(desk.db)
    try:
        return db.execute("SELECT count(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]
    finally:
        db.close()


def unreadable_action_items(desk, on):
    """Reading action_items.text fails at run time (an integer overflow in a generated
    column); writing the table still works."""
    db = sqlite3.connect(desk.db)
    if on:
        db.executescript(
            "ALTER TABLE action_items RENAME COLUMN text TO body;"
            "ALTER TABLE action_items ADD COLUMN text TEXT"
            " GENERATED ALWAYS AS (abs(-9223372036854775807 - 1)) VIRTUAL;")
    else:
        db.executescript("ALTER TABLE action_items DROP COLUMN text;"
                         "ALTER TABLE action_items RENAME COLUMN body TO text;")
    db.close()


@pytest.mark.sqlite_only("the unreadable column is made with SQLite's generated columns")
def test_a_failed_read_fails_the_message_and_it_is_applied_once_later(desk):
    desk.deliver(desk.monitor_mail("DiskFull db-1", "disk full on db-1\n"))
    desk.once()
    [page] = desk.inbox(desk.alice, 1)
    desk.phone_reply(desk.alice, page, "ACK\nACTION: alert on disk usage at 80%")
    desk.wait_incoming(2)  # the alert, then the reply
    desk.once()
    assert action_items(desk) == ["alert on disk usage at 80%"]
    notes = events(desk, "note")

    unreadable_action_items(desk, True)
    desk.phone_reply(desk.alice, page, "UPDATE: old logs removed, 40% free")
    desk.wait_incoming(3)
    desk.once()
    # not applied: the action items are still there and no update was recorded
    assert action_items(desk) == ["alert on disk usage at 80%"]
    assert events(desk, "note") == notes
    [q] = json.loads(desk.run("quarantine", "--json").stdout)
    assert "cannot read the action items" in q["error"], q
    assert "integer overflow" in q["error"], q

    unreadable_action_items(desk, False)
    desk.run("quarantine", "retry", str(q["id"]))
    assert json.loads(desk.run("quarantine", "--json").stdout) == []
    assert action_items(desk) == ["alert on disk usage at 80%"]
    assert events(desk, "note") == notes + 1
    db = sqlite3.connect(desk.db)
    assert "old logs removed" in db.execute("SELECT latest_update FROM incidents").fetchone()[0]
    db.close()
    # and the next pass does not apply it again
    desk.once()
    assert events(desk, "note") == notes + 1
