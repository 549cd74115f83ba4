/* cmd_pnr.c - placeholder until the module lands. */
#include "cli/cli.h"

int cmd_pnr(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("pnr", "not implemented yet");
}
