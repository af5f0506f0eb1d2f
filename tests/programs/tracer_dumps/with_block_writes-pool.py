import multiprocessing as mp, sys, time  # SPDX-License-Identifier: MIT
def work(x):
    time.sleep(0.01)
    return x * x
def ready(b):
    b.wait()
if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1])
    b = ctx.Barrier(4)
    if sys.argv[2] == 'with':
        with ctx.Pool(3, ready, (b,)) as p:
            b.wait()
            print(sum(p.map(work, range(30))))
    else:
        p = ctx.Pool(3, ready, (b,))
        b.wait()
        print(sum(p.map(work, range(30))))
        p.terminate() if sys.argv[2] == 'terminate' else p.close()
        p.join()
