import threading  # SPDX-License-Identifier: MIT
def crash():
    raise RuntimeError('in thread')
t = threading.Thread(target=crash, name='crasher')
t.start()
t.join()
print('main goes on')
