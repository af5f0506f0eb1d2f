import vtrace  # SPDX-License-Identifier: MIT
print(sorted(vtrace.load_config().items()))
