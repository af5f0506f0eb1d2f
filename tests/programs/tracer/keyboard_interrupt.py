def f():
    raise KeyboardInterrupt
f()
# SPDX-License-Identifier: MIT
