import os, signal, threading, vtrace  # SPDX-License-Identifier: MIT
# Threads running before the tracer starts, idle until it records: one is named in the ring
# file by its name at the start, one renamed before it records anything by its new name.
# Killed while they run, the process leaves the file behind.
go, never = threading.Event(), threading.Event()
worked = [threading.Event(), threading.Event()]

def work(i):
    worked[i].set()

def idle(i):
    go.wait()
    work(i)
    never.wait()

threads = [threading.Thread(target=idle, args=(i,), name=name, daemon=True)
           for i, name in enumerate(('busy-early', 'idle-old'))]
for t in threads:
    t.start()
tr = vtrace.Tracer(quiet=True).start()
threads[1].name = 'idle-new'
go.set()
for e in worked:
    e.wait()
os.kill(os.getpid(), signal.SIGKILL)
