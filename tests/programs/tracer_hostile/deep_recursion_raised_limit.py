import sys  # SPDX-License-Identifier: MIT
sys.setrecursionlimit(100000)
def r(n):
    return 0 if n == 0 else 1 + r(n - 1)
try:
    print(r(50000))
except RecursionError as e:
    print('RecursionError', e)
def again(n):
    return 0 if n == 0 else 1 + again(n - 1)
print(again(2000))
