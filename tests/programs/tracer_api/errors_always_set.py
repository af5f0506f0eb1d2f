from vtrace import _vtrace  # SPDX-License-Identifier: MIT
for f in (_vtrace.thread_ended, _vtrace.set_skip_prefix, _vtrace.name_threads):
    try:
        f(None)
    except TypeError as e:
        print(e)
