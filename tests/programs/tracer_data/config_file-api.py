# SPDX-License-Identifier: MIT
import vtrace
print(sorted(vtrace.load_config().items()))
