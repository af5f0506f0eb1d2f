# SPDX-License-Identifier: MIT
"""Cost of vtrace's record-time filters on recursive fib(25), for the interpreter running this.

Usage: python bench/tracer_filters.py --pybuild BUILD/py/X.Y [--rounds 5]

Variants, each round running every one once in turn (side by side), the tracer started before
and stopped after the timed call: plain; floor-evalframe (a frame hook that only stores a
16-byte record, from `make bench-floors`); vtrace without filters; vtrace with an --exclude
that matches fib (every call takes the filtered path and records nothing); vtrace with an
--exclude that matches nothing (filters on, fib recorded); vtrace --max-depth 3 (the general
hook, depth counted, everything below depth 3 passed through). Medians of the thread's CPU
time over the rounds; prints a Markdown table.
"""
import argparse
import gc
import os
import statistics
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def run():
    return fib(25)


def timed(start, stop):
    gc.collect()
    start()
    t0 = time.thread_time_ns()
    run()
    t1 = time.thread_time_ns()
    stop()
    return t1 - t0


def variants(vtrace):
    out = [("plain", lambda: None, lambda: None)]
    try:
        import _floor_evalframe
        out.append(("floor-evalframe", _floor_evalframe.start, _floor_evalframe.stop))
    except ImportError:
        pass
    for name, kw in (("vtrace", {}),
                     ("vtrace --exclude fib", {"exclude": [r"\.fib$"]}),
                     ("vtrace --exclude (no match)", {"exclude": [r"^nothing\.matches$"]}),
                     ("vtrace --max-depth 3", {"max_depth": 3})):
        holder = {}

        def start(kw=kw, holder=holder):
            holder["t"] = vtrace.Tracer(quiet=True, dump_on_exception=False, **kw).start()

        def stop(holder=holder):
            holder.pop("t").stop()
        out.append((name, start, stop))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pybuild", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    sys.path[:0] = [a.pybuild, os.path.join(a.pybuild, "bench")]
    import vtrace
    vs = variants(vtrace)
    for _, start, stop in vs:  # warm up
        timed(start, stop)
    times = {name: [] for name, _, _ in vs}
    for _ in range(a.rounds):
        for name, start, stop in vs:
            times[name].append(timed(start, stop))
    med = {k: statistics.median(v) for k, v in times.items()}
    plain, floor = med["plain"], med.get("floor-evalframe")
    calls = 242785  # fib(25)
    print("Python %s, fib(25) = %d calls, median of %d rounds (thread CPU time)\n"
          % (sys.version.split()[0], calls, a.rounds))
    print("| variant | median ms | x plain | x floor-evalframe | ns/call over plain |")
    print("|---|---|---|---|---|")
    for name, _, _ in vs:
        t = med[name]
        print("| %s | %.1f | %.2f | %s | %.1f |" % (
            name, t / 1e6, t / plain, "%.2f" % (t / floor) if floor else "",
            (t - plain) / calls))


if __name__ == "__main__":
    main()
