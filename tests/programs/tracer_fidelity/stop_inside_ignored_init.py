import vtrace  # SPDX-License-Identifier: MIT
class Off:
    def stop(self):
        pass
tracer = Off()
def helper():
    pass
class Q:
    @vtrace.ignore
    def __init__(self):
        tracer.stop()
        helper()
for _ in range(5000):
    Q()
tracer = vtrace.Tracer(output='one.bin', quiet=True, max_depth=1).start()
Q()
t = vtrace.Tracer(output='two.bin', quiet=True, max_depth=1).start()
helper()
t.stop()
t.dump()
