/* cmd_holidays.c - placeholder until the module lands. */
#include "cli/cli.h"

int cmd_holidays(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("holidays", "not implemented yet");
}
