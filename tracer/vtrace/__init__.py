# SPDX-License-Identifier: MIT
"""vtrace: record every call into a ring buffer and dump it like a dashcam.

    import vtrace
    with vtrace.Tracer(buffer_size=1_000_000, output="trace.bin") as t:
        work()
        t.dump()            # as often as you like; tracing goes on

Beside the calls: vtrace.log_var, counter, instant, event (a span), LogHandler; and the
decorators vtrace.ignore and vtrace.sparse.

The recorder is the C extension _vtrace; this package only decides when to dump.
Code in this package is never recorded.
"""
# Annotations stay unevaluated (PEP 563): the names they use come from typing only for a
# type checker, and importing vtrace imports no typing.
from __future__ import annotations

import atexit
import gc
import os
import sys
import time
# signal.signal raises and catches a TypeError inside (a traced stdlib frame) for every
# callable handler: --log-exceptions would record it. _signal is what it wraps.
import _signal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know it)
if TYPE_CHECKING:
    import types
    from typing import Any, Callable, Iterable, Optional, Union
    StrPath = Union[str, "os.PathLike[str]"]
    Patterns = Union[str, Iterable[str], None]


class _LazyModule:
    """A module imported at its first attribute access: importing vtrace costs the program
    little (python -m vtrace adds under 10 ms of CPU to an empty script), and a module the
    program never needs is never imported (signal imports enum; threading, collections)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(__import__(self._name), attr)


signal = _LazyModule("signal")
threading = _LazyModule("threading")


class _OnImport:
    """Calls fn(module) once the program has imported module `name`, without importing it
    first: a finder ahead of the others, which steps aside at its first use."""

    def __init__(self, name: str, fn: Callable[[types.ModuleType], None]) -> None:
        self.name, self.fn = name, fn

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _LoaderThen(spec.loader, self.fn)
        return spec


class _LoaderThen:
    """A module's loader, then fn(module) once the module ran."""

    def __init__(self, loader: Any, fn: Callable[[types.ModuleType], None]) -> None:
        self.loader, self.fn = loader, fn

    def create_module(self, spec: Any) -> Optional[types.ModuleType]:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        self.fn(module)


def _on_import(name: str, fn: Callable[[types.ModuleType], None]) -> None:
    if name in sys.modules:
        fn(sys.modules[name])
    else:
        sys.meta_path.insert(0, _OnImport(name, fn))

try:
    from . import _vtrace  # noqa: E402 (after the helpers the package's modules share)
except ImportError:  # an extension built for another Python: say so, not "circular import"
    import glob
    _built = sorted("%s.%s" % (t[0], t[1:]) for t in (os.path.basename(p).split(".")[1][len("cpython-"):].split("-")[0]
                    for p in glob.glob(os.path.join(os.path.dirname(__file__), "_vtrace.cpython-*"))))
    _here = "%d.%d" % sys.version_info[:2]
    if not _built or _here in _built:
        raise
    raise ImportError("vtrace was built for %s; build it for %s with make PYTHON=%s" % (
        ", ".join(_built), _here, sys.executable)) from None
from .data import log_var, counter, instant, event, ignore, sparse

from ._version import __version__
__all__ = ["Tracer", "get_tracer", "load_config", "LogHandler", "log_var", "counter", "instant",
           "event", "ignore", "sparse", "DEFAULT_BUFFER_SIZE", "DEFAULT_DUMP_MODE", "RECORD_BYTES",
           "ARENA_PER_EVENT", "__version__"]

DEFAULT_BUFFER_SIZE = 1_000_000
DEFAULT_OUTPUT = "trace.bin"
DEFAULT_DUMP_MODE = 0o600
RECORD_BYTES = _vtrace.RECORD_BYTES
# Arena bytes (texts of snapshots, logs, arguments) per ring event, and the least it gets.
ARENA_PER_EVENT = _vtrace.ARENA_PER_EVENT
ARENA_MIN = _vtrace.ARENA_MIN
CONFIG_FILE = ".vtrace.json"
# Dumps on the dump signal come at most this often (seconds); signals in between, or during a
# dump, are coalesced into the dump before them.
SIGNAL_DUMP_INTERVAL = 1.0
_DEPTH_LIMIT = 65535  # open calls per thread a VTB file holds (VTB_DEPTH_LIMIT, man/vtb.5)

# enum vtb_reason (common/vtb.h)
REASON_API, REASON_EXIT, REASON_EXCEPTION, REASON_SIGNAL, REASON_LOG = 0, 1, 2, 3, 4
_REASON_NAMES = {REASON_API: "api", REASON_EXIT: "exit", REASON_EXCEPTION: "exception",
                 REASON_SIGNAL: "signal", REASON_LOG: "log"}


