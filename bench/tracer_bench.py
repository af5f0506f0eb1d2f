# SPDX-License-Identifier: MIT
"""Speed of the vtrace tracer against its floors and peers, for the interpreter running this.

Usage: python bench/tracer_bench.py --pybuild BUILD/py/X.Y [--rounds 9] [--no-dump]
                                    [--only fib|mixed] [--callgrind N]

BUILD/py/X.Y holds the vtrace package (`make tracer`) and, in bench/, the floors
(`make bench-floors`). Two workloads, recursive fib(25) and a deterministic mixed one (dicts,
json, re, classes, sorting with key functions), each run under: nothing (plain), a profile
callback that does nothing (floor-profile), a frame-evaluation hook that only stores a 16-byte
TSC record (floor-evalframe), vtrace, vtrace with C calls, and cProfile. Every round runs every
variant once, in-process, the tracer started before and stopped after the timed call; the table
gives medians over the rounds, as ratios to plain and as nanoseconds added per Python call.
Times are the thread's CPU time (the machines this runs on are shared), except for dumps.
Then a dump measurement: about two million calls traced into a ring big enough to hold them
all, dump() timed (median of several) and the file's size per call. Prints Markdown.
--callgrind N instead counts instructions per call of fib(N) under valgrind: exact where
timings are noisy (the difference between a fib(N) and a fib(2) process, per call).
"""
import argparse
import cProfile
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

# ---- workloads ----


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


WORD = re.compile(r"[a-z]+")
NUM = re.compile(r"\d+")


class Account:
    __slots__ = ("name", "owner", "balance", "tags")

    def __init__(self, name, owner, balance, tags):
        self.name = name
        self.owner = owner
        self.balance = balance
        self.tags = tags

    def deposit(self, amount):
        self.balance += amount
        return self.balance

    def score(self):
        return self.balance * (len(self.tags) + 1) % 997

    def to_dict(self):
        return {"name": self.name, "owner": self.owner, "balance": self.balance,
                "tags": list(self.tags)}

    @classmethod
    def from_dict(cls, d):
        return cls(d["name"], d["owner"], d["balance"], tuple(d["tags"]))


class Ledger:
    def __init__(self):
        self.by_owner = {}

    def add(self, acc):
        self.by_owner.setdefault(acc.owner, []).append(acc)

    def total(self, owner):
        return sum(a.balance for a in self.by_owner.get(owner, ()))

    def richest(self, n):
        return sorted(self.by_owner, key=self.total, reverse=True)[:n]


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def scale(self, k):
        return Vec(self.x * k, self.y * k)

    @property
    def norm1(self):
        return abs(self.x) + abs(self.y)


def walk(n, seed):
    p = Vec(0, 0)
    step = Vec(seed % 5 - 2, seed % 3 - 1)
    for i in range(n):
        p = p + step.scale(i % 4)
        if p.norm1 > 50:
            p = Vec(0, 0)
    return p.norm1


def normalize(w):
    return w if len(w) < 6 else w[:6]


def tokenize(line):
    return WORD.findall(line)


def count_words(lines):
    counts = {}
    for line in lines:
        for w in tokenize(line):
            w = normalize(w)
            counts[w] = counts.get(w, 0) + 1
    return counts


def bump(m):
    return str(int(m.group()) + 1)


def renumber(lines):
    return [NUM.sub(bump, line) for line in lines]


def sort_key(acc):
    return (acc.score(), acc.name)


def roundtrip(accounts):
    text = json.dumps([a.to_dict() for a in accounts])
    return [Account.from_dict(d) for d in json.loads(text)]


def bulk(lines, r):
    """C-heavy work with few calls: what a real program does between its function calls."""
    text = "\n".join(sorted(lines, reverse=r % 2 == 1))
    swapped = NUM.sub("#", WORD.sub("w", text))
    table = json.loads(json.dumps({"r": r, "lines": lines, "swapped": swapped}))
    return len(table["lines"]) + text.count("ka") + len(swapped)


