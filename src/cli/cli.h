/*
 * cli.h - the hemgang command line: one binary, git-style subcommands.
 *
 * Each subcommand is a function `int cmd_NAME(int argc, char **argv)` that gets
 * argv[0] == "NAME", parses its own options with getopt_long, prints one clear
 * line on stderr for bad input, and returns the process exit status:
 * 0 success, 1 a negative answer (e.g. an invalid number), 2 bad usage or input,
 * 3 a runtime failure (storage, network).
 */
#ifndef HG_CLI_H
#define HG_CLI_H

#include <stdbool.h>

enum { CLI_OK = 0, CLI_NO = 1, CLI_USAGE = 2, CLI_FAIL = 3 };

/* The database every command opens when --db is not given: the SQLite file of `make run`. */
#define DEFAULT_DB "hemgang.db"

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for `hemgang --help` */
	const char *usage;   /* full text for `hemgang NAME --help` */
} cli_command;

/* The command table, terminated by a row with name == NULL (defined in main.c). */
const cli_command *cli_commands(void);
const cli_command *cli_find(const char *name);

/* Prints "hemgang NAME: message" to stderr, one line. Returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "hemgang NAME: message" to stderr, one line. Returns CLI_FAIL. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when argv holds --help/-h as an option; prints the usage of cmd on stdout. */
bool cli_wants_help(const char *cmd, int argc, char **argv);

int cmd_holidays(int argc, char **argv);
int cmd_pnr(int argc, char **argv);
int cmd_liability(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_agreement(int argc, char **argv);
int cmd_invoice(int argc, char **argv);
int cmd_hl7(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_point(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_copy(int argc, char **argv);

#endif
