class Bad:  # SPDX-License-Identifier: MIT
    def __repr__(self):
        raise ValueError('no repr')
class Deep:
    def __repr__(self):
        return repr(self)
def add(a, b=2, *rest, key=None, **kw):
    return a + b
def take(x):
    return x
def gen():
    yield 1
add(1, key='k')
take(Bad())
take(Deep())
take('y' * 100000)
list(gen())
print('ok')
