# SPDX-License-Identifier: MIT
"""Tracer(dump_mode=...) refuses what no dump may be, by the exception's type."""
import vtrace

for mode in (0o666, 0o602, 0o4600, 0o1600, 0o200, -1, 2**70, "x", "0o", "0999", 1.5, True,
             None, 0o640, "640", "0o600", 0o400):
    try:
        print(oct(vtrace.Tracer(dump_mode=mode).dump_mode))
    except (ValueError, TypeError) as e:
        print(type(e).__name__)
