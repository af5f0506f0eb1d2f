import vtrace  # SPDX-License-Identifier: MIT
def leaf():
    pass
def work():
    vtrace.instant('start', size=3, name='x')
    with vtrace.event('load', path='/tmp/a'):
        leaf()
        with vtrace.event('parse'):
            leaf()
            leaf()
    try:
        with vtrace.event('fails'):
            raise KeyError(1)
    except KeyError:
        pass
    vtrace.instant('end')
work()
