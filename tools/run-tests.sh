#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every Check suite in BUILD/tests. Suites named test_tracer* run once per interpreter
# given, against the extension built for it. Ends with one total line.
# Usage: tools/run-tests.sh BUILD SANITIZE PYTHON PYTHONS...
# PYTHON is the interpreter BUILD/python was built for; PYTHONS those the tracer suites run under.
build=$1; sanitize=$2; python=$3; shift 3
pass=0; fail=0; suites_failed=""
# The tracer's object folders built by this run (one per interpreter), for the cycles check.
tracer_objs=""

# The folder of tracer objects the Makefile builds for interpreter $1 under PYBUILD $2.
tracer_objdir() {
	ext=$("$1" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
	echo "$2/obj${ext%.*}"
}

# Sum Check's "NN%: Checks: N, Failures: F, Errors: E" lines from a suite's output.
count() {
	sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$1" |
		awk '{c+=$1; f+=$2+$3} END {print c+0, f+0}'
}

run_suite() { # name, command...
	name=$1; shift
	out=$(mktemp)
	{ "$@" 2>&1; echo $? >"$out.rc"; } | tee "$out"
	rc=$(cat "$out.rc")
	set -- $(count "$out")
	checks=$1; failed=$2
	rm -f "$out" "$out.rc"
	pass=$((pass + checks - failed)); fail=$((fail + failed))
	# A suite that ran nothing, or exited non-zero with every check passed (a crash or a
	# sanitizer report after the checks), counts as one more failure.
	if [ "$checks" = 0 ] || [ "$failed" != 0 ] || [ "$rc" != 0 ]; then
		suites_failed="$suites_failed $name"
		if [ "$failed" = 0 ]; then fail=$((fail + 1)); fi
	fi
}

if [ "$sanitize" = 1 ]; then
	# The interpreter is not built with ASan: the runtime must come first in the process.
	VTRACE_TEST_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
	export VTRACE_TEST_PRELOAD
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
fi
export VTUI_BUILD="$build"

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$(basename "$t")" in
	test_tracer*)
		for py in "$@"; do
			ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
			pybuild="$build/py/$ver"
			echo "== $(basename "$t") under Python $ver ($py)"
			make --no-print-directory -s tracer BUILD="$build" PYTHON="$py" PYBUILD="$pybuild" >/dev/null || {
				echo "could not build the tracer for $py"; fail=$((fail + 1)); continue; }
			VTRACE_PYTHON="$py" VTRACE_PYPATH="$pybuild" run_suite "$(basename "$t")-$ver" "$t"
			dir=$(tracer_objdir "$py" "$pybuild")
			case " $tracer_objs " in *" $dir "*) ;; *) tracer_objs="$tracer_objs $dir" ;; esac
		done ;;
	*)
		echo "== $(basename "$t")"
		run_suite "$(basename "$t")" "$t" ;;
	esac
done

# The viewer's batch modes under valgrind: no invalid access, no leak. ASan builds are
# checked by ASan instead (the two cannot share a process).
vg_run() { # label, command...
	label=$1; shift
	if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=9 "$@" >/dev/null 2>"$vgdir/log"; then
		echo "valgrind: $label: clean"; pass=$((pass + 1))
	else
		echo "valgrind: $label: errors"; cat "$vgdir/log"; fail=$((fail + 1))
		suites_failed="$suites_failed valgrind:$label"
	fi
}
echo "== valgrind"
if [ "$sanitize" = 1 ]; then
	echo "valgrind: not run in a SANITIZE=1 build (AddressSanitizer checks these binaries)"
else
	vgdir=$(mktemp -d)
	vt="$build/vtui"
	PYTHONPATH="$build/python" "$python" -m vtrace -q --log-handler INFO --log-exceptions \
		-o "$vgdir/t.bin" examples/orders.py >/dev/null 2>&1
	if [ ! -s "$vgdir/t.bin" ]; then
		echo "valgrind: $python wrote no trace with $build/python"; fail=$((fail + 1))
		suites_failed="$suites_failed valgrind:trace"
	fi
	json=tests/data/viztracer/viz_features.json
	vg_run "render" "$vt" --render 120x40 --cmd 'zoom 4x' --cmd 'select child' "$vgdir/t.bin"
	vg_run "render with filters" "$vt" --render 100x30 --cmd 'filter ^__main__' \
		--cmd 'search price' --cmd 'stats all' "$vgdir/t.bin"
	vg_run "info" "$vt" --info "$vgdir/t.bin"
	vg_run "stats json" "$vt" stats --format json "$json"
	vg_run "convert" "$vt" convert "$vgdir/t.bin" -o "$vgdir/t.json"
	vg_run "render json" "$vt" --render 80x24 "$json"
	rm -rf "$vgdir"
