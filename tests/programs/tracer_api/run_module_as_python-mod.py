import sys  # SPDX-License-Identifier: MIT
print(__name__, sys.argv[1:])
sys.exit(3)
