# SPDX-License-Identifier: MIT
"""Calls every function of vtrace's C extension with arguments of the wrong kind and count,
once idle and once while a Tracer records: each call returns or raises an exception, never
CPython's SystemError for a C function that failed without saying why. Prints one line per
function that did, then "checked N" (N functions). Run in a scratch directory: the calls
may write files there."""
import itertools
import warnings

import vtrace
from vtrace import _vtrace

BAD = [None, object(), "", b"x", -1, 1, 2**70, 1.5, [], {}, ("x",), "ignore"]
# While recording: these would end the recording or reconfigure it under the calls.
NOT_WHILE_RECORDING = {"stop", "configure", "set_init_monitor", "after_fork_child"}


def hunt(names, found):
    for name in names:
        fn = getattr(_vtrace, name)
        for arity in range(4):
            for args in itertools.product(BAD, repeat=arity):
                try:
                    fn(*args)
                except SystemError as e:
                    found.setdefault(name, "%s%r: %s" % (name, args, e))
                except BaseException:
                    pass
        _vtrace.set_repr(None)
        _vtrace.set_skip_prefix(vtrace._PKG_DIR + "/")


def main():
    warnings.simplefilter("ignore")
    names = sorted(n for n in dir(_vtrace) if callable(getattr(_vtrace, n)) and not n.startswith("__"))
    found = {}
    hunt(names, found)
    t = vtrace.Tracer(output="hunt.bin", quiet=True, log_args=True, log_retval=True)
    t.start()
    hunt([n for n in names if n not in NOT_WHILE_RECORDING], found)
    t.stop()
    for line in found.values():
        print(line)
    print("checked", len(names))


if __name__ == "__main__":
    main()
