import threading  # SPDX-License-Identifier: MIT
def boom():
    raise ValueError('worker died')
def after():
    return 1
t = threading.Thread(target=boom, name='w1')
t.start()
t.join()
after()
