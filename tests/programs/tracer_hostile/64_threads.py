import threading  # SPDX-License-Identifier: MIT
lock = threading.Lock()
total = [0]
def work(i):
    return sum(range(i))
def body(i):
    for _ in range(i + 1):
        v = work(i)
        with lock:
            total[0] += v
ts = [threading.Thread(target=body, args=(i,), name='w%d' % i) for i in range(64)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(total[0], threading.active_count())
