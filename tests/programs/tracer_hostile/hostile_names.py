# SPDX-License-Identifier: MIT
exec(compile(open('prøg_函数.py').read(), 'prøg_函数.py', 'exec'))
