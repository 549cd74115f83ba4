/*
 * demo.h - the demo region generator behind `hemgang demo`.
 *
 * A demo database must look like a real county so that the web UI, the
 * follow-up reports and the invoices have something worth showing: a region
 * modelled on Dalarna (län 20) with its 15 real municipalities, four hospitals,
 * primary care units, municipal units, one login per role, and some 2 000
 * episodes over 18 months in every state. The people and events are
 * fictitious (docs/demo.md states the personnummer policy).
 *
 * Every episode is written through store_append() event by event, exactly as
 * a client would send it, so the core's rules judge every generated event and
 * the database is one that the real system could have produced. The
 * generator is deterministic: the same seed and the same `now` give the same
 * events, byte for byte. Randomness comes from a small PRNG value passed
 * around explicitly (no global state, no rand()).
 */
#ifndef HG_CLI_DEMO_H
#define HG_CLI_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/date.h"
#include "core/status.h"
#include "store/store.h"

#define DEMO_EPISODES_DEFAULT 2000
#define DEMO_EPISODES_MAX 100000
#define DEMO_PASSWORD "demo"          /* every demo user's password */
#define DEMO_REGION_CODE "R20"
#define DEMO_HISTORY_DAYS 548         /* episodes start within the last 18 months */

/* splitmix64: a tiny, well-mixed PRNG whose whole state is one integer. */
typedef struct demo_rng {
	uint64_t state;
} demo_rng;

void demo_rng_seed(demo_rng *r, uint64_t seed);
uint64_t demo_rng_next(demo_rng *r);
/* Uniform in 0..n-1 (0 when n == 0). */
uint32_t demo_rng_below(demo_rng *r, uint32_t n);
/* Uniform in lo..hi inclusive (lo when hi <= lo). */
int64_t demo_rng_range(demo_rng *r, int64_t lo, int64_t hi);
/* True with probability permille / 1000. */
bool demo_rng_chance(demo_rng *r, int permille);

/* One demo login: the rows `hemgang demo` prints and docs/demo.md lists. */
typedef struct demo_login {
	const char *username;
	const char *display_name;
	role role;
	const char *org;                          /* organisation code */
	const char *units[STORE_USER_UNITS_MAX + 1]; /* NULL-terminated; units[0] is the user's first unit */
} demo_login;

/* The demo logins in a fixed order; *n gets their count. Static storage. */
const demo_login *demo_logins(size_t *n);

/*
 * Writes the organisations, units and users of the demo region into s.
 * password_hash is the hash of DEMO_PASSWORD (hash it once: argon2id is
 * slow), shared by every user; now stamps the users' creation. On failure err
 * gets a one-line reason.
 */
hg_status demo_create_region(store *s, const char *password_hash, hg_instant now, char *err,
			     size_t errlen) HG_MUST_CHECK;

typedef struct demo_options {
	int episodes;         /* 1..DEMO_EPISODES_MAX */
	uint64_t seed;
	hg_instant now;       /* the demo's "now": no event is recorded after it */
	bool reserve_numbers; /* identify patients by reserve numbers instead of personnummer */
} demo_options;

typedef struct demo_result {
	int episodes;
	int patients;
	long events;
} demo_result;

/*
 * Generates o->episodes episodes into s (whose region demo_create_region has
 * written), appending each event with store_append(). Bulk durability is the
 * caller's choice (store_set_durability). A rejected event is a bug in the
 * generator: the result is HG_EINTERNAL and err names the event type, the
 * reason code and the field. The working memory is allocated and freed here.
 */
hg_status demo_generate(store *s, const demo_options *o, demo_result *out, char *err, size_t errlen) HG_MUST_CHECK;

#endif
