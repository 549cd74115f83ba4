/*
 * cmd_admin.c - `hemgang user add|list|passwd|token|disable|enable` and `hemgang audit`:
 * operator commands that manage accounts and read the audit log from the
 * command line. A password is read from the environment variable
 * HEMGANG_PASSWORD or from the first line of standard input, never from argv
 * (which other local users can see in the process list).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/loggutdrag.h"
#include "core/alloc.h"
#include "core/calendar.h"
#include "core/pnr.h"
#include "core/text.h"
#include "auth/password.h"
#include "store/store.h"

static int open_db(const char *cmd, const char *path, store **out)
{
	char err[256];
	if (store_open(path, out, err, sizeof err) != HG_OK)
		return cli_fail(cmd, "%s", err);
	return CLI_OK;
}

/* Reads the password from HEMGANG_PASSWORD or stdin's first line into buf. */
static bool read_password(char *buf, size_t cap)
{
	const char *env = getenv("HEMGANG_PASSWORD");
	if (env) {
		if (strlen(env) >= cap)
			return false;
		memcpy(buf, env, strlen(env) + 1);
	} else {
		if (!fgets(buf, (int)cap, stdin))
			return false;
		buf[strcspn(buf, "\r\n")] = '\0';
	}
	return buf[0] != '\0';
}

