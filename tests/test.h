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
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * The whole sweep of a program in one process (tests/faults/alloc.sh): with HEMGANG_ALLOC_SWEEP="N N ..." the
 * program forks before main once per N and per HEMGANG_ALLOC_STICKY value, 0 then 1, and each child runs the
 * program as HEMGANG_ALLOC_FAIL=N HEMGANG_ALLOC_STICKY=S would, its output in the file HEMGANG_ALLOC_LOG (a bad
 * run's is kept as LOG.N.S), stopped after 120 s. The parent prints "N S STATUS" for each run (STATUS: the exit
 * status, or 128 + the signal) and exits 0; it stops after 3 runs ending otherwise than 0 or 1. Forking skips
 * the exec, the dynamic linking and the sanitizers' start that make half the cost of a separate run.
 */
static void test_alloc_sweep_(const char *list)
{
	const char *keep = getenv("HEMGANG_ALLOC_LOG");
	const char *log = keep ? keep : "/dev/null";
	int bad = 0;
	fflush(NULL);
	for (int sticky = 0; sticky <= 1 && bad < 3; sticky++) {
		for (const char *p = list; *p && bad < 3;) {
			char *end;
			unsigned long n = strtoul(p, &end, 10);
			if (end == p)
				break;
			p = end + strspn(end, " \n");
			pid_t pid = fork();
			if (pid < 0) {
				perror("fork");
				_Exit(2);
			}
			if (pid == 0) {
				char num[32];
				snprintf(num, sizeof num, "%lu", n);
				int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
				if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
					_Exit(2);
				close(fd);
				unsetenv("HEMGANG_ALLOC_SWEEP");
				if (setenv("HEMGANG_ALLOC_FAIL", num, 1) != 0 ||
				    setenv("HEMGANG_ALLOC_STICKY", sticky ? "1" : "0", 1) != 0)
					_Exit(2);
				alarm(120);
				return; /* on to main, as a faulted run */
			}
			int st = 0;
			while (waitpid(pid, &st, 0) < 0)
				if (errno != EINTR)
					_Exit(2);
			int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			printf("%lu %d %d\n", n, sticky, rc);
			fflush(stdout);
			if (rc != 0 && rc != 1 && keep) {
				char kept[4096];
				snprintf(kept, sizeof kept, "%s.%lu.%d", log, n, sticky);
				rename(log, kept);
			}
			if (rc != 0 && rc != 1)
				bad++;
		}
	}
	_Exit(0);
}

__attribute__((constructor)) static void test_alloc_setup_(void)
{
	const char *list = getenv("HEMGANG_ALLOC_SWEEP");
	if (list)
		test_alloc_sweep_(list); /* returns only in a child */
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
