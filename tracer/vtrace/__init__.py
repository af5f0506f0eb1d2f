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
import atexit
import gc
import os
import signal
import sys
import threading

try:
    from . import _vtrace
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
           "event", "ignore", "sparse", "DEFAULT_BUFFER_SIZE", "RECORD_BYTES", "ARENA_PER_EVENT",
           "__version__"]

DEFAULT_BUFFER_SIZE = 1_000_000
DEFAULT_OUTPUT = "trace.bin"
RECORD_BYTES = _vtrace.RECORD_BYTES
# Arena bytes (texts of snapshots, logs, arguments) per ring event, and the least it gets.
ARENA_PER_EVENT = _vtrace.ARENA_PER_EVENT
ARENA_MIN = _vtrace.ARENA_MIN
CONFIG_FILE = ".vtrace.json"

# enum vtb_reason (common/vtb.h)
REASON_API, REASON_EXIT, REASON_EXCEPTION, REASON_SIGNAL, REASON_LOG = 0, 1, 2, 3, 4
_REASON_NAMES = {REASON_API: "api", REASON_EXIT: "exit", REASON_EXCEPTION: "exception",
                 REASON_SIGNAL: "signal", REASON_LOG: "log"}


def __getattr__(name):
    # logging is imported only by those who use it.
    if name == "LogHandler":
        from .logs import LogHandler
        return LogHandler
    raise AttributeError("module 'vtrace' has no attribute %r" % name)


def load_config(path=CONFIG_FILE):
    """The Tracer arguments a configuration file holds (a dict): Tracer(**load_config()).
    Unknown keys and values of the wrong type raise ValueError naming the file, the line and
    column, and the key."""
    return _vtrace.load_config(os.fspath(path))


