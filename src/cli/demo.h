/*
 * demo.h - the demo generator behind `hemgang demo`.
 *
 * A demo database must look real so that the web UI, the follow-up reports,
 * the invoices and the benchmarks have something worth showing. Two shapes:
 *
 *   - the region (by default up to DEMO_REGION_EPISODES_MAX episodes): a
 *     region modelled on Dalarna (län 20) with its 15 real municipalities,
 *     four hospitals, 13 wards, 30 primary care units, municipal units and one
 *     login per role, some 2 000 episodes over 18 months in every state;
 *   - the country (by default above that, up to DEMO_EPISODES_MAX): Sweden's 21
 *     regions and 290 municipalities, 72 hospitals with their wards, a primary
 *     care unit per some 12 000 inhabitants, at some 300 000 episodes a year
 *     over at least 18 months. Dalarna is one of the regions, with the very
 *     units and logins of the region demo.
 *
 * The people and events are fictitious (docs/demo.md states the personnummer
 * policy). Every event is judged by the core's rules as it is planned
 * (episode_append on the episode's fold, kept in memory), and each episode is
 * written whole through the bulk loader (store/store_bulk.h), which writes the
 * same rows store_append would have. The generator is deterministic: the same
 * seed and the same `now` give the same events, byte for byte. Randomness
 * comes from a small PRNG value passed around explicitly (no global state, no
 * rand()). No patient ever has two stays at once: a readmission starts after
 * the discharge before it.
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
#define DEMO_REGION_EPISODES_MAX 20000 /* more episodes than this make the country */
#define DEMO_EPISODES_MAX 2000000
#define DEMO_COUNTRY_EPISODES_PER_YEAR 300000 /* some 300 000 a year in all of Sweden */
#define DEMO_PASSWORD "demo"          /* every demo user's password */
#define DEMO_REGION_CODE "R20"
#define DEMO_HISTORY_DAYS 548         /* episodes start within the last 18 months (the country: or more) */

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

typedef enum demo_shape {
	DEMO_SHAPE_AUTO = 0, /* the region up to DEMO_REGION_EPISODES_MAX episodes, the country above */
	DEMO_SHAPE_REGION,
	DEMO_SHAPE_COUNTRY,
} demo_shape;

typedef struct demo_options {
	int episodes;         /* 1..DEMO_EPISODES_MAX */
	demo_shape shape;
	uint64_t seed;
	hg_instant now;       /* the demo's "now": no event is recorded after it */
	bool reserve_numbers; /* identify patients by reserve numbers instead of personnummer */
} demo_options;

typedef struct demo_result {
	int episodes;
	int patients;
	long events;
	int regions, municipalities, hospitals, wards, primary_care_units;
	int history_days; /* episodes start within this many days before now */
	double plan_cpu;  /* CPU seconds of the episodes: planning, judging and rendering them (the calling thread) */
	double write_cpu; /* ... and writing them (the bulk loader's thread); both 0 without a loader (PostgreSQL) */
} demo_result;

/* True when the options make the country rather than the region. */
bool demo_is_country(const demo_options *o);

/*
 * Builds the whole demo into a new database at path (a file, or a PostgreSQL
 * URI): the organisations, units and users through the store, then
 * o->episodes episodes through the bulk loader (which holds a SQLite file
 * alone, so the store is closed first; PostgreSQL: through store_append).
 * password_hash is the hash of DEMO_PASSWORD (hash it once: argon2id is slow),
 * shared by every user. A rejected event is a bug in the generator: the result
 * is HG_EINTERNAL and err names the episode, the event type, the reason code
 * and the field. The working memory is allocated and freed here; on failure
 * the file holds a half-built demo (the caller removes it).
 */
hg_status demo_build(const char *path, const demo_options *o, const char *password_hash, demo_result *out,
		     char *err, size_t errlen) HG_MUST_CHECK;

/* ---- the country's data (demo_country.c) ---- */

typedef struct demo_county {
	const char *code; /* 2-digit län code */
	const char *region_name;
} demo_county;

enum { HOSPITAL_NONE = 0, HOSPITAL_COUNTY, HOSPITAL_LOCAL };

typedef struct demo_country_municipality {
	const char *code; /* SCB kommunkod */
	const char *name;
	int population;   /* rounded; a weight */
	int hospital;     /* HOSPITAL_*: the demo puts a hospital here */
} demo_country_municipality;

/* Sweden's 21 counties (regions), in code order. Static storage. */
const demo_county *demo_counties(size_t *n);
/* The municipalities outside Dalarna, in code order. Static storage. */
const demo_country_municipality *demo_country_municipalities(size_t *n);

#endif
