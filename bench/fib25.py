# SPDX-License-Identifier: MIT
"""A traced run long enough to fill the default 1,000,000-event ring (fib(25): 242785 calls,
twice over, each a begin and an end record): startup_bench.py --program bench/fib25.py."""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


fib(25)
fib(25)
