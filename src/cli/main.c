/*
 * main.c - entry point of the hemgang binary: finds the subcommand in the
 * command table and hands over. Adding a subcommand means adding a row here and
 * a cmd_NAME function in its own file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const cli_command commands[] = {
	{"holidays", cmd_holidays, "list Swedish public holidays (and eves) of a year",
	 "usage: hemgang holidays YEAR [--eves] [--lang sv|en]\n"
	 "  Prints one line per day, YYYY-MM-DD<TAB>Swedish name, sorted: every public\n"
	 "  holiday of YEAR (1900-2199) under lag (1989:253).\n"
	 "  --eves         also list midsummer eve, Christmas eve and New Year's eve\n"
	 "  --lang sv|en   names in Swedish (default) or English\n"},
	{"pnr", cmd_pnr, "check and normalise personnummer, samordningsnummer and reserve numbers",
	 "usage: hemgang pnr [--at DATE] [--reserve|--no-reserve] [--reserve-birth] NUMBER...\n"
	 "  Prints one line per input: INPUT<TAB>ok<TAB>NORMALISED<TAB>KIND\n"
	 "  or INPUT<TAB>invalid<TAB>REASON (a stable code, e.g. bad_checksum).\n"
	 "  Exit status 0 only when every input is valid.\n"
	 "  --at DATE        reference date (YYYY-MM-DD) for the century rule; default today\n"
	 "  --no-reserve     reject reserve numbers (accepted by default)\n"
	 "  --reserve-birth  a dated reserve number (YYYYMMDD-XXXX) carries a real birth date\n"},
	{"liability", cmd_liability, "compute payment liability for one ready-for-discharge stay",
	 "usage: hemgang liability --ready LOCAL_DATETIME (--discharged LOCAL_DATETIME | --until DATE)\n"
	 "                         [--care somatic|geriatric|psychiatric] [--grace N]\n"
	 "                         [--count calendar|weekdays] [--eves] [--amount KR]\n"
	 "                         [--agreement FILE] [--json]\n"
	 "  Times are Europe/Stockholm local, \"YYYY-MM-DD HH:MM\" or \"YYYY-MM-DD\".\n"
	 "  --until DATE: still in hospital; count the nights before DATE.\n"
	 "  Without --agreement the statutory default in force on the ready date applies.\n"
	 "  Prints ready-days, grace end, each liable night and the total in kronor.\n"},
	{"serve", cmd_serve, "run the HTTP server (JSON API, web UI, metrics)",
	 "usage: hemgang serve [--db PATH] [--listen ADDR:PORT] [--threads N] [--static DIR]\n"
	 "                     [--openapi FILE] [--access-log] [--secure-cookies] [--mllp ADDR:PORT]\n"
	 "                     [--trusted-proxy ADDR] [--mllp-limits KEY=N,...] [--max-connections N]\n"
	 "                     [--per-address N] [--reserve N] [--header-timeout S] [--body-timeout S]\n"
	 "  Defaults: --db hemgang.db, --listen 127.0.0.1:8080, --threads 4, --static web/dist\n"
	 "  and --openapi docs/openapi.json when they exist. Stops on SIGINT/SIGTERM.\n"
	 "  --mllp ADDR:PORT  also listen for HL7 v2 ADT over MLLP (docs/interop.md); port 0 = any free port.\n"
	 "  --mllp-limits     connections=64,per-peer=4,message-timeout=60,idle-timeout=300 (seconds)\n"
	 "  --trusted-proxy ADDR  a reverse proxy at ADDR: its X-Forwarded-For names the client for login\n"
	 "                    limits and the audit log (docs/operations.md).\n"
	 "  Connection limits (docs/operations.md, Limits): --max-connections 256, --per-address 32 (the\n"
	 "  trusted proxy is exempt), --reserve 16 slots for addresses holding none, --header-timeout 30 s\n"
	 "  for a request's headers, --body-timeout 60 s for its body.\n"},
	{"demo", cmd_demo, "create a demo database with a fictional region and its logins",
	 "usage: hemgang demo [--db PATH] [--episodes N] [--shape region|country] [--seed N] [--now DATE] [--force]\n"
	 "                    [--reserve-numbers]\n"
	 "  Creates the demo database (default hemgang.db) and prints the demo logins as\n"
	 "  username<TAB>role<TAB>organisation code<TAB>unit. Every password is 'demo'.\n"
	 "  Up to 20000 episodes make the region Dalarna, more (up to 2000000) the whole\n"
	 "  country at some 300000 episodes a year; --shape chooses either.\n"},
	{"migrate", cmd_migrate, "create the database or bring its schema up to date",
	 "usage: hemgang migrate [--db PATH]\n"},
	{"rebuild", cmd_rebuild, "recompute every projection from the stored events",
	 "usage: hemgang rebuild [--db PATH]\n"},
	{"user", cmd_user, "manage users: add, list, passwd, token, disable, enable",
	 "usage: hemgang user [--db PATH] add USERNAME --org CODE --role ROLE [--unit ID]... [--name TEXT] [--no-password]\n"
	 "       hemgang user [--db PATH] list\n"
	 "       hemgang user [--db PATH] passwd USERNAME\n"
	 "       hemgang user [--db PATH] token USERNAME [NAME] [--expires DATE | --days N]\n"
	 "       hemgang user [--db PATH] token --revoke USERNAME [NAME]\n"
	 "       hemgang user [--db PATH] disable|enable USERNAME\n"
	 "  Passwords come from $HEMGANG_PASSWORD or the first line of stdin. Roles: ward_staff,\n"
	 "  primary_care, municipal_assessor, municipal_nurse, analyst, invoice_officer, admin,\n"
	 "  integration. `token` prints a new API token once (only its hash is stored); it works\n"
	 "  through DATE, for N days, or by default 365 days. --revoke ends the user's tokens of that\n"
	 "  NAME (all without NAME). disable ends the user's sessions; a disabled user's password and\n"
	 "  tokens let nobody in until enable.\n"},
	{"audit", cmd_audit, "list audit records of patient data access",
	 "usage: hemgang audit [--db PATH] --episode ID | --user NAME | --since DATE\n"
	 "       hemgang audit [--db PATH] --patient PNR [--format tsv|csv|pdf]\n"
	 "  One record per line: time (UTC), username, unit, action, episode, reason, client.\n"
	 "  --patient prints the patient's access extract (loggutdrag): every read and write of the\n"
	 "  patient's episodes, also lists and searches that showed them, in local time, as text,\n"
	 "  CSV or a PDF (to stdout) to hand to the patient.\n"},
	{"routes", cmd_routes, "list the HTTP API routes the server registers",
	 "usage: hemgang routes\n  Prints METHOD<TAB>PATTERN per route (also checked against docs/openapi.json).\n"},
	{"agreement", cmd_agreement, "payment liability agreements in the database: import, list, show",
	 "usage: hemgang agreement import FILE... [--user NAME] [--db PATH]\n"
	 "       hemgang agreement list [--format text|json] [--db PATH]\n"
	 "       hemgang agreement show ID [--version N] [--output FILE] [--db PATH]\n"
	 "  import stores agreement files (docs/liability.md) as versions; importing the same\n"
	 "  file again changes nothing, other content under a stored id and version is refused.\n"
	 "  show prints the stored file (the export). The statutory defaults are always present.\n"},
	{"invoice", cmd_invoice, "monthly invoice bases for payment liability: build, review, dispute",
	 "usage: hemgang invoice build --month YYYY-MM [--municipality CODE] [--cutoff TIME] [--preview]\n"
	 "                             [--format text|json|csv|xlsx|pdf] [--output FILE] [--comma] [--db PATH]\n"
	 "       hemgang invoice list [--month YYYY-MM] [--municipality CODE] [--state STATE|all] [--format text|json]\n"
	 "       hemgang invoice show ID [--format text|json|csv|xlsx|pdf] [--output FILE] [--comma]\n"
	 "       hemgang invoice review ID [--format text|json]\n"
	 "       hemgang invoice send ID [--reason TEXT]\n"
	 "       hemgang invoice dispute ID --reason TEXT [--line EPISODE]...\n"
	 "       hemgang invoice decide ID --outcome upheld|adjusted|withdrawn --reason TEXT [--adjust EPISODE=KRONOR]...\n"
	 "  build computes one invoice basis per municipality from the events recorded up to the cut-off\n"
	 "  (default now; a date means its local midnight) and saves it as a draft (--preview saves nothing).\n"
	 "  review rebuilds an invoice as of its cut-off (exit 1 if it differs) and lists later changes.\n"
	 "  CSV is UTF-8, semicolon-separated with a decimal comma (--comma: comma and decimal point);\n"
	 "  xlsx and pdf need --output. Steps are recorded under --user NAME (default cli).\n"},
	{"hl7", cmd_hl7, "HL7 v2 interface: sending facilities, ward codes, quarantine and replay",
	 "usage: hemgang hl7 [--db PATH] facility FACILITY --org CODE [--name TEXT] [--allow ADDR]... [--a16-ready]\n"
	 "                   [--pid AUTHORITY^TYPE]... [--pid-reserve AUTHORITY^TYPE]...\n"
	 "       hemgang hl7 [--db PATH] facilities\n"
	 "       hemgang hl7 [--db PATH] ward FACILITY CODE UNIT\n"
	 "       hemgang hl7 [--db PATH] quarantine [pending|replayed|failed]\n"
	 "       hemgang hl7 [--db PATH] replay ID\n"
	 "  A facility is MSH-4 of the messages it sends; --allow lists the source addresses it may\n"
	 "  connect from (serve --mllp refuses every other address); --a16-ready: its A16/A25 carry\n"
	 "  the doctor's ready-for-discharge judgement; --pid: a PID-3 assigning authority (CX.4) and\n"
	 "  type (CX.5) that hold a personnummer in this facility's messages (--pid-reserve: a reserve\n"
	 "  number), e.g. --pid SE^PN. ward maps a PV1-3.1 code to a unit. replay\n"
	 "  runs a quarantined message (and the later ones of its visit) again. See docs/interop.md.\n"},
	{"report", cmd_report, "follow-up indicators for a period, grouped as you choose",
	 "usage: hemgang report [--db PATH] --from DATE --to DATE [--by DIM,...] [--subject SUBJECT]\n"
	 "                      [--measures all|CODE,...] [--municipality CODE] [--format table|csv|xlsx|json]\n"
	 "                      [--output FILE] [--min-cell N] [--asof LOCAL_DATETIME] [--progress] [--refold]\n"
	 "  Dates are inclusive. Episodes count in the month they ended (the national convention);\n"
	 "  ready_nights and liable_nights count by the night. --by (default municipality,month): county, municipality,\n"
	 "  hospital, ward, care, care_group, age_band, track, year, month, week; deviations also\n"
	 "  category, party; acknowledgements also recipient, recipient_kind, notice.\n"
	 "  --subject episodes (default), deviations or acknowledgements. The table shows the main\n"
	 "  measures, the other formats all of them (docs/indicators.md defines each). Cells below\n"
	 "  --min-cell (default: the database setting followup.min_cell, 5) are suppressed.\n"
	 "  A progress bar is drawn on stderr when it is a terminal (or with --progress).\n"
	 "  Figures come from each episode's follow-up facts; --refold folds every event instead (a check).\n"},
	{"whatif", cmd_whatif, "what the recorded history would have cost under other agreements",
	 "usage: hemgang whatif [--db PATH] --from DATE --to DATE --agreement FILE [--agreement FILE]...\n"
	 "                      [--format table|json|csv] [--asof LOCAL_DATETIME] [--municipality CODE]\n"
	 "  Recomputes payment liability per municipality and month (every month that --from..--to\n"
	 "  touches, whole) under each agreement file, beside what was invoiced (null: no invoice\n"
	 "  built) and the agreements in force. A scenario counts where it covers the municipality\n"
	 "  and on the dates it is in force; elsewhere the agreements in force apply. Stays still in\n"
	 "  hospital count the nights before --asof (default now). Up to 8 files. Reads the\n"
	 "  follow-up facts, never the events. See docs/invoices.md.\n"},
	{"export", cmd_export, "exports in the shape of national collections (vantetider)",
	 "usage: hemgang export vantetider [--db PATH] --month YYYY-MM [--format csv|json|xlsx] [--output FILE]\n"
	 "                                 [--min-cell N] [--municipality CODE]\n"
	 "  The monthly figures of Väntetider i vården: per county and municipality, somatic and\n"
	 "  psychiatric care apart, the episodes that ended in the month with at least one ready-day,\n"
	 "  their ready-days and the mean per episode. CSV with a header row; a suppressed small\n"
	 "  figure is an empty field and the row's note says \"suppressed\".\n"},
	{"point", cmd_point, "point measurement: who is in hospital and ready now (or at --at)",
	 "usage: hemgang point [measure] [--db PATH] [--at LOCAL_DATETIME] [--municipality CODE] [--patients]\n"
	 "                     [--save [--label TEXT]] [--format table|csv|json|xlsx] [--output FILE]\n"
	 "       hemgang point list [--db PATH] [--municipality CODE] [--format ...]\n"
	 "       hemgang point show ID [--patients] [--format ...]\n"
	 "       hemgang point compare ID ID [--format ...]\n"
	 "  Counts per municipality (with --patients: each patient without name or personnummer, the\n"
	 "  ward, ready since, ready-days so far and the next step). --save keeps the measurement.\n"},
	{"forecast", cmd_forecast, "holiday forecast of ready patients per municipality and day",
	 "usage: hemgang forecast [--db PATH] --from DATE --to DATE [--origin DATE | --backtest] [--total]\n"
	 "                        [--municipality CODE] [--format table|csv|json|xlsx] [--output FILE]\n"
	 "  Expected patients ready for discharge each night of the period with an 80 % band, from\n"
	 "  the same weeks of up to three earlier years and the recent trend (docs/indicators.md).\n"
	 "  --backtest forecasts a past period from the history before it and reports the error.\n"
	 "  --total: the region's series only.\n"},
	{"backup", cmd_backup, "an online, consistent copy of the database while the server runs",
	 "usage: hemgang backup [--db PATH] --to FILE\n"
	 "  Copies the database (default hemgang.db) into the new file FILE with SQLite's backup API:\n"
	 "  one consistent snapshot, taken without stopping the server or its writers; checked,\n"
	 "  synced and renamed into place. Prints schema, events and bytes. See docs/operations.md.\n"},
	{"restore", cmd_restore, "restore a database from a backup",
	 "usage: hemgang restore --from FILE [--db PATH] [--force]\n"
	 "  Checks the backup (integrity, a hemgang schema no newer than this binary) and copies it\n"
	 "  into PATH (default hemgang.db). An existing PATH is replaced only with --force; stop the\n"
	 "  server first.\n"},
	{"copy", cmd_copy, "copy a whole SQLite database into an empty PostgreSQL database",
	 "usage: hemgang copy --from PATH --to postgresql://...\n"
	 "  Copies every table (events, audit log, users, sessions and tokens, agreements, invoices,\n"
	 "  follow-up, HL7/FHIR state, settings) in one transaction into the empty database at the URI\n"
	 "  (migrated first), then proves it: prints the hash of each store's projection dump and\n"
	 "  fails unless they are identical. Stop the servers on PATH first. See docs/operations.md.\n"},
	{NULL, NULL, NULL, NULL},
};

const cli_command *cli_commands(void) { return commands; }

const cli_command *cli_find(const char *name)
{
	for (const cli_command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "hemgang %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	return CLI_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

bool cli_wants_help(const char *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			const cli_command *c = cli_find(cmd);
			fputs(c ? c->usage : "", stdout);
			return true;
		}
	}
	return false;
}

static void print_help(FILE *out)
{
	fputs("usage: hemgang COMMAND [OPTIONS] [ARGS]\n\n"
	      "hemgang - samverkan vid utskrivning (SFS 2017:612)\n\ncommands:\n",
	      out);
	for (const cli_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\n`hemgang COMMAND --help` describes one command.\n", out);
}

int main(int argc, char **argv)
{
	const cli_command *c;
	if (argc < 2) {
		print_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = cli_find(argv[2]))) {
			fputs(c->usage, stdout);
			return CLI_OK;
		}
		print_help(stdout);
		return CLI_OK;
	}
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "hemgang: unknown command '%s' (see hemgang --help)\n", argv[1]);
		return CLI_USAGE;
	}
	if (cli_wants_help(c->name, argc - 1, argv + 1))
		return CLI_OK;
	return c->run(argc - 1, argv + 1);
}
