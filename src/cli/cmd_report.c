/*
 * cmd_report.c - the follow-up commands: `hemgang report` (indicator tables),
 * `hemgang export vantetider` (the monthly national collection's shape),
 * `hemgang point` (point measurements: take, save, list, show, compare) and
 * `hemgang forecast` (the holiday forecast and its back-test).
 *
 * Each command loads the episodes it needs through the follow-up store, lets
 * the core compute (indicator.h, point.h, forecast.h) and renders the result's
 * grid (store/followup_json.h) as an aligned table, CSV, JSON or an xlsx
 * sheet. No figure is computed here. Small cells are suppressed with the
 * database's threshold (setting followup.min_cell) unless --min-cell says
 * otherwise. xlsx sheets are written with libxlsxwriter.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/calendar.h"
#include "core/forecast.h"
#include "core/indicator.h"
#include "core/point.h"
#include "core/text.h"
#include "wire/followup_json.h"
#include "store/followup_store.h"
#include "store/store.h"

#define READMISSION_LOOKAHEAD_DAYS (INDICATOR_READMISSION_DAYS + 1)
#define LIST_MAX 256 /* --by and --measures lists */

typedef enum out_format { FMT_TABLE = 0, FMT_CSV, FMT_JSON, FMT_XLSX, FMT_COUNT } out_format;
static const char *const format_codes[FMT_COUNT] = {"table", "csv", "json", "xlsx"};

/* Options every follow-up command shares. */
struct common {
	const char *cmd;
	const char *db;
	const char *output;
	out_format format;
	int min_cell; /* -1: the database's setting */
	hg_instant asof;
	const char *municipality;
	bool progress;
	bool refold; /* fold the events instead of reading the facts (the check of the facts) */
};

static int parse_format(struct common *c, const char *v)
{
	for (int i = 0; i < FMT_COUNT; i++) {
		if (strcmp(v, format_codes[i]) == 0) {
			c->format = (out_format)i;
			return CLI_OK;
		}
	}
	return cli_usage_error(c->cmd, "unknown format '%s' (table, csv, json or xlsx)", v);
}

static int parse_int(const char *cmd, const char *what, const char *v, int lo, int hi, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < lo || x > hi)
		return cli_usage_error(cmd, "%s '%s' is not a whole number %d-%d", what, v, lo, hi);
	*out = (int)x;
	return CLI_OK;
}

static int parse_date(const char *cmd, const char *what, const char *v, hg_date *out)
{
	if (date_parse(v, out) != HG_OK)
		return cli_usage_error(cmd, "%s '%s' is not a date (YYYY-MM-DD)", what, v);
	return CLI_OK;
}

static int parse_municipality(const char *cmd, const char *v)
{
	if (strlen(v) != 4 || strspn(v, "0123456789") != 4)
		return cli_usage_error(cmd, "municipality '%s' is not a 4-digit kommunkod", v);
	return CLI_OK;
}

/* Handles an option shared by the commands; returns -1 when opt is not one of them. */
static int common_option(struct common *c, int opt, const char *arg)
{
	switch (opt) {
	case 'd': c->db = arg; return CLI_OK;
	case 'o': c->output = arg; return CLI_OK;
	case 'f': return parse_format(c, arg);
	case 'm': return parse_int(c->cmd, "--min-cell", arg, 1, 1000, &c->min_cell);
	case 'a':
		if (cal_parse_local(arg, &c->asof) != HG_OK)
			return cli_usage_error(c->cmd, "--asof '%s' is not a local date-time (YYYY-MM-DD HH:MM)", arg);
		return CLI_OK;
	case 'k':
		c->municipality = arg;
		return parse_municipality(c->cmd, arg);
	case 'P': c->progress = true; return CLI_OK;
	case 'X': c->refold = true; return CLI_OK;
	default: return -1;
	}
}

#define COMMON_OPTIONS                                                                                           \
	{"db", required_argument, NULL, 'd'}, {"output", required_argument, NULL, 'o'},                          \
		{"format", required_argument, NULL, 'f'}, {"min-cell", required_argument, NULL, 'm'},              \
		{"asof", required_argument, NULL, 'a'}, {"municipality", required_argument, NULL, 'k'},            \
		{"progress", no_argument, NULL, 'P'}, {"refold", no_argument, NULL, 'X'}