static int user_add(const char *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{"org", required_argument, NULL, 'o'},  {"role", required_argument, NULL, 'r'},
		{"unit", required_argument, NULL, 'u'}, {"name", required_argument, NULL, 'n'},
		{"no-password", no_argument, NULL, 'N'}, {NULL, 0, NULL, 0},
	};
	store_user u;
	const char *org = NULL, *rolecode = NULL;
	bool no_password = false;
	char password[256], hash[STORE_PASSWORD_HASH_MAX];
	int c;
	memset(&u, 0, sizeof u);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'r': rolecode = optarg; break;
		case 'n': hg_copy(u.display_name, sizeof u.display_name, optarg); break;
		case 'N': no_password = true; break;
		case 'u':
			if (u.n_units == STORE_USER_UNITS_MAX)
				return cli_usage_error("user", "at most %d --unit options", STORE_USER_UNITS_MAX);
			if (strlen(optarg) >= HG_ID_MAX)
				return cli_usage_error("user", "--unit '%s' is too long", optarg);
			hg_copy(u.units[u.n_units++], HG_ID_MAX, optarg);
			break;
		case ':': return cli_usage_error("user", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("user", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("user", "user add takes exactly one USERNAME");
	if (strlen(argv[optind]) == 0 || strlen(argv[optind]) >= HG_ID_MAX)
		return cli_usage_error("user", "username must be 1-%d characters", HG_ID_MAX - 1);
	if (!org)
		return cli_usage_error("user", "--org CODE is required");
	if (!rolecode || !role_from_code(rolecode, &u.role))
		return cli_usage_error("user", "--role must be one of ward_staff, primary_care, municipal_assessor, "
					       "municipal_nurse, analyst, invoice_officer, admin, integration");
	hg_copy(u.username, sizeof u.username, argv[optind]);
	hg_copy(u.org, sizeof u.org, org);
	if (!no_password) {
		if (!read_password(password, sizeof password))
			return cli_usage_error("user", "no password (set HEMGANG_PASSWORD or give it on stdin)");
		if (auth_hash_password(password, hash) != HG_OK)
			return cli_fail("user", "cannot hash the password");
	}
	store *s;
	int64_t id;
	int rc = open_db("user", db, &s);
	if (rc)
		return rc;
	hg_status st = store_user_add(s, &u, no_password ? NULL : hash, (hg_instant)time(NULL), &id);
	store_close(s);
	if (st == HG_ECONFLICT)
		return cli_usage_error("user", "user '%s' already exists", u.username);
	if (st == HG_ENOTFOUND)
		return cli_usage_error("user", "organisation '%s' or one of the units does not exist", org);
	if (st != HG_OK)
		return cli_fail("user", "cannot add user: %s", hg_status_name(st));
	printf("%s\t%s\t%s\t%s\n", u.username, role_label(u.role)->code, u.org, u.n_units ? u.units[0] : "");
	return CLI_OK;
}

static int user_list(const char *db)
{
	store *s;
	store_user *users = NULL;
	size_t n = 0;
	int rc = open_db("user", db, &s);
	if (rc)
		return rc;
	hg_status st = store_users_list(s, &users, &n);
	store_close(s);
	if (st != HG_OK)
		return cli_fail("user", "cannot list users: %s", hg_status_name(st));
	for (size_t i = 0; i < n; i++) {
		printf("%s\t%s\t%s\t", users[i].username, role_label(users[i].role)->code, users[i].org);
		for (int k = 0; k < users[i].n_units; k++)
			printf("%s%s", k ? "," : "", users[i].units[k]);
		printf("%s\n", users[i].disabled ? "\tdisabled" : "");
	}
	hg_free(users);
	return CLI_OK;
}

static int user_passwd(const char *db, const char *username)
{
	char password[256], hash[STORE_PASSWORD_HASH_MAX];
	store *s;
	if (!read_password(password, sizeof password))
		return cli_usage_error("user", "no password (set HEMGANG_PASSWORD or give it on stdin)");
	if (auth_hash_password(password, hash) != HG_OK)
		return cli_fail("user", "cannot hash the password");
	int rc = open_db("user", db, &s);
	if (rc)
		return rc;
	hg_status st = store_user_set_password(s, username, hash);
	store_close(s);
	if (st == HG_ENOTFOUND)
		return cli_usage_error("user", "no user '%s'", username);
	if (st != HG_OK)
		return cli_fail("user", "cannot set the password: %s", hg_status_name(st));
	return CLI_OK;
}

#define TOKEN_DAYS_DEFAULT 365

/*
 * user token USERNAME [NAME] [--expires DATE | --days N]: a new API token, shown once. It works
 * until the end of DATE (local time) or for N days; by default for TOKEN_DAYS_DEFAULT days.
 * user token --revoke USERNAME [NAME]: ends the user's tokens of that name (all without NAME).
 */
static int user_token(const char *db, int argc, char **argv)
{
	static const struct option opts[] = {
		{"expires", required_argument, NULL, 'e'},
		{"days", required_argument, NULL, 'n'},
		{"revoke", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	hg_instant now = (hg_instant)time(NULL), expires = now + (hg_instant)TOKEN_DAYS_DEFAULT * 86400;
	bool revoke = false, have_expiry = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		char *end;
		hg_date d;
		long days;
		switch (c) {
		case 'e':
			if (have_expiry || date_parse(optarg, &d) != HG_OK)
				return cli_usage_error("user", "--expires must be one date YYYY-MM-DD, not '%s'", optarg);
			expires = cal_local_midnight(d + 1); /* valid through the whole day */
			if (expires <= now)
				return cli_usage_error("user", "--expires %s is already past", optarg);
			have_expiry = true;
			break;
		case 'n':
			days = strtol(optarg, &end, 10);
			if (have_expiry || !*optarg || *end || days < 1 || days > 3660)
				return cli_usage_error("user", "--days must be one number 1-3660, not '%s'", optarg);
			expires = now + (hg_instant)days * 86400;
			have_expiry = true;
			break;
		case 'r': revoke = true; break;
		case ':': return cli_usage_error("user", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("user", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage_error("user", "usage: user token USERNAME [NAME] [--expires DATE|--days N] "
					       "| user token --revoke USERNAME [NAME]");
	const char *username = argv[optind], *name = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (revoke && have_expiry)
		return cli_usage_error("user", "--revoke takes no --expires or --days");
	store *s;
	int rc = open_db("user", db, &s);
	if (rc)
		return rc;
	hg_status st;
	if (revoke) {
		int n = 0;
		st = store_token_revoke(s, username, name, now, &n);
		store_close(s);
		if (st == HG_ENOTFOUND)
			return cli_usage_error("user", "no user '%s'", username);
		if (st != HG_OK)
			return cli_fail("user", "cannot revoke: %s", hg_status_name(st));
		printf("%d token%s revoked\n", n, n == 1 ? "" : "s");
		return CLI_OK;
	}
	char text[AUTH_TOKEN_TEXT_MAX], until[21];
	uint8_t hash[STORE_TOKEN_HASH_SIZE];
	store_user u;
	st = store_user_get(s, username, &u, NULL, 0);
	if (st == HG_OK)
		st = auth_new_token(text, hash);
	if (st == HG_OK)
		st = store_token_put(s, hash, u.id, name ? name : "cli", now, expires);
	store_close(s);
	if (st == HG_ENOTFOUND)
		return cli_usage_error("user", "no user '%s'", username);
	if (st != HG_OK)
		return cli_fail("user", "cannot create a token: %s", hg_status_name(st));
	/* Shown once; only its hash is stored. The expiry goes to stderr so stdout is the token alone. */
	printf("%s\n", text);
	fprintf(stderr, "hemgang user: token '%s' for %s expires %s\n", name ? name : "cli", username,
		instant_format_utc(expires, until));
	return CLI_OK;
}

/* user disable|enable USERNAME */
static int user_disable(const char *db, const char *username, bool disabled)
{
	store *s;
	int rc = open_db("user", db, &s);
	if (rc)
		return rc;
	hg_status st = store_user_set_disabled(s, username, disabled);
	store_close(s);
	if (st == HG_ENOTFOUND)
		return cli_usage_error("user", "no user '%s'", username);
	if (st != HG_OK)
		return cli_fail("user", "cannot change the user: %s", hg_status_name(st));
	return CLI_OK;
}

int cmd_user(int argc, char **argv)
{
	const char *db = DEFAULT_DB;
	/* --db may come right after "user" or after the action; take it out first. */
	int out = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("user", "option --db needs a value");
			db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
		} else {
			argv[out++] = argv[i];
		}
	}
	argc = out;
	if (argc < 2)
		return cli_usage_error("user", "missing action: add, list, passwd, token, disable or enable");
	if (auth_init() != HG_OK)
		return cli_fail("user", "libsodium could not be initialised");
	const char *action = argv[1];
	if (strcmp(action, "add") == 0)
		return user_add(db, argc - 1, argv + 1);
	if (strcmp(action, "list") == 0)
		return argc == 2 ? user_list(db) : cli_usage_error("user", "user list takes no arguments");
	if (strcmp(action, "passwd") == 0)
		return argc == 3 ? user_passwd(db, argv[2]) : cli_usage_error("user", "usage: user passwd USERNAME");
	if (strcmp(action, "token") == 0)
		return user_token(db, argc - 1, argv + 1);
	if (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0)
		return argc == 3 ? user_disable(db, argv[2], action[0] == 'd')
				 : cli_usage_error("user", "usage: user %s USERNAME", action);
	return cli_usage_error("user", "unknown action '%s' (add, list, passwd, token, disable, enable)", action);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},   {"episode", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'}, {"since", required_argument, NULL, 's'},
		{"patient", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	const char *db = DEFAULT_DB, *patient = NULL;
	loggutdrag_format fmt = LOGGUTDRAG_TSV;
	store_audit_filter f = {.since = HG_INSTANT_NONE};
	int c;
	bool any = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		hg_date d;
		switch (c) {
		case 'd': db = optarg; break;
		case 'e':
			if (!hg_parse_id(optarg, &f.episode_id))
				return cli_usage_error("audit", "--episode must be a positive number, not '%s'", optarg);
			any = true;
			break;
		case 'u': f.username = optarg; any = true; break;
		case 'p': patient = optarg; break;
		case 'f':
			if (!loggutdrag_format_from_code(optarg, &fmt))
				return cli_usage_error("audit", "--format is tsv, csv or pdf, not '%s'", optarg);
			break;
		case 's':
			if (date_parse(optarg, &d) != HG_OK)
				return cli_usage_error("audit", "--since must be a date YYYY-MM-DD, not '%s'", optarg);
			f.since = cal_local_midnight(d);
			any = true;
			break;
		case ':': return cli_usage_error("audit", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
	if (patient && any)
		return cli_usage_error("audit", "--patient goes alone (not with --episode, --user or --since)");
	if (fmt != LOGGUTDRAG_TSV && !patient)
		return cli_usage_error("audit", "--format goes with --patient");
	if (!any && !patient)
		return cli_usage_error("audit", "give --patient PNR, --episode ID, --user NAME or --since DATE");
	store *s;
	store_audit *rows = NULL;
	size_t n = 0;
	if (patient) {
		/* the patient's access extract (loggutdrag), as patientdatalagen requires */
		hg_instant now = (hg_instant)time(NULL);
		pnr_options po = pnr_options_default(cal_local_date(now));
		pnr parsed;
		pnr_reason why;
		po.accept_reserve = true;
		if (pnr_parse(patient, &po, &parsed, &why) != HG_OK)
			return cli_usage_error("audit", "--patient: not a valid personnummer, samordningsnummer or reserve number");
		int orc = open_db("audit", db, &s);
		if (orc)
			return orc;
		hg_status st = store_audit_patient(s, parsed.normal, &rows, &n);
		store_close(s);
		if (st != HG_OK)
			return cli_fail("audit", "cannot read the audit log: %s", hg_status_name(st));
		st = loggutdrag_write(parsed.normal, rows, n, fmt, now, stdout);
		hg_free(rows);
		if (fflush(stdout) != 0 || st != HG_OK)
			return cli_fail("audit", "cannot write the extract");
		return CLI_OK;
	}
	int rc = open_db("audit", db, &s);
	if (rc)
		return rc;
	hg_status st = store_audit_list(s, &f, &rows, &n);
	store_close(s);
	if (st != HG_OK)
		return cli_fail("audit", "cannot read the audit log: %s", hg_status_name(st));
	for (size_t i = 0; i < n; i++) {
		char at[21];
		printf("%s\t%s\t%s\t%s\t", instant_format_utc(rows[i].at, at), rows[i].username, rows[i].unit[0] ? rows[i].unit : "-",
		       rows[i].action);
		if (rows[i].episode_id)
			printf("%lld", (long long)rows[i].episode_id);
		else
			printf("-");
		printf("\t%s\t%s\n", rows[i].reason[0] ? rows[i].reason : "-", rows[i].client[0] ? rows[i].client : "-");
	}
	hg_free(rows);
	return CLI_OK;
}