def __getattr__(name: str) -> Any:
    # logging is imported only by those who use it.
    if name == "LogHandler":
        from .logs import LogHandler
        return LogHandler
    raise AttributeError("module 'vtrace' has no attribute %r" % name)


def load_config(path: StrPath = CONFIG_FILE) -> dict[str, Any]:
    """The Tracer arguments a configuration file holds (a dict): Tracer(**load_config()).
    Unknown keys and values of the wrong type raise ValueError naming the file, the line and
    column, and the key."""
    return _vtrace.load_config(os.fspath(path))


def _patterns(name: str, value: Patterns) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    value = list(value)
    for v in value:
        if not isinstance(v, str):
            raise TypeError("%s: patterns must be str, not %s" % (name, type(v).__name__))
    return value


def _duration_ns(value: Union[str, float, None]) -> int:
    """A duration: a str with its unit ("50us", "1.5ms") or a number of seconds."""
    if value is None or value == 0:
        return 0
    if isinstance(value, str):
        return _vtrace.parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("min_duration must be a str such as '50us' or seconds >= 0, not %r"
                         % (value,))
    return int(round(value * 1e9))

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_vtrace.set_skip_prefix(_PKG_DIR + os.sep)

_active: Optional[Tracer] = None
_ring_user: Optional[Tracer] = None  # the Tracer whose events the ring holds


def get_tracer() -> Optional[Tracer]:
    """The Tracer that is recording, or None."""
    return _active


def _exc_text(tp: Any, value: object) -> str:
    try:
        msg = str(value)
    except Exception:
        msg = "<unprintable>"
    name = getattr(tp, "__qualname__", str(tp))
    return "%s: %s" % (name, msg) if msg else name


def _child_pattern(pattern: str) -> str:
    """A fork child writes its own file: one without {pid} gets .{pid} before its extension."""
    if "{pid}" in pattern:
        return pattern
    head, sep, base = pattern.rpartition("/")
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return pattern + ".{pid}"
    return "%s%s%s.{pid}.%s" % (head, sep, stem, ext)


