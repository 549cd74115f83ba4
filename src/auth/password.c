/*
 * password.c - password hashing and tokens (see password.h), on libsodium:
 * argon2id for passwords, a CSPRNG for tokens, BLAKE2b for the stored token
 * hashes.
 */
#include "auth/password.h"

#include <string.h>

#include <sodium.h>

hg_status auth_init(void)
{
	return sodium_init() < 0 ? HG_EINTERNAL : HG_OK;
}

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
	if (sodium_base642bin(raw, sizeof raw, text, 43, NULL, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) !=
	        0 ||
	    len != sizeof raw || *end != '\0')
		return HG_EINVAL;
	hash_bytes(raw, sizeof raw, hash);
	sodium_memzero(raw, sizeof raw);
	return HG_OK;
}

/* A hash of a random password that nobody knows, with the same limits as auth_hash_password:
 * checking against it costs what checking a real hash costs. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$E9W9pCfNk+qbEtDRGYlIIQ$d4/CYl7Y/o5X9z9KoONPEcpZCxw0U+aJARkhjM4Ez0A";

bool auth_check_password_or_dummy(const char *hash, const char *password)
{
	bool real = hash && hash[0];
	if (!password)
		return false;
	bool ok = crypto_pwhash_str_verify(real ? hash : dummy_hash, password, strlen(password)) == 0;
	return real && ok;
}
