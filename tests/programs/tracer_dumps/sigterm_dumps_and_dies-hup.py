import os, signal, time
os.kill(os.getpid(), signal.SIGHUP)
time.sleep(10)
print('after')
# SPDX-License-Identifier: MIT
