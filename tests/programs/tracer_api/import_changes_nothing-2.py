# SPDX-License-Identifier: MIT
import sys
def f():
    return 1
f()
print('threading' in sys.modules)
