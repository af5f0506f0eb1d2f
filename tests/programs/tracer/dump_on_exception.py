def inner():
    raise ValueError('boom')
def outer():
    inner()
print('before')
outer()
# SPDX-License-Identifier: MIT
