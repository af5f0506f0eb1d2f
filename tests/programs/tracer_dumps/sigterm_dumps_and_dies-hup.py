import os, signal, time  # SPDX-License-Identifier: MIT
os.kill(os.getpid(), signal.SIGHUP)
time.sleep(10)
print('after')
