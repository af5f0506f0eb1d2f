import vtrace  # SPDX-License-Identifier: MIT
def f():
    try:
        raise ValueError('api')
    except ValueError:
        pass
with vtrace.Tracer(output='a.bin', quiet=True, log_exceptions=True) as tr:
    f()
    tr.dump()
with vtrace.Tracer(output='b.bin', quiet=True) as tr:
    tr.clear()
    f()
    tr.dump()
