import ctypes, os, signal, sys, threading  # SPDX-License-Identifier: MIT
def leaf(i):
    return i
def step(i):
    return leaf(i)
def doom(how):
    if how == 'kill':
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == 'term':
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()
    elif how == 'segv':
        ctypes.string_at(0)
    else:
        os.abort()
def main(how):
    for i in range(100):
        step(i)
    doom(how)
how = sys.argv[1]
if len(sys.argv) > 2:
    t = threading.Thread(target=main, args=(how,), name=sys.argv[2])
    t.start()
    t.join()
else:
    main(how)
