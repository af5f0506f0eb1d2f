import vtrace  # SPDX-License-Identifier: MIT
class X:
    def __init__(self):
        pass
def make(cls):
    return cls()
for _ in range(5000):
    make(X)
t = vtrace.Tracer(output='t.bin', quiet=True).start()
classes = []
for i in range(200):
    ns = {}
    exec('class K%d:\n    def __init__(self):\n        self.i = %d\n' % (i, i), ns)
    classes.append(ns['K%d' % i])
for k in classes:
    make(k)
t.stop()
t.dump()
