import sys  # SPDX-License-Identifier: MIT
def f(i):
    return i * 2
print(sum(f(i) for i in range(1000)))
print('bye', file=sys.stderr)
sys.exit(5)
