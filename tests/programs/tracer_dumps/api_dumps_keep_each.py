import os, vtrace  # SPDX-License-Identifier: MIT
os.mkdir('d.x')
t = vtrace.Tracer(output='d.x/trace').start()
print(t.dump())
print(t.dump())
print(t.dump('d.x/trace'))
t.stop()
