# SPDX-License-Identifier: MIT
"""CPU cost of starting a program under vtrace: `python empty.py` against
`python -m vtrace empty.py` (and the import alone; and `python -m empty`, what python's own
-m machinery costs), run alternately, medians of the processes' user+system CPU time.
Usage: python bench/startup_bench.py --pybuild BUILD/py/X.Y [--runs 21]. Prints Markdown."""
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
    ap.add_argument("--runs", type=int, default=21)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=os.path.abspath(a.pybuild))
    env.pop("VTRACE_OPTIONS", None)
    # Installed packages have their bytecode compiled: the first run writes it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "empty.py"), "w").close()
        variants = [
            ("python empty.py", [py, "empty.py"]),
            ("python -m empty (runpy's own cost)", [py, "-m", "empty"]),
            ("python -c 'import vtrace'", [py, "-c", "import vtrace"]),
            ("python -m vtrace empty.py", [py, "-m", "vtrace", "empty.py"]),
            ("python -m vtrace -q --no-exit-dump empty.py",
             [py, "-m", "vtrace", "-q", "--no-exit-dump", "empty.py"]),
        ]
        for _, cmd in variants:  # warm the page cache and the .pyc files
            cpu_ms(cmd, env, d)
        times = {name: [] for name, _ in variants}
        for _ in range(a.runs):
            for name, cmd in variants:
                times[name].append(cpu_ms(cmd, env, d))
    base = statistics.median(times["python empty.py"])
    print("| command (Python %d.%d) | CPU ms, median of %d | more than plain |" %
          (sys.version_info[0], sys.version_info[1], a.runs))
    print("|---|---:|---:|")
    for name, _ in variants:
        m = statistics.median(times[name])
        print("| `%s` | %.1f | %+.1f |" % (name, m, m - base))


main()