def make_data(seed=1234, n_acc=2000, n_lines=2000):
    rnd = random.Random(seed)
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "xe", "zu"]

    def word():
        return "".join(rnd.choice(syll) for _ in range(rnd.randint(1, 3)))

    accounts = [Account(word(), word(), rnd.randint(0, 10000),
                        tuple(word() for _ in range(rnd.randint(0, 4)))) for _ in range(n_acc)]
    lines = [" ".join(word() if rnd.random() < 0.8 else str(rnd.randint(0, 999))
                      for _ in range(12)) for _ in range(n_lines)]
    return accounts, lines


def mixed(data, rounds=18):
    accounts, lines = data
    check = 0
    for r in range(rounds):
        accs = roundtrip(accounts)
        ledger = Ledger()
        for i, a in enumerate(accs):
            a.deposit(i % 7)
            ledger.add(a)
        accs.sort(key=sort_key)
        check += accs[0].score() + len(ledger.richest(5))
        counts = count_words(lines)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        check += sum(c for _, c in top) + len(renumber(lines[r::3]))
        check += walk(6000, r)
        check += bulk(lines, r)
    return check


# ---- variants: (start, stop) pairs around the timed call ----

class Variant:
    def __init__(self, name, start=None, stop=None, missing=None):
        self.name = name
        self.start = start or (lambda: None)
        self.stop = stop or (lambda: None)
        self.missing = missing  # why it cannot run, or None

    def stop_quietly(self):
        try:
            self.stop()
        except Exception:
            pass


def load_floors():
    out = []
    try:
        import _floor_profile
        out.append(Variant("floor-profile", _floor_profile.start, _floor_profile.stop))
    except ImportError as e:
        out.append(Variant("floor-profile", missing="not built (%s)" % e))
    try:
        import _floor_evalframe
        out.append(Variant("floor-evalframe", _floor_evalframe.start, _floor_evalframe.stop))
    except ImportError as e:
        out.append(Variant("floor-evalframe", missing="not built (%s)" % e))
    return out


def load_vtrace():
    """The vtrace module, or the reason it cannot be imported."""
    try:
        import vtrace
        return vtrace, None
    except Exception as e:  # any import failure means the row cannot run
        return None, "not built (%s: %s)" % (type(e).__name__, e)


def vtrace_tracer(vtrace, c_calls, events=None, ring_file=True):
    """A Tracer as a user makes one: the default ring (in a ring file unless ring_file is
    False) unless `events` asks for more."""
    kwargs = {"c_calls": c_calls, "quiet": True, "dump_on_exception": False}
    if not ring_file:
        kwargs["ring_file"] = False
    if events:
        kwargs["buffer_size"] = events
    return vtrace.Tracer(**kwargs)


def vtrace_variants(vtrace, why):
    out = []
    # "vtrace" keeps its ring in the ring file (the default); "--no-ring-file" in anonymous
    # memory: side by side, what the black box costs on the hot path.
    for name, c_calls, ring_file in (("vtrace", False, True), ("vtrace --no-ring-file", False, False),
                                     ("vtrace --c-calls", True, True)):
        if vtrace is None:
            out.append(Variant(name, missing=why))
            continue
        holder = {}

        def start(c_calls=c_calls, holder=holder, ring_file=ring_file):
            holder["t"] = vtrace_tracer(vtrace, c_calls, ring_file=ring_file)
            holder["t"].start()

        def stop(holder=holder):
            holder.pop("t").stop()
        out.append(Variant(name, start, stop))
    return out


def cprofile_variant():
    holder = {}

    def start():
        holder["p"] = cProfile.Profile()
        holder["p"].enable()

    def stop():
        holder.pop("p").disable()
    return Variant("cProfile", start, stop)


# ---- measurement ----

def timed(variant, fn):
    """CPU time of one run: on a machine shared with other jobs, wall time mostly measures
    them, while the thread's CPU time stays within a few percent from run to run."""
    gc.collect()
    variant.start()
    t0 = time.thread_time_ns()
    fn()
    t1 = time.thread_time_ns()
    variant.stop()
    return t1 - t0


