// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/* Being written. */
#include <dmboot/dmboot.h>
