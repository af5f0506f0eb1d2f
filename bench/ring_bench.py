# SPDX-License-Identifier: MIT
"""Time from a SIGKILL to a readable view of a full ring file (the black box).

Usage: python bench/ring_bench.py --pybuild BUILD/py/X.Y --vtui BUILD/vtui [--repeats 5]

A program traced with the default ring (1,000,000 events) calls fib until the ring has
wrapped, then kills itself with SIGKILL in the middle of a call. Then vtui reads the ring
file the process left: --info (header and counts), --render 120x40 (the first screen of
the viewer: load, decode, index, draw) and stats, each timed wall-clock from start to exit
(median of --repeats). Prints Markdown.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PROG = """
import os, signal
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def doom():
    os.kill(os.getpid(), signal.SIGKILL)
for _ in range(6):
    fib(22)   # 57,313 calls (114,626 events) each: the default ring wraps
fib(20)
doom()
"""


def timed(cmd, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1e3, min(out) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pybuild", required=True)
    ap.add_argument("--vtui", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--calls", type=int, default=9, help="fib(22) runs (x 57,313 calls x 2 events)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vtrace-ring-bench-") as tmp:
        prog = os.path.join(tmp, "prog.py")
        with open(prog, "w") as f:
            f.write(PROG.replace("range(6)", "range(%d)" % args.calls))
        rings = os.path.join(tmp, "rings")
        env = dict(os.environ, PYTHONPATH=os.path.abspath(args.pybuild), VTRACE_OPTIONS="")
        rc = subprocess.run([sys.executable, "-m", "vtrace", "-q", "--ring-dir", rings, prog],
                            env=env).returncode
        if rc != -9:
            raise SystemExit("the traced program was not killed (status %d)" % rc)
        ring = os.path.join(rings, os.listdir(rings)[0])
        info = subprocess.run([args.vtui, "--info", ring], check=True, stdout=subprocess.PIPE,
                              universal_newlines=True).stdout
        print("Ring file of %.1f MB left by a process killed with SIGKILL (%s); `vtui --info` says:\n"
              % (os.path.getsize(ring) / 1e6, sys.version.split()[0]))
        print("```\n" + "\n".join(l for l in info.splitlines()
                                  if l.startswith(("dump:", "ring:", "events:", "calls:"))) + "\n```\n")
        print("| from the SIGKILL to | wall ms (median of %d) | best |" % args.repeats)
        print("| --- | ---: | ---: |")
        for name, cmd in (("vtui --info", [args.vtui, "--info", ring]),
                          ("vtui --render 120x40 (the viewer's first screen)",
                           [args.vtui, "--render", "120x40", ring]),
                          ("vtui stats", [args.vtui, "stats", ring])):
            med, best = timed(cmd, args.repeats)
            print("| %s | %.0f | %.0f |" % (name, med, best))


if __name__ == "__main__":
    main()
