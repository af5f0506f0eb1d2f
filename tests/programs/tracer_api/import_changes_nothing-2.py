import sys  # SPDX-License-Identifier: MIT
def f():
    return 1
f()
print('threading' in sys.modules)
