import os, time  # SPDX-License-Identifier: MIT
def busy_a():
    return 1
def busy_b():
    return 2
open('pid.tmp', 'w').write(str(os.getpid()))
os.rename('pid.tmp', 'pid')
t0 = time.time()
while not os.path.exists('b') and time.time() - t0 < 100:
    for i in range(3000):
        busy_a()
while not os.path.exists('end') and time.time() - t0 < 100:
    for i in range(3000):
        busy_b()
