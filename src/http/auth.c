/*
 * auth.c - password hashing, tokens and login rate limiting (see auth.h),
 * on libsodium: argon2id for passwords, a CSPRNG for tokens, BLAKE2b for the
 * stored token hashes.
 */
#include "http/auth.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"

hg_status auth_init(void) { return sodium_init() < 0 ? HG_EINTERNAL : HG_OK; }

hg_status auth_hash_password(const char *password, char out[STORE_PASSWORD_HASH_MAX])
{
	_Static_assert(STORE_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "password hash buffer too small");
	if (!password || !password[0])
		return HG_EINVAL;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return HG_ENOMEM;
	return HG_OK;
}

bool auth_check_password(const char *hash, const char *password)
{
	if (!hash || !hash[0] || !password)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static void hash_bytes(const uint8_t *raw, size_t n, uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	crypto_generichash(hash, STORE_TOKEN_HASH_SIZE, raw, n, NULL, 0);
}

hg_status auth_new_token(char text[AUTH_TOKEN_TEXT_MAX], uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(text, AUTH_TOKEN_TEXT_MAX, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	hash_bytes(raw, sizeof raw, hash);
	sodium_memzero(raw, sizeof raw);
	return HG_OK;
}

hg_status auth_token_hash(const char *text, uint8_t hash[STORE_TOKEN_HASH_SIZE])
{
	uint8_t raw[32];
	size_t len = 0;
	const char *end = NULL;
	if (!text || strlen(text) != 43)
		return HG_EINVAL;
	if (sodium_base642bin(raw, sizeof raw, text, 43, NULL, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof raw || *end != '\0')
		return HG_EINVAL;
	hash_bytes(raw, sizeof raw, hash);
	sodium_memzero(raw, sizeof raw);
	return HG_OK;
}

/* ---- rate limiting: a fixed table of recent failure counters, keyed by a hash of the key ---- */

struct auth_limiter {
	pthread_mutex_t lock;
	struct {
		uint64_t key;
		int failures;
		hg_instant window_start;
	} slot[AUTH_LIMIT_SLOTS];
};

hg_status auth_limiter_new(auth_limiter **out)
{
	auth_limiter *l = hg_calloc(1, sizeof *l);
	if (!l)
		return HG_ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	*out = l;
	return HG_OK;
}

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

/* The slot of key; with create, reuses the oldest slot when key has none. Caller holds the lock. */
static int find_slot(auth_limiter *l, uint64_t k, bool create)
{
	int oldest = 0;
	for (int i = 0; i < AUTH_LIMIT_SLOTS; i++) {
		if (l->slot[i].key == k)
			return i;
		if (l->slot[i].window_start < l->slot[oldest].window_start)
			oldest = i;
	}
	if (!create)
		return -1;
	l->slot[oldest].key = k;
	l->slot[oldest].failures = 0;
	l->slot[oldest].window_start = 0;
	return oldest;
}

bool auth_limiter_allow(auth_limiter *l, const char *key, int max_failures, hg_instant now, int *retry_after)
{
	uint64_t k = key_hash(key);
	bool ok = true;
	pthread_mutex_lock(&l->lock);
	int i = find_slot(l, k, false);
	if (i >= 0 && now - l->slot[i].window_start < AUTH_LIMIT_WINDOW && l->slot[i].failures >= max_failures) {
		ok = false;
		*retry_after = (int)(l->slot[i].window_start + AUTH_LIMIT_WINDOW - now);
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

void auth_limiter_fail(auth_limiter *l, const char *key, hg_instant now)
{
	uint64_t k = key_hash(key);
	pthread_mutex_lock(&l->lock);
	int i = find_slot(l, k, true);
	if (now - l->slot[i].window_start >= AUTH_LIMIT_WINDOW) {
		l->slot[i].window_start = now;
		l->slot[i].failures = 0;
	}
	l->slot[i].failures++;
	pthread_mutex_unlock(&l->lock);
}

void auth_limiter_reset(auth_limiter *l, const char *key)
{
	uint64_t k = key_hash(key);
	pthread_mutex_lock(&l->lock);
	int i = find_slot(l, k, false);
	if (i >= 0)
		l->slot[i].key = 0, l->slot[i].failures = 0;
	pthread_mutex_unlock(&l->lock);
}
