/*
 * cmd_pnr.c - `hemgang pnr [--at DATE] [--no-reserve] [--reserve-birth] NUMBER...`:
 * checks and normalises identity numbers with the core parser (core/pnr.h).
 *
 * The output is a contract that scripts rely on, one line per input:
 *   INPUT<TAB>ok<TAB>NORMALISED<TAB>KIND      or      INPUT<TAB>invalid<TAB>REASON
 * where KIND is personnummer, samordningsnummer or reservnummer and REASON is
 * the stable reason code (bad_checksum, bad_date, ...). Control characters in
 * an echoed input are written as \xHH so that every input stays on one line.
 * Exit status: 0 when every input is valid, 1 when any is not, 2 for bad usage.
 * This is the only place the reference date comes from the clock: the core
 * never reads it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/pnr.h"

enum { OPT_AT = 'a', OPT_RESERVE = 'r', OPT_NO_RESERVE = 'n', OPT_RESERVE_BIRTH = 'b', OPT_HELP = 'h' };

static const struct option pnr_long_options[] = {
	{"at", required_argument, NULL, OPT_AT},
	{"reserve", no_argument, NULL, OPT_RESERVE},
	{"no-reserve", no_argument, NULL, OPT_NO_RESERVE},
	{"reserve-birth", no_argument, NULL, OPT_RESERVE_BIRTH},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Today's date in the local time zone (the process's TZ), or HG_DATE_NONE. */
static hg_date local_today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	if (now == (time_t)-1 || !localtime_r(&now, &tm))
		return HG_DATE_NONE;
	if (!date_ymd_valid(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday))
		return HG_DATE_NONE;
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Echoes an input as given, except control characters, which would break the line format. */
static void print_input(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

int cmd_pnr(int argc, char **argv)
{
	pnr_options opt = pnr_options_default(HG_DATE_NONE);
	const char *at = NULL;
	int c, status = CLI_OK;

	opt.accept_reserve = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", pnr_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_AT:
			at = optarg;
			break;
		case OPT_RESERVE:
			opt.accept_reserve = true;
			break;
		case OPT_NO_RESERVE:
			opt.accept_reserve = false;
			break;
		case OPT_RESERVE_BIRTH:
			opt.reserve_birth = true;
			break;
		case OPT_HELP:
			fputs(cli_find("pnr") ? cli_find("pnr")->usage : "", stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("pnr", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("pnr", "unknown option '-%c' (see hemgang pnr --help)", optopt);
			return cli_usage_error("pnr", "unknown option '%s' (see hemgang pnr --help)", argv[optind - 1]);
		}
	}
	if (at) {
		if (date_parse(at, &opt.reference) != HG_OK)
			return cli_usage_error("pnr", "bad --at date '%s': want YYYY-MM-DD between %d and %d", at,
					       HG_YEAR_MIN, HG_YEAR_MAX);
	} else {
		opt.reference = local_today();
		if (opt.reference == HG_DATE_NONE)
			return cli_fail("pnr", "cannot read today's date from the clock; give --at DATE");
	}
	if (optind >= argc)
		return cli_usage_error("pnr", "no number given (usage: hemgang pnr [--at DATE] NUMBER...)");

	for (int i = optind; i < argc; i++) {
		pnr p;
		pnr_reason why;
		hg_status rc = pnr_parse(argv[i], &opt, &p, &why);
		print_input(argv[i]);
		if (rc == HG_OK) {
			printf("\tok\t%s\t%s\n", p.normal, pnr_kind_label(p.kind)->code);
		} else {
			printf("\tinvalid\t%s\n", pnr_reason_label(why)->code);
			status = CLI_NO;
		}
	}
	if (fflush(stdout) != 0)
		return cli_fail("pnr", "cannot write the output");
	return status;
}
