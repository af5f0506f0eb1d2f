#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh BUILD SECONDS [TARGET...]: run each fuzz target (vtb json preset command by
# default) for SECONDS, one after another on one core, from the committed seeds
# (tests/fuzz/corpus/<target>/), the generated ones and what earlier runs found
# (BUILD/fuzz/corpus/<target>/). Crashes go to BUILD/fuzz/artifacts/<target>/.
# Environment: FUZZ_MALLOC_MB (largest single allocation, default 256), FUZZ_ARGS (more
# libFuzzer flags).
set -u
build=${1:?usage: run.sh BUILD SECONDS [TARGET...]}
secs=${2:?usage: run.sh BUILD SECONDS [TARGET...]}
shift 2
targets=${*:-vtb json preset command}
here=$(dirname "$0")
out=$build/fuzz
malloc_mb=${FUZZ_MALLOC_MB:-256}

"$out/gen_seeds" "$out/seeds" || exit 1
failed=""
for t in $targets; do
	name=fuzz_$t
	mkdir -p "$out/corpus/$name" "$out/artifacts/$name"
	dict=""
	[ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
	dirs="$out/corpus/$name"
	for d in "$here/corpus/$name" "$out/seeds/$name"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	echo "== $name: $secs s"
	# shellcheck disable=SC2086 # word splitting of $dict, $dirs and FUZZ_ARGS is wanted
	if ! "$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb="$malloc_mb" -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name/" $dict ${FUZZ_ARGS:-} $dirs; then
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failures in:$failed (inputs in $out/artifacts/)" >&2
	exit 1
fi
echo "fuzz: no failures"
