/*
 * cmd_copy.c - `hemgang copy --from PATH --to URI`: moves a region from the
 * embedded SQLite database to PostgreSQL (issue 12 item 3). The copy itself is
 * store_copy() (store_copy.h); this command opens both stores (migrating the
 * target), runs it, and proves it: the projection dumps of source and target
 * (store_projection_dump: every episode's list row, parties, deadlines and
 * acknowledgements) must be byte for byte the same, and their hashes are
 * printed so that an operator can keep them with the move's log.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "store/store_copy.h"

/* The BLAKE2b-256 of text as hex into hex (65 bytes). */
static void dump_hash(const char *text, char hex[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Prints one store's dump hash; *text gets the dump (hg_free). */
static int dump_of(store *s, const char *label, char **text)
{
	char hex[65];
	if (store_projection_dump(s, text) != HG_OK)
		return cli_fail("copy", "cannot read the projections of the %s", label);
	dump_hash(*text, hex);
	printf("%s\tprojection dump %s\t%zu bytes\n", label, hex, strlen(*text));
	return CLI_OK;
}

int cmd_copy(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case ':':
			return cli_usage_error("copy", "option %s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("copy", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("copy", "unexpected argument '%s'", argv[optind]);
	if (!from || !to)
		return cli_usage_error("copy", "--from PATH and --to postgresql://... are required");
	if (strstr(from, "://") || !strstr(to, "://"))
		return cli_usage_error("copy", "copy goes from a SQLite file (--from) to a PostgreSQL URI (--to)");
	if (sodium_init() < 0)
		return cli_fail("copy", "libsodium did not start");
	store *src = NULL, *dst = NULL;
	char err[512];
	char *a = NULL, *b = NULL;
	store_copy_report rep;
	int rc = CLI_OK;
	if (store_open(from, &src, err, sizeof err) != HG_OK)
		rc = cli_fail("copy", "%s: %s", from, err);
	else if (store_open(to, &dst, err, sizeof err) != HG_OK)
		rc = cli_fail("copy", "%s", err); /* libpq's message names no password */
	if (rc == CLI_OK) {
		hg_status st = store_copy(src, dst, &rep, err, sizeof err);
		if (st == HG_ECONFLICT)
			rc = cli_usage_error("copy", "%s", err);
		else if (st != HG_OK)
			rc = cli_fail("copy", "%s", err);
	}
	for (size_t i = 0; rc == CLI_OK && i < rep.n_tables; i++)
		printf("copied\t%s\t%zu rows\n", rep.tables[i].name, rep.tables[i].rows);
	if (rc == CLI_OK)
		rc = dump_of(src, "source", &a);
	if (rc == CLI_OK)
		rc = dump_of(dst, "target", &b);
	if (rc == CLI_OK && strcmp(a, b) != 0)
		rc = cli_fail("copy", "the projection dumps differ: the copy is not faithful (the target keeps it; "
		                      "drop and create the database before trying again)");
	if (rc == CLI_OK)
		printf("identical\n");
	hg_free(a);
	hg_free(b);
	store_close(dst);
	store_close(src);
	return rc;
}
