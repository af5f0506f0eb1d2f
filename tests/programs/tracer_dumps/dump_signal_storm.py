import os, subprocess, threading, time  # SPDX-License-Identifier: MIT
def leaf(i):
    return i
def work():
    end = time.monotonic() + 3
    while time.monotonic() < end:
        leaf(0)
pester = subprocess.Popen(['sh', '-c', 'while kill -USR2 %d 2>/dev/null; do sleep 0.005; done' % os.getpid()])
time.sleep(0.2)
t0 = time.monotonic()
ts = [threading.Thread(target=work) for _ in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print('done', flush=True)
open('elapsed', 'w').write('%d' % (time.monotonic() - t0 + 1))
