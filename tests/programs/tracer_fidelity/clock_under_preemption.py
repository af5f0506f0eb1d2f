# SPDX-License-Identifier: MIT
# A 0.2 s nap between two wall-clock readings, after `extra` more CLOCK_MONOTONIC readings:
# the test runs it under tests/shims/clock_stall.c, which stalls the monotonic clock's
# readings unevenly, and checks the nap's traced duration against the bracket printed here.
import sys
import time


def nap():
    time.sleep(0.2)


for _ in range(int(sys.argv[1])):
    time.monotonic()
before = time.time()
nap()
after = time.time()
print(int((after - before) * 1e9))
