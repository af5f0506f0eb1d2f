import os  # SPDX-License-Identifier: MIT
os.makedirs('sub', exist_ok=True)
os.chdir('sub')
def f():
    return 1
f()
