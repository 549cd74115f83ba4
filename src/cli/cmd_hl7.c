/*
 * cmd_hl7.c - `hemgang hl7`: the operator's side of the HL7 v2 interface
 * (docs/interop.md): register a sending facility and the addresses it may
 * connect from, map its ward codes to units, list them, list the quarantine
 * and replay a quarantined message once what it lacked is mapped; subscribe a
 * unit's records system to its notices and list the deliveries (issue 16.4).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/calendar.h"
#include "core/text.h"
#include "hl7/hl7_service.h"
#include "store/interop_store.h"
#include "store/store.h"

static int open_db(const char *path, store **out)
{
	char err[256];
	if (store_open(path, out, err, sizeof err) != HG_OK)
		return cli_fail("hl7", "%s", err);
	return CLI_OK;
}

static bool fits(const char *s, size_t cap) { return strlen(s) < cap; }

/* Adds one PID-3 rule (--pid AUTHORITY^TYPE, --pid-reserve) to the facility's; false with a message on stderr. */
static bool add_pid_rule(interop_facility *f, const char *arg, bool reserve, int *count)
{
	char text[ADT_PID_RULE_TEXT_MAX + 8];
	adt_pid_rule r;
	snprintf(text, sizeof text, "%s%s", reserve ? "reserve:" : "", arg);
	if (strncmp(arg, "reserve:", 8) == 0 || adt_pid_rule_parse(text, &r) != HG_OK) {
		cli_usage_error("hl7", "--pid%s '%s' is not AUTHORITY^TYPE (either may be empty, not both; no spaces, & or "
			       "further ^)", reserve ? "-reserve" : "", arg);
		return false;
	}
	if (++*count > ADT_PID_RULES_MAX) {
		cli_usage_error("hl7", "at most %d PID-3 rules", ADT_PID_RULES_MAX);
		return false;
	}
	size_t used = strlen(f->pid_rules);
	adt_pid_rule_format(&r, text, sizeof text);
	snprintf(f->pid_rules + used, sizeof f->pid_rules - used, "%s%s", used ? " " : "", text);
	return true;
}

