import os, signal  # SPDX-License-Identifier: MIT
def work():
    return sum(range(100))
work()
os.kill(os.getpid(), signal.SIGUSR2)
work()
print('after')
