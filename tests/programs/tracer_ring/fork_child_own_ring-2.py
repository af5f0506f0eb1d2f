# SPDX-License-Identifier: MIT
import vtrace
def f():
    pass
f()
t = vtrace.get_tracer(); t.stop(); t.start()
