#!/usr/bin/python3
"""Where the storm ingest spends its time and memory: sets up the storm backlog
(BENCH_PROFILE_N messages, default 2000, 50 distinct alerts) on a private mail stack and
runs one `sevmail run --once` under a tool, then prints the tool's summary.

    /usr/bin/python3 bench/profile.py perf        # perf record -e cpu-clock -g, top symbols
    /usr/bin/python3 bench/profile.py callgrind   # valgrind --tool=callgrind, top functions
    /usr/bin/python3 bench/profile.py massif      # valgrind --tool=massif, heap peak
    /usr/bin/python3 bench/profile.py memcheck    # valgrind leak check
    /usr/bin/python3 bench/profile.py strace      # strace -c -w: wall time in the waiting calls
    /usr/bin/python3 bench/profile.py plain       # just the wall time, CPU and peak RSS
    /usr/bin/python3 bench/profile.py nofsync     # the same under eatmydata (fsync a no-op):
                                                  # how much of the wall time is the disk

The tool's own files are kept in a directory under /tmp that the last line names.
(Hardware counters are not available on every VM; perf uses the cpu-clock software event.)
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import storm  # noqa: E402


def tool_argv(tool, out):
    if tool == "perf":
        return ["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-g",
                "-o", os.path.join(out, "perf.data"), "--"]
    if tool == "callgrind":
        return ["valgrind", "--tool=callgrind",
                "--callgrind-out-file=" + os.path.join(out, "callgrind.out")]
    if tool == "massif":
        return ["valgrind", "--tool=massif", "--massif-out-file=" + os.path.join(out, "massif.out")]
    if tool == "memcheck":
        return ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                "--num-callers=25", "--log-file=" + os.path.join(out, "memcheck.txt")]
    if tool == "strace":
        # only the calls that wait (the disk, the network), so that tracing costs little
        return ["strace", "-f", "-c", "-w", "--seccomp-bpf",
                "-e", "trace=fdatasync,fsync,pselect6,poll,select,connect",
                "-o", os.path.join(out, "strace.txt")]
    if tool == "plain":
        return []
    if tool == "nofsync":
        return ["eatmydata"]
    raise SystemExit(__doc__)


def report(tool, out):
    def sh(argv):
        return subprocess.run(argv, capture_output=True, text=True).stdout

    if tool == "perf":
        data = os.path.join(out, "perf.data")
        print(sh(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none", "--sort", "dso",
                  "--percent-limit", "1"]))
        print(sh(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none",
                  "--sort", "dso,symbol", "--percent-limit", "0.7"]))
    elif tool == "callgrind":
        f = os.path.join(out, "callgrind.out")
        print(sh(["callgrind_annotate", "--inclusive=no", f])[:6000])
        print(sh(["callgrind_annotate", "--inclusive=yes", f])[:8000])
    elif tool == "massif":
        print(sh(["ms_print", os.path.join(out, "massif.out")])[:12000])
    elif tool == "memcheck":
        with open(os.path.join(out, "memcheck.txt")) as f:
            text = f.read()
        print(text[-15000:])
    elif tool == "strace":
        with open(os.path.join(out, "strace.txt")) as f:
            print("".join(f.readlines()[:25]))


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else "plain"
    n = common.env_int("BENCH_PROFILE_N", 2000)
    distinct = min(50, n)
    out = tempfile.mkdtemp(prefix="sevmail-profile-", dir="/tmp")
    prefix = tool_argv(tool, out)
    stack = common.start_stack()
    try:
        desk = storm.storm_desk(stack, "prof")
        storm.load_backlog(stack, desk, n, distinct, seed=3)
        m = common.run_measured(prefix + [common.SEVMAIL, "-c", desk.config, "run", "--once"],
                                timeout=3600)
        if m.rc != 0:
            print(m.stderr.decode(errors="replace")[-3000:])
            return 1
        got, want = storm.check_outcome(desk, n, distinct)
        print("%s: %d messages: %.2f s wall, %.2f s user, %.2f s sys, peak RSS %.1f MiB "
              "(of the whole child, tool included); outcome %s" % (
                  tool, n, m.wall, m.user, m.sys, m.maxrss_mib,
                  "as expected" if got == want else "%r, expected %r" % (got, want)))
        report(tool, out)
    finally:
        common.stop_stack(stack)
    print("files in " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
