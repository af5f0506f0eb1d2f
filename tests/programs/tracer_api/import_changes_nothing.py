import sys  # SPDX-License-Identifier: MIT
hook, before = sys.excepthook, set(sys.modules)
import vtrace
print(sys.excepthook is hook, [m for m in ('threading', 'signal', 'argparse', 're', 'json')
                               if m in sys.modules and m not in before])
import threading
boot, thook = threading.Thread._bootstrap_inner, threading.excepthook
go = threading.Event()
def work():
    return 1
def early():
    go.wait()
    work()
t0 = threading.Thread(target=early, name='early')
t0.start()
t = vtrace.Tracer(output='t.bin', quiet=True).start()
print(sys.excepthook is hook, threading.Thread._bootstrap_inner is boot,
      threading.excepthook is thook)
go.set()
t0.join()
t1 = threading.Thread(target=work, name='late')
t1.start()
t1.join()
t.stop()
t.dump()