class Tracer:
    """Records every Python call (and C calls with c_calls=True) into a ring of
    buffer_size events (RECORD_BYTES each), most recent kept, and dumps it to `output`,
    a path that may hold {pid}, {n} (n-th dump of the process) and {time}. Texts (snapshots,
    log messages, arguments) go to an arena of ARENA_PER_EVENT bytes per event.

    Data: log_args, log_retval (bounded reprs), log_exceptions (an instant per raised
    exception), log_gc (collections as spans on a GC track), log_handler (a level: a
    LogHandler sees every record), dump_on_log (a level: such a record dumps).
    Filters, fixed for the run: max_depth (levels kept, 0 = all), include / exclude (regexes
    over module.Class.func), include_files / exclude_files (regexes over file paths),
    ignore_c (no C calls even with c_calls), min_duration ("50us" or seconds: shorter calls
    are dropped at dump time, with their callees).
    The black box: the ring lives in a file vtrace-PID.ring in ring_dir (default
    $XDG_RUNTIME_DIR/vtrace, else /dev/shm/vtrace-UID) that a killed or crashed process
    leaves behind for vtui; ring_file=False keeps it in anonymous memory.
    Dumps are new files of mode 0600; dump_mode (an int such as 0o640, or an octal str
    "0640") asks for another: readable by the owner, never writable by others. The ring
    file takes its read bits.
    Bad values raise ValueError or TypeError here, before anything is recorded."""

    def __init__(self, buffer_size: int = DEFAULT_BUFFER_SIZE, output: StrPath = DEFAULT_OUTPUT,
                 c_calls: bool = False, quiet: bool = False, dump_on_exit: bool = False,
                 dump_on_exception: bool = True, dump_signal: Union[int, str, None] = None,
                 log_args: bool = False, log_retval: bool = False, log_exceptions: bool = False,
                 log_gc: bool = False, log_handler: Union[bool, int, str, None] = None,
                 dump_on_log: Union[int, str, None] = None, max_depth: int = 0,
                 include: Patterns = None, exclude: Patterns = None,
                 include_files: Patterns = None, exclude_files: Patterns = None,
                 ignore_c: bool = False, min_duration: Union[str, float] = 0,
                 ring_dir: Optional[StrPath] = None, ring_file: bool = True,
                 dump_mode: Union[int, str] = DEFAULT_DUMP_MODE) -> None:
        if int(buffer_size) < 16:
            raise ValueError("buffer_size must be at least 16 events")
        if int(max_depth) < 0:
            raise ValueError("max_depth must be 0 (no limit) or more")
        self.buffer_size = int(buffer_size)
        self.log_args = bool(log_args)
        self.log_retval = bool(log_retval)
        self.log_exceptions = bool(log_exceptions)
        self.log_gc = bool(log_gc)
        self.max_depth = int(max_depth)
        self.include = _patterns("include", include)
        self.exclude = _patterns("exclude", exclude)
        self.include_files = _patterns("include_files", include_files)
        self.exclude_files = _patterns("exclude_files", exclude_files)
        self.ignore_c = bool(ignore_c)
        self.min_duration_ns = _duration_ns(min_duration)
        self.log_handler = self.dump_on_log = None
        if log_handler not in (None, False) or dump_on_log is not None:
            from .logs import level_number
            self.dump_on_log = level_number(dump_on_log) if dump_on_log is not None else None
            if log_handler in (None, False):
                self.log_handler = self.dump_on_log
            else:
                self.log_handler = 10 if log_handler is True else level_number(log_handler)
        self.ring_dir = os.path.abspath(os.fspath(ring_dir)) if ring_dir is not None else None
        self.ring_file = bool(ring_file)
        self.dump_mode = _dump_mode(dump_mode)
        self.output = _check_output(output)
        self.c_calls = bool(c_calls)
        self.quiet = quiet
        self.dump_on_exit = dump_on_exit
        self.dump_on_exception = dump_on_exception
        self.dump_signal = _signal_number(dump_signal) if dump_signal is not None else None
        self.problems: list[str] = []
        self._old_signals: dict[int, Any] = {}  # signal -> the disposition before ours
        self._exit_dumped = False
        self._atexit = False
        self._dumping: Optional[int] = None  # the reason of the dump being written
        self._pending_signal: Optional[int] = None  # a dump signal during another dump
        self._deferred: list[int] = []  # other signals that came during a dump (_defer)
        self._final_written = False  # the exit (or SIGTERM) dump holds the ring's data
        self._last_signal_dump: Optional[float] = None
        self._coalesced = 0

    # ---- recording ----
    def start(self) -> Tracer:
        """Start recording (hooks installed, the ring mapped); returns self.
        RuntimeError while another Tracer records; a second start of this one is a no-op."""
        global _active, _ring_user
        if _active is not None and _active is not self:
            raise RuntimeError("another vtrace.Tracer is recording")
        if _active is self:
            return self
        _take_stderr()
        # A relative path names a file in the directory of the start, wherever the program
        # goes later.
        self.output = _absolute(self.output)
        _vtrace.configure(self.include, self.exclude, self.include_files, self.exclude_files,
                          self.max_depth, self.min_duration_ns, self.log_args, self.log_retval,
                          self.log_exceptions)
        c_calls = self.c_calls and not self.ignore_c
        _vtrace.ring_config(self.ring_dir, not self.ring_file, self.dump_mode,
                            -1 if self.quiet or _err_fd is None else _err_fd)
        # The ring is shared: another Tracer's events are not this one's to dump.
        _vtrace.start(self.buffer_size, c_calls and not _vtrace.HAVE_MONITORING,
                      _ring_user is not self)
        _ring_user = self
        _ring_warning(self.quiet)
        if _vtrace.HAVE_MONITORING:
            try:
                _monitoring_on(c_calls, self.log_exceptions)
            except Exception:
                _monitoring_off()
                _vtrace.stop()
                raise
        _active = self
        if self.log_gc and _vtrace.gc_callback not in gc.callbacks:
            gc.callbacks.append(_vtrace.gc_callback)
        if self.log_handler is not None:
            from .logs import install_root
            install_root(self.log_handler, self.dump_on_log)
        _hooks_on()
        if "threading" in sys.modules:
            _name_hook_on(sys.modules["threading"])
        self._signals_on()
        if (self.dump_on_exit or self._old_signals) and not self._atexit:
            atexit.register(self._on_exit)
            self._atexit = True
        return self

    def stop(self, _restore_signals: bool = True) -> None:
        """Stop recording; the ring keeps its events for a later dump(). Problems met while
        recording (threads or functions the tables could not hold) go to self.problems and,
        unless quiet, to stderr."""
        global _active
        if _active is not self:
            return
        if _vtrace.HAVE_MONITORING:
            _monitoring_off()
        if _vtrace.gc_callback in gc.callbacks:
            gc.callbacks.remove(_vtrace.gc_callback)
        if self.log_handler is not None:
            from .logs import uninstall_root
            uninstall_root()
        self.problems = _vtrace.stop()
        _active = None
        _name_hook_off()
        if _restore_signals:
            self._signals_off()
        if self.problems and not self.quiet:
            _warn("recording had problems: " + "; ".join(self.problems))

    def clear(self) -> None:
        """Forget every event recorded so far."""
        _vtrace.clear()

    def dump(self, path: Optional[StrPath] = None) -> Optional[str]:
        """Write the ring to `path` (default: the output pattern). Returns the path written,
        or None when the write failed (a warning says why; the program carries on)."""
        return self._dump(REASON_API, None, path)

    def stats(self) -> dict[str, int]:
        """Counters of the recorder: events recorded and in the ring, code and thread table
        sizes (a dict of ints)."""
        return _vtrace.stats()

    def __enter__(self) -> Tracer:
        return self.start()

    def __exit__(self, tp: Optional[type[BaseException]], value: Optional[BaseException],
                 tb: Optional[types.TracebackType]) -> bool:
        """The end of the block dumps (an exception dump when one leaves it)."""
        if _active is self:
            if tp is None:
                self._dump(REASON_EXIT, "end of the with block")
            elif self.dump_on_exception:
                self._dump(REASON_EXCEPTION, _exc_text(tp, value))
        self.stop()
        return False

    # ---- dumps ----
    def _dump(self, reason: int, text: Optional[str], path: Optional[StrPath] = None,
              final: bool = False) -> Optional[str]:
        """One dump at a time: a signal handler that runs while a dump is written (Python
        runs handlers between any two bytecodes) never nests another (_signal_dump) nor
        ends the process under it (_defer). A final dump (at exit, or SIGTERM's) is claimed
        in the same step as the dump, so a SIGTERM cannot fall between the two."""
        if self._dumping is not None:
            return None
        self._dumping = reason
        if final:
            self._exit_dumped = True
        try:
            written = self._dump_now(reason, text, path)
            self._final_written = self._final_written or (final and written is not None)
            return written
        finally:
            self._dumping = None
            pending, self._pending_signal = self._pending_signal, None
            if pending is not None:
                self._signal_dump(pending)
            deferred, self._deferred = self._deferred, []
            for signum in deferred:
                os.kill(os.getpid(), signum)  # its handler runs again, the dump written

    def _dump_now(self, reason: int, text: Optional[str], path: Optional[StrPath]) -> Optional[str]:
        try:
            written, events, dropped, data_lost, asked, too_deep = _vtrace.dump(
                _absolute(path) if path else self.output, reason, text, self.dump_mode)
        except (OSError, MemoryError) as e:
            _warn("could not write the trace: %s (the program carries on)" % e)
            global _ring_keep
            _ring_keep = True  # the ring file still holds what the dump could not write
            return None
        _vtrace.ring_dumped(written)
        coalesced, self._coalesced = self._coalesced, 0
        if not self.quiet:
            _warn("wrote %s%s: %d ring records, %d dropped by the ring%s%s%s, reason: %s%s" % (
                written, " (%s holds an earlier dump of this process)" % asked if asked else "",
                events, dropped,
                ", %d texts overwritten in the arena" % data_lost if data_lost else "",
                ", %d calls nested deeper than %d levels left out" % (too_deep, _DEPTH_LIMIT)
                if too_deep else "",
                ", %d dump signals coalesced" % coalesced if coalesced else "",
                _REASON_NAMES.get(reason, "?"), " (%s)" % text if text else ""))
        return written

    # ---- signals ----
    def _signals_on(self) -> None:
        """The dump signal, and SIGTERM when the tracer dumps at exit. A disposition of the
        program's, set before, runs after the dump (_chain)."""
        wanted = []
        if self.dump_signal is not None:
            wanted.append(self.dump_signal)
        if self.dump_on_exit and _signal.SIGTERM not in wanted:
            wanted.append(_signal.SIGTERM)
        for signum in wanted:
            if signum in self._old_signals:
                continue
            old = _signal.getsignal(signum)
            if signum != self.dump_signal and (old is None or old == _signal.SIG_IGN):
                continue  # ignored, or a C handler we could not chain to: left alone
            if not _in_main_thread():
                if signum == self.dump_signal:
                    _warn("dump_signal needs start() in the main thread: no dump on %s"
                          % signal.Signals(signum).name)
                continue
            _signal.signal(signum, self._on_signal)
            self._old_signals[signum] = old
            if signum == self.dump_signal:
                _vtrace.ring_dump_signal(signum)  # vtui --ask-dump reads it
            if old == _signal.SIG_DFL and signum in _TERMINATING:
                # Python may not get to run the handler (nudge.c): it still terminates.
                _vtrace.nudge_install(signum)

    def _signals_off(self) -> None:
        _vtrace.ring_dump_signal(0)
        for signum, old in self._old_signals.items():
            try:
                _signal.signal(signum, old if old is not None else _signal.SIG_DFL)
            except (ValueError, OSError, TypeError):
                pass
        self._old_signals = {}

    def _on_signal(self, signum: int, frame: Optional[types.FrameType]) -> None:
        _vtrace.nudge_ack(signum)
        if _active is self:
            if signum != self.dump_signal and self._defer(signum):
                return
            if signum == _signal.SIGTERM and self.dump_on_exit:
                if not self._exit_dumped:
                    self._dump(REASON_SIGNAL, "SIGTERM", final=True)
            elif signum == self.dump_signal:
                self._signal_dump(signum)
        self._chain(signum, frame)

    def _defer(self, signum: int) -> bool:
        """A signal that comes while a dump is written (a pool worker that exits as
        Pool.terminate() sends SIGTERM) would end the process or run the program's handler
        under the dump, and the dump would be lost: it is sent again once the dump is
        written (_dump). Noted before the check, so that a dump ending in another thread
        between the two cannot miss it (a repeat at worst)."""
        self._deferred.append(signum)
        if self._dumping is not None:
            return True
        self._deferred.remove(signum)
        return False

    def _signal_dump(self, signum: int) -> None:
        """Rate-limited: at most one dump per SIGNAL_DUMP_INTERVAL, counted from the end
        of the last one, so a storm of signals cannot keep the program dumping. A signal
        during a signal dump is coalesced into it; during another dump it waits for it."""
        if self._dumping is not None:
            if self._dumping == REASON_SIGNAL:
                self._coalesced += 1
            else:
                self._pending_signal = signum
            return
        now = time.monotonic()
        if self._last_signal_dump is not None and now - self._last_signal_dump < SIGNAL_DUMP_INTERVAL:
            self._coalesced += 1
            return
        self._dump(REASON_SIGNAL, signal.Signals(signum).name)
        self._last_signal_dump = time.monotonic()

    def _chain(self, signum: int, frame: Optional[types.FrameType]) -> None:
        """What the signal would have done without the tracer: the program's handler runs;
        a signal whose default action ends the process ends it (killed by that signal). The
        user signals are the dump signal's to take: without a handler of the program they
        would have killed it, which is not what asking for dumps on them means."""
        old = self._old_signals.get(signum)
        if callable(old):
            old(signum, frame)
        elif old == _signal.SIG_DFL and signum in _TERMINATING:
            _die_by(signum, self._final_written)

    def _on_exit(self) -> None:
        if _active is self and self.dump_on_exit and not self._exit_dumped:
            self._dump(REASON_EXIT, None, final=True)
        if _active is self:
            # The process ends: a dump signal must not find SIG_DFL now.
            self.stop(_restore_signals=False)
            self._keep_signals_to_the_end()

    def _keep_signals_to_the_end(self) -> None:
        """The interpreter's finalization sets SIG_DFL where a Python handler was: a dump
        signal the program did not handle would kill it on its way out. Ignored instead
        (the handler would do nothing now)."""
        for signum, old in self._old_signals.items():
            if old == _signal.SIG_DFL and signum not in _TERMINATING:
                try:
                    _signal.signal(signum, _signal.SIG_IGN)
                except (ValueError, OSError):
                    pass

    def _after_fork_child(self) -> None:
        self.output = _child_pattern(self.output)
        self._exit_dumped = self._final_written = False
        self._dumping = self._pending_signal = None
        self._deferred = []
        self._last_signal_dump = None
        self._coalesced = 0
        if self.dump_on_exit:
            os._exit = _exit_with_dump


