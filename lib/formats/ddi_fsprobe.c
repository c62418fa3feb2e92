// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The file system of a partition by its magic, as systemd-dissect reports
 * it (squashfs, erofs, ext2/3/4, xfs, btrfs, vfat, swap, a verity hash
 * device or a verity signature).  Informational only: nothing is mounted
 * or trusted by it.
 */
#include "ddi_internal.h"

/* ---- file systems by magic -------------------------------------------- */

/*
 * The ext family by its superblock feature words, as blkid names it: a
 * feature that ext3 does not know makes it ext4, else a journal makes it
 * ext3, else a feature that ext2 does not know leaves it unnamed.
 */
static const char *ext_name(const uint8_t *sb)
{
	const uint32_t compat = dmbi_get_le32(sb + 0x5c), incompat = dmbi_get_le32(sb + 0x60);
	const uint32_t ro_compat = dmbi_get_le32(sb + 0x64);
	const uint32_t has_journal = 0x4, journal_dev = 0x8;
	/* sparse_super, large_file, btree_dir; filetype, (recover,) meta_bg */
	const uint32_t ro_known = 0x7, ext2_incompat = 0x12, ext3_incompat = 0x16;

	if (incompat & journal_dev)
		return "jbd";
	if ((ro_compat & ~ro_known) || (incompat & ~ext3_incompat))
		return "ext4";
	if (compat & has_journal)
		return "ext3";
	if (incompat & ~ext2_incompat)
		return "";
	return "ext2";
}

void dmbi_ddi_probe_fstype(struct dmb_bdev *part, enum dmb_ddi_designator d, char *out, size_t cap)
{
	uint8_t buf[4096], b2[72];
	uint64_t bytes = dmb_bdev_bytes(part);
	const char *fs = "";

	out[0] = '\0';
	if (bytes < sizeof(buf) || dmb_bdev_read_bytes(part, 0, sizeof(buf), buf) != 0)
		return;
	if (memcmp(buf, "hsqs", 4) == 0)
		fs = "squashfs";
	else if (dmbi_get_le32(buf + 1024) == 0xe0f5e1e2u)
		fs = "erofs";
	else if (dmbi_get_le16(buf + 1080) == 0xef53)
		fs = ext_name(buf + 1024);
	else if (memcmp(buf, "XFSB", 4) == 0)
		fs = "xfs";
	else if (memcmp(buf, "verity\0\0", 8) == 0)
		fs = "DM_verity_hash";
	else if (memcmp(buf + 4086, "SWAPSPACE2", 10) == 0 || memcmp(buf + 4086, "SWAP-SPACE", 10) == 0)
		fs = "swap";
	else if (buf[510] == 0x55 && buf[511] == 0xaa &&
		 (memcmp(buf + 54, "FAT1", 4) == 0 || memcmp(buf + 82, "FAT32", 5) == 0))
		fs = "vfat";
	else if ((d == DMB_DDI_ROOT_VERITY_SIG || d == DMB_DDI_USR_VERITY_SIG) && buf[0] == '{')
		fs = "verity_hash_signature";
	else if (bytes >= 65536 + sizeof(b2) && dmb_bdev_read_bytes(part, 65536, sizeof(b2), b2) == 0 &&
		 memcmp(b2 + 64, "_BHRfS_M", 8) == 0)
		fs = "btrfs";
	dmbi_snprintf(out, cap, "%s", fs);
}
