def assist():  # SPDX-License-Identifier: MIT
    return inner()
def inner():
    return 1
