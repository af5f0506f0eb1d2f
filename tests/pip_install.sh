#!/bin/sh
# SPDX-License-Identifier: MIT
# `pip install` of the vtrace package into a fresh venv, offline (--no-index: pyproject.toml's
# in-tree backend needs nothing from an index), then the installed `vtrace` command traces a
# script into a file the viewer reads. From the source tree, or with --sdist from the sdist
# the backend makes. Prints what failed; exits non-zero then.
# Usage: tests/pip_install.sh BUILD PYTHON [--sdist]   (run from the top of the tree)
build=$1; py=$2; from=$3
top=$(pwd)
case $build in /*) pipbuild=$build/pip ;; *) pipbuild=$top/$build/pip ;; esac
ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vtrace-pip-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "pip install ($py${from:+ $from}): $*"; exit 1; }

# A plain build, whatever make ran this (make puts its command line's variables into the
# environment, and SANITIZE=1 would give the interpreter an ASan library it cannot load).
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE
src=$top
if [ "$from" = --sdist ]; then
	sdist=$("$py" -c 'import sys; sys.path.insert(0, "tools"); import vtrace_build as b
print(b.build_sdist(sys.argv[1]))' "$tmp") || fail "build_sdist failed"
	tar xzf "$tmp/$sdist" -C "$tmp" || fail "cannot unpack $sdist"
	src=$tmp/${sdist%.tar.gz}
	[ -f "$src/PKG-INFO" ] || fail "the sdist has no PKG-INFO"
fi
"$py" -m venv "$tmp/venv" || fail "cannot make a venv"
# The build goes to BUILD, so that `make clean` removes it and parallel builds do not meet.
"$tmp/venv/bin/python" -m pip install -q --no-index --disable-pip-version-check \
	--config-settings "build-dir=$pipbuild/$ver" "$src" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "pip install failed"; }

# Metadata, as pip and importlib see it.
"$tmp/venv/bin/python" - "$(cat VERSION)" <<'EOF' || fail "wrong metadata"
import sys
from importlib import metadata
d = metadata.distribution("vtrace")
want = {"Name": "vtrace", "Version": sys.argv[1], "Requires-Python": ">=3.9", "License": "MIT"}
got = {k: d.metadata[k] for k in want}
eps = [(e.name, e.value) for e in d.entry_points if e.group == "console_scripts"]
if got != want or eps != [("vtrace", "vtrace.__main__:main")]:
    sys.exit("metadata %r, console scripts %r" % (got, eps))
EOF
out=$("$tmp/venv/bin/vtrace" --version) || fail "vtrace --version failed"
[ "$out" = "vtrace $(cat VERSION)" ] || fail "vtrace --version printed '$out'"
# Typed (PEP 561), and the command names itself as typed.
"$tmp/venv/bin/python" -c 'import os, sys, vtrace
sys.exit(not os.path.isfile(os.path.join(os.path.dirname(vtrace.__file__), "py.typed")))' ||
	fail "the installed package has no py.typed"
usage=$("$tmp/venv/bin/vtrace" --help | head -n 1)
case $usage in "usage: vtrace [options]"*) ;; *) fail "vtrace --help begins '$usage'" ;; esac

# Out of the tree, so that nothing is imported from it.
cat >"$tmp/prog.py" <<'EOF'
def pip_installed_leaf(n):
    return n * 2
print(sum(pip_installed_leaf(i) for i in range(3)))
EOF
(cd "$tmp" && ./venv/bin/vtrace -q -o trace.bin prog.py >out.txt 2>&1) || fail "vtrace prog.py failed: $(cat "$tmp/out.txt")"
[ "$(cat "$tmp/out.txt")" = 6 ] || fail "the program printed '$(cat "$tmp/out.txt")'"
"$build/vtui" --info "$tmp/trace.bin" | grep -q "python: $ver" || fail "vtui --info cannot read the trace"
calls=$("$build/vtui" stats "$tmp/trace.bin" | awk '$NF == "__main__.pip_installed_leaf" { print $1 }')
[ "$calls" = 3 ] || fail "vtui stats shows '$calls' calls of pip_installed_leaf, not 3"
echo "pip install ($py${from:+ $from}): ok: offline into a venv, vtrace $(cat VERSION) traced a script vtui reads"
