# SPDX-License-Identifier: MIT
"""What 3.13's function watcher (functions named __init__ go to sys.monitoring as they are
made) adds to making a function while vtrace records: a lambda made 300,000 times, plain and
traced, medians of 7 rounds of thread CPU time. Usage: python bench/function_watch_bench.py
BUILD/py/X.Y"""
import sys, time, statistics
sys.path.insert(0, sys.argv[1])
import vtrace
def make(n):
    for _ in range(n):
        f = lambda: 0
def run(n=300000):
    t = time.thread_time_ns(); make(n); return (time.thread_time_ns() - t) / n
make(5000)
plain, traced = [], []
for _ in range(7):
    plain.append(run())
    tr = vtrace.Tracer(quiet=True, buffer_size=1000); tr.start(); traced.append(run()); tr.stop()
print("%s: plain %.1f ns, traced %.1f ns per function made" % (sys.argv[1], statistics.median(plain), statistics.median(traced)))