static void common_init(struct common *c, const char *cmd)
{
	memset(c, 0, sizeof *c);
	c->cmd = cmd;
	c->db = DEFAULT_DB;
	c->min_cell = -1;
	c->asof = (hg_instant)time(NULL);
}

static int open_db(const struct common *c, store **out)
{
	char err[256];
	if (!strstr(c->db, "://") && access(c->db, F_OK) != 0)
		return cli_usage_error(c->cmd, "no database at '%s'", c->db);
	if (store_open(c->db, out, err, sizeof err) != HG_OK)
		return cli_fail(c->cmd, "%s", err);
	return CLI_OK;
}

/* ---- progress on stderr ---- */

struct progress {
	bool on;
	bool drawn;
};

static void progress_draw(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	char bar[31];
	if (!p->on || total == 0)
		return;
	size_t filled = done * 30 / total;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < filled ? '#' : ' ';
	bar[30] = '\0';
	fprintf(stderr, "\rloading episodes [%s] %3zu%% %zu/%zu", bar, done * 100 / total, done, total);
	p->drawn = true;
}

static void progress_end(struct progress *p)
{
	if (p->drawn)
		fputc('\n', stderr);
}

/* Loads the episodes of filter f into a new set; *out freed by the caller (indicator_set_free). */
static int load_set(const struct common *c, store *s, const followup_filter *filter, indicator_set **out)
{
	indicator_config cfg = {.rules = deadline_rules_default(), .asof = c->asof};
	struct progress pr = {.on = c->progress || isatty(STDERR_FILENO)};
	followup_filter f = *filter;
	size_t n = 0;
	f.refold = c->refold;
	hg_status rc = indicator_set_new(&cfg, out);
	if (rc == HG_OK)
		rc = followup_load(s, &f, *out, pr.on ? progress_draw : NULL, &pr, &n);
	progress_end(&pr);
	if (rc != HG_OK) {
		indicator_set_free(*out);
		*out = NULL;
		return cli_fail(c->cmd, "cannot load the episodes: %s", hg_status_name(rc));
	}
	return CLI_OK;
}

/* ---- rendering a grid ---- */

static void cell_text(const json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		snprintf(buf, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, cap, "%.2f", json_real_value(v));
	else
		snprintf(buf, cap, "-");
}

static int print_table(FILE *out, const json_t *grid, const char *footer)
{
	const json_t *cols = json_object_get(grid, "columns"), *rows = json_object_get(grid, "rows");
	size_t nc = json_array_size(cols), i, j;
	size_t *width = hg_calloc(nc ? nc : 1, sizeof *width);
	json_t *row, *v;
	char buf[128];
	if (!width)
		return CLI_FAIL;
	for (j = 0; j < nc; j++)
		width[j] = strlen(json_string_value(json_object_get(json_array_get(cols, j), "code")));
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, j, v)
		{
			cell_text(v, buf, sizeof buf);
			if (j < nc && strlen(buf) > width[j])
				width[j] = strlen(buf);
		}
	}
	for (j = 0; j < nc; j++)
		fprintf(out, "%s%-*s", j ? "  " : "", (int)width[j],
			json_string_value(json_object_get(json_array_get(cols, j), "code")));
	fputc('\n', out);
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, j, v)
		{
			if (j >= nc)
				break;
			cell_text(v, buf, sizeof buf);
			if (json_is_string(v))
				fprintf(out, "%s%-*s", j ? "  " : "", (int)width[j], buf);
			else
				fprintf(out, "%s%*s", j ? "  " : "", (int)width[j], buf);
		}
		fputc('\n', out);
	}
	if (footer)
		fprintf(out, "%s\n", footer);
	hg_free(width);
	return CLI_OK;
}

