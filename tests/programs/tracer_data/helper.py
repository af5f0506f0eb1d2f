# SPDX-License-Identifier: MIT
def assist():
    return inner()
def inner():
    return 1
