import os, threading, warnings  # SPDX-License-Identifier: MIT
warnings.simplefilter('ignore', DeprecationWarning)
def child_work():
    return sum(range(10))
def spawn(res):
    pid = os.fork()
    if pid == 0:
        child_work()
        os._exit(7)
    res.append(os.waitpid(pid, 0)[1] >> 8)
    res.append(pid)
res = []
t = threading.Thread(target=spawn, args=(res,), name='forker')
t.start()
t.join()
print(res[0])
print(res[1], file=open('pid.txt', 'w'))