static int write_xlsx(const char *cmd, const char *path, const json_t *grid, const char *sheet)
{
	const json_t *cols = json_object_get(grid, "columns"), *rows = json_object_get(grid, "rows");
	lxw_workbook *wb = workbook_new(path);
	size_t i, j;
	json_t *row, *v, *c;
	if (!wb)
		return cli_fail(cmd, "cannot create '%s'", path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	json_array_foreach(cols, j, c)
	{
		worksheet_write_string(ws, 0, (lxw_col_t)j, json_string_value(json_object_get(c, "label")), bold);
		worksheet_write_comment(ws, 0, (lxw_col_t)j, json_string_value(json_object_get(c, "code")));
	}
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, j, v)
		{
			lxw_row_t r = (lxw_row_t)(i + 1);
			if (json_is_string(v))
				worksheet_write_string(ws, r, (lxw_col_t)j, json_string_value(v), NULL);
			else if (json_is_number(v))
				worksheet_write_number(ws, r, (lxw_col_t)j, json_number_value(v), NULL);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	if (workbook_close(wb) != LXW_NO_ERROR)
		return cli_fail(cmd, "cannot write '%s'", path);
	return CLI_OK;
}

/* Writes a result: its grid as table, CSV or xlsx, or `full` (the structured JSON) as JSON. */
static int emit(const struct common *c, const json_t *full, const json_t *grid, const char *footer, const char *sheet)
{
	FILE *out = stdout;
	int rc = CLI_OK;
	if (!full || !grid)
		return cli_fail(c->cmd, "out of memory");
	if (c->format == FMT_XLSX) {
		if (!c->output)
			return cli_usage_error(c->cmd, "--format xlsx needs --output FILE");
		return write_xlsx(c->cmd, c->output, grid, sheet);
	}
	if (c->output && !(out = fopen(c->output, "w")))
		return cli_fail(c->cmd, "cannot write '%s'", c->output);
	if (c->format == FMT_JSON) {
		if (json_dumpf(full, out, JSON_INDENT(1)) != 0)
			rc = cli_fail(c->cmd, "cannot write the output");
		fputc('\n', out);
	} else if (c->format == FMT_CSV) {
		char *csv = followup_grid_csv(grid);
		if (!csv)
			rc = cli_fail(c->cmd, "the result is too large for CSV");
		else
			fputs(csv, out);
		hg_free(csv);
	} else {
		rc = print_table(out, grid, footer);
	}
	if (out != stdout && fclose(out) != 0)
		rc = cli_fail(c->cmd, "cannot write '%s'", c->output);
	return rc;
}

/* ---- comma lists ---- */

/* Splits a copy of list at commas into items (at most max); returns the count, or -1 when too many. */
static int split(char *copy, char **items, int max)
{
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -1;
		items[n++] = tok;
	}
	return n;
}

static int parse_dims(const char *cmd, const char *list, indicator_query *q)
{
	char copy[LIST_MAX], *items[INDICATOR_DIMS_MAX + 1];
	if (strlen(list) >= sizeof copy)
		return cli_usage_error(cmd, "--by list is too long");
	snprintf(copy, sizeof copy, "%s", list);
	int n = split(copy, items, INDICATOR_DIMS_MAX);
	if (n < 0)
		return cli_usage_error(cmd, "--by takes at most %d dimensions", INDICATOR_DIMS_MAX);
	q->n_dims = (size_t)n;
	for (int i = 0; i < n; i++)
		if (!indicator_dim_from_code(items[i], &q->dims[i]))
			return cli_usage_error(cmd, "unknown dimension '%s' in --by", items[i]);
	return CLI_OK;
}

/* Fills selected[] from a --measures list ("all", or codes); NULL list: the brief ones unless all_default. */
static int parse_measures(const char *cmd, const char *list, indicator_subject subj, bool all_default, bool *selected)
{
	size_t n;
	const indicator_measure *m = indicator_measures(subj, &n);
	if (!list) {
		for (size_t i = 0; i < n; i++)
			selected[i] = all_default || m[i].brief;
		return CLI_OK;
	}
	if (strcmp(list, "all") == 0) {
		for (size_t i = 0; i < n; i++)
			selected[i] = true;
		return CLI_OK;
	}
	char copy[1024], *items[128];
	if (strlen(list) >= sizeof copy)
		return cli_usage_error(cmd, "--measures list is too long");
	snprintf(copy, sizeof copy, "%s", list);
	int k = split(copy, items, 128);
	if (k < 0)
		return cli_usage_error(cmd, "--measures lists too many measures");
	for (size_t i = 0; i < n; i++)
		selected[i] = false;
	for (int i = 0; i < k; i++) {
		int idx = indicator_measure_find(subj, items[i]);
		if (idx < 0)
			return cli_usage_error(cmd, "unknown measure '%s' for %s", items[i], indicator_subject_label(subj)->code);
		selected[idx] = true;
	}
	return CLI_OK;
}

