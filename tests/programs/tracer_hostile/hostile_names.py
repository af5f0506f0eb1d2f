exec(compile(open('prøg_函数.py').read(), 'prøg_函数.py', 'exec'))  # SPDX-License-Identifier: MIT
