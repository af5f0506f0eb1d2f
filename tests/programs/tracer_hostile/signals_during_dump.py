import os, signal, threading, sys  # SPDX-License-Identifier: MIT
ticks = [0]
def on_alarm(sig, frame):
    ticks[0] += 1
signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
def leaf(i):
    return i
stop = threading.Event()
def pester():
    while not stop.wait(0.01):
        os.kill(os.getpid(), signal.SIGUSR2)
traced = 'vtrace' in sys.modules
th = threading.Thread(target=pester)
if traced:
    th.start()
for k in range(8):
    for i in range(30000):
        leaf(i)
    if traced:
        import vtrace
        vtrace.get_tracer().dump('api%d.bin' % k)
stop.set()
if traced:
    th.join()
signal.setitimer(signal.ITIMER_REAL, 0)
print('done', ticks[0] > 0)
