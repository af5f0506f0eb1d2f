import sys  # SPDX-License-Identifier: MIT
print(sys.version_info[1])
