def inner():  # SPDX-License-Identifier: MIT
    raise ValueError('boom')
def outer():
    inner()
print('before')
outer()
