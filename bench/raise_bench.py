# SPDX-License-Identifier: MIT
"""Cost of --log-exceptions: fib(25), the mixed workload of bench/tracer_bench.py, and an
exception-heavy loop, each plain, under vtrace, and under vtrace with log_exceptions. Thread
CPU time, medians over rounds, one variant after the other inside each round.
Usage: PYTHONPATH=BUILD/py/X.Y python bench/raise_bench.py [--rounds 7] (make tracer first).
The figures in vtrace(1), DATA BESIDE THE CALLS, come from it."""
import argparse, os, statistics, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
import tracer_bench as tb
import vtrace


def raisy(n=20000):
    k = 0
    for i in range(n):
        try:
            if i % 2:
                raise ValueError(i)
            {}[i]
        except (ValueError, KeyError):
            k += 1
    return k


def timed(fn, tracer):
    if tracer:
        tracer.start()
    t0 = time.thread_time()
    fn()
    t1 = time.thread_time()
    if tracer:
        tracer.stop()
    return t1 - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    data = tb.make_data()
    work = {"fib(25)": lambda: tb.fib(25), "mixed": lambda: tb.mixed(data, 6), "raisy": raisy}
    variants = {"plain": lambda: None,
                "vtrace": lambda: vtrace.Tracer(buffer_size=4_000_000, quiet=True),
                "vtrace+exc": lambda: vtrace.Tracer(buffer_size=4_000_000, quiet=True,
                                                    log_exceptions=True)}
    print("Python %d.%d" % sys.version_info[:2])
    for wname, fn in work.items():
        fn()
        times = {v: [] for v in variants}
        for _ in range(a.rounds):
            for v, mk in variants.items():
                times[v].append(timed(fn, mk()))
        med = {v: statistics.median(t) for v, t in times.items()}
        print("%-8s plain %7.1f ms | vtrace %.2fx | vtrace+exc %.2fx | exc/vtrace %.2fx" % (
            wname, med["plain"] * 1e3, med["vtrace"] / med["plain"],
            med["vtrace+exc"] / med["plain"], med["vtrace+exc"] / med["vtrace"]))


main()
