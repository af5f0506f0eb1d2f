import sys  # SPDX-License-Identifier: MIT
print(__name__, __spec__.name, sys.argv[1:])
