// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Discoverable Partitions Specification types (docs/formats.md §6.1): the
 * partition type GUIDs of root, usr and their verity and verity-sig
 * partitions for x86-64, arm64, arm, riscv64 and x86, the
 * architecture-independent types, the names of architectures and
 * designators, and what systemd makes of the two MBR types it reads.
 */
#include "ddi_internal.h"

/* ---- architectures and designators ----------------------------------- */

static const char *const arch_names[DMB_ARCH_COUNT] = {
	[DMB_ARCH_X86_64] = "x86-64", [DMB_ARCH_ARM64] = "arm64", [DMB_ARCH_ARM] = "arm",
	[DMB_ARCH_RISCV64] = "riscv64", [DMB_ARCH_X86] = "x86",
};

const char *dmb_ddi_arch_name(enum dmb_ddi_arch arch)
{
	return arch > DMB_ARCH_UNKNOWN && arch < DMB_ARCH_COUNT ? arch_names[arch] : NULL;
}

enum dmb_ddi_arch dmb_ddi_arch_parse(const char *name)
{
	if (!name)
		return DMB_ARCH_UNKNOWN;
	static const struct {
		const char *name;
		enum dmb_ddi_arch arch;
	} aliases[] = {
		{ "x86_64", DMB_ARCH_X86_64 }, { "amd64", DMB_ARCH_X86_64 },
		{ "aarch64", DMB_ARCH_ARM64 }, { "armv7l", DMB_ARCH_ARM },
		{ "i386", DMB_ARCH_X86 }, { "i486", DMB_ARCH_X86 }, { "i586", DMB_ARCH_X86 },
		{ "i686", DMB_ARCH_X86 },
	};

	for (int a = DMB_ARCH_X86_64; a < DMB_ARCH_COUNT; a++)
		if (dmbi_strcmp(name, arch_names[a]) == 0)
			return (enum dmb_ddi_arch)a;
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(aliases); i++)
		if (dmbi_strcmp(name, aliases[i].name) == 0)
			return aliases[i].arch;
	return DMB_ARCH_UNKNOWN;
}

enum dmb_ddi_arch dmb_ddi_arch_secondary(enum dmb_ddi_arch native)
{
	return native == DMB_ARCH_X86_64 ? DMB_ARCH_X86 :
	       native == DMB_ARCH_ARM64 ? DMB_ARCH_ARM : DMB_ARCH_UNKNOWN;
}

static const char *const designator_names[DMB_DDI_DESIGNATOR_COUNT] = {
	[DMB_DDI_ROOT] = "root", [DMB_DDI_USR] = "usr", [DMB_DDI_HOME] = "home",
	[DMB_DDI_SRV] = "srv", [DMB_DDI_ESP] = "esp", [DMB_DDI_XBOOTLDR] = "xbootldr",
	[DMB_DDI_SWAP] = "swap", [DMB_DDI_ROOT_VERITY] = "root-verity",
	[DMB_DDI_USR_VERITY] = "usr-verity", [DMB_DDI_ROOT_VERITY_SIG] = "root-verity-sig",
	[DMB_DDI_USR_VERITY_SIG] = "usr-verity-sig", [DMB_DDI_TMP] = "tmp", [DMB_DDI_VAR] = "var",
	[DMB_DDI_LINUX_GENERIC] = "linux-generic",
};

const char *dmb_ddi_designator_name(enum dmb_ddi_designator d)
{
	return d < DMB_DDI_DESIGNATOR_COUNT ? designator_names[d] : NULL;
}

