import vtrace.__main__ as m  # SPDX-License-Identifier: MIT
for argv in (['x.py', 'a', '-o'], ['-m', 'mod', 'b'], ['-c', 'pass']):
    fast = vars(m.parse(argv))
    full = vars(m._parser().parse_args(argv[:2] if argv[0] != 'x.py' else ['--', 'x.py']))
    full['args'] = argv[2:] if argv[0] != 'x.py' else argv[1:]
    print(fast == full, len(fast) > 20)
