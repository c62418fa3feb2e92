// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/* dmboot lvm (being written). */
#include "cli.h"

int cmd_lvm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("lvm: not available yet");
	return 1;
}
