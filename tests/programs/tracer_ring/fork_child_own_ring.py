import os, signal  # SPDX-License-Identifier: MIT
def parent_work():
    pass
def child_work(i):
    return i
for _ in range(3):
    parent_work()
pid = os.fork()
if pid == 0:
    for i in range(5):
        child_work(i)
    os.kill(os.getpid(), signal.SIGKILL)
os.waitpid(pid, 0)
open('child.pid', 'w').write(str(pid))
