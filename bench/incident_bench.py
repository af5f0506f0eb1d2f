# SPDX-License-Identifier: MIT
"""From opening a crash dump to its incident on screen: the CPU of `vtui --render` on a dump of
tests/programs/crash_worker.py (a worker thread dies of an unhandled KeyError after about a
million calls) with and without `--cmd 'goto incident'` (the e key), run alternately, medians
of user+system CPU. Checks that the goto's screen shows the call that raised and its
traceback. Usage: python bench/incident_bench.py --vtui BUILD/vtui --pybuild BUILD/python
[--orders 62500] [--runs 11]. Prints Markdown."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.join(HERE, "..", "tests", "programs", "crash_worker.py")


def cpu_ms(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    if status:
        raise SystemExit("failed: %s" % " ".join(cmd))
    return (ru.ru_utime + ru.ru_stime) * 1000, out.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vtui", required=True)
    ap.add_argument("--pybuild", required=True)
    ap.add_argument("--orders", type=int, default=62500)
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=os.path.abspath(a.pybuild))
    env.pop("VTRACE_OPTIONS", None)
    with tempfile.TemporaryDirectory() as d:
        dump = os.path.join(d, "crash.bin")
        subprocess.run([sys.executable, "-m", "vtrace", "-q", "--log-args", "--buffer-size", "3300000",
                        "-o", dump, PROG, str(a.orders)], env=env, cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        info = subprocess.run([a.vtui, "--info", dump], capture_output=True, text=True, check=True).stdout
        calls = next(l.split(":")[1].strip() for l in info.splitlines() if l.startswith("calls:"))
        base = [a.vtui, "--render", "200x80"]
        variants = [("open and draw", base + [dump]),
                    ("open, e (goto incident), draw", base + ["--cmd", "goto incident", dump])]
        times = {name: [] for name, _ in variants}
        for _ in range(a.runs):
            for name, cmd in variants:
                ms, screen = cpu_ms(cmd)
                times[name].append(ms)
                if "incident" in name and not (" name __main__.lookup_price" in screen and
                                               "KeyError: 'sku-13' (unhandled)" in screen and
                                               " args sku='sku-13'" in screen):
                    raise SystemExit("the incident is not on the screen:\n" + screen)
    print("%s calls in the dump (python %d.%d), %d runs each, alternating\n" %
          (calls, sys.version_info[0], sys.version_info[1], a.runs))
    print("| run | keys | median CPU ms | min | max |\n|---|---|---|---|---|")
    med = {}
    for name, _ in variants:
        t = times[name]
        med[name] = statistics.median(t)
        print("| `vtui --render` %s | %d | %.1f | %.1f | %.1f |" % (
            name, 1 if "incident" in name else 0, med[name], min(t), max(t)))
    names = [n for n, _ in variants]
    print("\nThe goto itself: %.1f ms of CPU (difference of the medians)." % (med[names[1]] - med[names[0]]))


if __name__ == "__main__":
    main()