# Signals whose default action ends the process, but the user signals (Tracer._chain).
_TERMINATING = {getattr(_signal, n) for n in (
    "SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGALRM", "SIGVTALRM", "SIGPROF", "SIGPIPE",
    "SIGXCPU", "SIGXFSZ", "SIGPWR", "SIGSTKFLT", "SIGIO", "SIGSYS", "SIGTRAP")
    if hasattr(_signal, n)}


def _die_by(signum: int, dumped: bool) -> None:
    """Ends the process as the signal's default action would (the shell sees 128+signum).
    The ring file says which signal; it goes when the dump just written holds its data (as
    at a normal exit: in /dev/shm it takes memory)."""
    try:
        _vtrace.ring_ended_by(signum, dumped and not _ring_keep)
    except Exception:
        pass
    try:
        _signal.signal(signum, _signal.SIG_DFL)
        _signal.pthread_sigmask(_signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)
    finally:
        _real_exit(128 + signum)


def _absolute(path: StrPath) -> str:
    path = os.fspath(path)
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


_PLACEHOLDERS = ("{pid}", "{n}", "{time}")
_PATH_MAX = 4000     # bytes of the pattern, leaving room for what {n}, {pid}, {time} add
_NAME_MAX = 200      # bytes of one component, leaving room for a -<n> and .vtb.tmp<pid>


