def f(i):  # SPDX-License-Identifier: MIT
    return i
for i in range(100000):
    f(i)
