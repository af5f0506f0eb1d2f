# SPDX-License-Identifier: MIT
import faulthandler, ctypes
faulthandler.enable()
def boom():
    ctypes.string_at(0)
boom()
