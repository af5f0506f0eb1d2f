import os, time  # SPDX-License-Identifier: MIT
def phase_a():
    time.sleep(0.3)
def phase_b():
    time.sleep(0.3)
open('pid.tmp', 'w').write(str(os.getpid()))
os.rename('pid.tmp', 'pid')
t0 = time.time()
while not os.path.exists('b') and time.time() - t0 < 100:
    phase_a()
while not os.path.exists('end') and time.time() - t0 < 100:
    phase_b()
