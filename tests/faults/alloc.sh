#!/usr/bin/env bash
# tests/faults/alloc.sh - allocation-failure runs, as curl's torture mode and SQLite's
# test_malloc do: every core and store test program is run again once for every N from 1 to
# the number of allocations it makes, with the N-th allocation failing (hg_alloc_fault_set,
# read from HEMGANG_ALLOC_FAIL by tests/test.h), then once more with the N-th and every later
# allocation failing. A faulted run may fail its checks (exit 1); it may not crash, trip a
# sanitizer, leak a block (tests/test.h exits 86) or hang. The half-written-state proof for the
# store is tests/store/test_store_faults.c, which checks the database after each N.
set -u
build=${HEMGANG_BUILD:-$(dirname "$HEMGANG")}
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0"
export LSAN_OPTIONS="exitcode=86"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
passed=0 failed=0
progs=()
for src in tests/core/test_*.c tests/store/test_*.c; do
	p="$build/tests/$(basename "$src" .c)"
	[ "$(basename "$src")" = test_store_faults.c ] && continue # sweeps by itself
	[ -x "$p" ] && progs+=("$p")
done
log="${HEMGANG_TEST_TMP:-/tmp}/faults.$$"
for p in "${progs[@]}"; do
	name=$(basename "$p")
	total=$(HEMGANG_ALLOC_COUNT=1 "$p" 2>&1 >/dev/null | sed -n 's/^allocations: \([0-9]*\) .*/\1/p' | tail -n 1)
	if [ -z "$total" ]; then
		echo "FAIL faults $name: no allocation count"
		failed=$((failed + 1))
		continue
	fi
	bad=0
	for sticky in 0 1; do
		for ((n = 1; n <= total; n++)); do
			HEMGANG_ALLOC_FAIL=$n HEMGANG_ALLOC_STICKY=$sticky timeout 120 "$p" >"$log" 2>&1
			rc=$?
			if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
				echo "FAIL faults $name: allocation $n failing (sticky=$sticky) ended with exit $rc"
				grep -E "ERROR|LEAK|SUMMARY|runtime error" "$log" | head -n 5
				bad=$((bad + 1))
				[ "$bad" -ge 3 ] && break 2
			fi
		done
	done
	if [ "$bad" -eq 0 ]; then
		passed=$((passed + 1))
		echo "faults $name: $total allocations, each failed once and from there on: no crash, no leak"
	else
		failed=$((failed + 1))
	fi
done
rm -f "$log"
echo "faults/alloc.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
