"""Fixtures for the reliability tests: the system tests' private mail stack (`mailstack`),
`unique` and `desk` (loaded from tests/system/conftest.py), and `figure`, which prints a
measured figure and appends it to the figures file (SEVMAIL_FIGURES, default
build/reliability-figures.txt) that `make check-reliability` prints at the end."""

import importlib.util
import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, TESTS)
sys.path.insert(0, HERE)

_spec = importlib.util.spec_from_file_location(
    "sevmail_system_conftest", os.path.join(TESTS, "system", "conftest.py"))
_system = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_system)
mailstack = _system.mailstack
unique = _system.unique
desk = _system.desk
pytest_collection_modifyitems = _system.pytest_collection_modifyitems

FIGURES = os.environ.get("SEVMAIL_FIGURES") or os.path.join(ROOT, "build",
                                                            "reliability-figures.txt")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long reliability test (make check-reliability "
                                       "runs it; -m 'not slow' leaves it out)")
    _system.pytest_configure(config)


@pytest.fixture
def figure(request):
    """figure(name, value, unit=""): print one measured figure and keep it for the report."""
    test = request.node.name

    def record(name, value, unit=""):
        line = "%s: %s = %s%s" % (test, name, value, (" " + unit) if unit else "")
        print("FIGURE " + line, flush=True)
        os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
        with open(FIGURES, "a") as f:
            f.write("%s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), line))
    return record
