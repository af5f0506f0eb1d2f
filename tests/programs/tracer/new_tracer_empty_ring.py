import vtrace  # SPDX-License-Identifier: MIT
def a():
    pass
def b():
    pass
t1 = vtrace.Tracer(buffer_size=5000, quiet=True, output='t1.bin')
t1.start()
a()
t1.stop()
t2 = vtrace.Tracer(buffer_size=5000, quiet=True, output='t2.bin')
t2.start()
b()
t2.stop()
t2.dump()
t2.start()
b()
t2.stop()
t2.dump('t3.bin')
t1.start()
a()
t1.stop()
t1.dump()
with vtrace.Tracer(buffer_size=5000, quiet=True) as t4:
    pass
print(t4.stats()['total'])