/* hl7 facility FACILITY --org CODE [--name TEXT] [--allow ADDR]... [--a16-ready] [--pid A^T]... [--pid-reserve A^T]... */
static int act_facility(store *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{"org", required_argument, NULL, 'o'},   {"name", required_argument, NULL, 'n'},
		{"allow", required_argument, NULL, 'a'}, {"a16-ready", no_argument, NULL, 'r'},
		{"pid", required_argument, NULL, 'p'},   {"pid-reserve", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	int rules = 0;
	interop_facility f;
	int c;
	memset(&f, 0, sizeof f);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!fits(optarg, sizeof f.org))
				return cli_usage_error("hl7", "--org '%s' is too long", optarg);
			snprintf(f.org, sizeof f.org, "%s", optarg);
			break;
		case 'n':
			if (!fits(optarg, sizeof f.name))
				return cli_usage_error("hl7", "--name is too long");
			snprintf(f.name, sizeof f.name, "%s", optarg);
			break;
		case 'a': {
			size_t used = strlen(f.addresses);
			if (!optarg[0] || strchr(optarg, ' ') || used + strlen(optarg) + 2 > sizeof f.addresses)
				return cli_usage_error("hl7", "--allow '%s' is not one address, or there are too many", optarg);
			snprintf(f.addresses + used, sizeof f.addresses - used, "%s%s", used ? " " : "", optarg);
			break;
		}
		case 'r': f.a16_ready = true; break;
		case 'p':
		case 'R':
			if (!add_pid_rule(&f, optarg, c == 'R', &rules))
				return CLI_USAGE;
			break;
		case ':': return cli_usage_error("hl7", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("hl7", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("hl7", "usage: hl7 facility FACILITY --org CODE [--name TEXT] [--allow ADDR]...");
	if (!fits(argv[optind], sizeof f.facility) || !argv[optind][0])
		return cli_usage_error("hl7", "facility '%s' is empty or too long", argv[optind]);
	if (!f.org[0])
		return cli_usage_error("hl7", "--org CODE is required");
	snprintf(f.facility, sizeof f.facility, "%s", argv[optind]);
	if (!f.name[0])
		snprintf(f.name, sizeof f.name, "%s", f.facility);
	hg_status rc = interop_facility_put(s, &f, (hg_instant)time(NULL));
	if (rc == HG_ENOTFOUND)
		return cli_usage_error("hl7", "organisation '%s' does not exist", f.org);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot store the facility: %s", hg_status_name(rc));
	printf("%s\t%s\t%s\t%s\n", f.facility, f.org, f.addresses[0] ? f.addresses : "-", f.pid_rules[0] ? f.pid_rules : "-");
	return CLI_OK;
}

static int act_facilities(store *s, int argc, char **argv)
{
	interop_facility *rows = NULL;
	size_t n = 0;
	(void)argv;
	if (argc != 1)
		return cli_usage_error("hl7", "hl7 facilities takes no arguments");
	hg_status rc = interop_facilities_list(s, &rows, &n);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot list facilities: %s", hg_status_name(rc));
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", rows[i].facility, rows[i].org, rows[i].name,
		       rows[i].addresses[0] ? rows[i].addresses : "-", rows[i].a16_ready ? "a16-ready" : "-",
		       rows[i].pid_rules[0] ? rows[i].pid_rules : "-");
	hg_free(rows);
	return CLI_OK;
}

/* hl7 ward FACILITY CODE UNIT */
static int act_ward(store *s, int argc, char **argv)
{
	if (argc != 4)
		return cli_usage_error("hl7", "usage: hl7 ward FACILITY CODE UNIT");
	for (int i = 1; i < 4; i++)
		if (!argv[i][0] || !fits(argv[i], HG_ID_MAX))
			return cli_usage_error("hl7", "'%s' is empty or too long", argv[i]);
	hg_status rc = interop_ward_put(s, argv[1], argv[2], argv[3]);
	if (rc == HG_ENOTFOUND)
		return cli_usage_error("hl7", "unit '%s' does not exist", argv[3]);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot store the ward code: %s", hg_status_name(rc));
	printf("%s\t%s\t%s\n", argv[1], argv[2], argv[3]);
	return CLI_OK;
}

static int act_quarantine(store *s, int argc, char **argv)
{
	interop_quarantined *rows = NULL;
	size_t n = 0;
	const char *state = argc == 2 ? argv[1] : NULL;
	if (argc > 2 || (state && strcmp(state, "pending") && strcmp(state, "replayed") && strcmp(state, "failed")))
		return cli_usage_error("hl7", "usage: hl7 quarantine [pending|replayed|failed]");
	hg_status rc = interop_quarantine_list(s, state, 1000, &rows, &n);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot list the quarantine: %s", hg_status_name(rc));
	for (size_t i = 0; i < n; i++) {
		char at[21];
		printf("%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rows[i].id, instant_format_utc(rows[i].received_at, at),
		       rows[i].facility, rows[i].control_id, rows[i].trigger, rows[i].visit[0] ? rows[i].visit : "-",
		       rows[i].ward_code[0] ? rows[i].ward_code : "-", rows[i].reason, rows[i].state,
		       rows[i].result[0] ? rows[i].result : "-");
	}
	hg_free(rows);
	return CLI_OK;
}

/* hl7 replay ID */
static int act_replay(store *s, int argc, char **argv)
{
	int64_t parsed;
	if (argc != 2)
		return cli_usage_error("hl7", "usage: hl7 replay ID");
	if (!hg_parse_id(argv[1], &parsed))
		return cli_usage_error("hl7", "ID must be a positive number, not '%s'", argv[1]);
	long long id = parsed;
	char demo[8] = "";
	bool is_demo = store_setting_get(s, "demo", demo, sizeof demo) == HG_OK && strcmp(demo, "1") == 0;
	hl7_outcome *out = hg_malloc(sizeof *out);
	int replayed = 0;
	if (!out)
		return cli_fail("hl7", "out of memory");
	hg_status rc = hl7_quarantine_replay(s, id, "cli", is_demo, (hg_instant)time(NULL), out, &replayed);
	int ret = CLI_OK;
	if (rc == HG_ENOTFOUND)
		ret = cli_usage_error("hl7", "no quarantined message %lld", id);
	else if (rc == HG_ECONFLICT)
		ret = cli_fail("hl7", "message %lld is not pending, or an earlier message of its visit is", id);
	else if (rc != HG_OK)
		ret = cli_fail("hl7", "replay failed: %s", hg_status_name(rc));
	else
		printf("%lld\t%s\t%s\t%d replayed\n", id, out->outcome, out->reason, replayed);
	hg_free(out);
	return ret;
}

/* ---- messages out (issue 16.4): subscriptions and their deliveries ---- */

/* hl7 subscription add NAME --unit UNIT (--fhir URL | --hl7 HOST:PORT) [--from-start] */
static int subscription_add(store *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{"unit", required_argument, NULL, 'u'},   {"fhir", required_argument, NULL, 'f'},
		{"hl7", required_argument, NULL, 'h'},    {"from-start", no_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	interop_subscription sub;
	bool from_start = false;
	int c;
	memset(&sub, 0, sizeof sub);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (!optarg[0] || !fits(optarg, sizeof sub.unit))
				return cli_usage_error("hl7", "--unit '%s' is empty or too long", optarg);
			snprintf(sub.unit, sizeof sub.unit, "%s", optarg);
			break;
		case 'f':
		case 'h':
			if (sub.protocol[0])
				return cli_usage_error("hl7", "give one of --fhir URL and --hl7 HOST:PORT");
			if (!fits(optarg, sizeof sub.endpoint) ||
			    (c == 'f' ? strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8)
				      : !strchr(optarg, ':') || strchr(optarg, '/') != NULL))
				return cli_usage_error("hl7", c == 'f' ? "--fhir '%s' is not an http:// or https:// URL"
								      : "--hl7 '%s' is not HOST:PORT",
						       optarg);
			snprintf(sub.protocol, sizeof sub.protocol, "%s", c == 'f' ? "fhir" : "hl7");
			snprintf(sub.endpoint, sizeof sub.endpoint, "%s", optarg);
			break;
		case 's': from_start = true; break;
		case ':': return cli_usage_error("hl7", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("hl7", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("hl7", "usage: hl7 subscription add NAME --unit UNIT (--fhir URL | --hl7 HOST:PORT) "
					      "[--from-start]");
	const char *name = argv[optind];
	if (!name[0] || strlen(name) > INTEROP_SUBSCRIPTION_NAME_MAX || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(name))
		return cli_usage_error("hl7", "NAME '%s' must be 1-%d letters, digits, '-', '_' or '.'", name,
				       INTEROP_SUBSCRIPTION_NAME_MAX);
	if (!sub.unit[0] || !sub.protocol[0])
		return cli_usage_error("hl7", "--unit and one of --fhir URL, --hl7 HOST:PORT are required");
	snprintf(sub.name, sizeof sub.name, "%s", name);
	hg_status rc = interop_subscription_add(s, &sub, from_start, (hg_instant)time(NULL));
	if (rc == HG_ENOTFOUND)
		return cli_usage_error("hl7", "unit '%s' does not exist", sub.unit);
	if (rc == HG_ECONFLICT)
		return cli_usage_error("hl7", "a subscription '%s' exists already", sub.name);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot store the subscription: %s", hg_status_name(rc));
	printf("%s\t%s\t%s\t%s\tfrom event %" PRId64 "\n", sub.name, sub.unit, sub.protocol, sub.endpoint, sub.cursor);
	return CLI_OK;
}

static int subscription_list(store *s, int argc, char **argv)
{
	interop_subscription *rows = NULL;
	size_t n = 0;
	(void)argv;
	if (argc != 1)
		return cli_usage_error("hl7", "hl7 subscription list takes no arguments");
	hg_status rc = interop_subscriptions_list(s, &rows, &n);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot list subscriptions: %s", hg_status_name(rc));
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\t%" PRId64 "\n", rows[i].name, rows[i].unit, rows[i].protocol, rows[i].endpoint,
		       rows[i].cursor);
	hg_free(rows);
	return CLI_OK;
}

static int subscription_remove(store *s, int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("hl7", "usage: hl7 subscription remove NAME");
	hg_status rc = interop_subscription_remove(s, argv[1]);
	if (rc == HG_ENOTFOUND)
		return cli_usage_error("hl7", "no subscription '%s'", argv[1]);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot remove the subscription: %s", hg_status_name(rc));
	printf("removed %s\n", argv[1]);
	return CLI_OK;
}

/* hl7 subscription add|list|remove ... */
static int act_subscription(store *s, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(store *s, int argc, char **argv);
	} subs[] = {{"add", subscription_add}, {"list", subscription_list}, {"remove", subscription_remove}};
	for (size_t i = 0; argc >= 2 && i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(s, argc - 1, argv + 1);
	return cli_usage_error("hl7", "usage: hl7 subscription add|list|remove ...");
}

static void print_instant(hg_instant t, const char *sep)
{
	char at[21];
	printf("%s%s", t == HG_INSTANT_NONE ? "-" : instant_format_utc(t, at), sep);
}

/* hl7 deliveries [pending|delivered|failed] [--subscription NAME] */
static int act_deliveries(store *s, int argc, char **argv)
{
	const char *state = NULL, *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--subscription") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (!state && (!strcmp(argv[i], "pending") || !strcmp(argv[i], "delivered") || !strcmp(argv[i], "failed")))
			state = argv[i];
		else
			return cli_usage_error("hl7", "usage: hl7 deliveries [pending|delivered|failed] [--subscription NAME]");
	}
	interop_delivery *rows = NULL;
	size_t n = 0;
	hg_status rc = interop_deliveries_list(s, state, name, NULL, 1000, &rows, &n);
	if (rc != HG_OK)
		return cli_fail("hl7", "cannot list deliveries: %s", hg_status_name(rc));
	for (size_t i = 0; i < n; i++) {
		const interop_delivery *d = &rows[i];
		printf("%" PRId64 "\t%s\t%" PRId64 "\t%d\t%s\t%s\t%d\t", d->id, d->subscription, d->episode_id, d->seq, d->type,
		       d->state, d->attempts);
		print_instant(d->state[0] == 'p' ? d->next_attempt_at : d->delivered_at, "\t");
		printf("%s\t%s\n", d->ack[0] ? d->ack : "-", d->last_error[0] ? d->last_error : "-");
	}
	hg_free(rows);
	return CLI_OK;
}

static const struct hl7_action {
	const char *name;
	int (*run)(store *s, int argc, char **argv);
} actions[] = {
	{"facility", act_facility}, {"facilities", act_facilities}, {"ward", act_ward},
	{"quarantine", act_quarantine}, {"replay", act_replay}, {"subscription", act_subscription},
	{"deliveries", act_deliveries},
};

int cmd_hl7(int argc, char **argv)
{
	const char *db = DEFAULT_DB;
	int out = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("hl7", "option --db needs a value");
			db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
		} else {
			argv[out++] = argv[i];
		}
	}
	argc = out;
	if (argc < 2)
		return cli_usage_error("hl7", "missing action: facility, facilities, ward, quarantine, replay, subscription or deliveries");
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (strcmp(argv[1], actions[i].name) != 0)
			continue;
		store *s;
		int rc = open_db(db, &s);
		if (rc)
			return rc;
		rc = actions[i].run(s, argc - 1, argv + 1);
		store_close(s);
		return rc;
	}
	return cli_usage_error("hl7", "unknown action '%s' (facility, facilities, ward, quarantine, replay, subscription, deliveries)", argv[1]);
}
