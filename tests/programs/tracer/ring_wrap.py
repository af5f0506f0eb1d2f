import vtrace  # SPDX-License-Identifier: MIT
def leaf():
    pass
def deep(n):
    if n == 0:
        for _ in range(2000):
            leaf()
        vtrace.get_tracer().dump()
    else:
        deep(n - 1)
deep(20)
