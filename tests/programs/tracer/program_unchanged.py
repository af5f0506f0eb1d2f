import sys  # SPDX-License-Identifier: MIT
def shout(s):
    return s.upper()
data = sys.stdin.read()
print(shout(data), sys.argv, __name__, __file__)
print('to stderr', file=sys.stderr)
import __main__
print(__main__.shout is shout)
sys.exit(3)
