import os, signal, threading, vtrace  # SPDX-License-Identifier: MIT
# A thread renamed over and over: to the name it has (no string spent), then to a new name
# each time, past the share of the ring's strings renames may take. A function met after
# them is still named in the ring file, which the process, killed, leaves behind.
def late():
    return 1

tr = vtrace.Tracer(buffer_size=100000, quiet=True).start()  # 1 MB of strings
me = threading.current_thread()
for i in range(100000):
    me.name = 'same'
for i in range(30000):
    me.name = 'task-%06d' % i
late()
tr.stop()
print(tr.problems, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
