def f(i):
    return i
for i in range(100000):
    f(i)
# SPDX-License-Identifier: MIT
