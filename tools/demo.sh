#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: trace examples/orders.py (which fails on purpose at the end, the incident a
# dashcam is for) and open the dump in the viewer; without a terminal, print what it shows.
# Usage: tools/demo.sh BUILD PYTHON
build=$1; py=$2
trace="$build/demo.bin"
rm -f "$trace"
echo "demo: tracing examples/orders.py (it ends with an unhandled PricingError on purpose)"
PYTHONPATH="$build/python" "$py" -m vtrace --log-handler INFO --log-exceptions -o "$trace" examples/orders.py
echo "demo: the program exited with status $? (1 is expected: the incident)"
if [ ! -s "$trace" ]; then
	echo "demo: no trace was written to $trace" >&2
	exit 1
fi
if [ -t 0 ] && [ -t 1 ]; then
	echo "demo: opening $trace in vtui (press ? for keys, q to quit)"
	exec "$build/vtui" "$trace"
fi
echo "demo: no terminal here, so printing what vtui shows instead"
"$build/vtui" --info "$trace" && "$build/vtui" --render 100x30 "$trace"
