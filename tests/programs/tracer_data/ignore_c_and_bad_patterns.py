def f(items):  # SPDX-License-Identifier: MIT
    for _ in range(5):
        len(items)
f([])
