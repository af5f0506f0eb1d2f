import os  # SPDX-License-Identifier: MIT
def child_work():
    return sum(range(10))
def parent_work():
    pass
pid = os.fork()
if pid == 0:
    child_work()
    child_work()
    os._exit(0)
os.waitpid(pid, 0)
parent_work()
print(os.getpid(), pid)
