#!/usr/bin/python3
"""sevmail's benchmarks (`make bench`): start a private Dovecot + OpenSMTPD (tests/
mailstack.py), run each benchmark against the real ./sevmail, print one table.

Benchmarks print figures and never fail on a number; the exit status is 1 only when a
run broke (a crash, a timeout, a wrong outcome such as a missing page).

Environment (sizes, all optional):
  BENCH_ONLY=storm,storm-pg,latency,fanout,memory,reply,history   which benchmarks (default: all)
  BENCH_STORM=10000 BENCH_STORM_DISTINCT=50      storm backlog and distinct alerts
  BENCH_MEMORY_SMALL=1000                        the small backlog of the memory benchmark
  BENCH_LATENCY=200                              page latency trials
  BENCH_REPLY=100                                reply-to-state trials
  BENCH_FANOUT=10000                             fan-out subscribers
  BENCH_HISTORY=100000 BENCH_HISTORY_RUNS=5      incidents of the long history, runs per figure
  BENCH_KEEP=1                                   keep the temp dir (mailboxes, databases)
  BENCH_BEFORE=/path/to/older/sevmail            storm and latency benchmarks with that
                                                 binary too, in the same run, just before
                                                 ./sevmail's; one table with both columns
"""

import os
import platform
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import story  # noqa: E402  (bench/common.py put tests/ on the path)
import fanout  # noqa: E402
import history  # noqa: E402
import latency  # noqa: E402
import storm  # noqa: E402

ORDER = [
    ("storm", storm.storm),
    ("storm-pg", storm.storm_pg),
    ("memory", storm.memory),
    ("latency", latency.page_latency),
    ("reply", latency.reply_latency),
    ("history", history.history),
    ("fanout", fanout.fanout),  # last: leaves the server delivering 10,000s of mails
]


class Results:
    def __init__(self):
        self.rows = []
        self.problems = []

    def add(self, bench, measure, result, target="", verdict=""):
        self.rows.append((bench, measure, str(result), target, verdict))
        common.log("%s | %s | %s | %s | %s", bench, measure, result, target, verdict)

    def broken(self, why):
        self.problems.append(why)
        common.log("BROKEN: %s", why)

    def table(self):
        head = ("benchmark", "measure", "result", "target", "")
        rows = [head] + self.rows
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = []
        last = None
        for n, r in enumerate(rows):
            cells = list(r)
            if n > 0 and r[0] == last:
                cells[0] = ""
            else:
                last = r[0]
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


# the benchmarks BENCH_BEFORE runs with both binaries
COMPARED = {"storm", "storm-pg", "latency"}


def use_binary(path):
    common.SEVMAIL = path
    story.SEVMAIL = path


def compare(fn, stack, results, before):
    """fn with the BENCH_BEFORE binary, then with ./sevmail, back to back; one row per
    measure with both results."""
    after_binary = common.SEVMAIL
    runs = []
    for label, binary in (("before", before), ("after", after_binary)):
        common.log("--- (%s: %s)", label, binary)
        use_binary(binary)
        part = Results()
        try:
            fn(stack, part)
        except Exception as e:  # a broken run: report it, go on with the other binary
            traceback.print_exc()
            part.broken("%s: %s" % (type(e).__name__, e))
            part.add(fn.__name__, "(run broke)", "BROKEN", "", "BROKEN")
        finally:
            use_binary(after_binary)
        results.problems += ["%s: %s" % (label, p) for p in part.problems]
        runs.append(part.rows)
    old = {(r[0], r[1]): r for r in runs[0]}
    for r in runs[1]:
        b = old.pop((r[0], r[1]), None)
        results.add(r[0], r[1], "%s -> %s" % (b[2] if b else "-", r[2]), r[3], r[4])
    for r in old.values():
        results.add(r[0], r[1], "%s -> -" % r[2], r[3], r[4])


def machine():
    lines = ["machine: %s, %d CPUs, Python %s" % (platform.platform(), os.cpu_count(),
                                                  platform.python_version())]
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")),
                         "?")
        with open("/proc/meminfo") as f:
            mem = int(next(l.split()[1] for l in f if l.startswith("MemTotal"))) // 1024
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        lines.append("cpu: %s; memory: %d MiB; load average now: %s" % (model, mem, load))
    except (OSError, StopIteration):
        pass
    return "\n".join(lines)


def main():
    if not os.access(common.SEVMAIL, os.X_OK):
        sys.stderr.write("bench: %s missing: run make first\n" % common.SEVMAIL)
        return 1
    only = [w.strip() for w in os.environ.get("BENCH_ONLY", "").split(",") if w.strip()]
    unknown = set(only) - {name for name, _ in ORDER}
    if unknown:
        sys.stderr.write("bench: unknown benchmark(s) %s\n" % ", ".join(sorted(unknown)))
        return 2
    before = os.environ.get("BENCH_BEFORE")
    if before and not os.access(before, os.X_OK):
        sys.stderr.write("bench: BENCH_BEFORE=%s is not an executable\n" % before)
        return 2
    results = Results()
    started = time.monotonic()
    with open("/proc/loadavg") as f:
        load_before = " ".join(f.read().split()[:3])
    stack = common.start_stack()
    common.log("mail stack in %s (IMAP %d, SMTP %d)", stack.base_dir, stack.imap_port,
               stack.smtp_port)
    try:
        for name, fn in ORDER:
            if only and name not in only:
                continue
            t0 = time.monotonic()
            common.log("--- %s", name)
            try:
                if before and name in COMPARED:
                    compare(fn, stack, results, before)
                else:
                    fn(stack, results)
            except Exception as e:  # a broken run: report it, go on with the others
                traceback.print_exc()
                results.broken("%s: %s: %s" % (name, type(e).__name__, e))
                results.add(name, "(run broke)", "BROKEN", "", "BROKEN")
            common.log("--- %s took %.0fs", name, time.monotonic() - t0)
    finally:
        keep = os.environ.get("BENCH_KEEP") == "1"
        common.stop_stack(stack, keep=keep)
        if keep:
            common.log("kept %s", stack.base_dir)
    print()
    print(machine() + "; at the start: " + load_before)
    print("sevmail benchmarks, %.0f s in all" % (time.monotonic() - started))
    print()
    if before:
        print("results: before (%s) -> after (%s), measured back to back in this run"
              % (before, common.SEVMAIL))
        print()
    print(results.table())
    if results.problems:
        print()
        for p in results.problems:
            print("BROKEN: " + p)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
