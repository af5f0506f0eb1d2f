import vtrace  # SPDX-License-Identifier: MIT
def f():
    return 1
tr = vtrace.Tracer(output='api.bin').start()
f()
tr.dump()
tr.stop()
