# SPDX-License-Identifier: MIT
import os, signal, time
os.kill(os.getpid(), signal.SIGHUP)
time.sleep(10)
print('after')
