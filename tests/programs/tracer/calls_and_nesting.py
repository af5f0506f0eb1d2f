def leaf():  # SPDX-License-Identifier: MIT
    pass
def mid():
    leaf()
    leaf()
def top():
    for _ in range(3):
        mid()
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
top()
fib(10)
