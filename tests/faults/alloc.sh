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
# HEMGANG_ALLOC_FAIL=N HEMGANG_ALLOC_STICKY=0|1 PROGRAM. All runs of a program come from one
# process that forks a faulted run per N (HEMGANG_ALLOC_SWEEP, tests/test.h): a run then costs the
# test itself and LSan's leak scan, not the exec, the dynamic linking of the store's libraries and
# the sanitizers' start (about 0.1 s of CPU each under ASan). UBSan's reports fail the sweep too. The programs run HEMGANG_FAULTS_JOBS (default: the number of cores) at a time; their
# lines are printed in a fixed order.
set -u
build=${HEMGANG_BUILD:-$(dirname "$HEMGANG")}
# A quarantine of 4 MB (ASan's default is 256) halves the cost of a run: the memory freed last stays poisoned, so
# a use after free on the error path just taken is still reported. The unfaulted runs keep the default.
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0:quarantine_size_mb=4"
export LSAN_OPTIONS="exitcode=86"
# UBSan's reports (a NULL pointer given to memcpy or qsort with a count of 0 on an error path, say) end the run
# with 86 as well, not with the 1 of a failed check.
export UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1"
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
	local p=$1 out=$2 name total bad=0 n rc st sticky log="$2.log"
	name=$(basename "$p")
	total=$(HEMGANG_ALLOC_COUNT=1 "$p" 2>&1 >/dev/null | sed -n 's/^allocations: \([0-9]*\) .*/\1/p' | tail -n 1)
	if [ -z "$total" ]; then
		echo "FAIL faults $name: no allocation count" >"$out"
		return
	fi
	local -a ns
	mapfile -t ns < <(indexes "$total")
	# One process runs them all, forking a faulted run per N and sticky value (tests/test.h, HEMGANG_ALLOC_SWEEP);
	# it prints "N STICKY STATUS" for each, and keeps the output of a bad run as LOG.N.STICKY.
	: >"$out.runs"
	[ "${#ns[@]}" -eq 0 ] || HEMGANG_ALLOC_SWEEP="${ns[*]}" HEMGANG_ALLOC_LOG="$log" timeout 1000 "$p" >"$out.runs" 2>"$log.sweep"
	rc=$?
	local runs
	runs=$(wc -l <"$out.runs")
	while read -r n sticky st; do
		[ "$st" -eq 0 ] || [ "$st" -eq 1 ] && continue
		{
			echo "FAIL faults $name: allocation $n failing (sticky=$sticky) ended with exit $st" \
				"(HEMGANG_ALLOC_FAIL=$n HEMGANG_ALLOC_STICKY=$sticky $p)"
			grep -E "ERROR|LEAK|SUMMARY|runtime error" "$log.$n.$sticky" | head -n 5
		} >>"$out"
		bad=$((bad + 1))
	done <"$out.runs"
	if [ "$bad" -eq 0 ] && [ "$runs" -ne $((2 * ${#ns[@]})) ]; then
		echo "FAIL faults $name: the sweep ran $runs of $((2 * ${#ns[@]})) runs (exit $rc): $(head -c 300 "$log.sweep")" >>"$out"
		bad=1
	fi
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
