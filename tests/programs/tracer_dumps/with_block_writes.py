import vtrace  # SPDX-License-Identifier: MIT
def f():
    return 1
with vtrace.Tracer(output='x.bin'):
    f()
print('out of the block')
