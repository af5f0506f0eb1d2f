# SPDX-License-Identifier: MIT
import threading
def crash():
    raise RuntimeError('in thread')
t = threading.Thread(target=crash, name='crasher')
t.start()
t.join()
print('main goes on')
