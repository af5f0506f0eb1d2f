import threading  # SPDX-License-Identifier: MIT
# Prints the deepest recursion at which the main thread can rename itself: the same plain
# and traced.
me = threading.current_thread()

def deep(n):
    if n == 0:
        me.name = 'deep'
        return
    deep(n - 1)

best = 0
for n in range(800, 1100):
    try:
        deep(n)
        best = n
    except RecursionError:
        break
print(best)
