def f(items):
    for _ in range(5):
        len(items)
f([])
# SPDX-License-Identifier: MIT
