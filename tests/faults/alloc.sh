#!/usr/bin/env bash
# tests/faults/alloc.sh - allocation-failure runs, as curl's torture mode and SQLite's
# test_malloc do: every core and store test program is run again with its N-th allocation
# failing (hg_alloc_fault_set, read from HEMGANG_ALLOC_FAIL by tests/test.h), then once more
# with the N-th and every later allocation failing. A faulted run may fail its checks (exit 1);
# it may not crash, trip a sanitizer, leak a block (tests/test.h exits 86) or hang. The
# half-written-state proof for the store is tests/store/test_store_faults.c, which checks the
# database after each N.
#
# Which N: with HEMGANG_FAULTS_FULL=1 every N from 1 to the number of allocations the program
# makes. By default a program with more than HEMGANG_FAULTS_MAX (50) allocations has a
# deterministic sample of that many: the first third of them (1, 2, 3, ...: opening, setup, the
# first table row, where most cleanup paths start), then an even spread over the rest up to its
# last allocation - the same N on every run, so a failure is reproduced by
# HEMGANG_ALLOC_FAIL=N HEMGANG_ALLOC_STICKY=0|1 PROGRAM. A run costs 0.1-0.3 s of CPU under ASan
# (the test itself and LSan's leak scan, not the start: a forked run costs the same), so the 9 300
# runs of a full sweep take about half an hour of CPU, the sample (about 860 runs) a couple of
# minutes. The programs run HEMGANG_FAULTS_JOBS (default: the number of cores) at a time; their
# lines are printed in a fixed order.
set -u
build=${HEMGANG_BUILD:-$(dirname "$HEMGANG")}
# A quarantine of 4 MB (ASan's default is 256) halves the cost of a run: the memory freed last stays poisoned, so
# a use after free on the error path just taken is still reported. The unfaulted runs keep the default.
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0:quarantine_size_mb=4"
export LSAN_OPTIONS="exitcode=86"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
max=${HEMGANG_FAULTS_MAX:-50}
full=${HEMGANG_FAULTS_FULL:-0}
jobs_max=${HEMGANG_FAULTS_JOBS:-$(nproc 2>/dev/null || echo 1)}
progs=()
for src in tests/core/test_*.c tests/store/test_*.c; do
	p="$build/tests/$(basename "$src" .c)"
	[ "$(basename "$src")" = test_store_faults.c ] && continue # sweeps by itself
	[ -x "$p" ] && progs+=("$p")
done
dir=$(mktemp -d "${HEMGANG_TEST_TMP:-/tmp}/faults.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# indexes TOTAL: the N to fail, one per line (see above).
indexes() {
	local total=$1 n k head
	if [ "$full" = 1 ] || [ "$total" -le "$max" ]; then
		seq 1 "$total"
		return
	fi
	head=$((max / 3))
	seq 1 "$head"
	for ((k = 1; k <= max - head; k++)); do
		n=$((head + (k * (total - head) + max - head - 1) / (max - head)))
		echo "$n"
	done
}

# sweep PROGRAM OUT: the runs of one program; its report lines go to OUT, and OUT.ok marks a pass.
sweep() {
	local p=$1 out=$2 name total bad=0 n rc sticky log="$2.log"
	name=$(basename "$p")
	total=$(HEMGANG_ALLOC_COUNT=1 "$p" 2>&1 >/dev/null | sed -n 's/^allocations: \([0-9]*\) .*/\1/p' | tail -n 1)
	if [ -z "$total" ]; then
		echo "FAIL faults $name: no allocation count" >"$out"
		return
	fi
	local -a ns
	mapfile -t ns < <(indexes "$total")
	for sticky in 0 1; do
		for n in "${ns[@]}"; do
			HEMGANG_ALLOC_FAIL=$n HEMGANG_ALLOC_STICKY=$sticky timeout 120 "$p" >"$log" 2>&1
			rc=$?
			if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
				{
					echo "FAIL faults $name: allocation $n failing (sticky=$sticky) ended with exit $rc"
					grep -E "ERROR|LEAK|SUMMARY|runtime error" "$log" | head -n 5
				} >>"$out"
				bad=$((bad + 1))
				[ "$bad" -ge 3 ] && break 2
			fi
		done
	done
	[ "$bad" -eq 0 ] || return
	if [ "${#ns[@]}" -eq "$total" ]; then
		echo "faults $name: $total allocations, each failed once and from there on: no crash, no leak" >"$out"
	else
		echo "faults $name: $total allocations, ${#ns[@]} of them (the first $((max / 3)), then spread to the last;" \
			"HEMGANG_FAULTS_FULL=1 for all) each failed once and from there on: no crash, no leak" >"$out"
	fi
	touch "$out.ok"
}

running=0
for i in "${!progs[@]}"; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	sweep "${progs[i]}" "$dir/$i" &
	running=$((running + 1))
done
wait
passed=0 failed=0
for i in "${!progs[@]}"; do
	cat "$dir/$i" 2>/dev/null || echo "FAIL faults $(basename "${progs[i]}"): no result"
	if [ -f "$dir/$i.ok" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "faults/alloc.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
