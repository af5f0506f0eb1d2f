# SPDX-License-Identifier: MIT
def f(items):
    for _ in range(5):
        len(items)
    items.append(1)
f([])
