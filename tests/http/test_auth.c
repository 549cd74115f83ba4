/*
 * test_auth.c - login limits (auth_limiter) and the password check with its
 * dummy hash. Behaviour only: who is locked, for how long by the clock we pass
 * in, and that a flood of other keys erases no lock. Nothing here measures time.
 */
#include "auth/password.h"
#include "http/auth.h"

#include <stdio.h>

#include "test.h"

#define T0 1795420800

static void test_lock_and_backoff(struct test *t)
{
	auth_limiter *l = NULL;
	int retry = 0;
	T_EQ_INT(t, auth_limiter_new(&l, 0), HG_OK, "new");
	if (!l)
		return;
	for (int i = 0; i < AUTH_LIMIT_FAILURES - 1; i++)
		auth_limiter_fail(l, "p:anna\n10.0.0.1", AUTH_LIMIT_FAILURES, T0 + i);
	T_TRUE(t, auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 10, &retry), "four failures: not locked");
	auth_limiter_fail(l, "p:anna\n10.0.0.1", AUTH_LIMIT_FAILURES, T0 + 10);
	T_TRUE(t, !auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 11, &retry), "the fifth locks anna from 10.0.0.1");
	T_EQ_INT(t, retry, AUTH_BACKOFF_BASE - 1, "for the first lock's time");
	T_TRUE(t, auth_limiter_allow(l, "p:anna\n10.0.0.2", T0 + 11, &retry), "anna from another address is not locked");
	T_TRUE(t, auth_limiter_allow(l, "p:bo\n10.0.0.1", T0 + 11, &retry), "another account from that address is not");
	T_TRUE(t, auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 10 + AUTH_BACKOFF_BASE, &retry), "the lock ends");
	auth_limiter_fail(l, "p:anna\n10.0.0.1", AUTH_LIMIT_FAILURES, T0 + 100);
	T_TRUE(t, !auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 100, &retry), "one more failure locks again");
	T_EQ_INT(t, retry, 2 * AUTH_BACKOFF_BASE, "for twice as long");
	for (int i = 0; i < 20; i++)
		auth_limiter_fail(l, "p:anna\n10.0.0.1", AUTH_LIMIT_FAILURES, T0 + 400 + i);
	T_TRUE(t, !auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 420, &retry), "still locked");
	T_EQ_INT(t, retry, AUTH_BACKOFF_MAX - 1, "the backoff stops at its ceiling");
	T_TRUE(t, auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 419 + AUTH_BACKOFF_MAX, &retry), "and ends");
	auth_limiter_fail(l, "p:anna\n10.0.0.1", AUTH_LIMIT_FAILURES, T0 + 419 + AUTH_BACKOFF_MAX + AUTH_LIMIT_WINDOW);
	T_TRUE(t, auth_limiter_allow(l, "p:anna\n10.0.0.1", T0 + 420 + AUTH_BACKOFF_MAX + AUTH_LIMIT_WINDOW, &retry),
	       "a failure after a quiet window counts from one again");
	auth_limiter_fail(l, "u:cia", 2, T0);
	auth_limiter_fail(l, "u:cia", 2, T0);
	T_TRUE(t, !auth_limiter_allow(l, "u:cia", T0, &retry), "locked at its own maximum");
	auth_limiter_reset(l, "u:cia");
	T_TRUE(t, auth_limiter_allow(l, "u:cia", T0, &retry), "reset forgets the key");
	auth_limiter_free(l);
}

/* A flood of other keys cannot evict a lock, whether the table has room or not. */
static void test_flood(struct test *t)
{
	auth_limiter *l = NULL;
	int retry = 0;
	char key[64];
	T_EQ_INT(t, auth_limiter_new(&l, 64), HG_OK, "small table");
	if (!l)
		return;
	for (int i = 0; i < AUTH_LIMIT_FAILURES; i++)
		auth_limiter_fail(l, "p:victim\n10.0.0.1", AUTH_LIMIT_FAILURES, T0);
	auth_limiter_fail(l, "p:almost\n10.0.0.1", AUTH_LIMIT_FAILURES, T0); /* one failure, not locked */
	for (int i = 0; i < 10000; i++) { /* one failure each: none locks, each needs a slot */
		snprintf(key, sizeof key, "a:198.51.%d.%d", i / 256, i % 256);
		auth_limiter_fail(l, key, AUTH_LIMIT_FAILURES_ADDR, T0 + 1);
	}
	T_TRUE(t, !auth_limiter_allow(l, "p:victim\n10.0.0.1", T0 + 2, &retry), "the lock survives 10 000 other keys");
	/* Now fill every other slot (63 of 64) with a lock, then flood on. */
	for (int i = 0; i < 63; i++) {
		snprintf(key, sizeof key, "a:203.0.113.%d", i);
		for (int k = 0; k < 2; k++)
			auth_limiter_fail(l, key, 2, T0 + 3);
	}
	T_TRUE(t, !auth_limiter_allow(l, "p:victim\n10.0.0.1", T0 + 4, &retry), "the lock survives a full table");
	snprintf(key, sizeof key, "a:203.0.113.%d", 0);
	T_TRUE(t, !auth_limiter_allow(l, key, T0 + 4, &retry), "the first of the flood is locked");
	T_TRUE(t, auth_limiter_allow(l, "a:192.0.2.77", T0 + 4, &retry), "a fresh key is let in while the overflow is low");
	for (int i = 0; i < AUTH_LIMIT_OVERFLOW; i++) {
		snprintf(key, sizeof key, "a:192.0.2.%d", i);
		auth_limiter_fail(l, key, AUTH_LIMIT_FAILURES_ADDR, T0 + 5);
	}
	T_TRUE(t, !auth_limiter_allow(l, "a:192.0.2.250", T0 + 6, &retry), "with the overflow full, fresh keys wait");
	T_TRUE(t, retry > 0 && retry <= AUTH_LIMIT_WINDOW, "for at most the window (%d)", retry);
	T_TRUE(t, !auth_limiter_allow(l, "p:victim\n10.0.0.1", T0 + 6, &retry), "and the lock still holds");
	T_TRUE(t, auth_limiter_allow(l, "a:192.0.2.250", T0 + 6 + AUTH_LIMIT_WINDOW, &retry), "after the window it ends");
	auth_limiter_free(l);
}

static void test_passwords(struct test *t)
{
	char hash[STORE_PASSWORD_HASH_MAX];
	T_EQ_INT(t, auth_hash_password("demo", hash), HG_OK, "hash");
	T_TRUE(t, auth_check_password_or_dummy(hash, "demo"), "the right password");
	T_TRUE(t, !auth_check_password_or_dummy(hash, "wrong"), "a wrong one");
	T_TRUE(t, !auth_check_password_or_dummy(NULL, "demo"), "no account: never true");
	T_TRUE(t, !auth_check_password_or_dummy("", "demo"), "no password set: never true");
	T_TRUE(t, !auth_check_password_or_dummy(hash, NULL), "no password given");
}

int main(void)
{
	struct test t = {.name = "test_auth"};
	if (auth_init() != HG_OK)
		return 1;
	test_lock_and_backoff(&t);
	test_flood(&t);
	test_passwords(&t);
	return test_report(&t);
}
