# SPDX-License-Identifier: MIT
"""vtrace.LogHandler: log records into the trace, and a dump on a serious one."""
from __future__ import annotations

import logging

from . import _vtrace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Callable, Optional, Union
    Level = Union[int, str]

__all__ = ["LogHandler", "level_number", "install_root", "uninstall_root"]

_LEVELS = {"CRITICAL": 50, "FATAL": 50, "ERROR": 40, "WARNING": 30, "WARN": 30, "INFO": 20,
           "DEBUG": 10, "NOTSET": 0}


def level_number(level: Level) -> int:
    """A logging level from a number or a name ("info", "ERROR", "25")."""
    if isinstance(level, bool):
        raise ValueError("a log level must be a name or a number, not %r" % level)
    if isinstance(level, int):
        return level
    text = str(level).strip()
    if text.isdigit():
        return int(text)
    try:
        return _LEVELS[text.upper()]
    except KeyError:
        raise ValueError("unknown log level %r (use DEBUG, INFO, WARNING, ERROR, CRITICAL "
                         "or a number)" % level) from None


class LogHandler(logging.Handler):
    """Records each log record (level, logger name, formatted message) on the thread that
    logs it. With dump_level, a record at or above that level also makes the recording
    tracer dump (reason "log"): the incident the dashcam is for."""

    def __init__(self, level: Level = logging.DEBUG, dump_level: Optional[Level] = None) -> None:
        super().__init__(level_number(level))
        self.dump_level = level_number(dump_level) if dump_level is not None else None

    def emit(self, record: logging.LogRecord) -> None:
        """Records `record` (formatted untraced) on this thread; dumps at dump_level."""
        try:
            msg = _vtrace.call_untraced(self.format, record)
            _vtrace.log(record.levelno, record.name, msg)
            if self.dump_level is not None and record.levelno >= self.dump_level:
                from . import get_tracer, REASON_LOG
                t = get_tracer()
                if t is not None:
                    first = msg.splitlines()[0] if msg else ""
                    t._dump(REASON_LOG, "%s %s: %s" % (record.levelname, record.name, first[:200]))
        except Exception:
            self.handleError(record)


# The handler "on the root logger": it sees every record a logger hands to its handlers,
# without being in root.handlers, so a program's logging.basicConfig() still configures
# logging as it would without vtrace.
_root: Optional[LogHandler] = None
_orig_call_handlers: Optional[Callable[[logging.Logger, logging.LogRecord], None]] = None


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    h = _root
    if h is not None and record.levelno >= h.level:
        h.handle(record)
    _orig_call_handlers(self, record)


def install_root(level: Level, dump_level: Optional[Level] = None) -> LogHandler:
    """Puts a LogHandler "on the root logger" (see above) at level; returns it."""
    global _root, _orig_call_handlers
    _root = LogHandler(level, dump_level)
    if _orig_call_handlers is None:
        _orig_call_handlers = logging.Logger.callHandlers
        logging.Logger.callHandlers = _call_handlers
    return _root


def uninstall_root() -> None:
    """Takes the root LogHandler away (logging itself stays patched, passing records on)."""
    global _root
    _root = None
