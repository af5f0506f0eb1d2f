def f():  # SPDX-License-Identifier: MIT
    return 1
g = {'__name__': 'm\x1b]0;pwned\x07'}
exec(compile('def esc():\n    return 1\n', 'evil\x1b[2J\xff.py', 'exec'), g)
esc = g['esc']
sur = type(f)(f.__code__.replace(co_name='bad\udcffname'), {'__name__': 's\udcff'})
g2 = {'__name__': 'nonutf8'}
exec(compile('def filed():\n    return 5\n', 'evil\udcff.py', 'exec'), g2)
g2['filed']()
exec('def ' + 'x' * 20000 + '():\n    return 2\n')
def ρ_函数():
    return 3
class Ω:
    def método(self):
        return 4
print(esc(), sur(), globals()['x' * 20000](), ρ_函数(), Ω().método())
