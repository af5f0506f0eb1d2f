import os, signal  # SPDX-License-Identifier: MIT
def poke():
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(10**6):
        pass
try:
    poke()
except KeyboardInterrupt:
    print('caught')
def outer():
    poke()
print('again', flush=True)
outer()
