import os, threading, vtrace  # SPDX-License-Identifier: MIT
# A thread running before the tracer starts renames itself while it records and ends: the
# dump names it by its new name. The tracer puts Thread.name back as it stops, and wraps it
# again as it starts again.
go = threading.Event()

def early():
    go.wait()
    threading.current_thread().name = 'early-renamed'

def work():
    return sum(range(10))

plain = threading.Thread.__dict__['name']
a = threading.Thread(target=early, name='early-old')
a.start()
tr = vtrace.Tracer(output='out.vtb', quiet=True, ring_dir='rings').start()
wrapped = threading.Thread.__dict__['name']
print('wrapped', wrapped is not plain and wrapped.fget is plain.fget)
work()
go.set()
a.join()
print('named', a.name)
tr.stop()
print('restored', threading.Thread.__dict__['name'] is plain)
tr.start()
print('wrapped again', threading.Thread.__dict__['name'] is not plain)
tr.stop()
print('restored again', threading.Thread.__dict__['name'] is plain)
print('dumped', tr.dump() is not None)
