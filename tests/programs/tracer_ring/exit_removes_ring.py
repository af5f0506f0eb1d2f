# SPDX-License-Identifier: MIT
def f():
    pass
f()
