/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* GPT and MBR partition tables (being written). */
#ifndef DMBOOT_PART_H
#define DMBOOT_PART_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/part.h>"
#endif

#endif /* DMBOOT_PART_H */