/* formats.md §6.1: per architecture, root, usr, their verity and verity-sig. */
static const struct {
	enum dmb_ddi_arch arch;
	const char *guid[6];
} arch_types[] = {
	{ DMB_ARCH_X86_64, { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "8484680c-9521-48c6-9c11-b0720656f69e",
			     "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", "77ff5f63-e7b6-4633-acf4-1565b864c0e6",
			     "41092b05-9fc8-4523-994f-2def0408b176", "e7bb33fb-06cf-4e81-8273-e543b413e2e2" } },
	{ DMB_ARCH_ARM64, { "b921b045-1df0-41c3-af44-4c6f280d3fae", "b0e01050-ee5f-4390-949a-9101b17104e9",
			    "df3300ce-d69f-4c92-978c-9bfb0f38d820", "6e11a4e7-fbca-4ded-b9e9-e1a512bb664e",
			    "6db69de6-29f4-4758-a7a5-962190f00ce3", "c23ce4ff-44bd-4b00-b2d4-b41b3419e02a" } },
	{ DMB_ARCH_ARM, { "69dad710-2ce4-4e3c-b16c-21a1d49abed3", "7d0359a3-02b3-4f0a-865c-654403e70625",
			  "7386cdf2-203c-47a9-a498-f2ecce45a2d6", "c215d751-7bcd-4649-be90-6627490a4c05",
			  "42b0455f-eb11-491d-98d3-56145ba9d037", "d7ff812f-37d1-4902-a810-d76ba57b975a" } },
	{ DMB_ARCH_RISCV64, { "72ec70a6-cf74-40e6-bd49-4bda08e8f224", "beaec34b-8442-439b-a40b-984381ed097d",
			      "b6ed5582-440b-4209-b8da-5ff7c419ea3d", "8f1056be-9b05-47c4-81d6-be53128e5b54",
			      "efe0f087-ea8d-4469-821a-4c2a96a8386a", "d2f9000a-7a18-453f-b5cd-4d32f77a7b32" } },
	{ DMB_ARCH_X86, { "44479540-f297-41b2-9af7-d131d5f0458a", "75250d76-8cc6-458e-bd66-bd47cc81a812",
			  "d13c5d3b-b5d1-422a-b29f-9454fdc89d76", "8f461b0d-14ee-4e81-9aa9-049b6fb97abd",
			  "5996fc05-109c-48de-808b-23fa0830b676", "974a71c0-de41-43c3-be5d-5c5ccd1ad2c0" } },
};

static const enum dmb_ddi_designator arch_type_designator[6] = {
	DMB_DDI_ROOT, DMB_DDI_USR, DMB_DDI_ROOT_VERITY, DMB_DDI_USR_VERITY,
	DMB_DDI_ROOT_VERITY_SIG, DMB_DDI_USR_VERITY_SIG,
};

static const struct {
	enum dmb_ddi_designator d;
	const char *guid;
} generic_types[] = {
	{ DMB_DDI_ESP, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" },
	{ DMB_DDI_XBOOTLDR, "bc13c2ff-59e6-4262-a352-b275fd6f7172" },
	{ DMB_DDI_SWAP, "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f" },
	{ DMB_DDI_HOME, "933ac7e1-2eb4-4f13-b844-0e14e2aef915" },
	{ DMB_DDI_SRV, "3b8f8425-20e0-4f3b-907f-1a25a76f98e8" },
	{ DMB_DDI_VAR, "4d21b016-b534-45c2-a9fb-5c16e091fd2d" },
	{ DMB_DDI_TMP, "7ec6f557-3bc5-4aca-b293-16ef5df639d1" },
	{ DMB_DDI_LINUX_GENERIC, "0fc63daf-8483-4772-8e79-3d69d8477de4" },
};

static bool guid_is(const uint8_t guid[16], const char *text)
{
	uint8_t g[16];

	return dmb_guid_parse(text, g) == 0 && memcmp(g, guid, 16) == 0;
}

int dmb_ddi_classify(const uint8_t type_guid[16], enum dmb_ddi_designator *d,
		     enum dmb_ddi_arch *arch)
{
	for (size_t a = 0; a < DMBI_ARRAY_SIZE(arch_types); a++)
		for (size_t k = 0; k < 6; k++)
			if (guid_is(type_guid, arch_types[a].guid[k])) {
				*d = arch_type_designator[k];
				*arch = arch_types[a].arch;
				return 0;
			}
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(generic_types); i++)
		if (guid_is(type_guid, generic_types[i].guid)) {
			*d = generic_types[i].d;
			*arch = DMB_ARCH_UNKNOWN;
			return 0;
		}
	return DMB_ENOENT;
}

const char *dmbi_ddi_pname(const struct dmb_ddi_partition *p)
{
	return designator_names[p->designator];
}

/*
 * What systemd makes of an MBR partition: a bootable Linux one (0x83 with
 * the boot flag) is generic Linux data, an 0xEA one is XBOOTLDR; the rest,
 * the ESP (0xEF) included, is nothing.
 */
int dmbi_ddi_mbr_classify(const struct dmb_part *p, enum dmb_ddi_designator *d)
{
	if (p->mbr_type == 0x83 && p->bootable)
		*d = DMB_DDI_LINUX_GENERIC;
	else if (p->mbr_type == 0xea)
		*d = DMB_DDI_XBOOTLDR;
	else
		return DMB_ENOENT;
	return 0;
}

