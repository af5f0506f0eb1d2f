#!/bin/sh
# SPDX-License-Identifier: MIT
# Find the build and test dependencies that are missing and install them (as root) or print
# the apt-get line that would (otherwise). Quiet and quick when nothing is missing.
# Usage: tools/deps.sh PYTHON [fuzz]   (fuzz: also clang with libFuzzer, for make fuzz)
py=${1:-python3}
want_fuzz=${2:-}
missing=""
need() { missing="$missing $1"; }

command -v pkg-config >/dev/null 2>&1 || need pkg-config
pc() { pkg-config --exists "$1" 2>/dev/null; }
pc ncursesw || need libncurses-dev
pc libpcre2-8 || need libpcre2-dev
pc libcjson || need libcjson-dev
pc check || need check
pc zlib || need zlib1g-dev
command -v tmux >/dev/null 2>&1 || need tmux
command -v groff >/dev/null 2>&1 || need groff-base
command -v valgrind >/dev/null 2>&1 || need valgrind
inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
if [ -z "$inc" ] || [ ! -f "$inc/Python.h" ]; then
	need python3-dev
fi
# the pip install test makes a venv (Debian's python3 has venv and pip apart)
"$py" -c 'import ensurepip, venv' >/dev/null 2>&1 || need python3-venv

if [ "$want_fuzz" = fuzz ]; then
	command -v clang >/dev/null 2>&1 || need clang
	echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' |
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 || need libclang-rt-dev
fi

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
		echo "deps: apt-get install failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing:$missing" >&2
echo "deps: install them with:" >&2
echo "  sudo apt-get install -y$missing" >&2
exit 1
