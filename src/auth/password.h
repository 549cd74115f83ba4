/*
 * password.h - passwords, session and API tokens: the credentials layer.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, interactive
 * limits). Session and API tokens are 32 random bytes shown to the client once
 * as URL-safe base64; the store keeps only their BLAKE2b hash, so a copy of
 * the database grants no access. Compares are constant-time.
 *
 * Layer: src/auth sits beside src/wire, above the core and the store's
 * constants (store/store.h gives the sizes of what is stored) and below both
 * front ends: the CLI (`hemgang admin`, `hemgang demo`, `hemgang serve`) and
 * the HTTP API use it, so neither includes the other's headers. It does no
 * I/O of its own beyond libsodium's random bytes; its names begin with auth_.
 */
#ifndef HG_AUTH_PASSWORD_H
#define HG_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