def _check_output(pattern: Union[StrPath, bytes]) -> str:
    """The output pattern, or ValueError saying what is wrong with it."""
    if not isinstance(pattern, (str, bytes, os.PathLike)):
        raise TypeError("output must be a path, not %s" % type(pattern).__name__)
    pattern = os.fsdecode(pattern)
    if not pattern:
        raise ValueError("output: the path is empty")
    if "\0" in pattern:
        raise ValueError("output: the path holds a NUL character")
    left = pattern
    for placeholder in _PLACEHOLDERS:
        left = left.replace(placeholder, "")
    if "{" in left or "}" in left:
        raise ValueError("output %r: a brace that is not {pid}, {n} or {time}" % pattern)
    raw = os.fsencode(pattern)
    if len(raw) > _PATH_MAX:
        raise ValueError("output: the path is %d bytes long (at most %d)" % (len(raw), _PATH_MAX))
    if any(len(part) > _NAME_MAX for part in raw.split(b"/")):
        raise ValueError("output: a path component is longer than %d bytes" % _NAME_MAX)
    return pattern


def _dump_mode(mode: Union[int, str]) -> int:
    """A dump mode from an int (0o640) or an octal str ("0640", "640", "0o640"), checked
    (_vtrace.check_dump_mode says what no dump may be); ValueError or TypeError."""
    if isinstance(mode, str):
        text = mode.strip().lower()
        digits = text[2:] if text.startswith("0o") else text
        if not digits or any(c not in "01234567" for c in digits):
            raise ValueError("dump mode %r: not an octal mode such as 0640" % mode)
        mode = int(digits, 8)
    return _vtrace.check_dump_mode(mode)


