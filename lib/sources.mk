# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Source lists of lib/, per feature, for an embedder's build system.
# Paths are relative to lib/.  Add include/ to the include path, compile
# with C11 (-ffreestanding works), and link a port (include/dmboot/port.h).
#
# Every build needs DMBOOT_BASE_CORE_SRCS, DMBOOT_CORE_SRCS and the linear
# target.  Each other target is in the registry (core/registry.c) unless the
# build defines DMBOOT_WITHOUT_<NAME> (STRIPED, ZERO, ERROR, VERITY, SNAPSHOT,
# CRYPT) and leaves its list out; the verity target also needs
# DMBOOT_VERITY_CHECK_SRCS (or both NOFEC lists).  Each format adds its own
# list, and DMBOOT_BASE_SRCS for CRC32, base64 and JSON.  What each list
# costs in code and what it needs from the crypto provider: docs/porting.md
# §9 (scripts/text-size.py measures it).

# Formatting, strings, number parsing, sorting and 64-bit division: what
# the core needs.
DMBOOT_BASE_CORE_SRCS := base/fmt.c base/str.c base/parse.c base/sort.c base/div64.c
# CRC32 (GPT), base64 and the JSON tokenizer (DDI signatures, LUKS2) besides.
DMBOOT_BASE_SRCS := $(DMBOOT_BASE_CORE_SRCS) base/crc32.c base/base64.c base/json.c
# The library's SHA-256 (crypto.h dmb_sha256_*), for a provider that hands it
# out (ports/freestanding/, the host provider); lib/ itself hashes through
# the provider.  The hardware backends' files compile to nothing where they
# do not apply; no per-file flags.
DMBOOT_SHA256_SRCS := base/sha256.c base/sha256_portable.c base/sha256_shani.c base/sha256_armv8.c
DMBOOT_CORE_SRCS := core/error.c core/bdev.c core/table.c core/device.c core/registry.c \
                    core/crypto.c
# Concise specifications (dmsetup --concise, dm-mod.create=, <dmboot/table.h>):
# parsing them, and printing the kernel command line of the DDI handoff.
DMBOOT_CONCISE_SRCS := core/concise.c
# The fault-injecting block device (dmb_fault_bdev_init()), for tests.
DMBOOT_CORE_TEST_SRCS := core/fault_bdev.c
# Shared by the verity target and the verity formats: checking needs the
# first list, building images (hash trees, FEC parity) the second as well.
DMBOOT_VERITY_CHECK_NOFEC_SRCS := verity/hashtree.c verity/opts.c
DMBOOT_VERITY_CHECK_SRCS := $(DMBOOT_VERITY_CHECK_NOFEC_SRCS) verity/rs.c
DMBOOT_VERITY_BUILD_SRCS := verity/fec_encode.c
DMBOOT_VERITY_SRCS := $(DMBOOT_VERITY_CHECK_SRCS) $(DMBOOT_VERITY_BUILD_SRCS)

# dm-crypt's sector encryption and LUKS's AF splitter, shared by the crypt
# target and the LUKS readers.
DMBOOT_CRYPT_SRCS := crypt/spec.c crypt/storage.c crypt/af.c

DMBOOT_TARGET_LINEAR_SRCS  := targets/linear.c
DMBOOT_TARGET_STRIPED_SRCS := targets/striped.c
DMBOOT_TARGET_ZERO_SRCS    := targets/zero.c
DMBOOT_TARGET_ERROR_SRCS   := targets/error.c
DMBOOT_TARGET_SNAPSHOT_SRCS := targets/snapshot.c
DMBOOT_TARGET_VERITY_SRCS  := targets/verity.c targets/verity_cache.c targets/verity_status.c \
			      targets/verity_fec.c
# The verity target without FEC (Linux without CONFIG_DM_VERITY_FEC): needs
# DMBOOT_VERITY_CHECK_NOFEC_SRCS only.
DMBOOT_TARGET_VERITY_NOFEC_SRCS := targets/verity.c targets/verity_cache.c targets/verity_status.c \
				   targets/verity_nofec.c
