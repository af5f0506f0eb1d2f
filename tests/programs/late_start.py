# SPDX-License-Identifier: MIT
"""Every kind of call, each at a call site warmed up before the tracer starts.

Usage: python late_start.py PREFIX [SCENARIO...]

For each scenario: 1000 steps under cProfile (cold: cProfile's instrumentation would undo
the specialization), then WARM steps plain, so that CPython's specializer (3.11+) has
rewritten every call site, then 1000 steps under a vtrace.Tracer started only now, dumped to
PREFIX-SCENARIO.bin. Prints what cProfile counted, one line per function of this file
(or of code compiled from a string): scenario, file, first line, calls (tab-separated).
tests/test_tracer.c compares those counts with the dumps'.
"""
import cProfile
import functools
import os
import sys
import types

import vtrace

WARM = 5000
STEPS = 1000
SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__[len("step_"):]] = fn
    return fn


# ---- object creation: 3.13 enters a plain class's __init__ inline (CALL_ALLOC_AND_ENTER_INIT)

class Plain:
    def __init__(self):
        self.x = 1


@scenario
def step_init():
    Plain()


class WithArgs:
    def __init__(self, a, b):
        self.a = a


@scenario
def step_init_args():
    WithArgs(1, 2)


class Base:
    def __init__(self):
        self.x = 1


class Inherits(Base):
    pass


class CallsSuper(Base):
    def __init__(self):
        super().__init__()


@scenario
def step_init_inherited():
    Inherits()
    CallsSuper()


def renamed(self):
    self.x = 1


class Renamed:
    __init__ = renamed


@scenario
def step_init_renamed():
    Renamed()


class Fails:
    def __init__(self):
        raise KeyError(1)


@scenario
def step_init_raises():
    try:
        Fails()
    except KeyError:
        pass


class WithNew:
    def __new__(cls):
        return object.__new__(cls)

    def __init__(self):
        pass


class Slots:
    __slots__ = ("x",)

    def __init__(self):
        self.x = 1


@scenario
def step_init_other_classes():
    WithNew()
    Slots()


Point = __import__("collections").namedtuple("Point", "x y")
Data = __import__("dataclasses").make_dataclass("Data", [("x", int)])


@scenario
def step_generated_init():
    Point(1, 2)
    Data(1)


# ---- attribute access, subscripts, operators, protocols

class Props:
    @property
    def p(self):
        return 1

    @p.setter
    def p(self, v):
        pass

    def __getitem__(self, i):
        return i

    def __setitem__(self, i, v):
        pass

    def __call__(self):
        return 1

    def __add__(self, o):
        return 1

    def __lt__(self, o):
        return True

    def __contains__(self, x):
        return True

    def __len__(self):
        return 1

    def __bool__(self):
        return True

    def method(self):
        return 1

    @staticmethod
    def static():
        return 1

    @classmethod
    def klass(cls):
        return 1


props = Props()
bound = props.method


@scenario
def step_attributes():
    props.p
    props.p = 1
    props[0]
    props[0] = 1


@scenario
def step_operators():
    props()
    props + props
    props < props
    1 in props
    len(props)
    if props:
        pass


@scenario
def step_methods():
    props.method()
    bound()
    Props.static()
    Props.klass()


class GetAttribute:
    def __getattribute__(self, name):
        return 1


class GetAttr:
    def __getattr__(self, name):
        return 1


class Descriptor:
    def __get__(self, obj, tp):
        return 1

    def __set__(self, obj, value):
        pass


class Described:
    d = Descriptor()


get_attribute, get_attr, described = GetAttribute(), GetAttr(), Described()


@scenario
def step_lookups():
    get_attribute.x
    get_attr.missing
    described.d
    described.d = 1


class Key:
    def __eq__(self, o):
        return True

    def __hash__(self):
        return 1


k1, k2 = Key(), Key()
table = {k1: 1}


@scenario
def step_dict_keys():
    table[k2]


class Parent:
    def f(self):
        return 1


class Child(Parent):
    def f(self):
        return super().f()


child = Child()


@scenario
def step_super():
    child.f()


# ---- plain functions, every call shape

def f1(a):
    return a


def f2(a, b=1):
    return a


def fv(*a, **k):
    return a


lam = lambda x: x  # noqa: E731
part = functools.partial(f2, 1)
args = (1, 2)


def outer_fn():
    def inner(x):
        return x
    return inner


closure = outer_fn()


def rec(n):
    return rec(n - 1) if n else 0


@scenario
def step_functions():
    f1(1)
    f2(1)
    f2(1, b=2)
    fv(1, 2)
    f2(*args)
    lam(1)
    part()
    closure(1)
    rec(3)
    list(map(lam, (1, 2)))
    sorted((2, 1), key=f1)


# ---- generators, coroutines, iterators, context managers, class bodies

def gen():
    yield 1
    yield 2


def gen_in_try():
    try:
        yield 1
    except KeyError:
        yield 2


def delegating():
    yield from gen()


@scenario
def step_generators():
    for _ in gen():
        pass
    g = gen()
    next(g)
    next(g)
    g = gen_in_try()
    g.send(None)
    g.throw(KeyError)
    g.close()
    for _ in delegating():
        pass
    sum(x for x in (1, 2))


@types.coroutine
def suspend():
    yield


async def leaf():
    await suspend()
    return 1


async def middle():
    return await leaf()


class AsyncIter:
    def __init__(self):
        self.n = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        self.n += 1
        if self.n > 2:
            raise StopAsyncIteration
        return 1


class AsyncCM:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


async def agen():
    yield 1


async def top():
    await middle()
    async for _ in AsyncIter():
        pass
    async for _ in agen():
        pass
    async with AsyncCM():
        pass


@scenario
def step_coroutines():
    c = top()
    try:
        while True:
            c.send(None)
    except StopIteration:
        pass


class Counter:
    def __init__(self):
        self.n = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.n += 1
        if self.n > 2:
            raise StopIteration
        return self.n


class Managed:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


managed = Managed()


class Hooked:
    def __init_subclass__(cls):
        pass


@scenario
def step_protocols():
    for _ in Counter():
        pass
    with managed:
        pass

    class Body(Hooked):
        x = 1


# ---- the run

def profiled(step):
    """What cProfile counts for STEPS steps: {(file, line): calls}."""
    p = cProfile.Profile()
    p.enable()
    for _ in range(STEPS):
        step()
    p.disable()
    p.create_stats()
    out = {}
    for (file, line, _), (_, calls, _, _, _) in p.stats.items():
        if file == __file__ or file.startswith("<"):
            out[(file, line)] = out.get((file, line), 0) + calls
    return out


def traced(step, path):
    for _ in range(WARM):
        step()
    t = vtrace.Tracer(buffer_size=2_000_000, output=path, quiet=True)
    t.start()
    for _ in range(STEPS):
        step()
    t.stop()
    t.dump()


def main():
    prefix = sys.argv[1]
    for name in sys.argv[2:] or SCENARIOS:
        step = SCENARIOS[name]
        for (file, line), calls in sorted(profiled(step).items()):
            print("%s\t%s\t%d\t%d" % (name, file, line, calls))
        traced(step, "%s-%s.bin" % (prefix, name))


if __name__ == "__main__":
    __file__ = os.path.abspath(__file__)
    main()
