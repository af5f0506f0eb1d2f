import multiprocessing as mp  # SPDX-License-Identifier: MIT
def task(x):
    return x * 2
if __name__ == '__main__':
    for method in ('fork', 'spawn'):
        p = mp.get_context(method).Process(target=task, args=(3,))
        p.start()
        p.join()
        print(method, p.exitcode)
