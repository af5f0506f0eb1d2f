# SPDX-License-Identifier: MIT
"""A program whose ring file's directory runs out of room while it records (test_tracer_ring):
300 calls of step(), then 20,000 more, then last(). Arguments: `fill DIR` fills DIR up between
the two (a small tmpfs); `wait` waits at each phase for the test's PHASE.go file; `kill` ends
with SIGKILL."""
import os
import sys
import time


def step(i, pad):
    return i


def last():
    pass


def fill(path):
    """Writes until the file system says it is full."""
    try:
        with open(path, "wb") as f:
            while True:
                f.write(b"x" * 4096)
                f.flush()
    except OSError:
        pass


def phase(name):
    open(name, "w").close()
    while "wait" in sys.argv and not os.path.exists(name + ".go"):
        time.sleep(0.01)


for i in range(300):
    step(i, "x" * 50)
if "fill" in sys.argv:
    fill(os.path.join(sys.argv[sys.argv.index("fill") + 1], "filler"))
phase("one")
for i in range(20000):
    step(i, "y" * 50)
last()
phase("two")
if "kill" in sys.argv:
    os.kill(os.getpid(), 9)