/* ---- hemgang report ---- */

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'T'},
		{"by", required_argument, NULL, 'b'},
		{"subject", required_argument, NULL, 's'},
		{"measures", required_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	struct common c;
	indicator_query q = {.subject = IND_SUBJECT_EPISODES, .from = HG_DATE_NONE, .to = HG_DATE_NONE};
	const char *by = "municipality,month", *measures = NULL;
	hg_date to_incl = HG_DATE_NONE;
	int opt, rc;
	common_init(&c, "report");
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = common_option(&c, opt, optarg)) >= 0) {
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		switch (opt) {
		case 'F': if ((rc = parse_date(c.cmd, "--from", optarg, &q.from))) return rc; break;
		case 'T': if ((rc = parse_date(c.cmd, "--to", optarg, &to_incl))) return rc; break;
		case 'b': by = optarg; break;
		case 'M': measures = optarg; break;
		case 's':
			if (!indicator_subject_from_code(optarg, &q.subject))
				return cli_usage_error(c.cmd, "unknown subject '%s' (episodes, deviations or acknowledgements)",
						       optarg);
			break;
		default: return cli_usage_error(c.cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(c.cmd, "unexpected argument '%s'", argv[optind]);
	if (q.from == HG_DATE_NONE || to_incl == HG_DATE_NONE)
		return cli_usage_error(c.cmd, "--from and --to are required");
	if (to_incl < q.from)
		return cli_usage_error(c.cmd, "--to is before --from");
	q.to = to_incl + 1;
	q.municipality = c.municipality;
	if ((rc = parse_dims(c.cmd, by, &q)))
		return rc;
	for (size_t i = 0; i < q.n_dims; i++)
		if (!indicator_dim_allowed(q.subject, q.dims[i]))
			return cli_usage_error(c.cmd, "%s cannot be grouped by '%s'", indicator_subject_label(q.subject)->code,
					       indicator_dim_label(q.dims[i])->code);
	bool selected[128];
	if ((rc = parse_measures(c.cmd, measures, q.subject, c.format != FMT_TABLE, selected)))
		return rc;

	store *s = NULL;
	indicator_set *set = NULL;
	if ((rc = open_db(&c, &s)))
		return rc;
	followup_filter f = {.from = cal_local_midnight(q.from),
			     .to = cal_local_midnight(q.to + READMISSION_LOOKAHEAD_DAYS),
			     .municipality = c.municipality};
	if (q.subject != IND_SUBJECT_EPISODES)
		f.from = HG_INSTANT_NONE; /* deviations may be reported long after the discharge */
	rc = load_set(&c, s, &f, &set);
	if (rc == CLI_OK) {
		indicator_table t;
		indicator_error err;
		int min_cell = c.min_cell > 0 ? c.min_cell : followup_min_cell(s);
		if (indicator_compute(set, &q, &t, &err) != HG_OK) {
			rc = err ? cli_usage_error(c.cmd, "%s", indicator_error_text(err)) : cli_fail(c.cmd, "out of memory");
		} else {
			char footer[128];
			indicator_suppress(&t, min_cell);
			snprintf(footer, sizeof footer, "(- : no value, or fewer than %d and suppressed)", min_cell);
			json_t *full = followup_table_json(&t, selected);
			json_t *grid = followup_table_grid(&t, selected);
			rc = emit(&c, full, grid, footer, "indikatorer");
			json_decref(full);
			json_decref(grid);
			indicator_table_free(&t);
		}
	}
	indicator_set_free(set);
	store_close(s);
	return rc;
}

/* ---- hemgang export vantetider ---- */

static int export_vantetider(int argc, char **argv)
{
	static const struct option opts[] = {COMMON_OPTIONS, {"month", required_argument, NULL, 'M'}, {NULL, 0, NULL, 0}};
	struct common c;
	const char *month = NULL;
	int y = 0, mo = 0, opt, rc;
	common_init(&c, "export");
	c.format = FMT_CSV;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = common_option(&c, opt, optarg)) >= 0) {
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		if (opt != 'M')
			return cli_usage_error(c.cmd, "unknown option '%s'", argv[optind - 1]);
		month = optarg;
	}
	if (optind < argc)
		return cli_usage_error(c.cmd, "unexpected argument '%s'", argv[optind]);
	if (!month)
		return cli_usage_error(c.cmd, "--month YYYY-MM is required");
	if (strlen(month) != 7 || month[4] != '-' || sscanf(month, "%4d-%2d", &y, &mo) != 2 || !date_ymd_valid(y, mo, 1) ||
	    strspn(month, "0123456789-") != 7)
		return cli_usage_error(c.cmd, "--month '%s' is not a month (YYYY-MM)", month);
	if (c.format == FMT_TABLE)
		return cli_usage_error(c.cmd, "the export is CSV, JSON or xlsx");

	hg_date first = date_from_ymd(y, mo, 1), next = first + date_days_in_month(y, mo);
	store *s = NULL;
	indicator_set *set = NULL;
	store_org *orgs = NULL;
	size_t n_orgs = 0;
	if ((rc = open_db(&c, &s)))
		return rc;
	followup_filter f = {.from = cal_local_midnight(first), .to = cal_local_midnight(next), .municipality = c.municipality};
	rc = load_set(&c, s, &f, &set);
	if (rc == CLI_OK && store_orgs_list(s, &orgs, &n_orgs) != HG_OK)
		rc = cli_fail(c.cmd, "cannot read the organisations");
	if (rc == CLI_OK) {
		int min_cell = c.min_cell > 0 ? c.min_cell : followup_min_cell(s);
		json_t *grid = followup_vantetider_grid(set, y, mo, min_cell, orgs, n_orgs);
		json_t *full = grid ? json_pack("{s:s, s:i, s:O}", "month", month, "min_cell", min_cell, "table", grid) : NULL;
		rc = emit(&c, full, grid, NULL, "vantetider");
		json_decref(full);
		json_decref(grid);
	}
	hg_free(orgs);
	indicator_set_free(set);
	store_close(s);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("export", "which export? (vantetider)");
	if (strcmp(argv[1], "vantetider") == 0)
		return export_vantetider(argc - 1, argv + 1);
	return cli_usage_error("export", "unknown export '%s' (vantetider)", argv[1]);
}

