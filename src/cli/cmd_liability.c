/* cmd_liability.c - placeholder until the module lands. */
#include "cli/cli.h"

int cmd_liability(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("liability", "not implemented yet");
}
