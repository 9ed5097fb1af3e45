"""Shared fixtures for sevmail's system tests: one private mail stack per session."""

import os
import shutil
import sys
import tempfile
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mailstack import MailStack  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(why): a test of the SQLite file itself (its locks, its file, "
                   "a fault made with its schema); skipped with STORE=postgresql")


def pytest_collection_modifyitems(config, items):
    """With STORE=postgresql, the tests of the SQLite file itself are skipped, saying why."""
    if os.environ.get("STORE", "sqlite") != "postgresql":
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            item.add_marker(pytest.mark.skip(reason="SQLite only: " + mark.args[0]))


@pytest.fixture(scope="session")
def mailstack(request):
    """A running Dovecot + OpenSMTPD on 127.0.0.1, shared by the whole session.

    Tests keep out of each other's way by using addresses made from `unique`."""
    # Not pytest's tmp_path: its base is mode 0700, which Dovecot's and smtpd's
    # unprivileged processes cannot enter, and its long paths eat into the 108
    # bytes a unix socket path may have.
    base = tempfile.mkdtemp(prefix="sevmail-mail-", dir="/tmp")
    os.chmod(base, 0o755)
    stack = MailStack(base)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        # Keep the configs, logs and mailboxes around when something failed.
        if request.session.testsfailed:
            sys.stderr.write("\nmail stack left in %s\n" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def unique():
    """A short token for building addresses no other test uses."""
    return uuid.uuid4().hex[:10]


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from story import Desk  # noqa: E402


@pytest.fixture
def desk(mailstack, unique, tmp_path):
    """A sevmail of its own (config, database, addresses) on the shared mail stack, with
    dave subscribed to the stakeholders list."""
    d = Desk(mailstack, str(tmp_path / "desk"), unique)
    d.run("subscribe", "stakeholders", d.dave)
    return d
