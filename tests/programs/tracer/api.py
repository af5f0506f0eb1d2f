import os, vtrace  # SPDX-License-Identifier: MIT
def a():
    pass
def b():
    pass
assert vtrace.get_tracer() is None
with vtrace.Tracer(buffer_size=10000, output='api{n}.bin', quiet=True) as t:
    assert vtrace.get_tracer() is t
    a()
    t.dump()
    t.clear()
    b()
    p = t.dump()
    n0 = t.stats()['functions']
    for i in range(500):
        eval('(lambda: 1)')()
    grew = t.stats()['functions'] - n0
assert vtrace.get_tracer() is None
a()
q = t.dump('after.bin')
assert os.path.isabs(p) and os.path.isabs(q), (p, q)
print(os.path.relpath(p), os.path.relpath(q), grew)
