# SPDX-License-Identifier: MIT
"""A Tracer asked for dumps of mode 0640: its ring file gets the read bits (0640), its dump
0640 even under a umask that would narrow it. Prints both modes in octal."""
import os
import stat

import vtrace
from vtrace import _vtrace

os.mkdir("rings", 0o700)
t = vtrace.Tracer(output="m.bin", dump_mode="0640", ring_dir="rings", quiet=True).start()
ring = _vtrace.ring_info()[0]
print(oct(stat.S_IMODE(os.stat(ring).st_mode)))
os.umask(0o077)
print(oct(stat.S_IMODE(os.stat(t.dump()).st_mode)))
t.stop()
