/*
 * cmd_demo.c - `hemgang demo [--db PATH] [--episodes N] [--shape region|country]
 * [--seed N] [--now DATE] [--force] [--reserve-numbers]`: creates a demo
 * database (cli/demo.h) so that the server, the reports, the UI and the
 * benchmarks can be tried without real patients: Dalarna by default, the
 * whole country above DEMO_REGION_EPISODES_MAX episodes.
 *
 * The output is a contract: stdout holds only the demo logins, one per line,
 *   USERNAME<TAB>ROLE<TAB>ORGANISATION<TAB>UNIT
 * (ROLE the role code of core/access.h, UNIT the user's first unit); every
 * password is "demo". One summary line goes to stderr. An existing file is
 * never overwritten without --force. Exit status: 0 success, 2 bad usage or
 * an existing file, 3 a failure while building (the half-built file is
 * removed). This is the only place the demo's "now" may come from the clock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/demo.h"
#include "core/calendar.h"
#include "auth/password.h"

enum {
	OPT_DB = 'd',
	OPT_EPISODES = 'e',
	OPT_SHAPE = 'S',
	OPT_SEED = 's',
	OPT_NOW = 'n',
	OPT_FORCE = 'f',
	OPT_RESERVE = 'r',
	OPT_HELP = 'h'
};

static const struct option demo_long_options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"episodes", required_argument, NULL, OPT_EPISODES},
	{"shape", required_argument, NULL, OPT_SHAPE},
	{"seed", required_argument, NULL, OPT_SEED},
	{"now", required_argument, NULL, OPT_NOW},
	{"force", no_argument, NULL, OPT_FORCE},
	{"reserve-numbers", no_argument, NULL, OPT_RESERVE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Files SQLite may keep next to a database; --force removes them with it. */
static const char *const db_suffixes[] = {"", "-wal", "-shm", "-journal"};

/* "now" must leave 18 months of history after 2000 and stay inside the calendar's years. */
#define DEMO_NOW_YEAR_MIN 2002
#define DEMO_NOW_YEAR_MAX 2198

/* A decimal number of at most max_digits digits and nothing else. */
static bool parse_uint(const char *s, int max_digits, unsigned long long *out)
{
	unsigned long long v = 0;
	int n = 0;
	for (; s[n]; n++) {
		if (n >= max_digits || s[n] < '0' || s[n] > '9')
			return false;
		v = v * 10 + (unsigned long long)(s[n] - '0');
	}
	*out = v;
	return n > 0;
}

/* --now: a date means the start of that local day; a local "YYYY-MM-DD HH:MM" is taken as it is. */
static bool parse_now(const char *s, hg_instant *out)
{
	hg_date d;
	if (strlen(s) == 10) {
		if (date_parse(s, &d) != HG_OK)
			return false;
		*out = cal_local_midnight(d);
	} else if (cal_parse_local(s, out) != HG_OK) {
		return false;
	}
	int y, m, day;
	d = cal_local_date(*out);
	if (d == HG_DATE_NONE)
		return false;
	date_to_ymd(d, &y, &m, &day);
	return y >= DEMO_NOW_YEAR_MIN && y <= DEMO_NOW_YEAR_MAX;
}