# No dumps on these: they cannot be caught, or they mean a crash (no Python code can run
# safely in their handler; a crash handler of their own marks them).
_NOT_DUMP_SIGNALS = {getattr(_signal, n) for n in (
    "SIGKILL", "SIGSTOP", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT")
    if hasattr(_signal, n)}


def _signal_number(sig: Union[int, str]) -> int:
    """The signal a dump_signal value names; ValueError when it names none or one that
    cannot carry dumps."""
    signum = _signal_named(sig)
    if signum in _NOT_DUMP_SIGNALS:
        raise ValueError("%s cannot be a dump signal (%s)" % (
            signum.name, "it cannot be caught" if signum in (_signal.SIGKILL, _signal.SIGSTOP)
            else "it means a crash"))
    return signum


def _signal_named(sig: Union[int, str]) -> Any:
    if isinstance(sig, str) and sig.strip().isdigit():
        sig = int(sig)  # "12" from a command line or VTRACE_OPTIONS, as the man page allows
    if isinstance(sig, str):
        name = sig.upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        try:
            return signal.Signals[name]
        except KeyError:
            raise ValueError("unknown signal %r" % sig) from None
    try:
        return signal.Signals(int(sig))
    except ValueError:
        raise ValueError("unknown signal %r" % sig) from None


_err_fd: Optional[int] = None  # the stderr of the first start (a duplicate: the program may close fd 2)


def _take_stderr() -> None:
    global _err_fd
    if _err_fd is None:
        try:
            _err_fd = os.dup(2)
        except OSError:
            _err_fd = -1


def _warn(msg: str) -> None:
    """One line to the stderr the tracer started with, never to what fd 2 became."""
    data = ("vtrace: %s\n" % msg).encode("utf-8", "backslashreplace")
    try:
        if _err_fd is None:
            sys.stderr.write(data.decode("utf-8"))
            sys.stderr.flush()
            return
        while data and _err_fd >= 0:
            data = data[os.write(_err_fd, data):]
    except Exception:
        pass


# ---- hooks into the interpreter, installed once, acting for the active tracer ----
_orig: dict[str, Any] = {}
# Thread.name as threading defines it and as vtrace wraps it, while a tracer records.
_name_props: Optional[tuple[property, property]] = None
# The threads running as the first tracer started ({ident: Thread}): the C side keeps their
# names (they never tell theirs: their Thread._bootstrap_inner is not vtrace's), renames too.
_early_threads: dict[int, Any] = {}


# The instant an unhandled exception leaves on its thread, its text the traceback as Python
# prints it: where `vtui` goes to the incident (vtui(1), goto incident).
UNHANDLED = "unhandled exception"
_TEXT_MAX = 4000  # a record keeps 4096 bytes (VT_TEXT_MAX): a longer traceback keeps its ends


def _traceback_text(tp: type[BaseException], value: BaseException,
                    tb: Optional[types.TracebackType]) -> str:
    import traceback
    text = "".join(traceback.format_exception(tp, value, tb))
    if len(text.encode("utf-8", "replace")) > _TEXT_MAX:
        text = text[:_TEXT_MAX // 4] + "\n  ...\n" + text[-(_TEXT_MAX // 2):]
    return text


def _record_unhandled(tp: type[BaseException], value: BaseException,
                      tb: Optional[types.TracebackType]) -> None:
    """The unhandled exception (type, message, traceback) as an instant on its thread."""
    if _active is None:
        return
    try:
        _vtrace.instant_text(UNHANDLED, _vtrace.call_untraced(_traceback_text, tp, value, tb))
    except Exception:
        pass


def _sys_excepthook(tp: type[BaseException], value: BaseException,
                    tb: Optional[types.TracebackType]) -> None:
    _record_unhandled(tp, value, tb)
    _orig["sys"](tp, value, tb)
    t = _active
    if t is not None and t.dump_on_exception:
        # The exit dump would repeat this one.
        t._dump(REASON_EXCEPTION, _exc_text(tp, value), final=True)


def _threading_excepthook(args: Any) -> None:
    if args.exc_type is not SystemExit:
        _record_unhandled(args.exc_type, args.exc_value, args.exc_traceback)
    _orig["threading"](args)
    t = _active
    if t is not None and t.dump_on_exception and args.exc_type is not SystemExit:
        name = args.thread.name if args.thread is not None else "?"
        t._dump(REASON_EXCEPTION, "in thread %s: %s" % (name, _exc_text(args.exc_type, args.exc_value)))


def _thread_bootstrap_inner(self: Any) -> None:
    """Thread._bootstrap_inner, then the thread's name to the recorder: names outlive threads.
    This frame is hidden from the recursion limit: the thread's code meets it as deep as
    without the tracer."""
    _vtrace.shift_depth(-1)
    try:
        _vtrace.thread_started(self._name)  # the ring file names it while it runs
    except Exception:
        pass
    try:
        _orig["bootstrap"](self)
    finally:
        _vtrace.shift_depth(1)
        try:
            _vtrace.thread_ended(self._name)
        except Exception:
            pass


def _name_hook_on(threading: types.ModuleType) -> None:
    """Thread.name's setter tells renames to the ring file while a tracer records (rename.c);
    stop() puts threading's back. A thread not started yet tells its name as it starts."""
    global _name_props
    prop = threading.Thread.__dict__.get("name")
    # A program's own descriptor in its place (a property subclass included) stays as it is.
    if _name_props is not None or type(prop) is not property or prop.fset is None:
        return
    _vtrace.name_hook(prop.fset, _early_threads)
    ours = property(prop.fget, _vtrace.thread_name_set, prop.fdel, prop.__doc__)
    threading.Thread.name = ours
    _name_props = (prop, ours)


def _name_hook_off() -> None:
    global _name_props
    props, _name_props = _name_props, None
    threading = sys.modules.get("threading")
    if props is not None and threading is not None and threading.Thread.__dict__.get("name") is props[1]:
        threading.Thread.name = props[0]
    _vtrace.name_hook(None, None)


def _dressed_as(hook: Callable[..., Any], original: Callable[..., Any]) -> Callable[..., Any]:
    """hook with the name, module and doc of the function it stands in for: code that looks
    (threading.__all__ checks, help()) sees what it would see without the tracer."""
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(hook, attr, getattr(original, attr))
        except (AttributeError, TypeError):
            pass
    hook.__wrapped__ = original
    return hook


def _hooks_on() -> None:
    """Installed by the first start, not at import: importing vtrace changes nothing. Those
    of threading wait for the program to import it."""
    if "sys" not in _orig:
        _orig["sys"] = sys.excepthook
        sys.excepthook = _dressed_as(_sys_excepthook, sys.excepthook)
        _on_import("threading", _patch_threading)


def _thread_names(threading: types.ModuleType) -> dict[int, str]:
    _early_threads.update((t.ident, t) for t in threading.enumerate())
    return {ident: t.name for ident, t in _early_threads.items()}


def _patch_threading(threading: types.ModuleType) -> None:
    # Threads already running end without telling their name: the dump takes it from here,
    # or from their last rename (threading's code that tells it is not the program's: not
    # recorded).
    _vtrace.name_threads(_vtrace.call_untraced(_thread_names, threading))
    if _active is not None:
        _name_hook_on(threading)
    _orig["threading"] = threading.excepthook
    threading.excepthook = _dressed_as(_threading_excepthook, threading.excepthook)
    # Threads started from now on tell their name as they end.
    if hasattr(threading.Thread, "_bootstrap_inner"):
        _orig["bootstrap"] = threading.Thread._bootstrap_inner
        threading.Thread._bootstrap_inner = _thread_bootstrap_inner


def _after_fork_child() -> None:
    _vtrace.nudge_after_fork()
    t = _active
    if t is not None:
        _vtrace.after_fork_child()
        t._after_fork_child()


_real_exit = os._exit


def _exit_with_dump(code: int) -> None:
    """os._exit in a fork child (multiprocessing ends its children so): dump first."""
    t = _active
    if t is not None:
        t._on_exit()
    _ring_exit()
    _real_exit(code)


def _in_main_thread() -> bool:
    """Without importing threading: a process forking with it imported runs its at-fork
    code (recorded) and, on 3.12+, warns of threads; none but the main one runs Python
    code before the program imports it."""
    t = sys.modules.get("threading")
    return t is None or t.current_thread() is t.main_thread()


# ---- the ring file (the black box) ----
_ring_keep = False   # a dump failed: the ring file stays at exit, it holds the data
_ring_warned = False


def _ring_warning(quiet: bool) -> None:
    """The one warning of a process whose ring could not go to a file."""
    global _ring_warned
    path, warning = _vtrace.ring_info()
    if warning and not quiet and not _ring_warned:
        _warn(warning)
    _ring_warned = _ring_warned or bool(warning)


def _ring_exit() -> None:
    """A normal exit: the exit dump has run (atexit runs this after every Tracer's own
    handler), so the ring file goes, unless a dump failed and it holds the only copy."""
    try:
        _vtrace.ring_exit(not _ring_keep)
    except Exception:
        pass


atexit.register(_ring_exit)

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_child)


# ---- sys.monitoring (3.12+): C calls, and 3.13's __init__ calls ----
_tool: Optional[int] = None


def _monitoring_tool() -> Optional[int]:
    """The sys.monitoring tool id vtrace takes while it records, or None when both ids it
    may use are taken. It keeps off the ids of debuggers, coverage, profilers (cProfile
    takes PROFILER_ID) and optimizers, and frees its own when it stops (_monitoring_off)."""
    global _tool
    if _tool is None:
        mon = sys.monitoring
        for tool in (4, 3):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "vtrace")
                _tool = tool
                break
    return _tool


