import sys, threading  # SPDX-License-Identifier: MIT
sys.setrecursionlimit(200000)
threading.stack_size(512 * 1024 * 1024)
def r(n):
    return 0 if n == 0 else 1 + r(n - 1)
def after():
    return 2
out = []
t = threading.Thread(target=lambda: out.append(r(70000)), name='deep')
t.start()
t.join()
after()
print(out)
