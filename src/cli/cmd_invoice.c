/*
 * cmd_invoice.c - `hemgang agreement import|list|show` and `hemgang invoice
 * build|list|show|review|send|dispute|decide`: payment liability agreements
 * and monthly invoice bases from the command line.
 *
 * The command line is the operator's tool on the server itself, so it acts
 * without a login: a step is recorded under --user (default "cli") for the
 * party whose step it is (the region sends and decides, the municipality
 * disputes). Every output that shows patient data writes an audit record per
 * episode, as the API does. Subcommands and options are two tables; each
 * subcommand names the options it accepts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/calendar.h"
#include "core/text.h"
#include "wire/agreement_json.h"
#include "store/agreement_store.h"
#include "wire/invoice_export.h"
#include "store/invoice_store.h"
#include "store/store.h"

#define JSON_OUT (JSON_INDENT(2) | JSON_SORT_KEYS)
#define MAX_REPEAT 1000 /* --line and --adjust */

/* ---- options ---- */

enum opt_id {
	O_DB = 0, O_MONTH, O_MUNICIPALITY, O_CUTOFF, O_FORMAT, O_OUTPUT, O_COMMA, O_PREVIEW, O_STATE, O_REASON,
	O_LINE, O_OUTCOME, O_ADJUST, O_USER, O_VERSION, O_COUNT
};
#define B(o) (1u << (o))
#define OPT_BASE 1000 /* getopt values are OPT_BASE + enum opt_id */

static const struct option long_options[] = {
	{"db", required_argument, NULL, OPT_BASE + O_DB},
	{"month", required_argument, NULL, OPT_BASE + O_MONTH},
	{"municipality", required_argument, NULL, OPT_BASE + O_MUNICIPALITY},
	{"cutoff", required_argument, NULL, OPT_BASE + O_CUTOFF},
	{"format", required_argument, NULL, OPT_BASE + O_FORMAT},
	{"output", required_argument, NULL, OPT_BASE + O_OUTPUT},
	{"comma", no_argument, NULL, OPT_BASE + O_COMMA},
	{"preview", no_argument, NULL, OPT_BASE + O_PREVIEW},
	{"state", required_argument, NULL, OPT_BASE + O_STATE},
	{"reason", required_argument, NULL, OPT_BASE + O_REASON},
	{"line", required_argument, NULL, OPT_BASE + O_LINE},
	{"outcome", required_argument, NULL, OPT_BASE + O_OUTCOME},
	{"adjust", required_argument, NULL, OPT_BASE + O_ADJUST},
	{"user", required_argument, NULL, OPT_BASE + O_USER},
	{"version", required_argument, NULL, OPT_BASE + O_VERSION},
	{NULL, 0, NULL, 0},
};

/* Output formats: bit per format, for the subcommand table. */
enum { F_TEXT = 1, F_JSON = 2, F_CSV = 4, F_XLSX = 8, F_PDF = 16 };
static const struct {
	const char *code;
	unsigned bit;
} format_codes[] = {{"text", F_TEXT}, {"json", F_JSON}, {"csv", F_CSV}, {"xlsx", F_XLSX}, {"pdf", F_PDF}};

typedef struct args {
	const char *cmd; /* "invoice" or "agreement" */
	const char *sub;
	const char *db, *month, *municipality, *cutoff, *output, *state, *reason, *outcome, *user;
	unsigned format; /* one F_ bit */
	bool comma, preview;
	int version;
	const char *positional[64];
	int n_positional;
	int64_t lines[MAX_REPEAT];
	size_t n_lines;
	invoice_adjustment adjust[MAX_REPEAT];
	size_t n_adjust;
} args;

typedef struct subcommand {
	const char *name;
	int (*run)(args *a, store *s);
	unsigned options;  /* B(O_...) accepted */
	unsigned formats;  /* F_ accepted; the first bit set is the default */
	int positional_min, positional_max;
	const char *operand; /* what the positional arguments are, for messages */
} subcommand;

/* ---- small parsers ---- */

/* Kronor "1500", "1500.5", "1500,50" into öre, exactly; at most 9 integer digits. */
static bool parse_kronor(const char *s, int64_t *ore)
{
	int64_t kr = 0, frac = 0;
	int digits = 0, decimals = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9)
			return false;
		kr = kr * 10 + (*s - '0');
	}
	if (digits == 0)
		return false;
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++decimals > 2)
				return false;
			frac = frac * 10 + (*s - '0');
		}
		if (decimals == 0)
			return false;
		if (decimals == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return false;
	*ore = kr * 100 + frac;
	return true;
}

