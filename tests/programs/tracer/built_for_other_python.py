import sys  # SPDX-License-Identifier: MIT
sys.path.insert(0, "other")
import vtrace
