"""The store's unit tests (tests/unit/test_store.c) against PostgreSQL: each test of the
binary runs alone on a new, empty database of a private server (SEVMAIL_TEST_CONNINFO),
so the one set of statements is checked on both backends."""

import os
import subprocess
import uuid

import pytest

from story import ROOT

UNIT = os.environ.get("SEVMAIL_UNIT_STORE") or os.path.join(ROOT, "build", "release", "tests",
                                                             "test_store")


def test_the_store_unit_tests_pass_on_postgresql():
    import pgserver
    if not pgserver.available():
        pytest.skip("Debian's PostgreSQL server is not installed (scripts/ensure-deps)")
    assert os.path.exists(UNIT), "build the unit tests first: make unit"
    listed = subprocess.run([UNIT, "-l"], capture_output=True, check=True, timeout=60)
    paths = [p for p in listed.stdout.decode().split() if p.startswith("/")]
    assert len(paths) >= 2
    server = pgserver.shared()
    for path in paths:
        name = "u_" + uuid.uuid4().hex[:12]
        env = dict(os.environ, SEVMAIL_TEST_CONNINFO=server.create_database(name))
        proc = subprocess.run([UNIT, "-p", path], capture_output=True, env=env, timeout=120)
        server.drop_database(name)
        assert proc.returncode == 0, "%s on PostgreSQL:\n%s%s" % (
            path, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))
