/*
 * cmd_backup.c - `hemgang backup` and `hemgang restore`: the operator's side of
 * store_backup and store_restore (store.h, backup_sqlite.c). A backup runs
 * beside a serving hemgang; docs/operations.md says how to schedule and test it.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

static void report(const char *what, const char *file, const store_backup_info *info)
{
	printf("%s\t%s\tschema %d\t%lld events\t%lld bytes\n", what, file, info->schema_version, (long long)info->events,
	       (long long)info->bytes);
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"to", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *db = DEFAULT_DB, *to = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't': to = optarg; break;
		case ':': return cli_usage_error("backup", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("backup", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
	if (!to)
		return cli_usage_error("backup", "--to FILE is required");
	char err[512];
	store_backup_info info;
	hg_status rc = store_backup(db, to, &info, err, sizeof err);
	if (rc == HG_ECONFLICT)
		return cli_usage_error("backup", "%s (choose a new file)", err);
	if (rc != HG_OK)
		return cli_fail("backup", "%s", err);
	report("backup", to, &info);
	return CLI_OK;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"from", required_argument, NULL, 'f'},
		{"force", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	const char *db = DEFAULT_DB, *from = NULL;
	bool force = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f': from = optarg; break;
		case 'F': force = true; break;
		case ':': return cli_usage_error("restore", "option %s needs a value", argv[optind - 1]);
		default: return cli_usage_error("restore", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("restore", "unexpected argument '%s'", argv[optind]);
	if (!from)
		return cli_usage_error("restore", "--from FILE is required");
	char err[512];
	store_backup_info info;
	hg_status rc = store_restore(from, db, force, &info, err, sizeof err);
	if (rc == HG_ECONFLICT || rc == HG_ENOTFOUND)
		return cli_usage_error("restore", "%s", err);
	if (rc != HG_OK)
		return cli_fail("restore", "%s", err);
	report("restored", db, &info);
	return CLI_OK;
}
