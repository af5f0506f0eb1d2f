# SPDX-License-Identifier: MIT
def inner():
    raise ValueError('boom')
def outer():
    inner()
print('before')
outer()
