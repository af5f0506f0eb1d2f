import faulthandler, ctypes  # SPDX-License-Identifier: MIT
faulthandler.enable()
def boom():
    ctypes.string_at(0)
boom()
