# SPDX-License-Identifier: MIT
"""Cost of recording a plain class's __init__ that 3.13 enters past the frame hook: N calls
of A() (and of a plain function, for comparison) at call sites warmed up before the
tracer starts, plain and under vtrace, alternately; medians of the thread's CPU time, in
ns per call over plain. Usage: python bench/init_bench.py --pybuild BUILD/py/X.Y [--rounds 7]"""
import argparse
import statistics
import sys
import time


class A:
    def __init__(self):
        self.x = 1


def f():
    return 1


def objects(n):
    for _ in range(n):
        A()


def calls(n):
    for _ in range(n):
        f()


def cpu(fn, n):
    t = time.thread_time_ns()
    fn(n)
    return time.thread_time_ns() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pybuild", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("-n", type=int, default=200000)
    a = ap.parse_args()
    sys.path.insert(0, a.pybuild)
    import vtrace
    objects(5000)
    calls(5000)
    rows = []
    for name, fn in (("A() (__init__)", objects), ("f()", calls)):
        plain, traced = [], []
        for _ in range(a.rounds):
            plain.append(cpu(fn, a.n))
            t = vtrace.Tracer(buffer_size=4 * a.n + 1000, quiet=True)
            t.start()
            traced.append(cpu(fn, a.n))
            t.stop()
            recorded = t.stats()["total"]
        p, v = statistics.median(plain), statistics.median(traced)
        rows.append((name, p / a.n, v / a.n, (v - p) / a.n, recorded / a.n))
    print("| Python %d.%d, %d calls | plain ns/call | vtrace ns/call | added | records/call |"
          % (sys.version_info[0], sys.version_info[1], a.n))
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %.1f | %.1f | %+.1f | %.2f |" % r)


main()
