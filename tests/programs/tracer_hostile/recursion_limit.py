import sys  # SPDX-License-Identifier: MIT
depth = 0
def down(n):
    global depth
    depth = n
    return down(n + 1)
def walk(n):
    return 0 if n == 0 else 1 + walk(n - 1)
def gen(n):
    if n:
        yield from gen(n - 1)
    yield n
try:
    down(0)
except RecursionError as e:
    print('RecursionError', depth, e)
print(walk(sys.getrecursionlimit() - 20))
print(sum(gen(400)))
class R:
    def __repr__(self):
        return repr(self)
try:
    repr(R())
except RecursionError as e:
    print('repr', type(e).__name__)
import threading
def in_thread():
    try:
        down(0)
    except RecursionError:
        print('thread', depth)
t = threading.Thread(target=in_thread)
t.start()
t.join()
down(0)
