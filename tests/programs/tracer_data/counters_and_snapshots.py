import vtrace  # SPDX-License-Identifier: MIT
class Bad:
    def __repr__(self):
        raise RuntimeError('no')
class Deep:
    def __repr__(self):
        return repr(self)
loop = [1]
loop.append(loop)
def work():
    for i in range(3):
        vtrace.log_var('n', i * 10)
    vtrace.log_var('ratio', 0.25)
    vtrace.log_var('cfg', {'a': [1, 2]})
    vtrace.log_var('big', 'x' * 100000)
    vtrace.log_var('bad', Bad())
    vtrace.log_var('deep', Deep())
    vtrace.log_var('loop', loop)
    vtrace.counter('queue', pending=3, done=1.5)
    vtrace.counter('queue', pending=4, done=2)
    try:
        vtrace.counter('queue', pending='x')
    except TypeError as e:
        print('TypeError', 'pending' in str(e))
work()
print('end')