def _patterns(name, value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    value = list(value)
    for v in value:
        if not isinstance(v, str):
            raise TypeError("%s: patterns must be str, not %s" % (name, type(v).__name__))
    return value


def _duration_ns(value):
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

_active = None
_ring_user = None  # the Tracer whose events the ring holds


def get_tracer():
    """The Tracer that is recording, or None."""
    return _active


def _exc_text(tp, value):
    try:
        msg = str(value)
    except Exception:
        msg = "<unprintable>"
    name = getattr(tp, "__qualname__", str(tp))
    return "%s: %s" % (name, msg) if msg else name


def _child_pattern(pattern):
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
    are dropped at dump time, with their callees)."""

    def __init__(self, buffer_size=DEFAULT_BUFFER_SIZE, output=DEFAULT_OUTPUT, c_calls=False,
                 quiet=False, dump_on_exit=False, dump_on_exception=True, dump_signal=None,
                 log_args=False, log_retval=False, log_exceptions=False, log_gc=False,
                 log_handler=None, dump_on_log=None, max_depth=0, include=None, exclude=None,
                 include_files=None, exclude_files=None, ignore_c=False, min_duration=0):
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
        self.output = str(output)
        self.c_calls = bool(c_calls)
        self.quiet = quiet
        self.dump_on_exit = dump_on_exit
        self.dump_on_exception = dump_on_exception
        self.dump_signal = _signal_number(dump_signal) if dump_signal is not None else None
        self.problems = []
        self._old_signal = None
        self._exit_dumped = False
        self._atexit = False

    # ---- recording ----
    def start(self):
        global _active, _ring_user
        if _active is not None and _active is not self:
            raise RuntimeError("another vtrace.Tracer is recording")
        if _active is self:
            return self
        _vtrace.configure(self.include, self.exclude, self.include_files, self.exclude_files,
                          self.max_depth, self.min_duration_ns, self.log_args, self.log_retval,
                          self.log_exceptions)
        c_calls = self.c_calls and not self.ignore_c
        # The ring is shared: another Tracer's events are not this one's to dump.
        _vtrace.start(self.buffer_size, c_calls and not _vtrace.HAVE_MONITORING,
                      _ring_user is not self)
        _ring_user = self
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
        if self.dump_signal is not None:
            if threading.current_thread() is threading.main_thread():
                self._old_signal = signal.signal(self.dump_signal, self._on_signal)
            else:
                _warn("dump_signal needs start() in the main thread: no dump on %s"
                      % signal.Signals(self.dump_signal).name)
        if self.dump_on_exit and not self._atexit:
            atexit.register(self._on_exit)
            self._atexit = True
        return self

    def stop(self):
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
        if self._old_signal is not None:
            signal.signal(self.dump_signal, self._old_signal)
            self._old_signal = None
        if self.problems and not self.quiet:
            _warn("recording had problems: " + "; ".join(self.problems))

    def clear(self):
        """Forget every event recorded so far."""
        _vtrace.clear()

    def dump(self, path=None):
        """Write the ring to `path` (default: the output pattern). Returns the path written,
        or None when the write failed (a warning says why; the program carries on)."""
        return self._dump(REASON_API, None, path)

    def stats(self):
        return _vtrace.stats()

    def __enter__(self):
        return self.start()

    def __exit__(self, tp, value, tb):
        if tp is not None and self.dump_on_exception and _active is self:
            self._dump(REASON_EXCEPTION, _exc_text(tp, value))
        self.stop()
        return False

    # ---- dumps ----
    def _dump(self, reason, text, path=None):
        try:
            written, events, dropped, data_lost = _vtrace.dump(path or self.output, reason, text)
        except (OSError, MemoryError) as e:
            _warn("could not write the trace: %s (the program carries on)" % e)
            return None
        if not self.quiet:
            _warn("wrote %s: %d ring records, %d dropped by the ring%s, reason: %s%s" % (
                written, events, dropped,
                ", %d texts overwritten in the arena" % data_lost if data_lost else "",
                _REASON_NAMES.get(reason, "?"), " (%s)" % text if text else ""))
        return written

    def _on_signal(self, signum, frame):
        self._dump(REASON_SIGNAL, signal.Signals(signum).name)

    def _on_exit(self):
        if _active is self and not self._exit_dumped:
            self._exit_dumped = True
            self._dump(REASON_EXIT, None)
            self.stop()

    def _after_fork_child(self):
        self.output = _child_pattern(self.output)
        self._exit_dumped = False
        if self.dump_on_exit:
            os._exit = _exit_with_dump


def _signal_number(sig):
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


def _warn(msg):
    try:
        sys.stderr.write("vtrace: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


# ---- hooks into the interpreter, installed once, acting for the active tracer ----
_orig = {}


def _sys_excepthook(tp, value, tb):
    _orig["sys"](tp, value, tb)
    t = _active
    if t is not None and t.dump_on_exception:
        t._dump(REASON_EXCEPTION, _exc_text(tp, value))
        # The exit dump would repeat this one.
        t._exit_dumped = True


def _threading_excepthook(args):
    _orig["threading"](args)
    t = _active
    if t is not None and t.dump_on_exception and args.exc_type is not SystemExit:
        name = args.thread.name if args.thread is not None else "?"
        t._dump(REASON_EXCEPTION, "in thread %s: %s" % (name, _exc_text(args.exc_type, args.exc_value)))


def _thread_bootstrap_inner(self):
    """Thread._bootstrap_inner, then the thread's name to the recorder: names outlive threads.
    This frame is hidden from the recursion limit: the thread's code meets it as deep as
    without the tracer."""
    _vtrace.shift_depth(-1)
    try:
        _orig["bootstrap"](self)
    finally:
        _vtrace.shift_depth(1)
        try:
            _vtrace.thread_ended(self._name)
        except Exception:
            pass


def _dressed_as(hook, original):
    """hook with the name, module and doc of the function it stands in for: code that looks
    (threading.__all__ checks, help()) sees what it would see without the tracer."""
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        try:
            setattr(hook, attr, getattr(original, attr))
        except (AttributeError, TypeError):
            pass
    hook.__wrapped__ = original
    return hook


def _hooks_on():
    if "sys" not in _orig:
        _orig["sys"] = sys.excepthook
        sys.excepthook = _dressed_as(_sys_excepthook, sys.excepthook)
        _orig["threading"] = threading.excepthook
        threading.excepthook = _dressed_as(_threading_excepthook, threading.excepthook)


def _after_fork_child():
    t = _active
    if t is not None:
        _vtrace.after_fork_child()
        t._after_fork_child()


_real_exit = os._exit


def _exit_with_dump(code):
    """os._exit in a fork child (multiprocessing ends its children so): dump first."""
    t = _active
    if t is not None:
        t._on_exit()
    _real_exit(code)


# Threads started from now on tell their name as they end.
if hasattr(threading.Thread, "_bootstrap_inner"):
    _orig["bootstrap"] = threading.Thread._bootstrap_inner
    threading.Thread._bootstrap_inner = _thread_bootstrap_inner

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_child)


# ---- sys.monitoring (3.12+): C calls, and 3.13's __init__ calls ----
_tool = None


def _monitoring_tool():
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


def _monitoring_on(c_calls, log_exceptions=False):
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


def _monitoring_off():
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
