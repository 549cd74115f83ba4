/* demo_stub.c - temporary weak placeholder for cmd_demo until the generator lands. */
#include "cli/cli.h"

__attribute__((weak)) int cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("demo", "not implemented yet");
}
