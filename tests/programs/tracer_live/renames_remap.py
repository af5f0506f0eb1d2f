import os, signal, threading, vtrace  # SPDX-License-Identifier: MIT
# A tracer started again with another ring size maps a new ring file: the threads running
# keep the names they had in the old one (given as they started, or by a rename). Killed
# while they run, the process leaves the new file behind.
go, never, told = threading.Event(), threading.Event(), threading.Event()
worked = [threading.Event(), threading.Event()]

def work(i):
    worked[i].set()

def keeper():
    go.wait()
    work(0)
    never.wait()

def renamed():
    threading.current_thread().name = 'renamed-new'
    told.set()
    go.wait()
    work(1)
    never.wait()

tr = vtrace.Tracer(buffer_size=5000, quiet=True).start()
threads = [threading.Thread(target=keeper, name='keeper', daemon=True),
           threading.Thread(target=renamed, name='renamed-old', daemon=True)]
for t in threads:
    t.start()
told.wait()
tr.stop()
tr = vtrace.Tracer(buffer_size=6000, quiet=True).start()
go.set()
for e in worked:
    e.wait()
os.kill(os.getpid(), signal.SIGKILL)
