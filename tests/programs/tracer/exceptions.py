def bad():  # SPDX-License-Identifier: MIT
    raise ValueError('x')
def catcher():
    try:
        bad()
    except ValueError:
        pass
class Bad:
    def __init__(self):
        raise KeyError(1)
for _ in range(3):
    catcher()
for _ in range(30):
    try:
        Bad()
    except KeyError:
        pass
