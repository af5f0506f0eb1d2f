class MyError(Exception):  # SPDX-License-Identifier: MIT
    pass
def bad():
    raise ValueError('boom')
def middle():
    bad()
def catcher():
    try:
        middle()
    except ValueError:
        pass
def mine():
    raise MyError('mine')
catcher()
try:
    mine()
except MyError:
    pass
