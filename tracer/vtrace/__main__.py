"""python -m vtrace [options] (script.py | -m module | -c code) [args...]"""
import argparse
import builtins
import json
import os
import shlex
import sys
import types

import vtrace

_VALUE_OPTIONS = {"-o", "--output", "--buffer-size", "--dump-signal"}
_FLAG_OPTIONS = {"--quiet", "-q", "--c-calls", "--no-exit-dump", "--no-exception-dump",
                 "--version", "--help", "-h"}


def _parser():
    mb = vtrace.DEFAULT_BUFFER_SIZE * vtrace.RECORD_BYTES / 1e6
    p = argparse.ArgumentParser(
        prog="python -m vtrace",
        usage="%(prog)s [options] (script.py | -m module | -c code) [args...]",
        description="Run a Python program exactly as it would run, recording every function call "
                    "and return in every thread into a fixed-size ring buffer (the most recent "
                    "events are kept), and dump it to a VTB file at exit, on an unhandled "
                    "exception, on a signal or when the program calls vtrace's dump(). "
                    "Options are also read from the environment variable VTRACE_OPTIONS "
                    "(before those on the command line). Open the file with vtui(1).",
        epilog="See vtrace(1) for details.")
    p.add_argument("-o", "--output", default=vtrace.DEFAULT_OUTPUT, metavar="PATH",
                   help="where to write dumps (default: %(default)s); {pid}, {n} (the n-th dump "
                        "of the process) and {time} are replaced")
    p.add_argument("--buffer-size", type=int, default=vtrace.DEFAULT_BUFFER_SIZE, metavar="N",
                   help="events the ring keeps (default: %%(default)s); each takes %d bytes, so "
                        "the ring uses N*%d bytes (%.0f MB by default)"
                        % (vtrace.RECORD_BYTES, vtrace.RECORD_BYTES, mb))
    p.add_argument("--c-calls", action="store_true",
                   help="also record calls of C functions (builtins, methods of extension types). "
                        "Costs more: Python 3.12+ takes them from sys.monitoring, which calls "
                        "back on every call; 3.9-3.11 use the profile API, which puts the "
                        "interpreter on its slow path. On call-heavy code (fib) that is about "
                        "3x plain on 3.12 and 4x on 3.11, against about 2x without it")
    p.add_argument("--dump-signal", metavar="SIG",
                   help="dump when the process gets this signal (e.g. SIGUSR2); the handler "
                        "only sets a flag, the dump runs at the next safe point")
    p.add_argument("--no-exit-dump", action="store_true", help="do not dump when the program exits")
    p.add_argument("--no-exception-dump", action="store_true",
                   help="do not dump on an unhandled exception (in any thread)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="do not print the one line per dump on stderr")
    p.add_argument("--version", action="version", version="vtrace " + vtrace.__version__)
    p.add_argument("-m", dest="module", metavar="MODULE", help="run a library module as a script")
    p.add_argument("-c", dest="code", metavar="CODE", help="run a program passed as a string")
    p.add_argument("script", nargs="?", help="the program to run, followed by its arguments")
    return p


def _split(argv):
    """Our options, then the program: everything from the script (or -m/-c's value) on is
    the program's, even what looks like an option."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:i + 2], argv[i + 2:]
        if a in ("-m", "-c"):
            return argv[:i + 2], [], argv[i + 2:]
        if a in _VALUE_OPTIONS:
            i += 2
            continue
        if a.startswith("-") and (a.split("=", 1)[0] in _VALUE_OPTIONS or a in _FLAG_OPTIONS):
            i += 1
            continue
        if a.startswith("-") and a != "-":
            return argv[:i + 1], [], []
        return argv[:i], [a], argv[i + 1:]
    return argv, [], []


def parse(argv):
    env = shlex.split(os.environ.get("VTRACE_OPTIONS", ""))
    ours, script, rest = _split(env + list(argv))
    p = _parser()
    opts = p.parse_args(ours + script)
    given = [x for x in (opts.module, opts.code, opts.script) if x is not None]
    if len(given) != 1:
        p.error("give exactly one of: a script, -m module, -c code")
    if opts.buffer_size < 16:
        p.error("--buffer-size must be at least 16")
    if opts.dump_signal is not None:
        try:
            opts.dump_signal = vtrace._signal_number(opts.dump_signal)
        except ValueError as e:
            p.error(str(e))
    opts.args = rest
    return opts


def _fresh_main(**attrs):
    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=builtins, **attrs)
    sys.modules["__main__"] = main
    return main


def _prepare(opts):
    """Sets sys.argv, sys.path[0] and __main__ as `python` would; returns (code, globals)."""
    if opts.code is not None:
        sys.argv = ["-c"] + opts.args
        sys.path[0] = ""
        main = _fresh_main(__spec__=None, __loader__=None, __package__=None)
        return compile(opts.code, "<string>", "exec", dont_inherit=True), main.__dict__
    if opts.module is not None:
        import runpy
        try:
            _, spec, code = runpy._get_module_details(opts.module)
        except ImportError as e:
            sys.stderr.write("%s: %s\n" % (sys.executable, e))
            sys.exit(1)
        sys.argv = [spec.origin] + opts.args
        sys.path[0] = os.getcwd()
        main = _fresh_main(__spec__=spec, __file__=spec.origin, __cached__=spec.cached,
                           __loader__=spec.loader, __package__=spec.parent)
        return code, main.__dict__
    path = opts.script
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (sys.executable, path, e.errno, e.strerror))
        sys.exit(2)
    import importlib.machinery
    sys.argv = [path] + opts.args
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    path = os.path.abspath(path)  # as python makes __main__.__file__ since 3.9
    main = _fresh_main(__spec__=None, __file__=path, __cached__=None, __package__=None,
                       __loader__=importlib.machinery.SourceFileLoader("__main__", path))
    return compile(source, path, "exec", dont_inherit=True), main.__dict__


def _user_traceback(tb):
    """The traceback without vtrace's own frames, as `python` would print it."""
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(vtrace._PKG_DIR + os.sep):
        tb = tb.tb_next
    return tb


def _tracer(opts):
    return vtrace.Tracer(buffer_size=opts.buffer_size, output=opts.output, c_calls=opts.c_calls,
                         quiet=opts.quiet, dump_on_exit=not opts.no_exit_dump,
                         dump_on_exception=not opts.no_exception_dump,
                         dump_signal=opts.dump_signal)


def _child_options(opts):
    return json.dumps({"buffer_size": opts.buffer_size, "output": vtrace._child_pattern(opts.output),
                       "c_calls": opts.c_calls, "quiet": opts.quiet,
                       "dump_on_exit": not opts.no_exit_dump,
                       "dump_on_exception": not opts.no_exception_dump})


def _spawn_child(options):
    """Entry of a multiprocessing spawn child started by a traced program."""
    vtrace.Tracer(**json.loads(options)).start()


class _SpawnPatcher:
    """Makes multiprocessing's spawned interpreters start tracing too, once the program
    imports multiprocessing.spawn (nothing is imported ahead of the program)."""

    def __init__(self, opts):
        self.options = _child_options(opts)

    def find_spec(self, name, path=None, target=None):
        if name != "multiprocessing.spawn":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader, options = spec.loader, self.options

        class _Loader:
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                _patch_spawn(module, options)

        spec.loader = _Loader()
        return spec


def _patch_spawn(spawn, options):
    original = spawn.get_command_line

    def get_command_line(**kwds):
        cmd = original(**kwds)
        if "-c" in cmd:
            i = cmd.index("-c") + 1
            prefix = ("import sys; sys.path.insert(0, %r); import vtrace.__main__; "
                      "vtrace.__main__._spawn_child(%r); del sys.path[0]; "
                      % (os.path.dirname(vtrace._PKG_DIR), options))
            cmd = cmd[:i] + [prefix + cmd[i]] + cmd[i + 1:]
        return cmd

    spawn.get_command_line = get_command_line


def main(argv=None):
    opts = parse(sys.argv[1:] if argv is None else argv)
    code, globs = _prepare(opts)
    if "multiprocessing.spawn" not in sys.modules:
        sys.meta_path.insert(0, _SpawnPatcher(opts))
    else:
        _patch_spawn(sys.modules["multiprocessing.spawn"], _child_options(opts))
    tracer = _tracer(opts)
    try:
        tracer.start()
    except (MemoryError, ValueError, RuntimeError) as e:
        sys.stderr.write("vtrace: cannot start tracing: %s\n" % e)
        sys.exit(2)
    try:
        exec(code, globs)
    except SystemExit:
        raise
    except BaseException as e:
        _unhandled(tracer, e)


def _unhandled(tracer, e):
    """What python does with an exception nobody caught, and the dump."""
    tb = _user_traceback(e.__traceback__)
    sys.excepthook(type(e), e.with_traceback(tb), tb)
    if tracer.dump_on_exception and not tracer._exit_dumped:
        # The program replaced sys.excepthook: dump here instead.
        tracer._dump(vtrace.REASON_EXCEPTION, vtrace._exc_text(type(e), e))
        tracer._exit_dumped = True
    if not isinstance(e, KeyboardInterrupt):
        sys.exit(1)
    # python ends on an uncaught KeyboardInterrupt by killing itself with SIGINT.
    import atexit
    import signal
    atexit._run_exitfuncs()
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


if __name__ == "__main__":
    main()
