# SPDX-License-Identifier: MIT
def f():
    raise KeyboardInterrupt
f()
