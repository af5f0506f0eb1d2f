import os, threading, time, warnings  # SPDX-License-Identifier: MIT
# Threads renamed while they run, once the test creates `go`: a worker renames itself, the
# main thread renames a sleeper (t.name), another (t.setName) and itself; a thread renamed
# before its start starts by its new name. Each file the program writes comes after the
# renames it names; every thread waits for `end`.
def wait_for(name):
    while not os.path.exists(name):
        time.sleep(0.02)

def tell(name):
    open(name + '.tmp', 'w').close()
    os.rename(name + '.tmp', name)

def worker():
    wait_for('go')
    threading.current_thread().name = 'worker-7'
    tell('worker-renamed')
    wait_for('end')

def sleeper():
    wait_for('end')

w = threading.Thread(target=worker, name='worker-old')
s = threading.Thread(target=sleeper, name='sleeper-old')
q = threading.Thread(target=sleeper, name='quiet-old')
p = threading.Thread(target=sleeper, name='early-old')
p.name = 'early-new'
for t in (w, s, q, p):
    t.start()
open('pid.tmp', 'w').write(str(os.getpid()))
os.rename('pid.tmp', 'pid')
wait_for('go')
s.name = 'sleeper-9'
with warnings.catch_warnings():
    warnings.simplefilter('ignore', DeprecationWarning)  # setName, 3.10 on
    q.setName('quiet-3')
threading.current_thread().name = 'boss'
tell('main-renamed')
wait_for('end')
for t in (w, s, q, p):
    t.join()
