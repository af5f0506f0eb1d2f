# SPDX-License-Identifier: MIT
# A 0.2 s nap between two wall-clock readings: the test runs it under
# tests/shims/clock_stall.c, which stalls one of the tracer's clock readings, and checks the
# nap's traced duration against the bracket printed here.
import time


def nap():
    time.sleep(0.2)


before = time.time()
nap()
after = time.time()
print(int((after - before) * 1e9))
