/*
 * cmd_whatif.c - `hemgang whatif`: what the recorded history would have cost
 * under other agreements, per municipality and month, beside what was
 * invoiced (issue 15.5; core/whatif.h computes, store/whatif_json.h gathers
 * and renders).
 *
 * Output: --format table (default) an aligned table in kronor, json the
 * document of whatif_json.h (the contract {"rows": [{"municipality", "month",
 * "invoiced_ore", "scenarios": [{"agreement", "total_ore"}]}]}), csv its
 * table (RFC 4180, one column per scenario, amounts in öre).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/calendar.h"
#include "core/whatif.h"
#include "wire/agreement_json.h"
#include "wire/followup_json.h"
#include "wire/whatif_json.h"

#define CMD "whatif"

typedef enum whatif_format { WF_TABLE = 0, WF_JSON, WF_CSV, WF_COUNT } whatif_format;
static const char *const format_codes[WF_COUNT] = {"table", "json", "csv"};

typedef struct args {
	const char *db;
	whatif_request rq;
	agreement scenarios[WHATIF_SCENARIOS_MAX];
	whatif_format format;
	bool have_from, have_to;
} args;

static int parse_date(const char *what, const char *v, hg_date *out)
{
	if (date_parse(v, out) != HG_OK)
		return cli_usage_error(CMD, "%s '%s' is not a date (YYYY-MM-DD)", what, v);
	return CLI_OK;
}

static int parse_format(const char *v, whatif_format *out)
{
	for (int i = 0; i < WF_COUNT; i++)
		if (strcmp(v, format_codes[i]) == 0) {
			*out = (whatif_format)i;
			return CLI_OK;
		}
	return cli_usage_error(CMD, "unknown format '%s' (table, json or csv)", v);
}

static int load_agreement(args *a, const char *path)
{
	char err[256];
	if (a->rq.n_scenarios == WHATIF_SCENARIOS_MAX)
		return cli_usage_error(CMD, "at most %d --agreement files", WHATIF_SCENARIOS_MAX);
	hg_status rc = agreement_json_load(path, &a->scenarios[a->rq.n_scenarios], err, sizeof err);
	if (rc != HG_OK)
		return cli_usage_error(CMD, "%s: %s", path, err);
	a->rq.n_scenarios++;
	return CLI_OK;
}

static int parse_args(int argc, char **argv, args *a)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},           {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},           {"agreement", required_argument, NULL, 'A'},
	    {"format", required_argument, NULL, 'f'},       {"asof", required_argument, NULL, 'a'},
	    {"municipality", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0},
	};
	int opt, rc = CLI_OK;
	memset(a, 0, sizeof *a);
	a->db = DEFAULT_DB;
	a->rq.asof = (hg_instant)time(NULL);
	a->rq.scenarios = a->scenarios;
	optind = 1;
	opterr = 0;
	while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			a->db = optarg;
			break;
		case 'F':
			a->have_from = true;
			rc = parse_date("--from", optarg, &a->rq.from);
			break;
		case 'T':
			a->have_to = true;
			rc = parse_date("--to", optarg, &a->rq.to);
			break;
		case 'A':
			rc = load_agreement(a, optarg);
			break;
		case 'f':
			rc = parse_format(optarg, &a->format);
			break;
		case 'a':
			if (cal_parse_local(optarg, &a->rq.asof) != HG_OK)
				rc = cli_usage_error(CMD, "--asof '%s' is not a local date-time (YYYY-MM-DD HH:MM)",
				                     optarg);
			break;
		case 'k':
			if (strlen(optarg) != 4 || strspn(optarg, "0123456789") != 4)
				rc = cli_usage_error(CMD, "municipality '%s' is not a 4-digit kommunkod", optarg);
			a->rq.municipality = optarg;
			break;
		default:
			rc = cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (rc != CLI_OK)
		return rc;
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (!a->have_from || !a->have_to)
		return cli_usage_error(CMD, "--from and --to are required");
	if (a->rq.to < a->rq.from)
		return cli_usage_error(CMD, "--to is before --from");
	if (a->rq.n_scenarios == 0)
		return cli_usage_error(CMD, "give at least one --agreement FILE");
	return CLI_OK;
}

/* Kronor with a space between thousands, "-" for null. */
static void kronor(const json_t *v, char *buf, size_t cap)
{
	if (!json_is_integer(v)) {
		(void)snprintf(buf, cap, "-");
		return;
	}
	long long ore = (long long)json_integer_value(v), kr = (ore < 0 ? -ore : ore) / 100;
	char digits[32], out[48];
	int n = snprintf(digits, sizeof digits, "%lld", kr), k = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ' ';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	(void)snprintf(buf, cap, "%s%s", ore < 0 ? "-" : "", out);
}

static void print_table(const args *a, const json_t *doc)
{
	size_t i, k;
	json_t *r, *sc;
	char cell[64];
	printf("%-12s %-7s %14s %14s", "municipality", "month", "invoiced kr", "in force kr");
	for (k = 0; k < a->rq.n_scenarios; k++)
		printf(" %14.14s", a->scenarios[k].id);
	putchar('\n');
	json_array_foreach(json_object_get(doc, "rows"), i, r)
	{
		printf("%-12s %-7s", json_string_value(json_object_get(r, "municipality")),
		       json_string_value(json_object_get(r, "month")));
		kronor(json_object_get(r, "invoiced_ore"), cell, sizeof cell);
		printf(" %14s", cell);
		kronor(json_object_get(r, "recomputed_ore"), cell, sizeof cell);
		printf(" %14s", cell);
		json_array_foreach(json_object_get(r, "scenarios"), k, sc)
		{
			kronor(json_object_get(sc, "total_ore"), cell, sizeof cell);
			printf(" %14s", cell);
		}
		putchar('\n');
	}
}

int cmd_whatif(int argc, char **argv)
{
	args a;
	store *s = NULL;
	json_t *doc = NULL;
	char err[256];
	if (cli_wants_help(CMD, argc, argv))
		return CLI_OK;
	int rc = parse_args(argc, argv, &a);
	if (rc != CLI_OK)
		return rc;
	if (!strstr(a.db, "://") && access(a.db, F_OK) != 0)
		return cli_usage_error(CMD, "no database at '%s'", a.db);
	if (store_open(a.db, &s, err, sizeof err) != HG_OK)
		return cli_fail(CMD, "%s", err);
	hg_status st = whatif_report(s, &a.rq, &doc, err, sizeof err);
	store_close(s);
	if (st == HG_EINVAL)
		return cli_usage_error(CMD, "%s", err);
	if (st != HG_OK)
		return cli_fail(CMD, "%s", err);
	if (a.format == WF_JSON) {
		if (json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0)
			rc = cli_fail(CMD, "cannot write the output");
		putchar('\n');
	} else if (a.format == WF_CSV) {
		char *csv = followup_grid_csv(json_object_get(doc, "table"));
		rc = csv ? CLI_OK : cli_fail(CMD, "out of memory");
		if (csv)
			fputs(csv, stdout);
		hg_free(csv);
	} else {
		print_table(&a, doc);
	}
	json_decref(doc);
	return rc;
}
