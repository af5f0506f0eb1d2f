import sys
print(__name__, __spec__.name, sys.argv[1:])
# SPDX-License-Identifier: MIT
