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

/* Login rate limiting: a fixed number of failures per key within a window. */
#define AUTH_LIMIT_SLOTS 1024
#define AUTH_LIMIT_FAILURES 5       /* per account */
#define AUTH_LIMIT_FAILURES_ADDR 20 /* per client address (several users share an address) */
#define AUTH_LIMIT_WINDOW 900 /* seconds */

typedef struct auth_limiter auth_limiter;
/* *out is hg_malloc'ed; free with auth_limiter_free. */
hg_status auth_limiter_new(auth_limiter **out) HG_MUST_CHECK;
void auth_limiter_free(auth_limiter *l);
/* True when key (e.g. "u:anna" or "a:127.0.0.1") has fewer than max_failures failures in the
 * current window; *retry_after seconds otherwise. */
bool auth_limiter_allow(auth_limiter *l, const char *key, int max_failures, hg_instant now, int *retry_after);
void auth_limiter_fail(auth_limiter *l, const char *key, hg_instant now);
void auth_limiter_reset(auth_limiter *l, const char *key);

#endif
