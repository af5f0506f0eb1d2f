# SPDX-License-Identifier: MIT
"""CPU cost of starting a program under vtrace: `python empty.py` against
`python -m vtrace empty.py` (and the import alone; and `python -m empty`, what python's own
-m machinery costs), run alternately, medians of the processes' user+system CPU time.
With --before DIR (a package built from an earlier tree), the vtrace commands run under
both, interleaved in the same loop, so that the machine's load weighs on both alike.
Usage: python bench/startup_bench.py --pybuild BUILD/py/X.Y [--before DIR] [--runs 21]
[--json] [--program FILE]. --program runs FILE (e.g. bench/fib25.py: a traced run long
enough to fill the default ring) instead of an empty script. Prints Markdown (or, with --json, the medians as JSON)."""
import json
import argparse
import os
import statistics
import subprocess
import sys
import tempfile


def cpu_ms(cmd, env, cwd):
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status:
        raise SystemExit("failed: %s" % " ".join(cmd))
    return (ru.ru_utime + ru.ru_stime) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pybuild", required=True)
    ap.add_argument("--before")
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--program", help="a script to run instead of an empty one")
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=os.path.abspath(a.pybuild))
    env.pop("VTRACE_OPTIONS", None)
    # Installed packages have their bytecode compiled: the first run writes it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs = [("", env)]
    if a.before:
        envs.insert(0, ("before: ", dict(env, PYTHONPATH=os.path.abspath(a.before))))
    py = sys.executable
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "empty.py"), "w") as f:
            if a.program:
                with open(a.program) as src:
                    f.write(src.read())
        variants = [
            ("python empty.py", [py, "empty.py"], env),
            ("python -m empty (runpy's own cost)", [py, "-m", "empty"], env),
        ]
        for tag, e in envs:
            variants += [
                (tag + "python -c 'import vtrace'", [py, "-c", "import vtrace"], e),
                (tag + "python -m vtrace empty.py", [py, "-m", "vtrace", "empty.py"], e),
                (tag + "python -m vtrace -q --no-exit-dump empty.py",
                 [py, "-m", "vtrace", "-q", "--no-exit-dump", "empty.py"], e),
                # The ring's setup apart: 16 events instead of 1,000,000 (25 MB reserved and
                # touched at start), given as an option (which imports argparse).
                (tag + "python -m vtrace --buffer-size 16 empty.py",
                 [py, "-m", "vtrace", "--buffer-size", "16", "empty.py"], e),
            ]
        for _, cmd, e in variants:  # warm the page cache and the .pyc files
            cpu_ms(cmd, e, d)
        times = {name: [] for name, _, _ in variants}
        for _ in range(a.runs):
            for name, cmd, e in variants:
                times[name].append(cpu_ms(cmd, e, d))
    base = statistics.median(times["python empty.py"])
    if a.json:
        print(json.dumps({"python": "%d.%d" % sys.version_info[:2], "runs": a.runs,
                          "ms": {k: statistics.median(v) for k, v in times.items()}}))
        return
    print("| command (Python %d.%d) | CPU ms, median of %d | more than plain |" %
          (sys.version_info[0], sys.version_info[1], a.runs))
    print("|---|---:|---:|")
    for name, _, _ in variants:
        m = statistics.median(times[name])
        print("| `%s` | %.1f | %+.1f |" % (name, m, m - base))


main()