def count_calls(fn):
    """Python calls (generator resumes included, as a frame hook sees them) and C calls.
    Counted through sys.setprofile, which unlike cProfile needs no sys.monitoring tool id."""
    counts = {"call": 0, "c_call": 0}

    def count(frame, event, arg):
        if event in counts:
            counts[event] += 1
    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return counts["call"], counts["c_call"] - 1  # minus sys.setprofile(None) itself


def measure(variants, fn, rounds):
    for v in variants:  # warm up: caches, specialization, the tracers' first allocations
        if v.missing:
            continue
        try:
            timed(v, fn)
        except Exception as e:  # the row says why; the other variants still run
            v.stop_quietly()
            v.missing = "failed: %s: %s" % (type(e).__name__, e)
    runnable = [v for v in variants if not v.missing]
    times = {v.name: [] for v in runnable}
    for r in range(rounds):
        k = r % len(runnable)  # rotate the order so no variant always runs after another
        for v in runnable[k:] + runnable[:k]:
            times[v.name].append(timed(v, fn))
    return ({name: statistics.median(ts) for name, ts in times.items()},
            {name: min(ts) for name, ts in times.items()})


def measure_elsewhere(args, wname, name):
    """Median and best of `name` as multiples of plain, from a child process that runs only
    plain and `name`: for a variant this process can no longer start (a tool id taken)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--rounds", str(args.rounds), "--only",
           wname.split("(")[0], "--variants", "plain," + name, "--raw"]
    if args.pybuild:
        cmd += ["--pybuild", args.pybuild]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    res = json.loads(out)[wname]
    if name not in res:
        raise RuntimeError("%s did not run in a process of its own either" % name)
    return (res[name][0] / res["plain"][0], res[name][1] / res["plain"][1])


def speed_table(args, workloads, variants):
    lines = ["| workload | variant | median CPU ms | x plain | x floor-evalframe | ns/call over plain "
             "| x plain (best runs) |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    summary = []
    for wname, fn in workloads:
        py, c = count_calls(fn)
        med, best = measure(variants, fn, args.rounds)
        plain = med["plain"]
        for v in variants:
            if v.missing and v.missing.startswith("failed") and "plain" in med:
                ratio, best_ratio = measure_elsewhere(args, wname, v.name)
                med[v.name], best[v.name] = ratio * plain, best_ratio * best["plain"]
                summary.append("%s: %s measured in a process of its own, against that process's "
                               "plain runs (here it %s)." % (wname, v.name, v.missing))
        floor = med.get("floor-evalframe")
        for v in variants:
            if v.name not in med:
                lines.append("| %s | %s | %s | | | | |" % (wname, v.name, v.missing))
                continue
            t = med[v.name]
            lines.append("| %s | %s | %.1f | %.2f | %s | %s | %.2f |" % (
                wname, v.name, t / 1e6, t / plain,
                "%.2f" % (t / floor) if floor else "",
                "" if v.name == "plain" else "%.1f" % ((t - plain) / py),
                best[v.name] / best["plain"]))
        summary.append("%s: %d Python calls, %d C calls per run." % (wname, py, c))
        if "vtrace" in med:
            summary.append("%s: %s" % (wname, recorded(fn, py, c)))
        if "vtrace" in med and floor:
            summary.append("%s: vtrace / floor-evalframe = %.2f (target <= 1.25); vtrace %.2fx plain."
                           % (wname, med["vtrace"] / floor, med["vtrace"] / plain))
        if "vtrace" in med and "vtrace --no-ring-file" in med:
            summary.append("%s: ring file / anonymous ring = %.3f median, %.3f best runs (target <= 1.02)."
                           % (wname, med["vtrace"] / med["vtrace --no-ring-file"],
                              best["vtrace"] / best["vtrace --no-ring-file"]))
        if "vtrace --c-calls" in med and "cProfile" in med:
            summary.append("%s: vtrace --c-calls / cProfile = %.2f (target <= 1.00)."
                           % (wname, med["vtrace --c-calls"] / med["cProfile"]))
    return lines, summary


def recorded(fn, py, c):
    """What vtrace recorded of one run, so that a tracer dropping events cannot look fast."""
    import vtrace
    out = []
    for c_calls, calls in ((False, py), (True, py + c)):
        tracer = vtrace_tracer(vtrace, c_calls, events=2 * calls + 4096)
        tracer.clear()
        tracer.start()
        fn()
        tracer.stop()
        out.append("%.3f" % (tracer.stats()["total"] / (2.0 * calls)))
        del tracer
    return ("vtrace recorded %s of the expected events (2 per call), with C calls %s."
            % tuple(out))


def raw_medians(workloads, variants, rounds):
    """For --raw: {workload: {variant: [median ns, best ns]}}."""
    out = {}
    for wname, fn in workloads:
        med, best = measure(variants, fn, rounds)
        out[wname] = {name: [med[name], best[name]] for name in med}
    return out


def ring_rows(vtrace, why, repeats):
    """What start() costs to set up the default ring (1M events): in a ring file (its space
    reserved by posix_fallocate, pages touched as the ring fills) and in anonymous memory. Each start maps anew
    (the options alternate), and the wall time of start() is the figure."""
    lines = ["| ring of %d events | start() wall ms (median of %d) | min | ring + arena + tables MB |"
             % (vtrace.DEFAULT_BUFFER_SIZE if vtrace else 0, repeats), "| --- | ---: | ---: | ---: |"]
    if vtrace is None:
        return lines + ["| | vtrace: %s | | |" % why]
    times = {True: [], False: []}
    size = 0
    for _ in range(repeats):
        for ring_file in (True, False):
            t = vtrace_tracer(vtrace, False, ring_file=ring_file)
            t0 = time.perf_counter_ns()
            t.start()
            times[ring_file].append(time.perf_counter_ns() - t0)
            t.stop()
            path = vtrace._vtrace.ring_info()[0]
            if path:
                size = os.path.getsize(path)
    for ring_file in (True, False):
        lines.append("| %s | %.1f | %.1f | %s |" % (
            "ring file" if ring_file else "anonymous (--no-ring-file)",
            statistics.median(times[ring_file]) / 1e6, min(times[ring_file]) / 1e6,
            "%.1f" % (size / 1e6) if size else ""))
    return lines


def fib_2m():
    """2,056,914 calls: fib(29) then fib(26)."""
    return fib(29) + fib(26)


def dump_rows(vtrace, why, repeats, data):
    lines = ["| dump of | calls | events | dump wall ms (median of %d) | dump CPU ms | Mcalls/s "
             "(wall) | file bytes | bytes/call |" % repeats,
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    cases = (("fib(29)+fib(26)", fib_2m), ("mixed x28 rounds", lambda: mixed(data, 28)))
    if vtrace is None:
        return lines + ["| %s | | | vtrace: %s | | | | |" % (n, why) for n, _ in cases], []
    with tempfile.TemporaryDirectory(prefix="vtrace-bench-") as tmp:
        for name, fn in cases:
            py, _ = count_calls(fn)
            tracer = vtrace_tracer(vtrace, False, events=2 * py + 4096)
            tracer.clear()
            tracer.start()
            fn()
            tracer.stop()
            events = tracer.stats()["total"]
            if events > 2 * py + 4096:
                raise RuntimeError("the ring wrapped: %d events" % events)
            path = os.path.join(tmp, "dump.vtb")
            wall, cpu = [], []
            for _ in range(repeats):
                if os.path.exists(path):
                    os.unlink(path)
                t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
                written = tracer.dump(path)
                wall.append(time.perf_counter_ns() - t0)
                cpu.append(time.thread_time_ns() - c0)
                if written != path:
                    raise RuntimeError("vtrace could not dump to %s" % path)
            size = os.path.getsize(path)
            ms = statistics.median(wall) / 1e6
            lines.append("| %s | %d | %d | %.1f | %.1f | %.1f | %d | %.2f |" % (
                name, py, events, ms, statistics.median(cpu) / 1e6, py / ms / 1e3, size,
                size / py))
            del tracer
    return lines, ["Dump targets: 2 million calls in under 100 ms, 4 bytes per call or fewer "
                   "on deep recursion (6 on a mixed workload)."]


def run_one(variants, name, n):
    """Child of --callgrind: fib(n) under one variant, nothing else that depends on n."""
    v = {v.name: v for v in variants}[name]
    if v.missing:
        sys.exit("%s: %s" % (name, v.missing))
    v.start()
    fib(n)
    v.stop()


def callgrind_total(argv, env):
    """Instructions the whole process `argv` ran under callgrind (its summary)."""
    with tempfile.TemporaryDirectory(prefix="vtrace-cg-") as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv, check=True,
                       env=dict(env, PYTHONHASHSEED="0"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    raise RuntimeError("no summary in callgrind output")


def callgrind_ir(args, name, n):
    """Instructions the whole process ran (callgrind's summary) for fib(n) under `name`."""
    cmd = [sys.executable, os.path.abspath(__file__), "--one", name, "--fib", str(n)]
    if args.pybuild:
        cmd += ["--pybuild", args.pybuild]
    return callgrind_total(cmd, os.environ)


def callgrind_table(args, variants, n):
    """Instructions per call, noise-free: the difference between fib(n) and fib(2) runs."""
    calls = fib_calls(n) - fib_calls(2)
    lines = ["| fib(%d), %d calls | instructions/call | x plain |" % (n, calls),
             "| --- | ---: | ---: |"]
    plain = None
    for v in variants:
        if v.missing:
            lines.append("| %s | %s | |" % (v.name, v.missing))
            continue
        ir = (callgrind_ir(args, v.name, n) - callgrind_ir(args, v.name, 2)) / calls
        plain = plain or ir
        lines.append("| %s | %.1f | %.2f |" % (v.name, ir, ir / plain))
    return lines


def fib_calls(n):
    return 1 if n < 2 else 1 + fib_calls(n - 1) + fib_calls(n - 2)


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = " load average %.2f at start" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return "CPython %s (%s), %s, %d CPUs,%s" % (platform.python_version(), sys.executable, cpu,
                                              os.cpu_count() or 0, load)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pybuild", help="directory with vtrace/ and bench/ built for this Python")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--dump-repeats", type=int, default=5)
    ap.add_argument("--no-dump", action="store_true")
    ap.add_argument("--only", choices=("fib", "mixed"))
    ap.add_argument("--callgrind", type=int, metavar="N",
                    help="instead: instructions per call of fib(N) under valgrind's callgrind")
    ap.add_argument("--variants", metavar="A,B", help="only these variants (names as in the table)")
    ap.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--fib", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pybuild:
        sys.path[:0] = [args.pybuild, os.path.join(args.pybuild, "bench")]
    sys.setrecursionlimit(10000)
    vtrace, why = load_vtrace()
    variants = ([Variant("plain")] + load_floors() + vtrace_variants(vtrace, why)
                + [cprofile_variant()])
    if args.one:
        return run_one(variants, args.one, args.fib)
    if args.variants:
        wanted = args.variants.split(",")
        variants = [v for v in variants if v.name in wanted]
    if args.callgrind:
        print("### %s\n" % machine())
        print("\n".join(callgrind_table(args, variants, args.callgrind)) + "\n")
        return
    data = make_data()
    workloads = [("fib(25)", lambda: fib(25)), ("mixed", lambda: mixed(data))]
    if args.only:
        workloads = [w for w in workloads if w[0].startswith(args.only)]
    if args.raw:
        json.dump(raw_medians(workloads, variants, args.rounds), sys.stdout)
        return
    print("### %s\n" % machine())
    print("%d rounds, each running every variant once in-process (order rotated each round); "
          "medians, and the ratio of the fastest runs as a check on noise.\n" % args.rounds)
    lines, summary = speed_table(args, workloads, variants)
    print("\n".join(lines) + "\n")
    print("\n".join("- " + s for s in summary) + "\n")
    if not args.no_dump:
        print("\n".join(ring_rows(vtrace, why, args.dump_repeats)) + "\n")
        lines, notes = dump_rows(vtrace, why, args.dump_repeats, data)
        print("\n".join(lines) + "\n")
        print("\n".join("- " + s for s in notes) + ("\n" if notes else ""))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
