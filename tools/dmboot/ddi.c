// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/* dmboot ddi (being written). */
#include "cli.h"

int cmd_ddi(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("ddi: not available yet");
	return 1;
}
