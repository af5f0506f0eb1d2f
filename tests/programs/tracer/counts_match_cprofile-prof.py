import cProfile, pstats, sys  # SPDX-License-Identifier: MIT
path = sys.argv[1]
code = compile(open(path).read(), path, 'exec')
p = cProfile.Profile()
p.runctx(code, {'__name__': '__main__'}, None)
for (f, line, fn), (cc, nc, tt, ct, callers) in sorted(pstats.Stats(p).stats.items()):
    if f == path:
        print(line, nc)
