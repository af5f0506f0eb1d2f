# SPDX-License-Identifier: MIT
"""The traced program's slowdown while vtui --live follows it (issue 13).

Usage: python bench/live_slowdown.py --pybuild BUILD/py/X.Y --bench-live BUILD/bench/bench_live
                                     [--rounds 11] [--work 6] [--buffer-size 1000000]

Each round runs the mixed workload of tracer_bench.py (mixed(data, WORK)) in a new process
under `python -m vtrace` twice, order alternating: once alone ("no viewer") and once while a
viewer follows its ring at the live view's default rate ("viewer": bench_live, which does
what the terminal loop does each period: a snapshot, the swap into the app, a 200x60 frame).
The viewer has taken its first snapshot before the workload starts. The program's own CPU
time (time.process_time) over the workload is compared: the viewer runs in another process
on another core, so what it could cost the program is the shared memory it reads. Prints
Markdown: medians and the median of the per-round ratios.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import os, sys, time
sys.path.insert(0, %(bench)r)
from tracer_bench import mixed, make_data
data = make_data()
mixed(data, 1)  # warm
open('pid.tmp', 'w').write(str(os.getpid()))
os.rename('pid.tmp', 'pid')
t0 = time.time()
while not os.path.exists('go') and time.time() - t0 < 20:
    time.sleep(0.005)
c0 = time.process_time()
w0 = time.perf_counter()
mixed(data, %(work)d)
print(time.process_time() - c0, time.perf_counter() - w0)
"""


def wait_file(path, secs=30):
    t0 = time.time()
    while not os.path.exists(path):
        if time.time() - t0 > secs:
            raise SystemExit("live_slowdown: %s never appeared" % path)
        time.sleep(0.005)


def run(args, viewer, tmp):
    for f in ("pid", "go"):
        if os.path.exists(os.path.join(tmp, f)):
            os.unlink(os.path.join(tmp, f))
    env = dict(os.environ, PYTHONPATH=os.path.abspath(args.pybuild), VTRACE_OPTIONS="")
    child = subprocess.Popen([sys.executable if not args.python else args.python, "-m", "vtrace", "-q",
                              "-o", "/dev/null", "--buffer-size", str(args.buffer_size), "child.py"],
                             cwd=tmp, env=env, stdout=subprocess.PIPE, text=True)
    wait_file(os.path.join(tmp, "pid"))
    pid = open(os.path.join(tmp, "pid")).read()
    view = None
    if viewer:
        view = subprocess.Popen([args.bench_live, pid, "100000"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        view.stdout.readline()  # "events in the ring": the first snapshot is taken
    open(os.path.join(tmp, "go"), "w").close()
    out, _ = child.communicate()
    if view:
        view.terminate()
        view.wait()
    cpu, wall = (float(x) for x in out.split())
    return cpu * 1e3, wall * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pybuild", required=True)
    p.add_argument("--python", default=None, help="the interpreter (default: this one)")
    p.add_argument("--bench-live", required=True)
    p.add_argument("--rounds", type=int, default=11)
    p.add_argument("--work", type=int, default=6, help="rounds of mixed() per run")
    p.add_argument("--buffer-size", type=int, default=1000000)
    args = p.parse_args()
    args.bench_live = os.path.abspath(args.bench_live)
    bench = os.path.dirname(os.path.abspath(__file__))
    res = {False: [], True: []}
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "child.py"), "w") as f:
            f.write(CHILD % {"bench": bench, "work": args.work})
        for r in range(args.rounds):
            got = {}
            for viewer in ((False, True) if r % 2 == 0 else (True, False)):
                got[viewer] = run(args, viewer, tmp)
                res[viewer].append(got[viewer])
            ratios.append(got[True][0] / got[False][0])
    print("| variant | median CPU ms | median wall ms | rounds |")
    print("| --- | ---: | ---: | ---: |")
    for viewer in (False, True):
        cpu = statistics.median(x[0] for x in res[viewer])
        wall = statistics.median(x[1] for x in res[viewer])
        print("| %s | %.1f | %.1f | %d |" % ("viewer (vtui --live rate)" if viewer else "no viewer", cpu, wall,
                                          args.rounds))
    print()
    print("viewer / no viewer, CPU: median of per-round ratios %.3f (min %.3f, max %.3f)"
          % (statistics.median(ratios), min(ratios), max(ratios)))


if __name__ == "__main__":
    main()
