import runpy  # SPDX-License-Identifier: MIT
runpy._get_module_details = None
import vtrace.__main__ as m
m.main(['-q', '--no-exit-dump', '-m', 'pkg', 'z'])
