/*
 * auth.h - passwords, session and API tokens, and login rate limiting.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, interactive
 * limits). Session and API tokens are 32 random bytes shown to the client once
 * as URL-safe base64; the store keeps only their BLAKE2b hash, so a copy of
 * the database grants no access. Compares are constant-time.
 */
#ifndef HG_HTTP_AUTH_H
#define HG_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

#define AUTH_TOKEN_TEXT_MAX 64 /* base64url of 32 bytes (43 chars) and a prefix, incl. NUL */

/* Initialises libsodium; call once from main before anything else here. */
hg_status auth_init(void) HG_MUST_CHECK;
/* Hashes password into out (STORE_PASSWORD_HASH_MAX bytes). */
hg_status auth_hash_password(const char *password, char out[STORE_PASSWORD_HASH_MAX]) HG_MUST_CHECK;
/* True when password matches hash (constant-time; false for an empty hash). */
bool auth_check_password(const char *hash, const char *password);
/* A fresh random token: text for the client, hash for the store. */
hg_status auth_new_token(char text[AUTH_TOKEN_TEXT_MAX], uint8_t hash[STORE_TOKEN_HASH_SIZE]) HG_MUST_CHECK;
/* The stored hash of a token the client presented; HG_EINVAL for a malformed token. */
hg_status auth_token_hash(const char *text, uint8_t hash[STORE_TOKEN_HASH_SIZE]) HG_MUST_CHECK;

/*
 * The same work for every login attempt: checks password against hash, or, when the account does
 * not exist or has no password, against a fixed dummy hash with the same cost, so that the answer
 * takes as long for an unknown username as for a known one (no username enumeration). Returns
 * true only for a real hash that matches.
 */
bool auth_check_password_or_dummy(const char *hash, const char *password);

/*
 * Login rate limiting with backoff. A key ("p:USER\nADDR" for an account from one address,
 * "a:ADDR" for an address, "u:USER" for an account from anywhere) is locked after `max`
 * failures for AUTH_BACKOFF_BASE seconds, and each failure after a lock has ended doubles the
 * next lock, up to AUTH_BACKOFF_MAX. A key is forgotten AUTH_LIMIT_WINDOW seconds after its last
 * failure. Locking an account from one address (5) leaves its owner at another address alone;
 * the account-wide limit (50) only slows a guess spread over many addresses.
 *
 * The table is bounded (AUTH_LIMIT_SLOTS) and a flood cannot erase a lock: a new key takes a
 * free or spent slot, else the unlocked one with the fewest failures, never a locked one. When
 * every slot is locked, failures of keys without a slot count in one shared overflow counter, and
 * while that is at AUTH_LIMIT_OVERFLOW within its window, keys without a slot are refused too (a
 * flood costs fresh addresses their attempts, never an existing lock).
 */
#define AUTH_LIMIT_SLOTS 4096
#define AUTH_LIMIT_FAILURES 5         /* per account from one address */
#define AUTH_LIMIT_FAILURES_ADDR 20   /* per client address (several users share an address) */
#define AUTH_LIMIT_FAILURES_USER 50   /* per account from all addresses */
#define AUTH_LIMIT_WINDOW 900         /* seconds a failure is remembered */
#define AUTH_BACKOFF_BASE 60          /* seconds of the first lock */
#define AUTH_BACKOFF_MAX 3600         /* seconds of the longest lock */
#define AUTH_LIMIT_OVERFLOW 100       /* failures without a slot per window before those keys wait */

typedef struct auth_limiter auth_limiter;
/* *out is hg_malloc'ed; free with auth_limiter_free. slots = 0 means AUTH_LIMIT_SLOTS (tests use few). */
hg_status auth_limiter_new(auth_limiter **out, unsigned slots) HG_MUST_CHECK;
void auth_limiter_free(auth_limiter *l);
/* Keeps the counters in s's database when it is shared by several servers (PostgreSQL: store_login_*), so that
 * a lock taken through one server holds on every other; on SQLite nothing changes. The rules stay these. */
void auth_limiter_share(auth_limiter *l, store *s);
/* True when key is not locked at now; otherwise false and *retry_after = seconds until it is not. */
bool auth_limiter_allow(auth_limiter *l, const char *key, hg_instant now, int *retry_after);
/* Counts a failure of key; from its max-th failure on, the key is locked (with backoff). */
void auth_limiter_fail(auth_limiter *l, const char *key, int max_failures, hg_instant now);
/* Forgets key (a successful login). */
void auth_limiter_reset(auth_limiter *l, const char *key);

#endif