static void remove_db(const char *path)
{
	char name[4096];
	for (size_t i = 0; i < sizeof db_suffixes / sizeof db_suffixes[0]; i++) {
		int n = snprintf(name, sizeof name, "%s%s", path, db_suffixes[i]);
		if (n > 0 && (size_t)n < sizeof name)
			(void)unlink(name);
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Builds the whole demo into the new database at path. */
static hg_status build(const char *path, const demo_options *o, demo_result *res, char *err, size_t errlen)
{
	char hash[STORE_PASSWORD_HASH_MAX];
	hg_status rc = auth_init();
	if (rc == HG_OK)
		rc = auth_hash_password(DEMO_PASSWORD, hash);
	if (rc) {
		(void)snprintf(err, errlen, "cannot hash the demo password: %s", hg_status_name(rc));
		return rc;
	}
	return demo_build(path, o, hash, res, err, errlen);
}

int cmd_demo(int argc, char **argv)
{
	const char *path = "hemgang.db";
	demo_options o = {.episodes = DEMO_EPISODES_DEFAULT, .seed = 1, .now = HG_INSTANT_NONE};
	bool force = false;
	unsigned long long v;
	struct stat sb;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", demo_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			if (!optarg[0])
				return cli_usage_error("demo", "bad --db: the path is empty");
			path = optarg;
			break;
		case OPT_EPISODES:
			if (!parse_uint(optarg, 7, &v) || v < 1 || v > DEMO_EPISODES_MAX)
				return cli_usage_error("demo", "bad --episodes '%s': want a whole number from 1 to %d",
						       optarg, DEMO_EPISODES_MAX);
			o.episodes = (int)v;
			break;
		case OPT_SHAPE:
			if (strcmp(optarg, "region") == 0)
				o.shape = DEMO_SHAPE_REGION;
			else if (strcmp(optarg, "country") == 0)
				o.shape = DEMO_SHAPE_COUNTRY;
			else
				return cli_usage_error("demo", "bad --shape '%s': want region or country", optarg);
			break;
		case OPT_SEED:
			if (!parse_uint(optarg, 19, &v))
				return cli_usage_error("demo", "bad --seed '%s': want a whole number of at most 19 digits",
						       optarg);
			o.seed = (uint64_t)v;
			break;
		case OPT_NOW:
			if (!parse_now(optarg, &o.now))
				return cli_usage_error("demo",
						       "bad --now '%s': want YYYY-MM-DD or \"YYYY-MM-DD HH:MM\" between %d and %d",
						       optarg, DEMO_NOW_YEAR_MIN, DEMO_NOW_YEAR_MAX);
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_RESERVE:
			o.reserve_numbers = true;
			break;
		case OPT_HELP:
			fputs(cli_find("demo") ? cli_find("demo")->usage : "", stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("demo", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("demo", "unknown option '-%c' (see hemgang demo --help)", optopt);
			return cli_usage_error("demo", "unknown option '%s' (see hemgang demo --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("demo", "unexpected argument '%s' (see hemgang demo --help)", argv[optind]);
	if (o.now == HG_INSTANT_NONE) {
		time_t t = time(NULL);
		if (t == (time_t)-1)
			return cli_fail("demo", "cannot read the clock; give --now DATE");
		o.now = (hg_instant)t - (hg_instant)t % 60;
	}
	if (stat(path, &sb) == 0) {
		if (!force)
			return cli_usage_error("demo", "'%s' already exists (use --force to replace it)", path);
		remove_db(path);
		if (stat(path, &sb) == 0)
			return cli_fail("demo", "cannot remove '%s': %s", path, strerror(errno));
	}

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char err[512] = "";
	demo_result res;
	memset(&res, 0, sizeof res);
	hg_status rc = build(path, &o, &res, err, sizeof err);
	if (rc) {
		remove_db(path);
		return cli_fail("demo", "%s", err);
	}

	size_t n;
	const demo_login *l = demo_logins(&n);
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", l[i].username, role_label(l[i].role)->code, l[i].org, l[i].units[0]);
	if (fflush(stdout) != 0)
		return cli_fail("demo", "cannot write the output");
	double secs = seconds_since(&t0);
	char shape[48];
	if (res.regions == 1)
		(void)snprintf(shape, sizeof shape, "a region of");
	else
		(void)snprintf(shape, sizeof shape, "a country of %d regions,", res.regions);
	fprintf(stderr,
		"hemgang demo: %s: %d episodes, %d patients, %ld events in %.1f s (%.0f episodes/s; CPU %.1f s planning, "
		"%.1f s writing); %s %d municipalities, %d hospitals, %d wards, %d primary care units, %d days of history; "
		"password '%s'\n",
		path, res.episodes, res.patients, res.events, secs, secs > 0 ? res.episodes / secs : 0.0, res.plan_cpu,
		res.write_cpu, shape, res.municipalities, res.hospitals, res.wards, res.primary_care_units,
		res.history_days, DEMO_PASSWORD);
	return CLI_OK;
}
