def f(i):  # SPDX-License-Identifier: MIT
    return i * 2
print(sum(f(i) for i in range(20000)))