/* A cut-off: an ISO instant with offset, a local "YYYY-MM-DD HH:MM", or a date (its local midnight). */
static bool parse_cutoff(const char *s, hg_instant *out)
{
	hg_date d;
	if (strlen(s) == 10 && date_parse(s, &d) == HG_OK) {
		*out = cal_local_midnight(d);
		return *out != HG_INSTANT_NONE;
	}
	return cal_parse_local(s, out) == HG_OK;
}

static bool municipality_code(const char *s)
{
	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *actor(const args *a) { return a->user ? a->user : "cli"; }

/* ---- output ---- */

/* Writes len bytes to --output or stdout. */
static int write_out(const args *a, const char *data, size_t len)
{
	FILE *f = a->output ? fopen(a->output, "wb") : stdout;
	if (!f)
		return cli_fail(a->cmd, "cannot write %s: %s", a->output, strerror(errno));
	bool ok = fwrite(data, 1, len, f) == len;
	if (a->output)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	return ok ? CLI_OK : cli_fail(a->cmd, "cannot write %s", a->output ? a->output : "standard output");
}

static int print_json(const args *a, const json_t *j)
{
	char *text = invoice_store_json_text(j, JSON_OUT);
	if (!text)
		return cli_fail(a->cmd, "out of memory");
	size_t len = strlen(text);
	int rc = write_out(a, text, len);
	if (rc == CLI_OK && !a->output)
		putchar('\n');
	hg_free(text);
	return rc;
}

static void kronor(int64_t ore, char *buf, size_t cap)
{
	(void)snprintf(buf, cap, "%lld.%02lld kr", (long long)(ore / 100), (long long)(ore % 100));
}

/* One audit record per episode of each invoice in `invoices` (the CLI reads patient data too). */
static int audit_reads(const args *a, store *s, const json_t *invoices)
{
	size_t i, j;
	json_t *inv, *l;
	static const char *const kinds[] = {"lines", "exclusions"};
	json_array_foreach(invoices, i, inv) {
		store_audit rec;
		memset(&rec, 0, sizeof rec);
		rec.at = (hg_instant)time(NULL);
		(void)snprintf(rec.username, sizeof rec.username, "%s", actor(a));
		(void)snprintf(rec.action, sizeof rec.action, "invoice.read");
		(void)snprintf(rec.client, sizeof rec.client, "cli");
		if (json_is_integer(json_object_get(inv, "id")))
			(void)snprintf(rec.reason, sizeof rec.reason, "invoice %lld",
				       (long long)json_integer_value(json_object_get(inv, "id")));
		else
			(void)snprintf(rec.reason, sizeof rec.reason, "invoice preview %s %s",
				       json_string_value(json_object_get(inv, "municipality")),
				       json_string_value(json_object_get(inv, "month")));
		for (size_t k = 0; k < 2; k++)
			json_array_foreach(json_object_get(inv, kinds[k]), j, l) {
				rec.episode_id = (int64_t)json_integer_value(json_object_get(l, "episode"));
				if (store_audit_add(s, &rec) != HG_OK)
					return cli_fail(a->cmd, "cannot write the audit log");
			}
	}
	return CLI_OK;
}

/* Writes invoices (an array) as --format says: JSON under `key`, or an export. */
static int emit_invoices(const args *a, store *s, json_t *invoices, const char *key)
{
	int rc = audit_reads(a, s, invoices);
	if (rc)
		return rc;
	if (a->format == F_JSON) {
		json_t *wrap = key ? json_pack("{s:O}", key, invoices) : json_incref(invoices);
		rc = wrap ? print_json(a, wrap) : cli_fail(a->cmd, "out of memory");
		json_decref(wrap);
		return rc;
	}
	wire_invoice_format f = a->format == F_CSV ? WIRE_INVOICE_FORMAT_CSV : a->format == F_XLSX ? WIRE_INVOICE_FORMAT_XLSX
											  : WIRE_INVOICE_FORMAT_PDF;
	wire_invoice_options o = {.comma = a->comma};
	char *data = NULL, err[256];
	size_t len = 0;
	hg_status st = wire_invoice_export(invoices, f, &o, &data, &len, err, sizeof err);
	if (st == HG_EINVAL)
		return cli_usage_error(a->cmd, "--format %s: %s", wire_invoice_format_code(f), err);
	if (st)
		return cli_fail(a->cmd, "%s", err);
	rc = write_out(a, data, len);
	hg_free(data);
	return rc;
}

/* ---- invoice subcommands ---- */

/*
 * The organisation a step is taken for: the municipality, or the region of its
 * county (municipality NULL: the first region), or "region" when none is stored.
 */
static void step_org(store *s, const char *municipality, invoice_party p, char *org, size_t cap)
{
	store_org *orgs = NULL;
	size_t n = 0;
	(void)snprintf(org, cap, "%s", p == INVOICE_MUNICIPALITY ? municipality : "region");
	if (p == INVOICE_MUNICIPALITY || store_orgs_list(s, &orgs, &n) != HG_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (orgs[i].kind == ORG_REGION && (!municipality || strncmp(orgs[i].county, municipality, 2) == 0)) {
			(void)snprintf(org, cap, "%s", orgs[i].code);
			break;
		}
	hg_free(orgs);
}


static int invoice_build_cmd(args *a, store *s)
{
	invoice_build_request rq = {.municipality = a->municipality, .username = actor(a), .save = !a->preview};
	char err[256], org[HG_ID_MAX];
	json_t *out = NULL;
	rq.now = (hg_instant)time(NULL);
	rq.cutoff = rq.now;
	if (!a->month)
		return cli_usage_error(a->cmd, "build needs --month YYYY-MM");
	if (billing_month_parse(a->month, &rq.month) != HG_OK)
		return cli_usage_error(a->cmd, "bad --month '%s' (want YYYY-MM)", a->month);
	if (a->cutoff && !parse_cutoff(a->cutoff, &rq.cutoff))
		return cli_usage_error(a->cmd, "bad --cutoff '%s' (want YYYY-MM-DD, YYYY-MM-DD HH:MM or an ISO instant)",
				       a->cutoff);
	step_org(s, a->municipality, INVOICE_REGION, org, sizeof org);
	rq.org = org;
	if (invoice_store_build(s, &rq, &out, err, sizeof err) != HG_OK)
		return cli_fail(a->cmd, "%s", err);
	json_t *invoices = json_object_get(out, "invoices");
	int rc = CLI_OK;
	if (a->format == F_TEXT) {
		size_t i;
		json_t *inv;
		json_array_foreach(invoices, i, inv) {
			char total[32], id[24] = "preview";
			kronor(json_integer_value(json_object_get(inv, "total_ore")), total, sizeof total);
			if (json_is_integer(json_object_get(inv, "id")))
				(void)snprintf(id, sizeof id, "invoice %lld",
					       (long long)json_integer_value(json_object_get(inv, "id")));
			printf("%s\t%s\t%s\t%s\t%s\t%zu lines\t%zu exclusions\t%s\n",
			       json_string_value(json_object_get(inv, "municipality")),
			       json_string_value(json_object_get(inv, "month")), id,
			       json_string_value(json_object_get(inv, "state")),
			       json_string_value(json_object_get(inv, "status")),
			       json_array_size(json_object_get(inv, "lines")),
			       json_array_size(json_object_get(inv, "exclusions")), total);
		}
	} else {
		rc = emit_invoices(a, s, invoices, "invoices");
	}
	json_decref(out);
	return rc;
}

static int invoice_list_cmd(args *a, store *s)
{
	invoice_filter f = {.month = a->month, .municipality = a->municipality, .state = -1};
	json_t *rows = NULL;
	if (a->state) {
		invoice_state st;
		if (strcmp(a->state, "all") == 0)
			f.state = -2;
		else if (invoice_state_from_code(a->state, &st))
			f.state = (int)st;
		else
			return cli_usage_error(a->cmd, "unknown --state '%s' (draft, sent, disputed, decided, superseded, all)",
					       a->state);
	}
	if (invoice_store_list(s, &f, &rows) != HG_OK)
		return cli_fail(a->cmd, "cannot read the invoices");
	int rc = CLI_OK;
	if (a->format == F_JSON) {
		json_t *wrap = json_pack("{s:O}", "invoices", rows);
		rc = wrap ? print_json(a, wrap) : cli_fail(a->cmd, "out of memory");
		json_decref(wrap);
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r) {
			char total[32], owed[32];
			kronor(json_integer_value(json_object_get(r, "total_ore")), total, sizeof total);
			kronor(json_integer_value(json_object_get(r, "owed_ore")), owed, sizeof owed);
			printf("%lld\t%s\t%s\trevision %lld\t%s\t%lld lines\t%lld exclusions\ttotal %s\towed %s\n",
			       (long long)json_integer_value(json_object_get(r, "id")),
			       json_string_value(json_object_get(r, "municipality")),
			       json_string_value(json_object_get(r, "month")),
			       (long long)json_integer_value(json_object_get(r, "revision")),
			       json_string_value(json_object_get(r, "state")),
			       (long long)json_integer_value(json_object_get(r, "line_count")),
			       (long long)json_integer_value(json_object_get(r, "exclusion_count")), total, owed);
		}
	}
	json_decref(rows);
	return rc;
}

/* The invoice named by the first positional argument. */
static int invoice_id(const args *a, int64_t *id)
{
	if (!hg_parse_id(a->positional[0], id))
		return cli_usage_error(a->cmd, "bad invoice id '%s' (a positive number)", a->positional[0]);
	return CLI_OK;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "-";
}

static long long jll(const json_t *o, const char *key) { return (long long)json_integer_value(json_object_get(o, key)); }

static void print_invoice_text(const json_t *inv)
{
	char k1[32], k2[32];
	size_t i;
	json_t *l;
	kronor(jll(inv, "total_ore"), k1, sizeof k1);
	kronor(jll(inv, "owed_ore"), k2, sizeof k2);
	printf("invoice %lld: %s %s %s revision %lld, %s%s%s\n", jll(inv, "id"), jstr(inv, "municipality"),
	       jstr(inv, "municipality_name"), jstr(inv, "month"), jll(inv, "revision"), jstr(inv, "state"),
	       json_is_string(json_object_get(inv, "outcome")) ? " " : "",
	       json_is_string(json_object_get(inv, "outcome")) ? jstr(inv, "outcome") : "");
	printf("agreement %s version %lld, cut-off %s\n", jstr(inv, "agreement"), jll(inv, "agreement_version"),
	       jstr(inv, "cutoff"));
	json_array_foreach(json_object_get(inv, "lines"), i, l) {
		kronor(jll(l, "amount_ore"), k1, sizeof k1);
		printf("  line  %lld\t%s\t%s\tready %s\tout %s\tliable from %s\t%lld nights\t%s\n", jll(l, "episode"),
		       jstr(l, "personnummer"), jstr(l, "ward"), jstr(l, "ready_date"),
		       json_is_string(json_object_get(l, "discharge_date")) ? jstr(l, "discharge_date") : "in hospital",
		       jstr(l, "grace_end"), jll(l, "nights"), k1);
	}
	json_array_foreach(json_object_get(inv, "exclusions"), i, l) {
		printf("  apart %lld\t%s\t%s\t%s (%lld nights not billed)\n", jll(l, "episode"), jstr(l, "personnummer"),
		       jstr(l, "ward"), jstr(l, "reason"), jll(l, "unbilled_nights"));
	}
	kronor(jll(inv, "total_ore"), k1, sizeof k1);
	printf("total %s, owed %s\n", k1, k2);
	json_array_foreach(json_object_get(inv, "steps"), i, l) {
		printf("  step %lld\t%s\t%s\t%s\t%s\t%s\n", jll(l, "seq"), jstr(l, "at"), jstr(l, "username"),
		       jstr(l, "action"), jstr(l, "state"), jstr(l, "reason"));
	}
}

static int invoice_show_cmd(args *a, store *s)
{
	int64_t id = 0;
	json_t *inv = NULL;
	int rc = invoice_id(a, &id);
	if (rc)
		return rc;
	hg_status st = invoice_store_get(s, id, &inv);
	if (st == HG_ENOTFOUND)
		return cli_usage_error(a->cmd, "no invoice %lld", (long long)id);
	if (st)
		return cli_fail(a->cmd, "cannot read invoice %lld: %s", (long long)id, hg_status_name(st));
	json_t *one = json_pack("[O]", inv);
	if (!one) {
		json_decref(inv);
		return cli_fail(a->cmd, "out of memory");
	}
	if (a->format == F_TEXT) {
		rc = audit_reads(a, s, one);
		if (rc == CLI_OK)
			print_invoice_text(inv);
	} else if (a->format == F_JSON) {
		rc = audit_reads(a, s, one);
		if (rc == CLI_OK)
			rc = print_json(a, inv);
	} else {
		rc = emit_invoices(a, s, one, NULL);
	}
	json_decref(one);
	json_decref(inv);
	return rc;
}

static int invoice_review_cmd(args *a, store *s)
{
	int64_t id = 0;
	json_t *r = NULL;
	int rc = invoice_id(a, &id);
	if (rc)
		return rc;
	hg_status st = invoice_store_review(s, id, (hg_instant)time(NULL), &r);
	if (st == HG_ENOTFOUND)
		return cli_usage_error(a->cmd, "no invoice %lld", (long long)id);
	if (st)
		return cli_fail(a->cmd, "cannot review invoice %lld: %s", (long long)id, hg_status_name(st));
	bool same = json_is_true(json_object_get(r, "reproducible"));
	if (a->format == F_JSON) {
		rc = print_json(a, r);
	} else {
		size_t i;
		json_t *d;
		printf("invoice %lld: %s from the events recorded up to %s\n", (long long)id,
		       same ? "reproducible" : "NOT reproducible", jstr(r, "cutoff"));
		json_array_foreach(json_object_get(r, "mismatches"), i, d) {
			printf("  mismatch episode %lld: %s\n", jll(d, "episode"), jstr(d, "change"));
		}
		printf("differences since the cut-off: %zu\n", json_array_size(json_object_get(r, "differences")));
		json_array_foreach(json_object_get(r, "differences"), i, d) {
			char *before = invoice_store_json_text(json_object_get(d, "before"), JSON_COMPACT | JSON_SORT_KEYS);
			char *after = invoice_store_json_text(json_object_get(d, "after"), JSON_COMPACT | JSON_SORT_KEYS);
			printf("  episode %lld %s: %s -> %s\n", jll(d, "episode"), jstr(d, "change"), before ? before : "?",
			       after ? after : "?");
			hg_free(before);
			hg_free(after);
		}
	}
	json_decref(r);
	if (rc == CLI_OK && !same)
		rc = CLI_NO;
	return rc;
}

static int invoice_step_cmd(args *a, store *s, invoice_action action)
{
	int64_t id = 0, *episodes = NULL;
	size_t n = 0;
	char municipality[8], org[HG_ID_MAX];
	invoice_refusal why = INVOICE_OK;
	int rc = invoice_id(a, &id);
	if (rc)
		return rc;
	hg_status st = invoice_store_parties(s, id, municipality, &episodes, &n);
	hg_free(episodes);
	if (st == HG_ENOTFOUND)
		return cli_usage_error(a->cmd, "no invoice %lld", (long long)id);
	if (st)
		return cli_fail(a->cmd, "cannot read invoice %lld: %s", (long long)id, hg_status_name(st));
	invoice_party party = action == INVOICE_DISPUTE ? INVOICE_MUNICIPALITY : INVOICE_REGION;
	step_org(s, municipality, party, org, sizeof org);
	invoice_act_request rq = {.action = action, .party = party, .username = actor(a), .org = org,
				  .reason = a->reason, .lines = a->lines, .n_lines = a->n_lines,
				  .adjustments = a->adjust, .n_adjustments = a->n_adjust,
				  .now = (hg_instant)time(NULL)};
	if (a->outcome && !invoice_outcome_from_code(a->outcome, &rq.outcome))
		return cli_usage_error(a->cmd, "unknown --outcome '%s' (upheld, adjusted or withdrawn)", a->outcome);
	st = invoice_store_act(s, id, &rq, &why);
	if (st == HG_ECONFLICT || st == HG_EDENIED || st == HG_EINVAL)
		return cli_usage_error(a->cmd, "cannot %s invoice %lld: %s (%s)", invoice_action_label(action)->code,
				       (long long)id, invoice_refusal_label(why)->code, invoice_refusal_label(why)->en);
	if (st)
		return cli_fail(a->cmd, "cannot %s invoice %lld: %s", invoice_action_label(action)->code, (long long)id,
				hg_status_name(st));
	json_t *inv = NULL;
	if (invoice_store_get(s, id, &inv) == HG_OK) {
		char owed[32];
		kronor(jll(inv, "owed_ore"), owed, sizeof owed);
		printf("invoice %lld\t%s\towed %s\n", (long long)id, jstr(inv, "state"), owed);
		json_decref(inv);
	}
	return CLI_OK;
}

static int invoice_send_cmd(args *a, store *s) { return invoice_step_cmd(a, s, INVOICE_SEND); }
static int invoice_dispute_cmd(args *a, store *s) { return invoice_step_cmd(a, s, INVOICE_DISPUTE); }
static int invoice_decide_cmd(args *a, store *s)
{
	if (!a->outcome)
		return cli_usage_error(a->cmd, "decide needs --outcome upheld|adjusted|withdrawn");
	return invoice_step_cmd(a, s, INVOICE_DECIDE);
}

static const subcommand invoice_subcommands[] = {
	{"build", invoice_build_cmd,
	 B(O_DB) | B(O_MONTH) | B(O_MUNICIPALITY) | B(O_CUTOFF) | B(O_FORMAT) | B(O_OUTPUT) | B(O_COMMA) |
		 B(O_PREVIEW) | B(O_USER),
	 F_TEXT | F_JSON | F_CSV | F_XLSX | F_PDF, 0, 0, NULL},
	{"list", invoice_list_cmd, B(O_DB) | B(O_MONTH) | B(O_MUNICIPALITY) | B(O_STATE) | B(O_FORMAT), F_TEXT | F_JSON,
	 0, 0, NULL},
	{"show", invoice_show_cmd, B(O_DB) | B(O_FORMAT) | B(O_OUTPUT) | B(O_COMMA) | B(O_USER),
	 F_TEXT | F_JSON | F_CSV | F_XLSX | F_PDF, 1, 1, "ID"},
	{"review", invoice_review_cmd, B(O_DB) | B(O_FORMAT), F_TEXT | F_JSON, 1, 1, "ID"},
	{"send", invoice_send_cmd, B(O_DB) | B(O_REASON) | B(O_USER), F_TEXT, 1, 1, "ID"},
	{"dispute", invoice_dispute_cmd, B(O_DB) | B(O_REASON) | B(O_LINE) | B(O_USER), F_TEXT, 1, 1, "ID"},
	{"decide", invoice_decide_cmd, B(O_DB) | B(O_REASON) | B(O_OUTCOME) | B(O_ADJUST) | B(O_USER), F_TEXT, 1, 1,
	 "ID"},
	{NULL, NULL, 0, 0, 0, 0, NULL},
};

/* ---- agreement subcommands ---- */

/* Reads a whole file of at most max bytes; *text hg_malloc'ed (caller frees). */
static int read_file(const args *a, const char *path, size_t max, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return cli_usage_error(a->cmd, "cannot read %s: %s", path, strerror(errno));
	char *buf = hg_malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	bool err = ferror(f);
	fclose(f);
	if (!buf)
		return cli_fail(a->cmd, "out of memory");
	if (err || n > max) {
		hg_free(buf);
		return err ? cli_usage_error(a->cmd, "cannot read %s", path)
			   : cli_usage_error(a->cmd, "%s is larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return CLI_OK;
}

static int agreement_import_cmd(args *a, store *s)
{
	for (int i = 0; i < a->n_positional; i++) {
		char *text = NULL, err[256];
		size_t len = 0;
		agreement ag;
		bool existed = false;
		int rc = read_file(a, a->positional[i], AGREEMENT_JSON_MAX, &text, &len);
		if (rc)
			return rc;
		hg_status st = agreement_store_import(s, text, len, actor(a), (hg_instant)time(NULL), &ag, &existed, err,
						      sizeof err);
		hg_free(text);
		if (st == HG_EINVAL || st == HG_ERANGE || st == HG_ECONFLICT)
			return cli_usage_error(a->cmd, "%s: %s", a->positional[i], err);
		if (st)
			return cli_fail(a->cmd, "%s: %s", a->positional[i], err);
		printf("%s\t%s\tversion %d\n", existed ? "unchanged" : "imported", ag.id, ag.version);
	}
	return CLI_OK;
}

static int agreement_list_cmd(args *a, store *s)
{
	agreement_row *rows = NULL;
	size_t n = 0;
	if (agreement_store_ensure_builtin(s, (hg_instant)time(NULL)) != HG_OK || agreement_store_list(s, &rows, &n) != HG_OK)
		return cli_fail(a->cmd, "cannot read the agreements");
	int rc = CLI_OK;
	if (a->format == F_JSON) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			if (json_array_append_new(arr, agreement_row_json(&rows[i]))) {
				json_decref(arr);
				arr = NULL;
			}
		json_t *wrap = arr ? json_pack("{s:o}", "agreements", arr) : NULL;
		rc = wrap ? print_json(a, wrap) : cli_fail(a->cmd, "out of memory");
		json_decref(wrap);
	} else {
		for (size_t i = 0; i < n; i++) {
			char from[11], to[11] = "open";
			if (rows[i].valid_to != HG_DATE_NONE)
				date_format(rows[i].valid_to, to);
			printf("%s\t%d\t%s\t%s\t%s\t%s\t%s\n", rows[i].id, rows[i].version,
			       agreement_model_code(rows[i].model), date_format(rows[i].valid_from, from), to,
			       rows[i].latest ? "latest" : "older", rows[i].name);
		}
	}
	hg_free(rows);
	return rc;
}

static int agreement_show_cmd(args *a, store *s)
{
	char *doc = NULL;
	if (agreement_store_ensure_builtin(s, (hg_instant)time(NULL)) != HG_OK)
		return cli_fail(a->cmd, "cannot read the agreements");
	hg_status st = agreement_store_get(s, a->positional[0], a->version, NULL, &doc, NULL);
	if (st == HG_ENOTFOUND)
		return a->version ? cli_usage_error(a->cmd, "no agreement '%s' version %d", a->positional[0], a->version)
				  : cli_usage_error(a->cmd, "no agreement '%s'", a->positional[0]);
	if (st)
		return cli_fail(a->cmd, "cannot read agreement '%s': %s", a->positional[0], hg_status_name(st));
	size_t len = strlen(doc);
	int rc = write_out(a, doc, len);
	if (rc == CLI_OK && !a->output && (len == 0 || doc[len - 1] != '\n'))
		putchar('\n');
	hg_free(doc);
	return rc;
}

static const subcommand agreement_subcommands[] = {
	{"import", agreement_import_cmd, B(O_DB) | B(O_USER), F_TEXT, 1, 64, "FILE"},
	{"list", agreement_list_cmd, B(O_DB) | B(O_FORMAT), F_TEXT | F_JSON, 0, 0, NULL},
	{"show", agreement_show_cmd, B(O_DB) | B(O_VERSION) | B(O_OUTPUT), F_TEXT, 1, 1, "ID"},
	{NULL, NULL, 0, 0, 0, 0, NULL},
};

/* ---- parsing and dispatch ---- */

static int parse_repeat(args *a, int opt, const char *v)
{
	if (opt == O_LINE) {
		if (a->n_lines == MAX_REPEAT)
			return cli_usage_error(a->cmd, "at most %d --line options", MAX_REPEAT);
		if (!hg_parse_id(v, &a->lines[a->n_lines]))
			return cli_usage_error(a->cmd, "bad --line '%s' (an episode id)", v);
		a->n_lines++;
		return CLI_OK;
	}
	const char *eq = strchr(v, '=');
	char ep[24];
	if (a->n_adjust == MAX_REPEAT)
		return cli_usage_error(a->cmd, "at most %d --adjust options", MAX_REPEAT);
	if (!eq || (size_t)(eq - v) >= sizeof ep)
		return cli_usage_error(a->cmd, "bad --adjust '%s' (want EPISODE=KRONOR, e.g. 12=4000)", v);
	memcpy(ep, v, (size_t)(eq - v));
	ep[eq - v] = '\0';
	invoice_adjustment *adj = &a->adjust[a->n_adjust];
	if (!hg_parse_id(ep, &adj->episode) || !parse_kronor(eq + 1, &adj->amount_ore))
		return cli_usage_error(a->cmd, "bad --adjust '%s' (want EPISODE=KRONOR, e.g. 12=4000)", v);
	a->n_adjust++;
	return CLI_OK;
}

static int parse_args(int argc, char **argv, args *a, const subcommand *table, const subcommand **sub)
{
	int c;
	unsigned seen = 0;
	const char *format = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		if (c == ':')
			return cli_usage_error(a->cmd, "option '%s' needs a value", argv[optind - 1]);
		if (c < OPT_BASE || c >= OPT_BASE + O_COUNT)
			return cli_usage_error(a->cmd, "unknown option '%s'", argv[optind - 1]);
		c -= OPT_BASE;
		seen |= B(c);
		switch (c) {
		case O_DB: a->db = optarg; break;
		case O_MONTH: a->month = optarg; break;
		case O_MUNICIPALITY:
			if (!municipality_code(optarg))
				return cli_usage_error(a->cmd, "bad --municipality '%s' (a 4-digit kommunkod)", optarg);
			a->municipality = optarg;
			break;
		case O_CUTOFF: a->cutoff = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_OUTPUT: a->output = optarg; break;
		case O_COMMA: a->comma = true; break;
		case O_PREVIEW: a->preview = true; break;
		case O_STATE: a->state = optarg; break;
		case O_REASON: a->reason = optarg; break;
		case O_OUTCOME: a->outcome = optarg; break;
		case O_USER:
			if (!optarg[0] || strlen(optarg) >= HG_ID_MAX)
				return cli_usage_error(a->cmd, "bad --user '%s'", optarg);
			a->user = optarg;
			break;
		case O_VERSION: {
			int64_t v;
			if (!hg_parse_id(optarg, &v) || v > 1000000)
				return cli_usage_error(a->cmd, "bad --version '%s' (a positive number)", optarg);
			a->version = (int)v;
			break;
		}
		default: {
			int rc = parse_repeat(a, c, optarg);
			if (rc)
				return rc;
		}
		}
	}
	if (optind >= argc)
		return cli_usage_error(a->cmd, "missing subcommand (see hemgang %s --help)", a->cmd);
	a->sub = argv[optind++];
	for (*sub = table; (*sub)->name && strcmp((*sub)->name, a->sub) != 0; (*sub)++)
		;
	if (!(*sub)->name)
		return cli_usage_error(a->cmd, "unknown subcommand '%s' (see hemgang %s --help)", a->sub, a->cmd);
	for (int o = 0; o < O_COUNT; o++)
		if ((seen & B(o)) && !((*sub)->options & B(o)))
			return cli_usage_error(a->cmd, "%s does not take --%s", a->sub, long_options[o].name);
	for (; optind < argc; optind++) {
		if (a->n_positional == (int)(sizeof a->positional / sizeof a->positional[0]))
			return cli_usage_error(a->cmd, "too many arguments");
		a->positional[a->n_positional++] = argv[optind];
	}
	if (a->n_positional < (*sub)->positional_min)
		return cli_usage_error(a->cmd, "%s needs %s", a->sub, (*sub)->operand);
	if (a->n_positional > (*sub)->positional_max)
		return cli_usage_error(a->cmd, "unexpected argument '%s'", a->positional[(*sub)->positional_max]);
	a->format = (*sub)->formats & (~(*sub)->formats + 1u); /* the lowest bit: the default */
	if (format) {
		size_t i = 0;
		while (i < sizeof format_codes / sizeof format_codes[0] && strcmp(format_codes[i].code, format) != 0)
			i++;
		if (i == sizeof format_codes / sizeof format_codes[0] || !((*sub)->formats & format_codes[i].bit))
			return cli_usage_error(a->cmd, "%s: bad --format '%s'", a->sub, format);
		a->format = format_codes[i].bit;
	}
	if ((a->format == F_XLSX || a->format == F_PDF) && !a->output)
		return cli_usage_error(a->cmd, "--format %s writes a file: give --output FILE", format);
	return CLI_OK;
}

static int run(const char *cmd, int argc, char **argv, const subcommand *table)
{
	args *a = hg_calloc(1, sizeof *a);
	const subcommand *sub = NULL;
	store *s = NULL;
	char err[256];
	if (!a)
		return cli_fail(cmd, "out of memory");
	a->cmd = cmd;
	a->db = DEFAULT_DB;
	int rc = parse_args(argc, argv, a, table, &sub);
	if (rc == CLI_OK) {
		if (store_open(a->db, &s, err, sizeof err) != HG_OK)
			rc = cli_fail(cmd, "%s", err);
		else
			rc = sub->run(a, s);
	}
	if (s)
		store_close(s);
	hg_free(a);
	return rc;
}

int cmd_invoice(int argc, char **argv) { return run("invoice", argc, argv, invoice_subcommands); }

int cmd_agreement(int argc, char **argv) { return run("agreement", argc, argv, agreement_subcommands); }
