# SPDX-License-Identifier: MIT
import sys
print(__name__, __spec__.name, sys.argv[1:])
