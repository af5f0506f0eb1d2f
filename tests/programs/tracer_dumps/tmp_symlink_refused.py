import os, vtrace  # SPDX-License-Identifier: MIT
dead = os.fork()
if dead == 0:
    os._exit(0)
os.waitpid(dead, 0)
open('t.bin.vtb.tmp%d' % dead, 'w').write('stale')
os.symlink('victim', 't.bin.vtb.tmp%d' % os.getpid())
t = vtrace.Tracer(output='t.bin').start()
r = t.dump()
print(r is None, os.path.exists('t.bin.vtb.tmp%d' % dead))
os.unlink('t.bin.vtb.tmp%d' % os.getpid())
print(t.dump() is not None)
