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
#include <string.h>

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

static inline int test_report(const struct test *t)
{
	printf("%s: %d passed, %d failed\n", t->name, t->passed, t->failed);
	return t->failed ? 1 : 0;
}

#endif
