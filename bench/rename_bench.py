# SPDX-License-Identifier: MIT
"""What a thread rename costs while vtrace records (Thread.name's setter tells the ring file).

Usage: PYTHONPATH=BUILD/py/X.Y python bench/rename_bench.py [--rounds 9]

Renames the main thread 40,000 times a round, alternating two names, with a Tracer recording;
prints the median over the rounds of the thread CPU time per rename. Run it with the package of
two builds (main and a branch) side by side: the setter's own frame is recorded on both."""
import argparse
import statistics
import threading
import time

import vtrace


def per_rename(me, n):
    t0 = time.thread_time_ns()
    for _ in range(n):
        me.name = "a"
        me.name = "b"
    return (time.thread_time_ns() - t0) / (2 * n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    me = threading.current_thread()
    tr = vtrace.Tracer(quiet=True, buffer_size=1 << 16).start()
    rounds = [per_rename(me, 20000) for _ in range(args.rounds)]
    tr.stop()
    print("%.0f ns per rename (median of %d rounds)" % (statistics.median(rounds), args.rounds))


if __name__ == "__main__":
    main()
