# SPDX-License-Identifier: MIT
import vtrace
def f():
    return 1
tr = vtrace.Tracer(output='api.bin').start()
f()
tr.dump()
tr.stop()
