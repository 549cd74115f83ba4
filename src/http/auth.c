/*
 * auth.c - login rate limiting of the HTTP server (see auth.h). Password
 * hashing and tokens are src/auth/password.c, which the CLI uses too.
 */
#include "http/auth.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"

/* ---- rate limiting: a bounded table of failure counters, keyed by a hash of the key ---- */

/* The key as the shared store keeps it (store_login_*): its BLAKE2b hash, never the user name and address. */
static void hash_bytes(const uint8_t *raw, size_t n, uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	crypto_generichash(hash, STORE_TOKEN_HASH_SIZE, raw, n, NULL, 0);
}

typedef struct limit_slot {
	uint64_t key; /* 0: free */
	int failures;
	hg_instant last_failure;
	hg_instant locked_until; /* 0 or the end of the lock */
} limit_slot;

struct auth_limiter {
	store *shared; /* the counters live in this store's database (several servers), or NULL: here */
	pthread_mutex_t lock;
	unsigned nslots;
	int overflow;            /* failures that found no slot, in the window from overflow_start */
	hg_instant overflow_start;
	limit_slot slot[];
};

hg_status auth_limiter_new(auth_limiter **out, unsigned slots)
{
	if (!slots)
		slots = AUTH_LIMIT_SLOTS;
	auth_limiter *l = hg_calloc(1, sizeof *l + (size_t)slots * sizeof l->slot[0]);
	if (!l)
		return HG_ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	l->nslots = slots;
	*out = l;
	return HG_OK;
}

void auth_limiter_share(auth_limiter *l, store *s) { l->shared = s && store_login_limits_shared(s) ? s : NULL; }

void auth_limiter_free(auth_limiter *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->lock);
	hg_free(l);
}

static uint64_t key_hash(const char *key)
{
	uint8_t h[8];
	uint64_t v = 0;
	crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v | 1; /* 0 marks a free slot */
}

/* True when the slot still matters at now: locked, or failures inside the window. */
static bool in_force(const limit_slot *e, hg_instant now)
{
	return e->key && (e->locked_until > now || now - e->last_failure < AUTH_LIMIT_WINDOW);
}

/* The slot of k, or -1. Caller holds the lock. */
static long find_slot(const auth_limiter *l, uint64_t k)
{
	for (unsigned i = 0; i < l->nslots; i++)
		if (l->slot[i].key == k)
			return (long)i;
	return -1;
}

/* A slot for a new key: a free or spent one, else the unlocked one with the fewest failures
 * (the oldest of those); never a locked one. -1 when every slot is locked. Caller holds the lock. */
static long claim_slot(auth_limiter *l, hg_instant now)
{
	long best = -1;
	for (unsigned i = 0; i < l->nslots; i++) {
		const limit_slot *e = &l->slot[i];
		if (!in_force(e, now))
			return (long)i;
		if (e->locked_until > now)
			continue;
		if (best < 0 || e->failures < l->slot[best].failures ||
		    (e->failures == l->slot[best].failures && e->last_failure < l->slot[best].last_failure))
			best = (long)i;
	}
	return best;
}

static bool overflowing(const auth_limiter *l, hg_instant now)
{
	return l->overflow >= AUTH_LIMIT_OVERFLOW && now - l->overflow_start < AUTH_LIMIT_WINDOW;
}

/* The end of the lock after a key's failures-th failure (max locks), or 0: one rule for both tables. */
static hg_instant lock_end(int failures, int max_failures, hg_instant now)
{
	if (failures < max_failures)
		return 0;
	int over = failures - max_failures; /* 0 at the first lock */
	hg_instant lock = AUTH_BACKOFF_BASE;
	while (over-- > 0 && lock < AUTH_BACKOFF_MAX)
		lock *= 2;
	return now + (lock < AUTH_BACKOFF_MAX ? lock : AUTH_BACKOFF_MAX);
}

bool auth_limiter_allow(auth_limiter *l, const char *key, hg_instant now, int *retry_after)
{
	if (l->shared) {
		uint8_t h[STORE_TOKEN_HASH_SIZE];
		hg_instant until = 0;
		hash_bytes((const uint8_t *)key, strlen(key), h);
		/* a database that cannot answer lets the attempt through: the login then fails on it (503) */
		if (store_login_locked_until(l->shared, h, &until) == HG_OK && until > now) {
			*retry_after = (int)(until - now);
			return false;
		}
		return true;
	}
	uint64_t k = key_hash(key);
	bool ok = true;
	pthread_mutex_lock(&l->lock);
	long i = find_slot(l, k);
	if (i >= 0 && l->slot[i].locked_until > now) {
		ok = false;
		*retry_after = (int)(l->slot[i].locked_until - now);
	} else if (i < 0 && overflowing(l, now)) {
		ok = false;
		*retry_after = (int)(l->overflow_start + AUTH_LIMIT_WINDOW - now);
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

void auth_limiter_fail(auth_limiter *l, const char *key, int max_failures, hg_instant now)
{
	if (l->shared) {
		uint8_t h[STORE_TOKEN_HASH_SIZE];
		int failures = 0;
		hash_bytes((const uint8_t *)key, strlen(key), h);
		/* a failure the database cannot count is not counted: the next attempt meets it unavailable too */
		hg_status rc = store_login_failure(l->shared, h, now, AUTH_LIMIT_WINDOW, &failures);
		if (rc == HG_OK && failures >= max_failures)
			rc = store_login_lock(l->shared, h, lock_end(failures, max_failures, now));
		(void)rc;
		return;
	}
	uint64_t k = key_hash(key);
	pthread_mutex_lock(&l->lock);
	long i = find_slot(l, k);
	if (i >= 0 && !in_force(&l->slot[i], now))
		l->slot[i].failures = 0; /* the window passed: start over */
	if (i < 0) {
		i = claim_slot(l, now);
		if (i < 0) { /* every slot is locked: count it in the shared overflow */
			if (now - l->overflow_start >= AUTH_LIMIT_WINDOW) {
				l->overflow_start = now;
				l->overflow = 0;
			}
			l->overflow++;
			pthread_mutex_unlock(&l->lock);
			return;
		}
		l->slot[i] = (limit_slot){.key = k};
	}
	limit_slot *e = &l->slot[i];
	e->failures++;
	e->last_failure = now;
	if (e->failures >= max_failures)
		e->locked_until = lock_end(e->failures, max_failures, now);
	pthread_mutex_unlock(&l->lock);
}

void auth_limiter_reset(auth_limiter *l, const char *key)
{
	if (l->shared) {
		uint8_t h[STORE_TOKEN_HASH_SIZE];
		hash_bytes((const uint8_t *)key, strlen(key), h);
		hg_status rc = store_login_reset(l->shared, h); /* on failure the counters run out with their window */
		(void)rc;
		return;
	}
	uint64_t k = key_hash(key);
	pthread_mutex_lock(&l->lock);
	long i = find_slot(l, k);
	if (i >= 0)
		l->slot[i] = (limit_slot){0};
	pthread_mutex_unlock(&l->lock);
}
