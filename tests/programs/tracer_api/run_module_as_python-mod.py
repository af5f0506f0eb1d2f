# SPDX-License-Identifier: MIT
import sys
print(__name__, sys.argv[1:])
sys.exit(3)
