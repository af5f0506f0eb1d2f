import cProfile, pstats, sys, vtrace  # SPDX-License-Identifier: MIT
class A:
    def __init__(self):
        self.n = len('ab')
def work():
    return [A() for _ in range(20)]
def calls(p):
    return sum(v[1] for k, v in pstats.Stats(p).stats.items() if k[2] == 'work')
def profiled():
    p = cProfile.Profile()
    p.enable()
    work()
    p.disable()
    return calls(p)
mon = getattr(sys, 'monitoring', None)
for i, c_calls in enumerate((False, True, False)):
    with vtrace.Tracer(buffer_size=10000, c_calls=c_calls, quiet=True,
                       output='v%d.bin' % i) as t:
        work()
        t.dump()
    held = [mon.get_tool(k) for k in range(6) if mon.get_tool(k)] if mon else []
    print(c_calls, profiled(), held)
p = cProfile.Profile()
p.enable()
with vtrace.Tracer(buffer_size=10000, c_calls=bool(mon), quiet=True, output='v3.bin') as t:
    work()
    t.dump()
p.disable()
print('both', calls(p))