DMBOOT_TARGET_CRYPT_SRCS   := targets/crypt.c $(DMBOOT_CRYPT_SRCS)
DMBOOT_TARGET_SRCS := $(DMBOOT_TARGET_LINEAR_SRCS) $(DMBOOT_TARGET_STRIPED_SRCS) \
                      $(DMBOOT_TARGET_ZERO_SRCS) $(DMBOOT_TARGET_ERROR_SRCS) \
                      $(DMBOOT_TARGET_VERITY_SRCS) $(DMBOOT_TARGET_SNAPSHOT_SRCS) \
                      $(DMBOOT_TARGET_CRYPT_SRCS)

# Reading images (superblock, geometry, table lines), then building and
# checking hash trees.
DMBOOT_FORMAT_VERITY_READ_SRCS  := formats/verity.c formats/verity_open.c
DMBOOT_FORMAT_VERITY_BUILD_SRCS := formats/verity_tree.c
DMBOOT_FORMAT_VERITY_SRCS := $(DMBOOT_FORMAT_VERITY_READ_SRCS) $(DMBOOT_FORMAT_VERITY_BUILD_SRCS)
DMBOOT_FORMAT_PART_SRCS   := formats/partitions.c formats/gpt.c formats/mbr.c formats/part_resolver.c
DMBOOT_FORMAT_DDI_SRCS    := formats/ddi.c formats/ddi_types.c formats/ddi_version.c \
                             formats/ddi_fsprobe.c formats/ddi_sig.c formats/ddi_handoff.c \
                             formats/ddi_open.c
DMBOOT_FORMAT_LVM_SRCS    := formats/lvm2/config.c formats/lvm2/pv.c formats/lvm2/vg.c \
                             formats/lvm2/scan.c formats/lvm2/activate.c
# Image names, versions and boot counters (boot.h); needs the DDI list's
# version order (formats/ddi_version.c).
DMBOOT_FORMAT_BOOT_SRCS   := formats/boot_name.c
# LUKS1 and LUKS2 headers, key slot unlock and the dm-crypt table
# (luks.h); needs DMBOOT_CRYPT_SRCS (lib/crypt/).  The LUKS2 reader's
# files (headers and JSON, formats.md §5.1-§5.3) are listed on their own line.
DMBOOT_FORMAT_LUKS_COMMON_SRCS := formats/luks/luks.c formats/luks/luks1.c
DMBOOT_FORMAT_LUKS2_SRCS := formats/luks/luks2_json.c formats/luks/luks2_hdr.c
DMBOOT_FORMAT_LUKS_SRCS := $(DMBOOT_FORMAT_LUKS_COMMON_SRCS) $(DMBOOT_FORMAT_LUKS2_SRCS)
DMBOOT_FORMAT_READ_SRCS := $(DMBOOT_FORMAT_VERITY_READ_SRCS) $(DMBOOT_FORMAT_PART_SRCS) \
                           $(DMBOOT_FORMAT_DDI_SRCS) $(DMBOOT_FORMAT_LVM_SRCS) \
                           $(DMBOOT_FORMAT_BOOT_SRCS) $(DMBOOT_FORMAT_LUKS_SRCS)
DMBOOT_FORMAT_SRCS := $(DMBOOT_FORMAT_READ_SRCS) $(DMBOOT_FORMAT_VERITY_BUILD_SRCS)

# The boot flow of a bootloader: find the images on LVs or partitions,
# check their verity signatures, map them.  No image building.
# `make freestanding` links this subset on its own.
DMBOOT_BOOTLOADER_SRCS := $(DMBOOT_BASE_SRCS) $(DMBOOT_CORE_SRCS) $(DMBOOT_CONCISE_SRCS) $(DMBOOT_VERITY_CHECK_SRCS) \
                          $(DMBOOT_TARGET_SRCS) $(DMBOOT_FORMAT_READ_SRCS)

# Everything: what libdmboot.a holds.
DMBOOT_LIB_SRCS := $(DMBOOT_BASE_SRCS) $(DMBOOT_CORE_SRCS) $(DMBOOT_CONCISE_SRCS) \
                   $(DMBOOT_CORE_TEST_SRCS) $(DMBOOT_VERITY_SRCS) \
                   $(DMBOOT_TARGET_SRCS) $(DMBOOT_FORMAT_SRCS) $(DMBOOT_SHA256_SRCS)
