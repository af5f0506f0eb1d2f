# SPDX-License-Identifier: MIT
def f(i):
    return i * 2
print(sum(f(i) for i in range(20000)))
