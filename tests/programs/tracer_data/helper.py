def assist():
    return inner()
def inner():
    return 1
# SPDX-License-Identifier: MIT
