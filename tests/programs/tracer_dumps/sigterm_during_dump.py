import os, signal, sys, vtrace  # SPDX-License-Identifier: MIT
# SIGTERM lands while a dump is claimed and not yet written (as when Pool.terminate() hits a
# worker on its way out): the tracer's own step before the write sends it.
tracer = vtrace._active
write = type(tracer)._dump_now
def term_then_write(self, *args):
    type(self)._dump_now = write
    os.kill(os.getpid(), signal.SIGTERM)
    return write(self, *args)
type(tracer)._dump_now = term_then_write
def work(i):
    return i
for i in range(10):
    work(i)
print('before', flush=True)
if sys.argv[1] == 'api':
    tracer.dump()
    print('after the api dump', flush=True)
elif sys.argv[1] == 'exception':
    raise KeyError('lost')
