/*
 * test.h - the tiny table-driven test harness.
 *
 * A test program keeps one `struct test` in main, passes it to each group of
 * cases, and ends with `return test_report(&t);`, which prints the plain line
 * "NAME: N passed, N failed" that tests/run sums up. A failed check prints the
 * file, line, the case label and what was expected, then carries on, so one run
 * shows every broken row of a table.
 */
#ifndef HG_TEST_H
#define HG_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

struct test {
	const char *name;
	int passed;
	int failed;
};

__attribute__((format(printf, 5, 6))) static inline bool test_check(struct test *t, bool ok, const char *file,
								      int line, const char *fmt, ...)
{
	if (ok) {
		t->passed++;
		return true;
	}
	t->failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* T_TRUE(t, cond, "case label %d", i) */
#define T_TRUE(t, cond, ...) test_check((t), (cond), __FILE__, __LINE__, __VA_ARGS__)

#define T_EQ_INT(t, got, want, label, ...)                                                                   \
	do {                                                                                                 \
		long long got_ = (long long)(got), want_ = (long long)(want);                              \
		test_check((t), got_ == want_, __FILE__, __LINE__, label ": got %lld, want %lld",          \
			   ##__VA_ARGS__, got_, want_);                                                      \
	} while (0)

#define T_EQ_STR(t, got, want, label, ...)                                                                   \
	do {                                                                                                 \
		const char *got_ = (got), *want_ = (want);                                                 \
		bool same_ = (got_ == NULL && want_ == NULL) ||                                              \
			     (got_ != NULL && want_ != NULL && strcmp(got_, want_) == 0);                     \
		test_check((t), same_, __FILE__, __LINE__, label ": got \"%s\", want \"%s\"", ##__VA_ARGS__, \
			   got_ ? got_ : "(null)", want_ ? want_ : "(null)");                                \
	} while (0)

/*
 * Allocation-failure runs (tests/faults/alloc.sh): with HEMGANG_ALLOC_FAIL=N in the environment the
 * N-th allocation of the program fails (HEMGANG_ALLOC_STICKY=1: and every later one); with
 * HEMGANG_ALLOC_COUNT=1 the program prints "allocations: K live: L" at exit, so the driver knows
 * how many N there are. The checks of a faulted run may fail; what may not happen is a crash, a
 * sanitizer report or a leak (hg_alloc_live() != 0 at exit turns into exit status 86).
 */
static void test_alloc_report_(void)
{
	long live = hg_alloc_live();
	if (getenv("HEMGANG_ALLOC_COUNT"))
		fprintf(stderr, "allocations: %lu live: %ld\n", hg_alloc_count(), live);
	if (getenv("HEMGANG_ALLOC_FAIL") && live != 0) {
		fprintf(stderr, "LEAK: %ld blocks from hg_malloc not freed\n", live);
		_Exit(86);
	}
}

__attribute__((constructor)) static void test_alloc_setup_(void)
{
	const char *n = getenv("HEMGANG_ALLOC_FAIL");
	const char *sticky = getenv("HEMGANG_ALLOC_STICKY");
	if (n && *n)
		hg_alloc_fault_set(strtoul(n, NULL, 10), sticky && *sticky == '1');
	if (getenv("HEMGANG_ALLOC_COUNT") || (n && *n))
		atexit(test_alloc_report_);
}

static inline int test_report(const struct test *t)
{
	printf("%s: %d passed, %d failed\n", t->name, t->passed, t->failed);
	return t->failed ? 1 : 0;
}

#endif
