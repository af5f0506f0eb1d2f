import vtrace  # SPDX-License-Identifier: MIT
def a():
    pass
def b():
    pass
class C:
    def __init__(self):
        self.x = 1
def both():
    a()
    b()
    for _ in range(50):
        C()
with vtrace.Tracer(output='one.bin', quiet=True, exclude=['a$']) as t:
    both()
    t.dump()
with vtrace.Tracer(output='two.bin', quiet=True, include='a$') as t:
    t.clear()
    both()
    t.dump()
with vtrace.Tracer(output='three.bin', quiet=True) as t:
    t.clear()
    both()
    t.dump()
vtrace.ignore(b)
with vtrace.Tracer(output='four.bin', quiet=True, exclude=['a$']) as t:
    t.clear()
    both()
    t.dump()
