/*
 * auth.h - login rate limiting of the HTTP server (POST /api/v1/login and
 * the token routes). Passwords and tokens themselves are auth/password.h, a
 * layer of its own that the CLI uses too without an HTTP header.
 */
#ifndef HG_HTTP_AUTH_H
#define HG_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

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