/* ---- hemgang point ---- */

static int parse_id(const char *cmd, const char *v, int64_t *out)
{
	if (!hg_parse_id(v, out))
		return cli_usage_error(cmd, "'%s' is not a measurement id", v);
	return CLI_OK;
}

static int point_show(const struct common *c, store *s, int64_t id, bool patients)
{
	followup_point_row row;
	point_measurement m;
	hg_status st = followup_point_get(s, id, &row, &m);
	if (st == HG_ENOTFOUND)
		return cli_usage_error(c->cmd, "no saved measurement %lld", (long long)id);
	if (st != HG_OK)
		return cli_fail(c->cmd, "cannot read measurement %lld: %s", (long long)id, hg_status_name(st));
	json_t *full = followup_point_json(&m, &row, patients), *grid = followup_point_grid(&m, patients);
	int rc = emit(c, full, grid, NULL, "punktmatning");
	json_decref(full);
	json_decref(grid);
	point_free(&m);
	return rc;
}

int cmd_point(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"at", required_argument, NULL, 't'},
		{"save", no_argument, NULL, 'S'},
		{"label", required_argument, NULL, 'L'},
		{"patients", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	struct common c;
	hg_instant at = HG_INSTANT_NONE;
	bool save = false, patients = false;
	const char *label = "";
	int opt, rc;
	common_init(&c, "point");
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = common_option(&c, opt, optarg)) >= 0) {
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		switch (opt) {
		case 't':
			if (cal_parse_local(optarg, &at) != HG_OK)
				return cli_usage_error(c.cmd, "--at '%s' is not a local date-time (YYYY-MM-DD HH:MM)", optarg);
			break;
		case 'S': save = true; break;
		case 'L':
			if (strlen(optarg) >= FOLLOWUP_LABEL_MAX)
				return cli_usage_error(c.cmd, "--label is longer than %d bytes", FOLLOWUP_LABEL_MAX - 1);
			label = optarg;
			break;
		case 'p': patients = true; break;
		default: return cli_usage_error(c.cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	const char *verb = optind < argc ? argv[optind] : "measure";
	int nargs = argc - optind - (optind < argc ? 1 : 0);
	char **args = argv + optind + (optind < argc ? 1 : 0);
	static const struct { const char *verb; int nargs; } verbs[] = {
		{"measure", 0}, {"list", 0}, {"show", 1}, {"compare", 2}};
	int v = -1;
	for (int i = 0; i < (int)(sizeof verbs / sizeof verbs[0]); i++)
		if (strcmp(verb, verbs[i].verb) == 0)
			v = i;
	if (v < 0)
		return cli_usage_error(c.cmd, "unknown action '%s' (measure, list, show or compare)", verb);
	if (nargs != verbs[v].nargs)
		return cli_usage_error(c.cmd, "%s takes %d argument%s", verb, verbs[v].nargs, verbs[v].nargs == 1 ? "" : "s");
	int64_t ids[2] = {0, 0};
	for (int i = 0; i < nargs; i++)
		if ((rc = parse_id(c.cmd, args[i], &ids[i])))
			return rc;

	store *s = NULL;
	if ((rc = open_db(&c, &s)))
		return rc;
	if (v == 0) {
		indicator_set *set = NULL;
		if (at == HG_INSTANT_NONE)
			at = c.asof;
		followup_filter f = {.from = at, .to = at + 1, .municipality = c.municipality};
		rc = load_set(&c, s, &f, &set);
		point_measurement m;
		if (rc == CLI_OK && point_measure(set, at, c.municipality, &m) != HG_OK)
			rc = cli_fail(c.cmd, "out of memory");
		else if (rc == CLI_OK) {
			followup_point_row row = {0};
			int64_t id = 0;
			if (save) {
				hg_status st = followup_point_save(s, &m, c.municipality, label, "cli", (hg_instant)time(NULL), &id);
				if (st != HG_OK)
					rc = cli_fail(c.cmd, "cannot save the measurement: %s", hg_status_name(st));
				else if (followup_point_get(s, id, &row, NULL) != HG_OK)
					rc = cli_fail(c.cmd, "cannot read the saved measurement back");
			}
			if (rc == CLI_OK) {
				json_t *full = followup_point_json(&m, save ? &row : NULL, patients);
				json_t *grid = followup_point_grid(&m, patients);
				rc = emit(&c, full, grid, save ? "(saved)" : NULL, "punktmatning");
				json_decref(full);
				json_decref(grid);
				if (save && c.format == FMT_TABLE)
					fprintf(stdout, "saved as measurement %lld\n", (long long)id);
			}
			point_free(&m);
		}
		indicator_set_free(set);
	} else if (v == 1) {
		followup_point_row *rows = NULL;
		size_t n = 0;
		if (followup_point_list(s, c.municipality, &rows, &n) != HG_OK) {
			rc = cli_fail(c.cmd, "cannot list the measurements");
		} else {
			json_t *arr = json_array(), *grows = json_array(), *cols = json_array();
			static const char *const cn[] = {"id", "at", "municipality", "label", "patients", "ready_days"};
			for (size_t i = 0; i < sizeof cn / sizeof cn[0]; i++)
				json_array_append_new(cols, json_pack("{s:s, s:s}", "code", cn[i], "label", cn[i]));
			for (size_t i = 0; i < n; i++) {
				char when[17];
				json_array_append_new(arr, followup_point_row_json(&rows[i]));
				json_array_append_new(grows, json_pack("[I, s, s, s, i, i]", (json_int_t)rows[i].id,
								       cal_format_local(rows[i].at, when), rows[i].scope,
								       rows[i].label, rows[i].patients, rows[i].ready_days));
			}
			json_t *full = json_pack("{s:o}", "measurements", arr);
			json_t *grid = json_pack("{s:o, s:o}", "columns", cols, "rows", grows);
			rc = emit(&c, full, grid, NULL, "punktmatningar");
			json_decref(full);
			json_decref(grid);
		}
		hg_free(rows);
	} else if (v == 2) {
		rc = point_show(&c, s, ids[0], patients);
	} else {
		followup_point_row ra, rb;
		point_measurement ma, mb;
		point_diff *d = NULL;
		size_t nd = 0;
		hg_status sa = followup_point_get(s, ids[0], &ra, &ma);
		hg_status sb = sa == HG_OK ? followup_point_get(s, ids[1], &rb, &mb) : sa;
		if (sa != HG_OK || sb != HG_OK) {
			rc = (sa == HG_ENOTFOUND || sb == HG_ENOTFOUND)
				     ? cli_usage_error(c.cmd, "no saved measurement %lld", (long long)ids[sa == HG_OK ? 1 : 0])
				     : cli_fail(c.cmd, "cannot read the measurements");
		} else if (point_compare(ma.municipalities, ma.n_municipalities, mb.municipalities, mb.n_municipalities,
					 &d, &nd) != HG_OK) {
			rc = cli_fail(c.cmd, "out of memory");
		} else {
			json_t *full = followup_compare_json(&ra, &rb, d, nd);
			rc = emit(&c, full, json_object_get(full, "table"), NULL, "jamforelse");
			json_decref(full);
		}
		hg_free(d);
		if (sa == HG_OK)
			point_free(&ma);
		if (sa == HG_OK && sb == HG_OK)
			point_free(&mb);
	}
	store_close(s);
	return rc;
}

/* ---- hemgang forecast ---- */

int cmd_forecast(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'T'},
		{"origin", required_argument, NULL, 'O'},
		{"backtest", no_argument, NULL, 'B'},
		{"total", no_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct common c;
	forecast_query q = {.from = HG_DATE_NONE, .to = HG_DATE_NONE, .origin = HG_DATE_NONE, .by_municipality = true};
	hg_date to_incl = HG_DATE_NONE;
	bool backtest = false;
	int opt, rc;
	common_init(&c, "forecast");
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((rc = common_option(&c, opt, optarg)) >= 0) {
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		switch (opt) {
		case 'F': if ((rc = parse_date(c.cmd, "--from", optarg, &q.from))) return rc; break;
		case 'T': if ((rc = parse_date(c.cmd, "--to", optarg, &to_incl))) return rc; break;
		case 'O': if ((rc = parse_date(c.cmd, "--origin", optarg, &q.origin))) return rc; break;
		case 'B': backtest = true; break;
		case 'R': q.by_municipality = false; break;
		default: return cli_usage_error(c.cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(c.cmd, "unexpected argument '%s'", argv[optind]);
	if (q.from == HG_DATE_NONE || to_incl == HG_DATE_NONE)
		return cli_usage_error(c.cmd, "--from and --to are required");
	q.to = to_incl + 1;
	hg_date today = cal_local_date(c.asof);
	if (backtest) {
		if (q.origin != HG_DATE_NONE)
			return cli_usage_error(c.cmd, "--backtest sets the origin itself (the first day of the period)");
		if (q.to > today)
			return cli_usage_error(c.cmd, "--backtest needs a period that has ended (before %s)", "today");
		q.origin = q.from;
	} else if (q.origin == HG_DATE_NONE) {
		q.origin = today;
	}
	if (q.to <= q.from || q.to - q.from > FORECAST_DAYS_MAX)
		return cli_usage_error(c.cmd, "the period must be 1-%d days", FORECAST_DAYS_MAX);
	if (q.from < q.origin)
		return cli_usage_error(c.cmd, "the period starts before the origin (use --backtest for a past period)");
	q.municipality = c.municipality;

	store *s = NULL;
	indicator_set *set = NULL;
	if ((rc = open_db(&c, &s)))
		return rc;
	followup_filter f = {.from = HG_INSTANT_NONE, .to = cal_local_midnight(q.to), .municipality = c.municipality};
	rc = load_set(&c, s, &f, &set);
	forecast_result r;
	if (rc == CLI_OK && forecast_compute(set, &q, &r) != HG_OK)
		rc = cli_fail(c.cmd, "cannot compute the forecast");
	else if (rc == CLI_OK) {
		char footer[256] = "";
		if (backtest && r.n_series && r.series[0].n_actual)
			snprintf(footer, sizeof footer,
				 "back-test (total): mean absolute error %.2f patients/day, weighted error %.1f %%, "
				 "%.0f %% of days within the 80 %% band",
				 r.series[0].mae, r.series[0].wape * 100, r.series[0].coverage * 100);
		json_t *full = followup_forecast_json(&r), *grid = followup_forecast_grid(&r);
		rc = emit(&c, full, grid, footer[0] ? footer : NULL, "prognos");
		json_decref(full);
		json_decref(grid);
		forecast_free(&r);
	}
	indicator_set_free(set);
	store_close(s);
	return rc;
}
