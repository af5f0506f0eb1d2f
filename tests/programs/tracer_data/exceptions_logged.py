# SPDX-License-Identifier: MIT
class MyError(Exception):
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