fi

# pip install of the package, offline, into a fresh venv: under the oldest interpreter from
# the tree, under the newest from the sdist.
echo "== pip install"
oldest=; newest=
for py in "$@"; do
	v=$("$py" -c 'import sys; print(sys.version_info[1])')
	if [ -z "$oldest" ] || [ "$v" -lt "$ov" ]; then oldest=$py; ov=$v; fi
	if [ -z "$newest" ] || [ "$v" -gt "$nv" ]; then newest=$py; nv=$v; fi
done
for run in "$oldest" "$newest --sdist"; do
	[ -n "$oldest" ] || break
	if ./tests/pip_install.sh "$build" $run; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); suites_failed="$suites_failed pip-install:$(echo $run | tr ' ' ':')"
	fi
done

# Every source file says its licence (tools/spdx.sh adds the line to new files).
echo "== SPDX lines"
if ./tools/spdx.sh --check; then
	echo "every source file has an SPDX-License-Identifier line"; pass=$((pass + 1))
else
	fail=$((fail + 1)); suites_failed="$suites_failed spdx"
fi

# Every suite has its row in tests/README.md's table, and every row names a suite (the table
# is kept by hand; a `test_x*` row covers its family).
echo "== tests/README.md"
suites=$(for t in tests/test_*.c; do basename "$t" .c; done)
rows=$(sed -n 's/^| \(`test_[^|]*\) |.*/\1/p' tests/README.md | tr -d '`,')
unlisted=""
set -f # the rows hold patterns
for n in $suites; do
	listed=
	for r in $rows; do
		# shellcheck disable=SC2254 # r is a pattern on purpose
		case $n in $r) listed=1 ;; esac
	done
	[ -n "$listed" ] || unlisted="$unlisted $n"
done
for r in $rows; do
	case $r in *'*'*) ;; *) [ -f "tests/$r.c" ] || unlisted="$unlisted $r(no such suite)" ;; esac
done
set +f
if [ -z "$unlisted" ]; then
	echo "every suite has its row in tests/README.md"; pass=$((pass + 1))
else
	echo "tests/README.md: no row for, or a row without a suite:$unlisted"
	fail=$((fail + 1)); suites_failed="$suites_failed tests-readme"
fi

# Every library in layers: no cycle among the object files of the viewer's, common/'s,
# filters/', analysis/' libraries nor of the tracer as built for each interpreter (tools/cycles.sh
# reads nm; a missing library or folder fails too).
echo "== object file cycles"
# shellcheck disable=SC2086 # tracer_objs: a list of folders without blanks
if ./tools/cycles.sh "$build/libvtui.a" "$build/libvtbcommon.a" "$build/libvtfilters.a" \
	"$build/libvtanalysis.a" "$(tracer_objdir "$python" "$build/python")" $tracer_objs; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); suites_failed="$suites_failed cycles"
fi

# The man pages (as built, the version filled in) must render without a warning (groff -man
# -ww) and keep no @PLACEHOLDER@.
echo "== man pages"
for m in "$build"/man/*.[1-9]; do
	warn=$(groff -man -ww -z "$m" 2>&1; grep -n '@[A-Z_]*@' "$m")
	if [ -z "$warn" ]; then
		echo "$m: renders cleanly"; pass=$((pass + 1))
	else
		echo "$m: groff warns:"; echo "$warn"; fail=$((fail + 1)); suites_failed="$suites_failed $m"
	fi
done

echo "tracer tests ran under: $(for py in "$@"; do "$py" -c 'import sys; print("%d.%d" % sys.version_info[:2], end=" ")'; done)"
[ -n "$suites_failed" ] && echo "failed suites:$suites_failed"
echo "total: $pass passed, $fail failed"
[ "$fail" = 0 ]
