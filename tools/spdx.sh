#!/bin/sh
# SPDX-License-Identifier: MIT
# Put an SPDX-License-Identifier line (MIT, see LICENSE) at the top of every source file that
# has none (C, Python, shell, the Makefile, pyproject.toml, the man pages; after a #! line),
# among the files git tracks or would track. Run it again after adding files or merging.
# Usage: tools/spdx.sh [--check]   (--check: list the files without one, and fail if any)
cd "$(dirname "$0")/.." || exit 1
tag="SPDX-License-Identifier: MIT"
missing=0
for f in $(git ls-files --cached --others --exclude-standard); do
	case "$f" in
	*.c | *.h) line="/* $tag */" ;;
	*.py | *.sh | *.toml | Makefile | .ci/run) line="# $tag" ;;
	man/*.[1-9]) line='.\" '"$tag" ;;
	*) continue ;;
	esac
	[ -f "$f" ] || continue
	head -n 3 "$f" | grep -q "SPDX-License-Identifier:" && continue
	if [ "$1" = --check ]; then
		echo "$f: no SPDX-License-Identifier line (tools/spdx.sh adds it)"
		missing=1
		continue
	fi
	tmp=$(mktemp) || exit 1
	if head -n 1 "$f" | grep -q '^#!'; then
		{ head -n 1 "$f"; printf '%s\n' "$line"; tail -n +2 "$f"; } >"$tmp"
	else
		{ printf '%s\n' "$line"; cat "$f"; } >"$tmp"
	fi
	cat "$tmp" >"$f" && rm -f "$tmp" || exit 1   # cat keeps the file's mode
done
exit $missing
