def f():  # SPDX-License-Identifier: MIT
    pass
f()
