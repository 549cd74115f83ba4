/*
 * cmd_holidays.c - `hemgang holidays YEAR [--eves] [--lang sv|en]`: lists the
 * Swedish public holidays of a year from the core calendar (core/calendar.h),
 * so that an agreement's weekday count can be checked by eye.
 *
 * The output is a contract, one line per day, sorted:
 *   YYYY-MM-DD<TAB>NAME
 * where a day that is two holidays at once is one line with the names joined
 * by " / ". Exit status: 0 on success, 2 for bad usage or input, 3 when
 * stdout cannot be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/calendar.h"

enum { OPT_EVES = 'e', OPT_LANG = 'l', OPT_HELP = 'h' };

static const struct option holidays_long_options[] = {
	{"eves", no_argument, NULL, OPT_EVES},
	{"lang", required_argument, NULL, OPT_LANG},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* The languages of --lang and which name of a cal_day each prints. */
static const struct holidays_lang {
	const char *code;
	bool english;
} holidays_langs[] = {
	{"sv", false},
	{"en", true},
};

/* Reads a year of at most four digits, nothing else; false for anything else. */
static bool parse_year(const char *s, int *out)
{
	int v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		if (n >= 4 || s[n] < '0' || s[n] > '9')
			return false;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0)
		return false;
	*out = v;
	return true;
}

int cmd_holidays(int argc, char **argv)
{
	cal_day days[CAL_MAX_DAYS_PER_YEAR];
	const struct holidays_lang *lang = &holidays_langs[0];
	bool eves = false;
	int c, year;
	size_t n;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", holidays_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_EVES:
			eves = true;
			break;
		case OPT_LANG:
			lang = NULL;
			for (size_t i = 0; i < sizeof holidays_langs / sizeof holidays_langs[0]; i++)
				if (strcmp(optarg, holidays_langs[i].code) == 0)
					lang = &holidays_langs[i];
			if (!lang)
				return cli_usage_error("holidays", "unknown language '%s' (sv or en)", optarg);
			break;
		case OPT_HELP:
			fputs(cli_find("holidays") ? cli_find("holidays")->usage : "", stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("holidays", "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt >= '0' && optopt <= '9') /* "-5": a negative year, not an option */
				return cli_usage_error("holidays", "bad year '%s' (want %d-%d)", argv[optind - 1],
						       CAL_YEAR_MIN, CAL_YEAR_MAX);
			if (optopt)
				return cli_usage_error("holidays", "unknown option '-%c'", optopt);
			return cli_usage_error("holidays", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("holidays", "missing YEAR (1900-2199)");
	if (optind + 1 < argc)
		return cli_usage_error("holidays", "unexpected argument '%s' after YEAR", argv[optind + 1]);
	if (!parse_year(argv[optind], &year) || year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)
		return cli_usage_error("holidays", "bad year '%s' (want %d-%d)", argv[optind], CAL_YEAR_MIN,
				       CAL_YEAR_MAX);

	n = cal_holidays(year, eves, days, CAL_MAX_DAYS_PER_YEAR);
	for (size_t i = 0; i < n; i++) {
		char buf[11];
		printf("%s\t%s\n", date_format(days[i].date, buf), lang->english ? days[i].name_en : days[i].name_sv);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("holidays", "cannot write the list");
	return CLI_OK;
}
