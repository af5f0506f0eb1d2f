import os, signal, sys, time, vtrace  # SPDX-License-Identifier: MIT
def on_term(sig, frame):
    print('handled', flush=True)
    sys.exit(3)
signal.signal(signal.SIGTERM, on_term)
t = vtrace.Tracer(output='t.bin', dump_on_exit=True).start()
def work():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
work()
