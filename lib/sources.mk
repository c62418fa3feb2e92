# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Source lists of lib/, per feature, for an embedder's build system.
# Paths are relative to lib/.  Include the port header directory
# (include/) and compile with C11.

DMBOOT_CORE_SRCS := core/util.c core/fmt.c core/bdev.c core/table.c core/device.c core/registry.c \
                    core/crypto.c core/hashtree.c core/rs.c core/crc32.c core/base64.c
DMBOOT_TARGET_SRCS := targets/linear.c targets/striped.c targets/zero.c targets/error.c \
                      targets/verity.c targets/verity_fec.c

DMBOOT_FORMAT_SRCS := formats/verity.c formats/verity_fec.c formats/partitions.c formats/gpt.c \
                      formats/mbr.c formats/ddi.c formats/lvm2/config.c formats/lvm2/pv.c formats/lvm2/vg.c \
                      formats/lvm2/scan.c

DMBOOT_LIB_SRCS := $(DMBOOT_CORE_SRCS) $(DMBOOT_TARGET_SRCS) $(DMBOOT_FORMAT_SRCS)
