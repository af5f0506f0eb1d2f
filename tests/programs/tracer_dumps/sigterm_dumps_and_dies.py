import os, signal, time  # SPDX-License-Identifier: MIT
def work(i):
    return i
for i in range(100):
    work(i)
print('before', flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(10)
print('after')
