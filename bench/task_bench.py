# SPDX-License-Identifier: MIT
"""Cost of naming asyncio tasks (issue 15 item 6), side by side over several tracer builds.

Usage: python bench/task_bench.py --pybuild A/py/X.Y [--pybuild B/py/X.Y ...] [--rounds 9]
                                  [--callgrind]

Each --pybuild holds a vtrace package (`make tracer`), for instance one built from the
sources before the task recording and one after. Two workloads: recursive fib(25), which has
no coroutine (its cost must not move), and an asyncio one: 200 tasks of 25 steps each, every
step awaiting a nested coroutine that yields (`asyncio.sleep(0)`). Every round runs, for each
build in turn, a fresh process that times each workload plain and traced (the thread's CPU
time, the tracer started before and stopped after the timed call). The table gives the
medians of traced / plain per build, and the traced time per task step. Prints Markdown.
--callgrind instead counts instructions under valgrind (exact where timings are noisy): per
call of fib (a fib(20) process minus a fib(2) one, traced) and per task step (200 tasks of
26 steps minus 200 of 2), plain and traced, for each build.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from tracer_bench import callgrind_total, fib_calls

# The workloads, shared by the timed child and the callgrind one.
WORK = r"""
import asyncio, json, sys, time, vtrace

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

async def inner():
    await asyncio.sleep(0)

async def task(k):
    for _ in range(k):
        await inner()

async def main(k):
    await asyncio.gather(*(asyncio.create_task(task(k)) for _ in range(200)))

def run_async(k=25):
    loop = asyncio.new_event_loop()
    loop.run_until_complete(main(k))
    loop.close()

def tracer():
    return vtrace.Tracer(buffer_size=4_000_000, quiet=True, dump_on_exception=False)
"""

CHILD = WORK + r"""
def timed(fn, traced):
    t = tracer() if traced else None
    if t:
        t.start()
    c0 = time.thread_time_ns()
    fn()
    c1 = time.thread_time_ns()
    if t:
        t.stop()
    return c1 - c0

out = {}
for name, fn in (("fib", lambda: fib(25)), ("asyncio", run_async)):
    fn()
    out[name] = [timed(fn, False), timed(fn, True)]
print(json.dumps(out))
"""

# argv: plain|traced, fib|async, n (fib(n), or tasks of n awaits: n + 1 steps)
CG_CHILD = WORK + r"""
mode, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = tracer() if mode == "traced" else None
if t:
    t.start()
fib(n) if work == "fib" else run_async(n)
if t:
    t.stop()
"""


def cg_ir(pybuild, mode, work, n):
    return callgrind_total([sys.executable, "-c", CG_CHILD, mode, work, str(n)],
                           dict(os.environ, PYTHONPATH=pybuild, VTRACE_OPTIONS=""))


def callgrind(builds):
    calls, steps = fib_calls(20) - fib_calls(2), 200 * (26 - 2)
    print("Python %d.%d, instructions (callgrind): per fib call (fib(20) minus fib(2)) and per task step "
          "(200 tasks x 26 steps minus 200 x 2)\n" % sys.version_info[:2])
    print("| tracer build | fib plain | fib traced | step plain | step traced |")
    print("|---|---|---|---|---|")
    for b in builds:
        row = []
        for mode in ("plain", "traced"):
            row.append((cg_ir(b, mode, "fib", 20) - cg_ir(b, mode, "fib", 2)) / calls)
        for mode in ("plain", "traced"):
            row.append((cg_ir(b, mode, "async", 25) - cg_ir(b, mode, "async", 1)) / steps)
        print("| %s | %.1f | %.1f | %.0f | %.0f |" % (b, row[0], row[1], row[2], row[3]))


def one(pybuild):
    env = dict(os.environ, PYTHONPATH=pybuild, VTRACE_OPTIONS="")
    r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pybuild", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()
    if a.callgrind:
        callgrind(a.pybuild)
        return
    res = {b: {"fib": [], "asyncio": [], "async_ns": []} for b in a.pybuild}
    for _ in range(a.rounds):
        for b in a.pybuild:
            r = one(b)
            for w in ("fib", "asyncio"):
                res[b][w].append(r[w][1] / r[w][0])
            res[b]["async_ns"].append(r["asyncio"][1])
    print("Python %d.%d, %d rounds, medians of traced / plain (thread CPU time)\n" % (
        sys.version_info[0], sys.version_info[1], a.rounds))
    print("| tracer build | fib(25) | asyncio, 200 tasks x 26 steps | asyncio traced, per step |")
    print("|---|---|---|---|")
    for b in a.pybuild:
        per_step = statistics.median(res[b]["async_ns"]) / (200 * 26)
        print("| %s | %.2fx | %.2fx | %.0f ns |" % (b, statistics.median(res[b]["fib"]),
                                                 statistics.median(res[b]["asyncio"]), per_step))


if __name__ == "__main__":
    main()
