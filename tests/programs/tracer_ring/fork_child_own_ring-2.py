import vtrace  # SPDX-License-Identifier: MIT
def f():
    pass
f()
t = vtrace.get_tracer(); t.stop(); t.start()
