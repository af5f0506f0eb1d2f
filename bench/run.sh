#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the benchmarks: `make bench` calls `bench/run.sh BUILD PYTHON...`.
# Figures go to bench/RESULTS.md by hand (with the command that produced them).
# Each section below is one kind of benchmark; add yours as a new section.
build=${1:?usage: bench/run.sh BUILD PYTHON...}
shift
failed=""

# ---- C benchmarks: every BUILD/bench/bench_* binary, with its default arguments ----
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || failed="$failed $(basename "$b")"
done

# ---- tracer: vtrace against its floors (bench/floors/) and cProfile, per interpreter ----
# Each interpreter gets its own tracer and floors build (BUILD/py/X.Y); bench/tracer_bench.py
# prints Markdown tables (bench/RESULTS.md, "## Tracer", has figures and how to read them).
for py in "$@"; do
	ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || {
		failed="$failed tracer($py)"; continue; }
	pybuild="$build/py/$ver"
	echo "== tracer speed, Python $ver ($py)"
	if ! make --no-print-directory -s tracer bench-floors BUILD="$build" PYTHON="$py" \
		PYBUILD="$pybuild" >/dev/null; then
		echo "could not build the tracer or the floors for $py"
		failed="$failed tracer-$ver"
		continue
	fi
	"$py" bench/tracer_bench.py --pybuild "$pybuild" || failed="$failed tracer-$ver"
done

# ---- more sections go here; "$@" holds the interpreters `make bench` was given ----

if [ -n "$failed" ]; then
	echo "bench: failed:$failed" >&2
	exit 1
fi
