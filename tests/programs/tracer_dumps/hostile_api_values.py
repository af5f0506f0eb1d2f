import signal, vtrace  # SPDX-License-Identifier: MIT
for kw in ({'output': ''}, {'output': 'a\0b'}, {'output': '{x}'},
           {'dump_signal': signal.SIGKILL}, {'dump_signal': 'SIGBUS'},
           {'output': 5}):
    try:
        vtrace.Tracer(**kw)
        print('accepted', kw)
    except (ValueError, TypeError) as e:
        print(type(e).__name__)
