import threading, vtrace  # SPDX-License-Identifier: MIT
ready, go = threading.Event(), threading.Event()
def work(n):
    return sum(range(n))
def early():
    ready.set()
    go.wait()
    for _ in range(5):
        work(10)
def late():
    for _ in range(7):
        work(10)
t0 = threading.Thread(target=early, name='early')
t0.start()
ready.wait()
tr = vtrace.Tracer(output='t.bin', quiet=True).start()
go.set()
t1 = threading.Thread(target=late, name='late')
t1.start()
t1.join()
t0.join()
work(3)
tr.dump()
tr.stop()
