#!/bin/sh
# SPDX-License-Identifier: MIT
# Print the CPython interpreters (3.9 to 3.13) with headers found on this machine, one per
# line: those named python3.X on PATH, then pyenv's versions. The default python3 first.
seen=""
emit() {
	p=$1
	[ -x "$p" ] || return
	v=$("$p" -c 'import sys, sysconfig, os
ok = (3, 9) <= sys.version_info[:2] <= (3, 13) and os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
print("%d.%d" % sys.version_info[:2] if ok else "")' 2>/dev/null)
	[ -n "$v" ] || return
	case " $seen " in *" $v "*) return ;; esac
	seen="$seen $v"
	echo "$p"
}
emit "$(command -v "${PYTHON:-python3}")"
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for v in 3.9 3.10 3.11 3.12 3.13; do
	for p in $(ls -d "$root"/versions/$v.*/bin/python3 2>/dev/null | sort -V -r); do emit "$p"; done
	p=$(command -v python$v 2>/dev/null) && case "$p" in *shims*) ;; *) emit "$p" ;; esac
done
