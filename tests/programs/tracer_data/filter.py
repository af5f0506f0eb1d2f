import time, helper  # SPDX-License-Identifier: MIT
def leaf():
    pass
def slow():
    time.sleep(0.01)
    leaf()
def mid():
    leaf()
    slow()
    helper.assist()
def top():
    for _ in range(3):
        mid()
top()
