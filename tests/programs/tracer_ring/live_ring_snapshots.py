import os, time  # SPDX-License-Identifier: MIT
def leaf(i):
    return i
def work(i):
    return leaf(i)
open('pid', 'w').write(str(os.getpid()))
end = time.time() + 20
i = 0
while time.time() < end and not os.path.exists('stop'):
    work(i)
    i += 1
