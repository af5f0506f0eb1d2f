# SPDX-License-Identifier: MIT
def f(i):
    return i
for i in range(100000):
    f(i)
