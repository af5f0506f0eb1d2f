import contextlib, threading  # SPDX-License-Identifier: MIT
class MyError(Exception):
    pass
class Bad(Exception):
    def __str__(self):
        raise RuntimeError('no str')
def same():
    try:
        raise ValueError('caught here')
    except ValueError:
        pass
def loop():
    for i in range(3):
        try:
            raise IndexError(i)
        except IndexError:
            pass
def from_c():
    try:
        int('x')
    except ValueError:
        pass
def c():
    raise KeyError('deep')
def b():
    c()
def a():
    b()
def top():
    try:
        a()
    except KeyError:
        pass
def down(n):
    return down(n + 1)
def deep():
    try:
        down(0)
    except RecursionError:
        pass
def bare():
    try:
        raise MyError('again')
    except MyError:
        raise
def named():
    try:
        bare()
    except MyError as e:
        try:
            raise e
        except MyError:
            pass
def nested():
    try:
        try:
            raise TypeError('outer')
        finally:
            try:
                raise OSError('inner')
            except OSError:
                pass
    except TypeError:
        pass
@contextlib.contextmanager
def cm():
    yield
def through_cm():
    try:
        with cm():
            raise ZeroDivisionError('cm')
    except ZeroDivisionError:
        pass
def bad():
    try:
        raise Bad()
    except Bad:
        pass
def worker():
    for i in range(2):
        try:
            raise LookupError('in thread %d' % i)
        except LookupError:
            pass
def main():
    same()
    loop()
    from_c()
    top()
    deep()
    named()
    nested()
    through_cm()
    bad()
    t = threading.Thread(target=worker, name='w')
    t.start()
    t.join()
    print('done')
main()
