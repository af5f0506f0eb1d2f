#!/bin/sh
# SPDX-License-Identifier: MIT
# Print the cycles among the object files of static libraries: the strongly connected components
# (of two or more objects) of the graph "a.o uses a symbol b.o defines", read from nm. Layers
# keep a folder readable and testable bottom-up; a cycle means no object can be understood (or
# linked into a test) without the others. Objects of different libraries never share a cycle
# here: each library is read on its own.
# Usage: tools/cycles.sh [--check] LIB.a...   (--check: print nothing but the cycles, and fail
#        if there is any; without it, also print each library's object count)
check=0
[ "$1" = --check ] && { check=1; shift; }
[ $# -gt 0 ] || { echo "usage: tools/cycles.sh [--check] LIB.a..." >&2; exit 2; }
status=0
for lib in "$@"; do
	[ -e "$lib" ] || { echo "cycles: $lib: no such library" >&2; exit 2; }
	# nm -A prints "lib.a:obj.o: [addr] TYPE symbol"; U marks a use, other letters a definition
	# (weak ones, w/v, only when defined: a weak undefined reference needs nobody).
	{ if [ -d "$lib" ]; then nm -A "$lib"/*.o; else nm -A "$lib"; fi; } 2>/dev/null | awk -v lib="$lib" -v check=$check '
	{
		n = split($1, p, ":"); obj = p[n - 1]; sub(/.*\//, "", obj)
		sym = $NF; type = $(NF - 1); objs[obj] = 1
		if (type == "U")
			uses[obj] = uses[obj] " " sym
		else if (type ~ /^[A-TV-Z]$/ || (type ~ /^[vw]$/ && p[n] != ""))
			def[sym] = obj
	}
	function strong(v,    i, n, list, w, c, members) {
		index_of[v] = low[v] = ++counter; stack[++sp] = v; on[v] = 1
		n = split(edges[v], list, " ")
		for (i = 1; i <= n; i++) {
			w = list[i]
			if (!(w in index_of)) { strong(w); if (low[w] < low[v]) low[v] = low[w] }
			else if (on[w] && index_of[w] < low[v]) low[v] = index_of[w]
		}
		if (low[v] != index_of[v]) return
		c = 0; members = ""
		do { w = stack[sp--]; on[w] = 0; c++; members = members " " w } while (w != v)
		if (c > 1) { cycles++; print lib ": cycle of " c ":" members }
	}
	END {
		for (o in objs) {
			n = split(uses[o], s, " ")
			for (i = 1; i <= n; i++) {
				t = def[s[i]]
				if (t != "" && t != o && !((o, t) in seen)) {
					seen[o, t] = 1; edges[o] = edges[o] " " t
				}
			}
		}
		count = 0
		for (o in objs) { count++; if (!(o in index_of)) strong(o) }
		if (!check) print lib ": " count " objects, " cycles + 0 " cycles"
		exit cycles > 0
	}' || status=1
done
exit $status
