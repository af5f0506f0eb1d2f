# SPDX-License-Identifier: MIT
"""The vtrace command (and python -m vtrace):
vtrace [options] (script.py | -m module | -c code) [args...]

Runs the program as python would, with a Tracer recording. The options are declared once,
in _parser(); _split() and the run without options learn from the same declarations."""
# Annotations stay unevaluated (PEP 563): importing the runner imports no typing.
from __future__ import annotations

import builtins
import os
import sys
import types

import vtrace

# Imported when needed: the runner adds as little as it can to the program's start (argparse
# and json import re, enum and gettext: more CPU than all the rest of vtrace's start).
argparse = vtrace._LazyModule("argparse")
json = vtrace._LazyModule("json")
shlex = vtrace._LazyModule("shlex")

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know it)
if TYPE_CHECKING:
    import argparse as _argparse
    from typing import Any, Optional

_LEVEL_NAMES = {"CRITICAL", "FATAL", "ERROR", "WARNING", "WARN", "INFO", "DEBUG", "NOTSET"}

# Tracer arguments the command line gives as their negation; every other Tracer argument
# is the dest of the option of the same name (a configuration file's keys are the Tracer's).
_NEGATED = {"dump_on_exit": "no_exit_dump", "dump_on_exception": "no_exception_dump",
            "ring_file": "no_ring_file"}
# Tracer arguments the runner gives only to the program's own process, not to its children.
_NOT_FOR_CHILDREN = {"dump_signal"}


def _formatter(prog: str) -> _argparse.HelpFormatter:
    """argparse's formatter, given the terminal's width as shutil would find it: argparse
    builds one for each option it is given, and finding the width itself imports shutil
    (and with it bz2, lzma, fnmatch) on every run, help or not."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 80
    return argparse.HelpFormatter(prog, width=width - 2)


class _Declarations:
    """Stands in for argparse while _parser() declares the options, to learn their defaults
    and which of them take a value, without importing it: a run given no option but what to
    run (the common case) needs nothing else from the parser, and _split() finds where the
    program's arguments begin. The same declarations serve all three, so they cannot drift."""
    SUPPRESS = "==SUPPRESS=="

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        # option string -> "flag", "value" or "optional" (a value that may be left out)
        self.takes: dict[str, str] = {}

    def ArgumentParser(self, *args: Any, add_help: bool = True, **kwargs: Any) -> _Declarations:
        if add_help:  # argparse's own -h/--help
            self.takes.update({"-h": "flag", "--help": "flag"})
        return self

    def __getattr__(self, name: str) -> Any:
        # Any other declaration (a group, argparse.FileType(...)) stands for itself.
        return lambda *args, **kwargs: self

    def set_defaults(self, **kwargs: Any) -> None:
        self.values.update(kwargs)

    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        action = kwargs.get("action")
        takes = ("flag" if action in ("store_true", "store_false", "help", "version") else
                 "optional" if kwargs.get("nargs") == "?" else "value")
        self.takes.update((f, takes) for f in flags if f.startswith("-"))
        if action in ("help", "version"):
            return
        dest = kwargs.get("dest")
        if dest is None:
            longs = [f for f in flags if f.startswith("--")]
            dest = (longs or list(flags))[0].lstrip("-").replace("-", "_")
        default = {"store_true": False, "store_false": True}.get(action)
        self.values.setdefault(dest, kwargs.get("default", default))


_declared: Optional[_Declarations] = None


def _declarations() -> _Declarations:
    """The options as _parser() declares them (made once)."""
    global _declared
    if _declared is None:
        _declared = _Declarations()
        _parser(_declared)
    return _declared


def _prog() -> str:
    """The program's name for usage and errors: `vtrace` as the console script, `python3 -m
    vtrace` (the interpreter's name as typed) as a module."""
    if os.path.basename(sys.argv[0] or "") in ("__main__.py", "-m", "-c", ""):
        return "%s -m vtrace" % (os.path.basename(sys.executable) or "python3")
    return os.path.basename(sys.argv[0])


