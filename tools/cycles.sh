#!/bin/sh
# SPDX-License-Identifier: MIT
# Print the cycles among the object files of static libraries: the strongly connected components
# (of two or more objects) of the graph "a.o uses a symbol b.o defines", read from nm. Layers
# keep a folder readable and testable bottom-up; a cycle means no object can be understood (or
# linked into a test) without the others. Objects of different libraries never share a cycle
# here: each library is read on its own.
# Usage: tools/cycles.sh [--why] LIB...   (LIB: a static library or a folder of .o files; exits
#        1 when there is a cycle, 2 on bad input; --why: also each use inside a cycle, "a.o -> b.o symbol")
why=0
[ "$1" = --why ] && { why=1; shift; }
[ $# -gt 0 ] || { echo "usage: tools/cycles.sh [--why] LIB..." >&2; exit 2; }
status=0
for lib in "$@"; do
	[ -e "$lib" ] || { echo "cycles: $lib: no such library" >&2; exit 2; }
	# nm -A prints "lib.a:obj.o: [addr] TYPE symbol"; U marks a use, other letters a definition
	# (weak ones, w/v, only when defined: a weak undefined reference needs nobody).
	{ if [ -d "$lib" ]; then nm -A "$lib"/*.o; else nm -A "$lib"; fi; } 2>/dev/null | awk -v lib="$lib" -v why=$why '
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
		if (c < 2)
			return
		cycles++
		print lib ": cycle of " c ":" members
		n = split(members, list, " ")
		for (i = 1; i <= n; i++)
			for (w = 1; why && w <= n; w++)
				if ((list[i], list[w]) in via)
					print "  " list[i] " -> " list[w] " " via[list[i], list[w]]
	}
	END {
		for (o in objs) {
			n = split(uses[o], s, " ")
			for (i = 1; i <= n; i++) {
				t = def[s[i]]
				if (t != "" && t != o && !((o, t) in via)) {
					via[o, t] = s[i]; edges[o] = edges[o] " " t
				}
			}
		}
		count = 0
		for (o in objs) { count++; if (!(o in index_of)) strong(o) }
		if (!count) {
			print "cycles: " lib ": no object files" > "/dev/stderr"
			exit 2
		}
		print lib ": " count " objects, " cycles + 0 " cycles"
		exit cycles > 0
	}' || { rc=$?; [ $rc -gt $status ] && status=$rc; }
done
exit $status
