# SPDX-License-Identifier: MIT
"""Data beside the calls: variables, counters, instants, custom spans, and the decorators
that filter calls at record time. Thin wrappers over the C recorder (_vtrace): each call
costs one C call, and nothing when no tracer is recording."""
from __future__ import annotations


from . import _vtrace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import types
    from typing import Any, Callable, Optional, TypeVar
    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["log_var", "counter", "instant", "event", "ignore", "sparse"]


def _bounded_repr() -> Callable[[object], str]:
    """A repr that stays short whatever the object: reprlib's limits, with every text cut to
    about 200 characters."""
    import reprlib
    r = reprlib.Repr()
    r.maxstring = 200
    r.maxother = 200
    r.maxlong = 60
    r.maxlevel = 3
    return r.repr


def _first_repr(obj: object) -> str:
    """The bounded repr, made at its first use: reprlib is imported only by a program whose
    trace holds a repr (arguments, return values, snapshots), not at every start."""
    fn = _bounded_repr()
    _vtrace.set_repr(fn)
    return fn(obj)


_vtrace.set_repr(_first_repr)


def log_var(name: str, value: object) -> None:
    """Record `value` under `name`: a number (int or float, not bool) becomes a sample on the
    counter track `name`; anything else an object snapshot of its repr, cut to a bounded
    length. The repr runs untraced, and one that raises records what went wrong instead."""
    _vtrace.log_var(name, value)


def counter(name: str, /, **series: float) -> None:
    """One sample of each series (numbers) of the counter track `name`:
    counter("queue", pending=3, done=10)."""
    _vtrace.counter(name, series)


def instant(name: str, /, **args: object) -> None:
    """Mark a moment, with optional arguments (recorded as "key=repr, ...")."""
    _vtrace.instant(name, args or None)


class event:
    """A custom span around a block, nested with the calls and spans around it:

        with vtrace.event("load", path=p):
            ...

    The span ends marked as failed when the block raises."""
    __slots__ = ("name", "args", "_id")

    def __init__(self, name: str, /, **args: object) -> None:
        self.name = name
        self.args = args
        self._id: Optional[int] = None

    def __enter__(self) -> event:
        self._id = _vtrace.span_begin(self.name, self.args or None)
        return self

    def __exit__(self, tp: Optional[type[BaseException]], value: Optional[BaseException],
                 tb: Optional[types.TracebackType]) -> bool:
        if self._id is not None:
            span_id, self._id = self._id, None
            _vtrace.span_end(span_id, tp is not None)
        return False


def _function_of(fn: Any) -> Any:
    return getattr(fn, "__func__", fn)


def ignore(fn: F) -> F:
    """Decorator: never record this function, nor anything it calls."""
    _vtrace.mark(_function_of(fn), "ignore")
    return fn


def sparse(fn: F) -> F:
    """Decorator: record this function's calls, as in a log, but nothing they call."""
    _vtrace.mark(_function_of(fn), "sparse")
    return fn