def _monitoring_on(c_calls: bool, log_exceptions: bool = False) -> None:
    if not (c_calls or log_exceptions or _vtrace.INIT_BY_MONITORING):
        return
    tool = _monitoring_tool()
    if tool is None:
        if c_calls:
            raise RuntimeError("no free sys.monitoring tool id for vtrace's C calls")
        _warn("no free sys.monitoring tool id: calls of __init__ may be missed%s"
              % (", exceptions caught where raised are not recorded" if log_exceptions else ""))
        return
    mon = sys.monitoring
    ev = mon.events
    events = 0
    if c_calls:
        mon.register_callback(tool, ev.CALL, _vtrace._mon_call)
        mon.register_callback(tool, ev.C_RETURN, _vtrace._mon_c_return)
        mon.register_callback(tool, ev.C_RAISE, _vtrace._mon_c_raise)
        events |= ev.CALL | ev.C_RETURN | ev.C_RAISE
    if _vtrace.INIT_BY_MONITORING:
        mon.register_callback(tool, ev.PY_START, _vtrace._mon_py_start)
        mon.register_callback(tool, ev.PY_RETURN, _vtrace._mon_py_return)
        mon.register_callback(tool, ev.PY_UNWIND, _vtrace._mon_py_unwind)
        _vtrace.set_init_monitor(tool, mon.set_local_events, ev.PY_START | ev.PY_RETURN)
        events |= ev.PY_UNWIND
    if log_exceptions:
        # RAISE fires in every frame an exception passes through; raise.c keeps the first.
        mon.register_callback(tool, ev.RAISE, _vtrace._mon_raise)
        events |= ev.RAISE
    mon.set_events(tool, events)
    _vtrace.set_raise_monitor(log_exceptions)


def _monitoring_off() -> None:
    """Every event, local ones included, and every callback leave the tool id before it is
    freed: freeing alone keeps them, for whoever takes the id next."""
    global _tool
    if _tool is None:
        return
    mon = sys.monitoring
    ev = mon.events
    mon.set_events(_tool, 0)
    _vtrace.set_raise_monitor(False)
    if _vtrace.INIT_BY_MONITORING:
        _vtrace.set_init_monitor(_tool, None, 0)
    for e in (ev.CALL, ev.C_RETURN, ev.C_RAISE, ev.RAISE, ev.PY_START, ev.PY_RETURN,
              ev.PY_UNWIND):
        mon.register_callback(_tool, e, None)
    mon.free_tool_id(_tool)
    _tool = None
