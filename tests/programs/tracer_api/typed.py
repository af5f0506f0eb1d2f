# SPDX-License-Identifier: MIT
"""The vtrace package's type hints hold together: every public function and method (and
those of the public classes) is annotated in full, has a docstring or is a dunder, and each
annotation evaluates (typing.get_type_hints) against its module with the names its
`if TYPE_CHECKING:` block imports for type checkers; py.typed ships beside the modules.
Prints one line per problem, then "checked N" (N callables)."""
import ast
import inspect
import os
import sys
import typing

import vtrace
import vtrace.__main__
import vtrace.data
import vtrace.logs

MODULES = (vtrace, vtrace.__main__, vtrace.data, vtrace.logs)
PUBLIC_DUNDERS = {"__init__", "__enter__", "__exit__"}


def checker_names(module):
    """The module's globals plus what its `if TYPE_CHECKING:` block defines when run."""
    ns = dict(vars(module))
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and \
                node.test.id == "TYPE_CHECKING":
            exec(compile(ast.Module(body=node.body, type_ignores=[]), module.__file__, "exec"), ns)
    return ns


def callables(module):
    """(qualified name, function, public) of the functions and methods defined in module."""
    for name, obj in sorted(vars(module).items()):
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            yield name, obj, not name.startswith("_")
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            for attr, fn in sorted(vars(obj).items()):
                if inspect.isfunction(fn):
                    public = not name.startswith("_") and (
                        not attr.startswith("_") or attr in PUBLIC_DUNDERS)
                    yield "%s.%s" % (name, attr), fn, public


def problems_of(qualname, fn, public, ns):
    sig = inspect.signature(fn)
    for p in sig.parameters.values():
        if p.name != "self" and p.annotation is inspect.Parameter.empty:
            yield "%s: parameter %s has no annotation" % (qualname, p.name)
    if sig.return_annotation is inspect.Signature.empty:
        yield "%s: no return annotation" % qualname
    try:
        typing.get_type_hints(fn, globalns=ns)
    except Exception as e:
        yield "%s: annotations do not evaluate: %s: %s" % (qualname, type(e).__name__, e)
    if public and not fn.__doc__ and not fn.__name__.startswith("__"):
        yield "%s: public, without a docstring" % qualname


def main():
    n = 0
    for module in MODULES:
        ns = checker_names(module)
        for qualname, fn, public in callables(module):
            n += 1
            for problem in problems_of("%s.%s" % (module.__name__, qualname), fn, public, ns):
                print(problem)
    for name in vtrace.__all__:
        obj = getattr(vtrace, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not obj.__doc__:
            print("vtrace.%s: exported without a docstring" % name)
    if not os.path.isfile(os.path.join(os.path.dirname(vtrace.__file__), "py.typed")):
        print("no py.typed beside", vtrace.__file__)
    print("checked", n)


if __name__ == "__main__":
    main()
