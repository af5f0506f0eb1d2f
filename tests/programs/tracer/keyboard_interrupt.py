def f():  # SPDX-License-Identifier: MIT
    raise KeyboardInterrupt
f()
