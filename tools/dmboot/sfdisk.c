// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/* dmboot sfdisk (being written). */
#include "cli.h"

int cmd_sfdisk(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("sfdisk: not available yet");
	return 1;
}
