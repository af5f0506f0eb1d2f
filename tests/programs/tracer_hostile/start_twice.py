import vtrace  # SPDX-License-Identifier: MIT
def f():
    pass
t = vtrace.get_tracer()
assert t.start() is t
try:
    vtrace.Tracer(output='other.bin').start()
except RuntimeError as e:
    print(e)
f()
print(vtrace.get_tracer() is t)
