import os, sys  # SPDX-License-Identifier: MIT
os.close(1)
os.close(2)
a = os.open('data1', os.O_WRONLY | os.O_CREAT, 0o644)
b = os.open('data2', os.O_WRONLY | os.O_CREAT, 0o644)
assert (a, b) == (1, 2), (a, b)
os.write(a, b'one\n')
os.write(b, b'two\n')
