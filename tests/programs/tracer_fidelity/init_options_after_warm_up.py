import sys, vtrace  # SPDX-License-Identifier: MIT
class A:
    def __init__(self, n):
        self.n = helper(n)
def helper(n):
    return n
class Quiet:
    @vtrace.ignore
    def __init__(self):
        helper(0)
class Few:
    @vtrace.sparse
    def __init__(self):
        helper(0)
def make(i):
    A(i)
    Quiet()
    Few()
for i in range(5000):
    make(i)
opts = dict(log_args=True, log_retval=True) if sys.argv[1] == 'data' else dict(max_depth=2)
t = vtrace.Tracer(output=sys.argv[1] + '.bin', quiet=True, **opts).start()
for i in range(3):
    make(i)
t.stop()
t.dump()