def _parser(argparse: Any = argparse) -> _argparse.ArgumentParser:
    """The command line's parser: every option of the runner is declared here."""
    mb = vtrace.DEFAULT_BUFFER_SIZE * vtrace.RECORD_BYTES / 1e6
    p = argparse.ArgumentParser(
        formatter_class=_formatter,
        prog=_prog(),
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
                        "of the process) and {time} are replaced, other braces refused. "
                        "Resolved at start; a regular file (written as a new file, of mode "
                        "0600 unless --dump-mode says otherwise), a new one or a character "
                        "device; a later dump of the process never replaces an earlier one: it "
                        "gets -N before the extension")
    p.add_argument("--dump-mode", default="0600", metavar="MODE",
                   help="the mode of dump files, in octal (default: %(default)s), e.g. 0640 "
                        "for a group that reads them: readable by the owner, never writable "
                        "by others; set as given (the umask does not narrow it). The ring "
                        "file takes its read bits")
    p.add_argument("--buffer-size", type=int, default=vtrace.DEFAULT_BUFFER_SIZE, metavar="N",
                   help="events the ring keeps (default: %%(default)s); each takes %d bytes, so "
                        "the ring uses N*%d bytes (%.0f MB by default), the arena for texts "
                        "N*%d more (at least %d KB), and the ring file's name tables N*4 more "
                        "(1 to 64 MB): in the ring file, reserved as they are first written"
                        % (vtrace.RECORD_BYTES, vtrace.RECORD_BYTES, mb, vtrace.ARENA_PER_EVENT,
                           vtrace.ARENA_MIN // 1024))
    p.add_argument("--c-calls", action="store_true",
                   help="also record calls of C functions (builtins, methods of extension types). "
                        "Costs more: Python 3.12+ takes them from sys.monitoring, which calls "
                        "back on every call; 3.9-3.11 use the profile API, which puts the "
                        "interpreter on its slow path. On call-heavy code (fib) that is about "
                        "3x plain on 3.12 and 4x on 3.11, against about 2x without it")
    p.add_argument("--dump-signal", metavar="SIG",
                   help="dump when the process gets this signal (e.g. SIGUSR2), at most once a "
                        "second (signals in between are coalesced); the signal then does what "
                        "it would have done (a terminating one still terminates; SIGUSR1/2 "
                        "do not kill a program without a handler)")
    p.add_argument("--no-exit-dump", action="store_true",
                   help="do not dump when the program exits, nor on SIGTERM (which otherwise "
                        "dumps once, then terminates the program as it would have)")
    p.add_argument("--no-exception-dump", action="store_true",
                   help="do not dump on an unhandled exception (in any thread)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="do not print the one line per dump on stderr")
    p.add_argument("--ring-dir", metavar="DIR",
                   help="where the ring file vtrace-PID.ring goes (default: $XDG_RUNTIME_DIR/vtrace, "
                        "else /dev/shm/vtrace-UID): a process killed or crashed leaves its last "
                        "events there for vtui; the directory must be yours and writable by no one "
                        "else (else, or when it lacks room, anonymous memory with a warning)")
    p.add_argument("--no-ring-file", action="store_true",
                   help="keep the ring in anonymous memory: nothing survives a kill or a crash")
    p.add_argument("--config", metavar="PATH",
                   help="read options from this JSON file (default: %s in the working "
                        "directory, when there is one); the environment and the command line "
                        "override it" % vtrace.CONFIG_FILE)
    d = p.add_argument_group(
        "data beside the calls",
        "Texts (snapshots, log messages, arguments) go to a side arena of %d bytes per ring "
        "event (at least %d KB), which wraps with the ring: %.0f MB with the default buffer "
        "size. The program adds its own with vtrace.log_var, counter, instant, event."
        % (vtrace.ARENA_PER_EVENT, vtrace.ARENA_MIN // 1024,
           vtrace.DEFAULT_BUFFER_SIZE * vtrace.ARENA_PER_EVENT / 1e6))
    d.add_argument("--log-args", action="store_true",
                   help="record the arguments of each call (bounded reprs, computed untraced)")
    d.add_argument("--log-retval", action="store_true",
                   help="record the return value of each call (a bounded repr)")
    d.add_argument("--log-exceptions", action="store_true",
                   help="record each raised exception once, as an instant (type and message) "
                        "in the function that raised it, caught there or not. Python 3.12+ "
                        "takes raises from sys.monitoring: up to 7%% slower than vtrace without "
                        "the option. 3.9-3.11 have no such event: a C trace function puts the "
                        "interpreter on its tracing path while the option is on: fib(25) runs "
                        "1.6x (3.9), 2.1-2.4x (3.10), 2.5-2.9x (3.11) slower than under vtrace "
                        "without it, a mixed workload 1.25x, 1.45x, 1.7x. A thread that has its "
                        "own trace function (a debugger, coverage) keeps it; there an exception "
                        "is recorded only as it leaves the function that raised it")
    d.add_argument("--log-gc", action="store_true",
                   help="record garbage collections as spans on a GC track")
    d.add_argument("--log-handler", nargs="?", const="DEBUG", metavar="LEVEL",
                   help="record log records at LEVEL (default DEBUG) and above, from every "
                        "logger; loggers still drop what is below their own level")
    d.add_argument("--dump-on-log", metavar="LEVEL",
                   help="dump when a record at LEVEL or above is logged (e.g. ERROR); records "
                        "are recorded from LEVEL on unless --log-handler says lower")
    f = p.add_argument_group(
        "filters at record time",
        "Decided once per function and cached: a function left out costs a flag test per "
        "call. Its callees are still recorded (unless @vtrace.ignore).")
    f.add_argument("--max-depth", type=int, metavar="N",
                   help="record N levels of calls (depths 0 .. N-1); C calls do not count")
    f.add_argument("--include", action="append", metavar="REGEX",
                   help="record only functions whose name (module.Class.func) matches "
                        "(repeatable: any of them; PCRE2)")
    f.add_argument("--exclude", action="append", metavar="REGEX",
                   help="do not record functions whose name matches (repeatable)")
    f.add_argument("--include-files", action="append", metavar="REGEX",
                   help="record only functions whose file path matches (repeatable)")
    f.add_argument("--exclude-files", action="append", metavar="REGEX",
                   help="do not record functions whose file path matches (repeatable)")
    f.add_argument("--ignore-c", action="store_true",
                   help="record no C function calls, even with --c-calls")
    f.add_argument("--min-duration", metavar="DUR",
                   help="drop calls shorter than DUR (50us, 1.5ms, 2s), with everything they "
                        "called, when dumping; they still take ring space while recording")
    p.add_argument("--version", action="version", version="vtrace " + vtrace.__version__)
    p.add_argument("-m", dest="module", metavar="MODULE", help="run a library module as a script")
    p.add_argument("-c", dest="code", metavar="CODE", help="run a program passed as a string")
    p.add_argument("script", nargs="?", help="the program to run, followed by its arguments")
    return p


def _is_level(text: str) -> bool:
    return text.upper() in _LEVEL_NAMES or text.isdigit()


def _split(argv: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Our options, then the program: everything from the script (or -m/-c's value) on is
    the program's, even what looks like an option. Which options take a value is what
    _parser() declares."""
    takes = _declarations().takes
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:i + 2], argv[i + 2:]
        if a in ("-m", "-c"):
            return argv[:i + 2], [], argv[i + 2:]
        name, eq, _ = a.partition("=") if a.startswith("--") else (a, "", "")
        kind = takes.get(name)
        if kind == "value" and not eq:
            i += 2
        elif kind == "optional" and not eq and i + 1 < len(argv) and _is_level(argv[i + 1]):
            i += 2
        elif kind is not None and not (kind == "flag" and eq):
            i += 1
        elif a.startswith("-") and a != "-":
            return argv[:i + 1], [], []
        else:
            return argv[:i], [a], argv[i + 1:]
    return argv, [], []


def _config_path(ours: list[str]) -> tuple[Optional[str], bool]:
    """The --config value among our options, else the default file when it exists."""
    for i, a in enumerate(ours):
        if a == "--config" and i + 1 < len(ours):
            return ours[i + 1], True
        if a.startswith("--config="):
            return a.split("=", 1)[1], True
    return (vtrace.CONFIG_FILE, False) if os.path.exists(vtrace.CONFIG_FILE) else (None, False)


def _config_defaults(path: str) -> dict[str, Any]:
    """The parser's defaults from a configuration file."""
    cfg = vtrace.load_config(path)
    out = {}
    for key, value in cfg.items():
        dest = _NEGATED.get(key, key)
        if key in _NEGATED:
            value = not value
        elif key in ("include", "exclude", "include_files", "exclude_files") and isinstance(value, str):
            value = [value]
        elif key == "log_handler":
            value = ("DEBUG" if value is True else None) if isinstance(value, bool) else str(value)
        elif key in ("dump_signal", "dump_on_log") and not isinstance(value, str):
            value = str(value)
        out[dest] = value
    return out


def parse(argv: list[str]) -> Any:
    """The options and the program to run (an argparse.Namespace, or its stand-in for a run
    with no options; .args holds the program's arguments). Errors exit with status 2 and a
    usage line, as argparse does; VTRACE_OPTIONS comes before argv, a configuration file
    gives the defaults."""
    try:
        env = os.environ.get("VTRACE_OPTIONS", "")
        env = shlex.split(env) if env.strip() else []
    except ValueError as e:
        _parser().error("VTRACE_OPTIONS: %s" % e)
    ours, script, rest = _split(env + list(argv))
    path, explicit = _config_path(ours)
    if path is None and ((not ours and script) or (len(ours) == 2 and ours[0] in ("-m", "-c"))):
        return _defaults(ours, script, rest)
    p = _parser()
    if path is not None:
        try:
            p.set_defaults(**_config_defaults(path))
        except (OSError, ValueError) as e:
            p.error("configuration: %s" % e)
    # "--" keeps an optional-valued flag (--log-handler) from taking the script as its value.
    opts = p.parse_args(ours + (["--"] + script if script else []))
    given = [x for x in (opts.module, opts.code, opts.script) if x is not None]
    if not given:
        p.error("nothing to run: give a script, -m module or -c code (--help lists the options)")
    if len(given) != 1:
        p.error("give exactly one of: a script, -m module, -c code")
    try:
        opts.output = vtrace._check_output(opts.output)
    except (ValueError, TypeError) as e:
        p.error(str(e))
    try:
        opts.dump_mode = vtrace._dump_mode(opts.dump_mode)
    except (ValueError, TypeError) as e:
        p.error("--dump-mode: %s" % e)
    if opts.buffer_size < 16:
        p.error("--buffer-size must be at least 16")
    if opts.max_depth is not None and opts.max_depth < 0:
        p.error("--max-depth must be 0 (no limit) or more")
    if opts.dump_signal is not None:
        try:
            opts.dump_signal = vtrace._signal_number(opts.dump_signal)
        except ValueError as e:
            p.error(str(e))
    for name in ("log_handler", "dump_on_log"):
        value = getattr(opts, name)
        if value is not None and not (str(value).upper() in _LEVEL_NAMES or str(value).isdigit()):
            p.error("--%s: unknown log level %r (DEBUG, INFO, WARNING, ERROR, CRITICAL or a "
                    "number)" % (name.replace("_", "-"), value))
    if opts.min_duration is not None and isinstance(opts.min_duration, str):
        try:
            vtrace._vtrace.parse_duration(opts.min_duration)
        except ValueError as e:
            p.error("--min-duration: %s" % e)
    opts.args = rest
    return opts


def _defaults(ours: list[str], script: list[str], rest: list[str]) -> types.SimpleNamespace:
    """The options of a run given none but what to run (-m module, -c code, or a script)."""
    opts = types.SimpleNamespace(**_declarations().values)
    if ours:
        setattr(opts, "module" if ours[0] == "-m" else "code", ours[1])
    else:
        opts.script = script[0]
    opts.args = rest
    return opts


def _module_code(name: str) -> tuple[Any, types.CodeType]:
    """(spec, code) of what `python -m name` runs (a package runs its __main__), through
    importlib's public API; ImportError with python's wording when there is none."""
    import importlib.util
    if name.startswith("."):
        raise ImportError("Relative module names not supported")
    try:
        spec = importlib.util.find_spec(name)  # imports the parent packages
    except (ImportError, AttributeError, TypeError, ValueError) as e:
        raise ImportError("Error while finding module specification for %r (%s: %s)"
                          % (name, type(e).__name__, e)) from e
    if spec is None:
        raise ImportError("No module named %s" % name)
    if spec.submodule_search_locations is not None:
        if name == "__main__" or name.endswith(".__main__"):
            raise ImportError("Cannot use package as __main__ module")
        try:
            return _module_code(name + ".__main__")
        except ImportError as e:
            raise ImportError("%s; %r is a package and cannot be directly executed"
                              % (e, name)) from None
    code = spec.loader.get_code(name) if spec.loader is not None else None
    if code is None:
        raise ImportError("No code object available for %s" % name)
    return spec, code


def _fresh_main(**attrs: Any) -> types.ModuleType:
    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=builtins, **attrs)
    sys.modules["__main__"] = main
    return main


def _prepare(opts: Any) -> tuple[types.CodeType, dict[str, Any]]:
    """Sets sys.argv, sys.path[0] and __main__ as `python` would; returns (code, globals)."""
    if opts.code is not None:
        sys.argv = ["-c"] + opts.args
        sys.path[0] = ""
        main = _fresh_main(__spec__=None, __loader__=None, __package__=None)
        return compile(opts.code, "<string>", "exec", dont_inherit=True), main.__dict__
    if opts.module is not None:
        try:
            spec, code = _module_code(opts.module)
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


def _user_traceback(tb: Optional[types.TracebackType]) -> Optional[types.TracebackType]:
    """The traceback without vtrace's own frames, as `python` would print it."""
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(vtrace._PKG_DIR + os.sep):
        tb = tb.tb_next
    return tb


def _tracer_args(opts: Any) -> dict[str, Any]:
    """The Tracer's arguments from the options (each the dest of the same name, or of its
    negation), but those that stay with the program's own process."""
    init = vtrace.Tracer.__init__.__code__
    args = {}
    for key in init.co_varnames[1:init.co_argcount]:
        if key in _NOT_FOR_CHILDREN:
            continue
        if key in _NEGATED:
            args[key] = not getattr(opts, _NEGATED[key])
        else:
            value = getattr(opts, key)
            args[key] = 0 if value is None and key in ("max_depth", "min_duration") else value
    return args


def _tracer(opts: Any) -> vtrace.Tracer:
    return vtrace.Tracer(dump_signal=opts.dump_signal, **_tracer_args(opts))


def _child_options(opts: Any) -> str:
    args = _tracer_args(opts)
    args["output"] = vtrace._child_pattern(opts.output)
    return json.dumps(args)


def _spawn_child(options: str) -> None:
    """Entry of a multiprocessing spawn child started by a traced program."""
    vtrace.Tracer(**json.loads(options)).start()


_PATCHES: dict[str, Any] = {}  # module name -> function(module, options) that makes its children traced


class _SpawnPatcher:
    """Makes multiprocessing's spawned interpreters (spawn, and the forkserver whose forks
    become the workers) start tracing too, once the program imports multiprocessing.spawn
    or .forkserver (nothing is imported ahead of the program)."""

    def __init__(self, opts: Any, waiting: list[str]) -> None:
        self.opts = opts  # their text for the child only when needed: it imports json
        self.waiting = set(waiting)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in self.waiting:
            return None
        self.waiting.discard(name)
        if not self.waiting:
            sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader, options = spec.loader, _child_options(self.opts)

        class _Loader:
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: types.ModuleType) -> None:
                loader.exec_module(module)
                _PATCHES[name](module, options)

        spec.loader = _Loader()
        return spec


def _traced_command(cmd: list[str], options: str) -> list[str]:
    """A `python ... -c CODE` command line that starts tracing before CODE."""
    if "-c" not in cmd:
        return cmd
    i = cmd.index("-c") + 1
    prefix = ("import sys; sys.path.insert(0, %r); import vtrace.__main__; "
              "vtrace.__main__._spawn_child(%r); del sys.path[0]; "
              % (os.path.dirname(vtrace._PKG_DIR), options))
    return cmd[:i] + [prefix + cmd[i]] + cmd[i + 1:]


def _patch_spawn(spawn: types.ModuleType, options: str) -> None:
    original = spawn.get_command_line

    def get_command_line(**kwds: Any) -> list[str]:
        return _traced_command(original(**kwds), options)

    spawn.get_command_line = get_command_line


class _TracedUtil:
    """multiprocessing.util as the forkserver module sees it: the server it starts runs
    traced, and so do the workers it forks (they inherit its tracer)."""

    def __init__(self, util: types.ModuleType, options: str) -> None:
        self._util = util
        self._options = options

    def __getattr__(self, name: str) -> Any:
        return getattr(self._util, name)

    def spawnv_passfds(self, path: str, args: list[str], passfds: Any) -> int:
        return self._util.spawnv_passfds(path, _traced_command(list(args), self._options),
                                         passfds)


def _patch_forkserver(forkserver: types.ModuleType, options: str) -> None:
    forkserver.util = _TracedUtil(forkserver.util, options)


_PATCHES["multiprocessing.spawn"] = _patch_spawn
_PATCHES["multiprocessing.forkserver"] = _patch_forkserver


def main(argv: Optional[list[str]] = None) -> None:
    """The vtrace command: runs the program argv (default: sys.argv[1:]) names, traced."""
    opts = parse(sys.argv[1:] if argv is None else argv)
    # Resolved now: the program may change directory; its children get the same path.
    opts.output = vtrace._absolute(opts.output)
    code, globs = _prepare(opts)
    waiting = [name for name in _PATCHES if name not in sys.modules]
    for name in _PATCHES:
        if name in sys.modules:
            _PATCHES[name](sys.modules[name], _child_options(opts))
    if waiting:
        sys.meta_path.insert(0, _SpawnPatcher(opts, waiting))
    try:
        tracer = _tracer(opts)
        tracer.start()
    except (MemoryError, ValueError, RuntimeError, TypeError) as e:
        sys.stderr.write("vtrace: cannot start tracing: %s\n" % e)
        sys.exit(2)
    hidden = _hidden_depth(opts)
    vtrace._vtrace.shift_depth(-hidden)
    try:
        exec(code, globs)
    except SystemExit:
        raise
    except BaseException as e:
        vtrace._vtrace.shift_depth(hidden)
        hidden = 0
        _unhandled(tracer, e)
    finally:
        vtrace._vtrace.shift_depth(hidden)


def _hidden_depth(opts: Any) -> int:
    """The recursion levels below the program that python would not have, for main() to
    hide: the program then meets the recursion limit as deep as without the runner. That is
    main's depth (this frame aside): python runs a script or -c from the bottom, and a
    module (-m) above runpy's two frames and, before 3.12, which counts each entry from C
    into Python once more, the level of runpy's exec."""
    depth = vtrace._vtrace.shift_depth(0) - 1
    entry = 1 if sys.version_info < (3, 12) else 0
    return depth - (2 + entry if opts.module is not None else 0)


def _unhandled(tracer: vtrace.Tracer, e: BaseException) -> None:
    """What python does with an exception nobody caught, and the dump."""
    tb = _user_traceback(e.__traceback__)
    sys.excepthook(type(e), e.with_traceback(tb), tb)
    if tracer.dump_on_exception and not tracer._exit_dumped:
        # The program replaced sys.excepthook: dump here instead.
        vtrace._record_unhandled(type(e), e, tb)
        tracer._dump(vtrace.REASON_EXCEPTION, vtrace._exc_text(type(e), e), final=True)
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
