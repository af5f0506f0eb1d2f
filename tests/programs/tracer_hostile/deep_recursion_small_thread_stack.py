import sys, threading  # SPDX-License-Identifier: MIT
sys.setrecursionlimit(100000)
threading.stack_size(1 << 20)
out = []
def r(n):
    return 0 if n == 0 else 1 + r(n - 1)
def body():
    try:
        out.append(r(200))
        out.append(r(90000))
    except RecursionError:
        out.append('RecursionError')
t = threading.Thread(target=body)
t.start()
t.join()
print(out[0], out[-1] in (90000, 'RecursionError'))
