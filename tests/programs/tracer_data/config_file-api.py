import vtrace
print(sorted(vtrace.load_config().items()))
# SPDX-License-Identifier: MIT
