/*
 * test_buf.c - the growable buffer with a ceiling: appends up to the ceiling
 * exactly, one byte more fails and stays failed, printf long and short, take
 * hands over a C string, and every allocation failure is a clean HG_ENOMEM.
 */
#include "core/buf.h"
#include "test.h"

/* One step of a script run against a fresh buffer. */
typedef struct step {
	char op; /* 'a' add text, 'p' printf "%s|%d", 'n' add n copies of 'z' */
	const char *text;
	size_t n;
} step;

static const struct buf_row {
	size_t max;
	step steps[4];
	hg_status want;
	const char *text; /* what the buffer holds at the end (failed or not) */
	size_t len;
} buf_rows[] = {
    {16, {{'a', "abc", 0}, {'a', "def", 0}}, HG_OK, "abcdef", 6},
    {7, {{'a', "abc", 0}, {'a', "def", 0}}, HG_OK, "abcdef", 6},  /* 6 bytes and the NUL: exactly the ceiling */
    {6, {{'a', "abc", 0}, {'a', "def", 0}}, HG_ERANGE, "abc", 3}, /* one byte too many: the second add fails */
    {6, {{'a', "abc", 0}, {'a', "defg", 0}, {'a', "x", 0}}, HG_ERANGE, "abc", 3}, /* and stays failed */
    {1, {{'a', "", 0}}, HG_OK, NULL, 0},
    {1, {{'a', "a", 0}}, HG_ERANGE, NULL, 0},
    {64, {{'p', "kr", 1500}}, HG_OK, "kr|1500", 7},
    {1024, {{'n', NULL, 300}, {'p', "x", 7}}, HG_OK, NULL, 303}, /* past the first 256 bytes */
    {2048, {{'p', NULL, 600}}, HG_OK, NULL, 604},                /* a printf longer than its small buffer */
    {600, {{'p', NULL, 600}}, HG_ERANGE, NULL, 0},
    {SIZE_MAX, {{'n', NULL, 5000}}, HG_OK, NULL, 5000},
};

static void run_steps(hg_buf *b, const step *steps)
{
	char big[1024];
	for (const step *s = steps; s < steps + 4 && s->op; s++) {
		switch (s->op) {
		case 'a':
			(void)hg_buf_add_str(b, s->text);
			break;
		case 'p':
			if (s->text) {
				(void)hg_buf_printf(b, "%s|%d", s->text, (int)s->n);
			} else {
				memset(big, 'y', s->n);
				big[s->n] = '\0';
				(void)hg_buf_printf(b, "%s|%d", big, 123);
			}
			break;
		case 'n':
			for (size_t i = 0; i < s->n; i++)
				(void)hg_buf_add(b, "z", 1);
			break;
		}
	}
}

static void test_rows(struct test *t)
{
	for (size_t i = 0; i < sizeof buf_rows / sizeof buf_rows[0]; i++) {
		const struct buf_row *r = &buf_rows[i];
		hg_buf b;
		hg_buf_init(&b, r->max);
		run_steps(&b, r->steps);
		T_EQ_INT(t, hg_buf_status(&b), r->want, "buf row %zu status", i);
		T_EQ_INT(t, b.len, r->len, "buf row %zu length", i);
		if (r->text)
			T_EQ_STR(t, b.data, r->text, "buf row %zu text", i);
		T_TRUE(t, b.cap <= r->max, "buf row %zu: capacity %zu within the ceiling %zu", i, b.cap, r->max);
		if (b.data)
			T_EQ_INT(t, strlen(b.data), b.len, "buf row %zu: NUL-terminated", i);
		size_t len = 99;
		char *text = hg_buf_take(&b, &len);
		T_TRUE(t, (text != NULL) == (r->want == HG_OK), "buf row %zu: take gives text iff not failed", i);
		T_EQ_INT(t, len, text ? r->len : 0, "buf row %zu: take length", i);
		T_TRUE(t, b.data == NULL && b.len == 0 && !b.failed && b.max == r->max, "buf row %zu: empty after take",
		       i);
		hg_free(text);
	}
}

/* A build of 2 403 bytes grows five times (256 to 4096 bytes): each of those allocations fails in turn and
 * the build ends HG_ENOMEM, sticky, leaking nothing; a sixth would-be failure is never reached. */
static void test_faults(struct test *t)
{
	long live = hg_alloc_live();
	for (unsigned long n = 1; n <= 6; n++) {
		hg_buf b;
		hg_buf_init(&b, 1 << 20);
		hg_alloc_fault_set(n, false);
		for (int i = 0; i < 300; i++)
			(void)hg_buf_printf(&b, "row %03d;", i);
		hg_alloc_fault_clear();
		bool ok = hg_buf_add_str(&b, "end");
		T_EQ_INT(t, hg_buf_status(&b), n <= 5 ? HG_ENOMEM : HG_OK, "fault %lu", n);
		T_EQ_INT(t, ok, n > 5, "fault %lu: an append after the failure fails too", n);
		T_EQ_INT(t, b.len, n > 5 ? 2403 : b.len, "fault %lu: length", n);
		hg_buf_free(&b);
	}
	T_EQ_INT(t, hg_alloc_live(), live, "faults leak nothing");
	hg_buf b;
	hg_buf_init(&b, 8);
	(void)hg_buf_add_str(&b, "abcdef");
	char *kept = b.data;
	hg_buf_reset(&b);
	T_TRUE(t, b.len == 0 && b.data == kept && b.data[0] == '\0', "reset keeps the memory, empty");
	T_TRUE(t, hg_buf_add_str(&b, "1234567") && strcmp(b.data, "1234567") == 0, "reset: the ceiling counts anew");
	T_TRUE(t, !hg_buf_add_str(&b, "8"), "past the ceiling after reset");
	hg_buf_reset(&b);
	T_EQ_INT(t, hg_buf_status(&b), HG_ERANGE, "reset keeps a failure");
	hg_buf_free(&b);
	char *empty = hg_buf_take(&b, NULL);
	T_EQ_STR(t, empty, "", "take of an empty buffer");
	hg_free(empty);
}

int main(void)
{
	struct test t = {.name = "test_buf"};
	test_rows(&t);
	test_faults(&t);
	return test_report(&t);
}
