def f():
    pass
f()
# SPDX-License-Identifier: MIT
