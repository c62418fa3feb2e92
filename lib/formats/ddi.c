// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Discoverable Disk Images (<dmboot/ddi.h>; formats.md §6): partition type
 * GUIDs of the UAPI Discoverable Partitions Specification for x86-64,
 * arm64, arm, riscv64 and x86 and the architecture-independent types (and
 * the two MBR types systemd reads), the GPT flags, systemd's choice among
 * several candidates and tiers of architectures, the generic root, verity
 * pairing by partition UUID, and the -verity-sig partition: NUL-padded JSON read with
 * bounds, its signature checked over the hex root hash before anything is
 * mapped.  The tables for root and usr, and the dm-mod.create= line that
 * has Linux build the same devices, come from the same code.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "formats.h"
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

/* ---- systemd's version order (strverscmp_improved) -------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool version_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static int cmp_int(long a, long b)
{
	return (a > b) - (a < b);
}

/* Documented in ddi_internal.h. */
int dmbi_ddi_version_cmp(const char *a, const char *b)
{
	static const char prefixes[] = { '-', '^', '.' };

	/*
	 * No shortcut for empty strings: "" is newer than "~1" and as new as
	 * "_", because '~' and the separators are handled before the end.
	 */
	for (;;) {
		const char *aa, *bb;
		int r;

		while (*a && !version_char(*a))
			a++;
		while (*b && !version_char(*b))
			b++;
		if (*a == '~' || *b == '~') {
			r = cmp_int(*a != '~', *b != '~');
			if (r)
				return r;
			a++;
			b++;
		}
		if (!*a || !*b)
			return cmp_int((unsigned char)*a, (unsigned char)*b);
		for (size_t i = 0; i < sizeof(prefixes); i++) {
			if (*a == prefixes[i] || *b == prefixes[i]) {
				r = cmp_int(*a != prefixes[i], *b != prefixes[i]);
				if (r)
					return r;
				a++;
				b++;
			}
		}
		if (is_digit(*a) || is_digit(*b)) {
			for (aa = a; is_digit(*aa); aa++)
				;
			for (bb = b; is_digit(*bb); bb++)
				;
			r = cmp_int(a != aa, b != bb);
			if (r)
				return r;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			r = cmp_int(aa - a, bb - b);
			if (!r)
				r = memcmp(a, b, (size_t)(aa - a));
			if (r)
				return r < 0 ? -1 : 1;
		} else {
			for (aa = a; is_alpha(*aa); aa++)
				;
			for (bb = b; is_alpha(*bb); bb++)
				;
			r = memcmp(a, b, (size_t)DMBI_MIN(aa - a, bb - b));
			if (!r)
				r = cmp_int(aa - a, bb - b);
			if (r)
				return r < 0 ? -1 : 1;
		}
		a = aa;
		b = bb;
	}
}

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

static void probe_fstype(struct dmb_bdev *part, enum dmb_ddi_designator d, char *out, size_t cap)
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

/* ---- dissection ------------------------------------------------------- */

void dmb_ddi_destroy(struct dmb_ddi *ddi)
{
	if (!ddi)
		return;
	for (int v = 0; v < 2; v++) {
		if (ddi->verity[v].signature)
			dmbi_wipe(ddi->verity[v].signature, ddi->verity[v].signature_size);
		dmb_port_free(ddi->verity[v].signature);
	}
	dmb_port_free(ddi->parts);
	dmb_part_table_destroy(ddi->table);
	dmb_port_free(ddi);
}

static const char *pname(const struct dmb_ddi_partition *p)
{
	return designator_names[p->designator];
}

/*
 * The architecture's rank, as systemd's compare_arch() orders them: 2 the
 * native one, 1 its secondary one, 0 any other (still usable: systemd-dissect
 * takes a foreign root when there is nothing better).
 */
static int arch_rank(const struct dmb_ddi_options *o, enum dmb_ddi_arch a)
{
	if (a == DMB_ARCH_UNKNOWN)
		return 0;
	if (a == o->arch)
		return 2;
	return a == dmb_ddi_arch_secondary(o->arch) ? 1 : 0;
}

static bool versioned(enum dmb_ddi_designator d)
{
	return d == DMB_DDI_ROOT || d == DMB_DDI_USR || d == DMB_DDI_ROOT_VERITY ||
	       d == DMB_DDI_USR_VERITY || d == DMB_DDI_ROOT_VERITY_SIG || d == DMB_DDI_USR_VERITY_SIG;
}

/* Is a better candidate than b for the same designator? */
static bool better(const struct dmb_ddi_options *o, const struct dmb_ddi_partition *a,
		   const struct dmb_ddi_partition *b)
{
	int ra = arch_rank(o, a->arch), rb = arch_rank(o, b->arch);

	if (ra != rb)
		return ra > rb;
	return versioned(a->designator) && dmbi_ddi_version_cmp(a->part->name, b->part->name) > 0;
}

/* Root, usr and their verity partitions come in tiers: 0 native, 1 secondary, 2 other. */
#define ANY_TIER (-1)

static int tier(const struct dmb_ddi_options *o, enum dmb_ddi_arch a)
{
	return 2 - arch_rank(o, a);
}

/*
 * Choose for designator d among the usable partitions of the tier (or of
 * any), those whose UUID is want_uuid when it is given.
 */
static const struct dmb_ddi_partition *choose(const struct dmb_ddi *ddi,
					      const struct dmb_ddi_options *o,
					      enum dmb_ddi_designator d, int in_tier,
					      const uint8_t *want_uuid)
{
	const struct dmb_ddi_partition *best = NULL;

	for (size_t i = 0; i < ddi->count; i++) {
		const struct dmb_ddi_partition *p = &ddi->parts[i];

		if (p->designator != d || p->no_auto)
			continue;
		if (in_tier != ANY_TIER && tier(o, p->arch) != in_tier)
			continue;
		if (want_uuid && memcmp(p->part->uuid, want_uuid, 16) != 0)
			continue;
		if (!best || better(o, p, best))
			best = p;
	}
	return best;
}

/*
 * A root hash names the data and -verity partitions by its first and last
 * 16 bytes; the specification rules out an all-zero UUID there (systemd
 * refuses such a root hash with EINVAL).
 */
static bool zero_uuid_in(const uint8_t *root_hash, size_t size)
{
	bool first = true, last = true;

	for (size_t i = 0; i < 16; i++) {
		first &= root_hash[i] == 0;
		last &= root_hash[size - 16 + i] == 0;
	}
	return first || last;
}

/* ---- the -verity-sig partition's JSON ---------------------------------- */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t json_skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && json_space(s[i]))
		i++;
	return i;
}

static bool json_escape(char c)
{
	switch (c) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': case 'u':
		return true;
	default:
		return false;
	}
}

/*
 * The helpers below take the offset where a token starts and return the
 * offset just past it, or 0 when it is malformed (a token is never empty,
 * so 0 is never a valid end).
 */
static size_t json_skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '"')
			return i + 1;
		if ((unsigned char)s[i] < 0x20)
			return 0;
		if (s[i] != '\\')
			continue;
		if (++i >= len || !json_escape(s[i]))
			return 0;
		for (int k = 0; s[i] == 'u' && k < 4; k++)
			if (i + 1 + (size_t)k >= len || dmbi_hex_digit(s[i + 1 + (size_t)k]) < 0)
				return 0;
		if (s[i] == 'u')
			i += 4;
	}
	return 0;
}

static size_t json_skip_digits(const char *s, size_t len, size_t i)
{
	while (i < len && is_digit(s[i]))
		i++;
	return i;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static size_t json_skip_number(const char *s, size_t len, size_t i)
{
	size_t j;

	if (i < len && s[i] == '-')
		i++;
	if (i >= len || !is_digit(s[i]))
		return 0;
	i = s[i] == '0' ? i + 1 : json_skip_digits(s, len, i);
	if (i < len && s[i] == '.') {
		j = json_skip_digits(s, len, i + 1);
		if (j == i + 1)
			return 0;
		i = j;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		j = json_skip_digits(s, len, i);
		if (j == i)
			return 0;
		i = j;
	}
	return i;
}

static size_t json_skip_word(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = dmbi_strlen(word);

	return len - i >= n && memcmp(s + i, word, n) == 0 ? i + n : 0;
}

/* A string, number, true, false or null. */
static size_t json_skip_scalar(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	switch (s[i]) {
	case '"':
		return json_skip_string(s, len, i);
	case 't':
		return json_skip_word(s, len, i, "true");
	case 'f':
		return json_skip_word(s, len, i, "false");
	case 'n':
		return json_skip_word(s, len, i, "null");
	default:
		return json_skip_number(s, len, i);
	}
}

/* A member's name, the ':' and the white space up to its value. */
static size_t json_skip_name(const char *s, size_t len, size_t i)
{
	if (i >= len || s[i] != '"')
		return 0;
	i = json_skip_string(s, len, i);
	if (!i)
		return 0;
	i = json_skip_space(s, len, i);
	return i < len && s[i] == ':' ? json_skip_space(s, len, i + 1) : 0;
}

/*
 * Is s[0..len) one JSON value (RFC 8259), with white space around it and
 * arrays and objects nested at most DMBI_DDI_SIG_MAX_DEPTH deep?  jsmn does
 * not validate, even strict: it takes {"a" "b"}, {"a":}, {"a":"b",},
 * [tru] and a value run into the next.  systemd's parser refuses them all,
 * so the text is checked before jsmn tokenizes it.  No recursion: a bit
 * per level says whether that level is an object.
 */
static int json_check(struct dmb_ctx *ctx, const char *who, const char *s, size_t len)
{
	uint64_t objects = 0;
	unsigned depth = 0;
	size_t i = json_skip_space(s, len, 0), at;

	for (;;) {
		/* A value starts at i. */
		at = i;
		if (i < len && (s[i] == '{' || s[i] == '[')) {
			bool object = s[i] == '{';

			if (depth == DMBI_DDI_SIG_MAX_DEPTH)
				return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						  "%s: JSON nested deeper than %u levels at byte %zu",
						  who, DMBI_DDI_SIG_MAX_DEPTH, at);
			objects = object ? objects | 1ull << depth : objects & ~(1ull << depth);
			depth++;
			i = json_skip_space(s, len, i + 1);
			if (i >= len || s[i] != (object ? '}' : ']')) {
				at = i;
				if (object && !(i = json_skip_name(s, len, i)))
					goto bad;
				continue;
			}
			depth--;
			i++;
		} else if (!(i = json_skip_scalar(s, len, i))) {
			goto bad;
		}
		/* After a value: a ',' and the next member or element, or the end of containers. */
		for (;;) {
			bool object;

			at = i = json_skip_space(s, len, i);
			if (depth == 0) {
				if (i == len)
					return 0;
				goto bad;
			}
			object = objects >> (depth - 1) & 1;
			if (i < len && s[i] == ',') {
				at = i = json_skip_space(s, len, i + 1);
				if (object && !(i = json_skip_name(s, len, i)))
					goto bad;
				break;
			}
			if (i >= len || s[i] != (object ? '}' : ']'))
				goto bad;
			depth--;
			i++;
		}
	}
bad:
	return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: malformed JSON at byte %zu", who, at);
}

/* A JSON string token's text; only "\/" is an escape a hex or base64 value may hold. */
static int json_string(struct dmb_ctx *ctx, const char *who, const char *json, const jsmntok_t *t,
		       char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	if (t->type != JSMN_STRING)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: a value is not a string", who);
	for (int i = t->start; i < t->end; i++) {
		char c = json[i];

		if (c == '\\') {
			if (i + 1 >= t->end || json[i + 1] != '/')
				return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						  "%s: unexpected escape in a string value", who);
			c = '/';
			i++;
		}
		if (n + 1 >= cap)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: string value longer than %zu bytes",
					  who, cap - 1);
		out[n++] = c;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

/* One past the last token of the value starting at token i. */
static int skip_value(const jsmntok_t *t, int n, int i)
{
	int end = t[i].end, j = i + 1;

	while (j < n && t[j].start < end)
		j++;
	return j;
}

/*
 * The -verity-sig partition: JSON padded with NUL bytes; after the first
 * NUL only NULs.  {"rootHash": hex, "signature": base64 DER,
 * "certificateFingerprint": hex (optional), ...}.  A member named twice is
 * refused: which of the two counts would otherwise be up to the reader.
 */
int dmbi_ddi_sig_json_parse(struct dmb_ctx *ctx, const char *who, const char *text, size_t len,
			   struct dmb_ddi_verity *v)
{
	jsmn_parser parser;
	jsmntok_t *tok = NULL;
	char *buf = NULL;
	size_t json_len = 0, blen;
	int ntok, r = 0;
	bool have_root = false, have_fingerprint = false;

	while (json_len < len && text[json_len])
		json_len++;
	for (size_t i = json_len; i < len; i++)
		if (text[i])
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: data after the JSON's end at byte %zu",
					  who, i);
	if (json_len == 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no JSON", who);
	r = json_check(ctx, who, text, json_len);
	if (r)
		return r;
	/* jsmn (strict) cannot end on a number, so say what is wrong before it would. */
	if (text[json_skip_space(text, json_len, 0)] != '{')
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: the JSON is not an object", who);
	jsmn_init(&parser);
	ntok = jsmn_parse(&parser, text, json_len, NULL, 0);
	if (ntok < 1)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: malformed JSON", who);
	if (ntok > DMBI_DDI_SIG_MAX_TOKENS)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: JSON of more than %d values", who,
				  DMBI_DDI_SIG_MAX_TOKENS);
	tok = dmbi_calloc((size_t)ntok + 1, sizeof(*tok));
	buf = dmb_port_malloc(json_len + 1);
	if (!tok || !buf) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", who);
		goto out;
	}
	jsmn_init(&parser);
	if (jsmn_parse(&parser, text, json_len, tok, (unsigned)ntok) != ntok ||
	    tok[0].type != JSMN_OBJECT) {
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: the JSON is not an object", who);
		goto out;
	}
	for (int i = 1; i < ntok && !r;) {
		const jsmntok_t *key = &tok[i], *val = &tok[i + 1];
		int klen = key->end - key->start;
		const char *k = text + key->start;

		if (i + 1 >= ntok || key->type != JSMN_STRING || key->size != 1) {
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: malformed JSON object", who);
			break;
		}
		if (klen == 8 && memcmp(k, "rootHash", 8) == 0) {
			if (have_root) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: two rootHash members", who);
				break;
			}
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			if (!r && (blen % 2 || blen / 2 < 16 || blen / 2 > DMB_MAX_DIGEST_SIZE ||
				   dmb_hex_decode(buf, v->root_hash, blen / 2) != 0))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: rootHash is not a hex digest", who);
			if (!r && zero_uuid_in(v->root_hash, blen / 2))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					       "%s: rootHash gives an all-zero partition UUID", who);
			/*
			 * Only a valid rootHash has a size: DMB_DDI_KEEP_GOING keeps
			 * going with what is here, and pairs partitions by it.
			 */
			if (!r)
				v->root_hash_size = blen / 2;
			have_root = true;
		} else if (klen == 9 && memcmp(k, "signature", 9) == 0) {
			if (v->signature) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: two signature members", who);
				break;
			}
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			if (!r) {
				v->signature = dmb_port_malloc(blen / 4 * 3 + 1);
				if (!v->signature)
					r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", who);
			}
			if (!r && (blen == 0 || dmbi_base64_decode(buf, blen, v->signature, blen / 4 * 3 + 1,
								  &v->signature_size) != 0))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: signature is not base64", who);
		} else if (klen == 22 && memcmp(k, "certificateFingerprint", 22) == 0) {
			if (have_fingerprint) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					       "%s: two certificateFingerprint members", who);
				break;
			}
			have_fingerprint = true;
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			for (size_t c = 0; !r && c < blen; c++)
				if (dmbi_hex_digit(buf[c]) < 0)
					blen = 0;
			if (!r && blen != 64)
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					       "%s: certificateFingerprint is not a SHA-256 hex digest", who);
			/* Kept in lower case, as systemd-repart writes it and ddi.h promises. */
			for (size_t c = 0; !r && c < 64; c++)
				v->cert_fingerprint[c] = buf[c] >= 'A' && buf[c] <= 'F' ?
								 (char)(buf[c] - 'A' + 'a') : buf[c];
			if (!r)
				v->cert_fingerprint[64] = '\0';
		}
		i = skip_value(tok, ntok, i + 1);
	}
	if (!r && !have_root)
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no rootHash", who);
	if (!r && !v->signature)
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no signature", who);
out:
	dmb_port_free(tok);
	dmb_port_free(buf);
	return r;
}
static int open_slice(struct dmb_ctx *ctx, struct dmb_bdev *disk, const struct dmb_ddi *ddi,
		      const struct dmb_ddi_partition *p, struct dmb_slice_bdev *sb)
{
	return dmb_part_slice(ctx, disk, ddi->table, p->part, sb);
}

/* Read, parse and verify the signature partition of verity v. */
static int load_signature(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
			  struct dmb_ddi_verity *v, const uint8_t *given, size_t given_size)
{
	const struct dmb_ddi_partition *sig = v->sig;
	struct dmb_slice_bdev sb;
	uint64_t bytes;
	char *text = NULL, hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	int r = open_slice(ctx, disk, ddi, sig, &sb);

	if (r)
		return r;
	bytes = dmb_bdev_bytes(&sb.bdev);
	if (bytes > DMB_DDI_MAX_SIG_PART_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s partition %u: %llu bytes, over %u",
				  pname(sig), sig->part->number, (unsigned long long)bytes,
				  DMB_DDI_MAX_SIG_PART_BYTES);
	text = dmb_port_malloc(bytes ? (size_t)bytes : 1);
	if (!text)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory reading %s", pname(sig));
	r = dmb_bdev_read_bytes(&sb.bdev, 0, (size_t)bytes, text);
	if (r) {
		r = dmb_ctx_set_error(ctx, r, "%s partition %u: read failed: %s", pname(sig),
			       sig->part->number, dmb_strerror(r));
		goto out;
	}
	{
		char who[40];

		dmbi_snprintf(who, sizeof(who), "%s partition %u", pname(sig), sig->part->number);
		r = dmbi_ddi_sig_json_parse(ctx, who, text, (size_t)bytes, v);
	}
	if (r)
		goto out;
	if (given_size && (given_size != v->root_hash_size ||
			   dmb_memcmp_ct(given, v->root_hash, given_size) != 0)) {
		r = dmb_ctx_set_error(ctx, DMB_EVERIFY,
			       "%s partition %u: the signed root hash differs from the one given",
			       pname(sig), sig->part->number);
		goto out;
	}
	if (!ctx->crypto || !ctx->crypto->ops || !ctx->crypto->ops->pkcs7_verify) {
		r = dmb_ctx_set_error(ctx, DMB_ENOTSUP, "%s: no signature verifier", pname(sig));
		goto out;
	}
	/* Signed is the root hash as the kernel's table carries it: lowercase hex. */
	dmb_hex_encode(v->root_hash, v->root_hash_size, hex);
	{
		struct dmb_ctx vctx = *ctx;

		vctx.err = 0;
		vctx.msg[0] = '\0';
		r = ctx->crypto->ops->pkcs7_verify(ctx->crypto, &vctx, v->signature,
						   v->signature_size, (const uint8_t *)hex,
						   2 * v->root_hash_size);
		if (r)
			dmb_ctx_set_error(ctx, r, "%s partition %u: %s", pname(sig), sig->part->number,
				   vctx.msg[0] ? vctx.msg : dmb_strerror(r));
	}
out:
	dmb_port_free(text);
	return r;
}

static const enum dmb_ddi_designator data_d[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
static const enum dmb_ddi_designator hash_d[2] = { DMB_DDI_ROOT_VERITY, DMB_DDI_USR_VERITY };
static const enum dmb_ddi_designator sig_d[2] = { DMB_DDI_ROOT_VERITY_SIG, DMB_DDI_USR_VERITY_SIG };

/* A root hash the caller gave for root or usr (v = 0, 1) must be able to name partitions. */
static int check_given(struct dmb_ctx *ctx, const struct dmb_ddi_options *o, int v)
{
	size_t n = o->root_hash_size[v];

	if (n == 0)
		return 0;
	if (n < 16 || n > DMB_MAX_DIGEST_SIZE)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s: root hash of %zu bytes",
				  designator_names[data_d[v]], n);
	if (zero_uuid_in(o->root_hash[v], n))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
				  "%s: the root hash gives an all-zero partition UUID",
				  designator_names[data_d[v]]);
	return 0;
}

/*
 * The tier root or usr (v = 0, 1) is taken from, as systemd takes it: the
 * first of the tiers tried with a data partition.  A -verity or -verity-sig
 * partition in a native or secondary tier tried before it, without a data
 * partition there, makes the image inconsistent; in the other tier it is
 * ignored.  *out is ANY_TIER when no tier has a data partition.
 * Given a root hash, systemd passes over the partitions it does not name:
 * so the first tier with the data partition it names wins.  When no tier
 * has one, the tier is chosen as without it, and pairing then refuses the
 * root hash as naming no partition.
 */
static int pick_tier(struct dmb_ctx *ctx, const struct dmb_ddi *ddi,
		     const struct dmb_ddi_options *o, int v, const int *tiers, size_t n, int *out)
{
	const uint8_t *given = o->root_hash_size[v] && check_given(NULL, o, v) == 0 ?
			       o->root_hash[v] : NULL;

	*out = ANY_TIER;
	for (size_t i = 0; given && i < n; i++) {
		if (choose(ddi, o, data_d[v], tiers[i], given)) {
			*out = tiers[i];
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct dmb_ddi_partition *orphan;

		if (choose(ddi, o, data_d[v], tiers[i], NULL)) {
			*out = tiers[i];
			return 0;
		}
		if (tiers[i] == 2)
			continue;
		orphan = choose(ddi, o, hash_d[v], tiers[i], NULL);
		if (!orphan && !(o->flags & DMB_DDI_IGNORE_SIGNATURE))
			orphan = choose(ddi, o, sig_d[v], tiers[i], NULL);
		if (orphan)
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s partition %u without a %s partition",
					  pname(orphan), orphan->part->number,
					  designator_names[data_d[v]]);
	}
	return 0;
}

/*
 * Root or usr (v = 0, 1) from tier t: the signature, the root hash, the
 * pairing by UUID, and the choice of data and hash partitions that follows
 * from it.
 */
static int setup_verity(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
			const struct dmb_ddi_options *o, int v, int t)
{
	struct dmb_ddi_verity *vy = &ddi->verity[v];
	const struct dmb_ddi_partition *any_hash;
	const uint8_t *want_data = NULL, *want_hash = NULL;
	int r;

	/*
	 * Without a data partition there is nothing to pair, but a root hash
	 * given for it still has to find one.
	 */
	if (t == ANY_TIER) {
		r = check_given(ctx, o, v);
		if (!r && o->root_hash_size[v])
			r = dmb_ctx_set_error(ctx, DMB_EVERIFY,
				       "%s: no %s partition has the UUID the root hash gives",
				       designator_names[data_d[v]], designator_names[data_d[v]]);
		return r;
	}
	vy->sig = (o->flags & DMB_DDI_IGNORE_SIGNATURE) ? NULL : choose(ddi, o, sig_d[v], t, NULL);
	/*
	 * An inconsistent image is refused as that (DMB_EINVAL) before any
	 * root hash picks partitions by UUID, which would make the same image
	 * a verification failure once its signature is read.
	 */
	any_hash = choose(ddi, o, hash_d[v], t, NULL);
	if (vy->sig && !any_hash)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s partition %u without a %s partition",
				  pname(vy->sig), vy->sig->part->number, designator_names[hash_d[v]]);
	if (vy->sig) {
		struct dmb_ctx sctx = *ctx;

		sctx.err = 0;
		sctx.msg[0] = '\0';
		r = load_signature(&sctx, disk, ddi, vy, o->root_hash[v], o->root_hash_size[v]);
		if (r == DMB_ENOMEM || (r && !(o->flags & DMB_DDI_KEEP_GOING)))
			return dmb_ctx_set_error(ctx, r, "%s", sctx.msg);
		if (r) {
			vy->sig_err = r;
			memcpy(vy->sig_msg, sctx.msg, sizeof(vy->sig_msg));
			if (!vy->signature || vy->root_hash_size == 0)
				vy->root_hash_size = 0;
			vy->state = vy->root_hash_size ? DMB_DDI_VERITY_UNVERIFIED :
							 DMB_DDI_VERITY_NONE;
		} else {
			vy->state = DMB_DDI_VERITY_SIGNED;
		}
	} else if (o->root_hash_size[v]) {
		r = check_given(ctx, o, v);
		if (r)
			return r;
		memcpy(vy->root_hash, o->root_hash[v], o->root_hash_size[v]);
		vy->root_hash_size = o->root_hash_size[v];
		vy->state = DMB_DDI_VERITY_EXTERNAL;
	}
	if (vy->root_hash_size) {
		want_data = vy->root_hash;
		want_hash = vy->root_hash + vy->root_hash_size - 16;
	}
	vy->data = choose(ddi, o, data_d[v], t, want_data);
	vy->hash = choose(ddi, o, hash_d[v], t, want_hash);
	if (vy->root_hash_size && (!vy->data || !vy->hash)) {
		return dmb_ctx_set_error(ctx, DMB_EVERIFY,
				  "%s: no %s partition has the UUID the root hash gives",
				  designator_names[data_d[v]],
				  !vy->data ? designator_names[data_d[v]] : designator_names[hash_d[v]]);
	}
	if (vy->hash && vy->state == DMB_DDI_VERITY_NONE)
		vy->state = DMB_DDI_VERITY_AVAILABLE;
	if ((o->flags & DMB_DDI_REQUIRE_SIGNATURE) && vy->data && vy->state != DMB_DDI_VERITY_SIGNED)
		return dmb_ctx_set_error(ctx, DMB_ENOKEY, "%s partition %u: no verity signature, and one is required",
				  designator_names[data_d[v]], vy->data->part->number);
	ddi->chosen[data_d[v]] = vy->data;
	ddi->chosen[hash_d[v]] = vy->hash;
	ddi->chosen[sig_d[v]] = vy->sig;
	return 0;
}

/*
 * What systemd makes of an MBR partition: a bootable Linux one (0x83 with
 * the boot flag) is generic Linux data, an 0xEA one is XBOOTLDR; the rest,
 * the ESP (0xEF) included, is nothing.
 */
static int mbr_classify(const struct dmb_part *p, enum dmb_ddi_designator *d)
{
	if (p->mbr_type == 0x83 && p->bootable)
		*d = DMB_DDI_LINUX_GENERIC;
	else if (p->mbr_type == 0xea)
		*d = DMB_DDI_XBOOTLDR;
	else
		return DMB_ENOENT;
	return 0;
}

/*
 * With neither a root nor a usr partition, systemd takes the one generic
 * Linux data partition that is not no-auto (on MBR the one bootable 0x83
 * partition) as root: of no architecture, without verity.  Two of them
 * are ambiguous.  The partition becomes a root partition here.
 */
static int generic_root(struct dmb_ctx *ctx, struct dmb_ddi *ddi, const struct dmb_ddi_options *o)
{
	struct dmb_ddi_partition *found = NULL;

	if (ddi->chosen[DMB_DDI_ROOT] || ddi->chosen[DMB_DDI_USR])
		return 0;
	for (size_t i = 0; i < ddi->count; i++) {
		struct dmb_ddi_partition *p = &ddi->parts[i];

		if (p->designator != DMB_DDI_LINUX_GENERIC || p->no_auto)
			continue;
		if (found)
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "no root partition, and more than one generic Linux partition (%u and %u) to use as root",
					  found->part->number, p->part->number);
		found = p;
	}
	if (!found)
		return 0;
	if (o->flags & DMB_DDI_REQUIRE_SIGNATURE)
		return dmb_ctx_set_error(ctx, DMB_ENOKEY,
				  "root partition %u: no verity signature, and one is required",
				  found->part->number);
	found->designator = DMB_DDI_ROOT;
	ddi->chosen[DMB_DDI_ROOT] = found;
	ddi->verity[0].data = found;
	return 0;
}

int dmb_ddi_dissect(struct dmb_ctx *ctx, struct dmb_bdev *disk, const struct dmb_ddi_options *o,
		    struct dmb_ddi **out)
{
	struct dmb_ddi *ddi;
	int r;

	*out = NULL;
	ddi = dmbi_calloc(1, sizeof(*ddi));
	if (!ddi)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory dissecting an image");
	r = dmb_part_table_load(ctx, disk, 0, &ddi->table);
	if (r)
		goto fail;
	ddi->parts = dmbi_calloc(ddi->table->count ? ddi->table->count : 1, sizeof(*ddi->parts));
	if (!ddi->parts) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory dissecting an image");
		goto fail;
	}
	for (size_t i = 0; i < ddi->table->count; i++) {
		const struct dmb_part *p = &ddi->table->parts[i];
		struct dmb_ddi_partition *dp = &ddi->parts[ddi->count];
		struct dmb_slice_bdev sb;

		if (ddi->table->label == DMB_PART_MBR) {
			if (mbr_classify(p, &dp->designator) != 0)
				continue;
			dp->arch = DMB_ARCH_UNKNOWN;
		} else {
			if (dmb_ddi_classify(p->type_guid, &dp->designator, &dp->arch) != 0)
				continue;
			dp->no_auto = (p->attrs & DMB_GPT_FLAG_NO_AUTO) != 0;
			dp->read_only = (p->attrs & DMB_GPT_FLAG_READ_ONLY) != 0;
			dp->growfs = (p->attrs & DMB_GPT_FLAG_GROWFS) != 0;
		}
		dp->part = p;
		/* The spec's flags mean nothing on an ESP; bit 1 there makes it ignored. */
		if (dp->designator == DMB_DDI_ESP) {
			dp->no_auto = (p->attrs & DMB_GPT_FLAG_NO_BLOCK_IO) != 0;
			dp->read_only = dp->growfs = false;
		}
		if (dmb_part_slice(NULL, disk, ddi->table, p, &sb) == 0)
			probe_fstype(&sb.bdev, dp->designator, dp->fstype, sizeof(dp->fstype));
		ddi->count++;
	}
	/*
	 * Tiers as systemd promotes them: root from the best tier that has one;
	 * usr from root's tier (from the other tier, then the secondary one),
	 * or without a root from the best tier that has one.
	 */
	{
		static const int all[] = { 0, 1, 2 }, other_then_secondary[] = { 2, 1 };
		int troot, tusr;

		r = pick_tier(ctx, ddi, o, 0, all, 3, &troot);
		if (!r && troot == ANY_TIER)
			r = pick_tier(ctx, ddi, o, 1, all, 3, &tusr);
		else if (!r && troot == 2)
			r = pick_tier(ctx, ddi, o, 1, other_then_secondary, 2, &tusr);
		else if (!r)
			r = pick_tier(ctx, ddi, o, 1, &troot, 1, &tusr);
		if (!r)
			r = setup_verity(ctx, disk, ddi, o, 0, troot);
		if (!r)
			r = setup_verity(ctx, disk, ddi, o, 1, tusr);
		if (r)
			goto fail;
	}
	if (ddi->chosen[DMB_DDI_ROOT] && ddi->chosen[DMB_DDI_USR] &&
	    ddi->chosen[DMB_DDI_ROOT]->arch != ddi->chosen[DMB_DDI_USR]->arch) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "root and usr partitions of different architectures");
		goto fail;
	}
	/*
	 * As systemd: one verity partition per image, and a verity root
	 * cannot come with a separate usr (a verity-less root with a verity
	 * usr is fine).
	 */
	if (ddi->chosen[DMB_DDI_ROOT_VERITY] && ddi->chosen[DMB_DDI_USR_VERITY]) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "both root and usr have verity partitions");
		goto fail;
	}
	if (ddi->chosen[DMB_DDI_ROOT_VERITY] && ddi->chosen[DMB_DDI_USR]) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "a verity root with a separate usr partition");
		goto fail;
	}
	r = generic_root(ctx, ddi, o);
	if (r)
		goto fail;
	/* A generic Linux partition is root or nothing. */
	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++)
		if (!ddi->chosen[d] && d != DMB_DDI_ROOT && d != DMB_DDI_USR &&
		    d != DMB_DDI_ROOT_VERITY && d != DMB_DDI_USR_VERITY &&
		    d != DMB_DDI_ROOT_VERITY_SIG && d != DMB_DDI_USR_VERITY_SIG &&
		    d != DMB_DDI_LINUX_GENERIC)
			ddi->chosen[d] = choose(ddi, o, (enum dmb_ddi_designator)d, ANY_TIER, NULL);
	*out = ddi;
	return 0;
fail:
	dmb_ddi_destroy(ddi);
	return r;
}

/* ---- tables and the kernel command line ------------------------------- */

/* Room for a partition name (an image path and ":pN", or PARTUUID=). */
#define DDI_NAME_MAX 4096u

static void part_name(const struct dmb_ddi *ddi, const struct dmb_ddi_partition *p,
		      enum dmb_ddi_names names, const char *image, char *out, size_t cap)
{
	char uuid[DMB_PART_UUID_MAX];

	if (names == DMB_DDI_NAMES_PARTUUID) {
		dmb_part_uuid(ddi->table, p->part, uuid);
		dmbi_snprintf(out, cap, "PARTUUID=%s", uuid);
	} else {
		dmbi_snprintf(out, cap, "%s:p%u", image, p->part->number);
	}
}

static int make_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		      const struct dmb_ddi_verity *v, const struct dmb_ddi_partition *data,
		      enum dmb_ddi_names names, const char *image, char *dname, char *hname,
		      struct dmb_table *t, char *root_hex, bool *read_only)
{
	uint64_t data_sectors;
	int r;

	part_name(ddi, data, names, image, dname, DDI_NAME_MAX);
	data_sectors = data->part->lba_count * (ddi->table->sector_size / 512);
	if (v->hash && v->root_hash_size) {
		struct dmb_verity_params p;
		struct dmb_verity_geometry g;
		struct dmb_slice_bdev hs;
		uint64_t need;

		r = open_slice(ctx, disk, ddi, v->hash, &hs);
		if (!r)
			r = dmb_verity_sb_load(ctx, &hs.bdev, 0, &p);
		if (r == DMB_ENOENT)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s partition %u: no verity superblock",
					  pname(v->hash), v->hash->part->number);
		if (!r)
			r = dmb_verity_geometry(ctx, &p, &g);
		if (r)
			return r;
		if (g.digest_size != v->root_hash_size)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: %s digests are %zu bytes, the root hash %zu",
					  pname(v->hash), v->hash->part->number, p.hash_name,
					  g.digest_size, v->root_hash_size);
		if (!dmbi_mul_u64(p.data_blocks, p.data_block_size / 512, &need) || need > data_sectors)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: %llu data blocks do not fit the %s partition",
					  pname(v->hash), v->hash->part->number,
					  (unsigned long long)p.data_blocks, pname(data));
		if (!dmbi_mul_u64(g.hash_end, p.hash_block_size, &need) ||
		    need > dmb_bdev_bytes(&hs.bdev))
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s partition %u: the hash tree runs past the partition",
					  pname(v->hash), v->hash->part->number);
		part_name(ddi, v->hash, names, image, hname, DDI_NAME_MAX);
		dmb_hex_encode(v->root_hash, v->root_hash_size, root_hex);
		*read_only = true;
		return dmb_verity_table_add(ctx, t, &p, dname, hname, root_hex);
	} else {
		const char *argv[2] = { dname, "0" };

		*read_only = data->read_only;
		return dmb_table_add_argv(ctx, t, 0, data_sectors, "linear", 2, argv);
	}
}

int dmb_ddi_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		  enum dmb_ddi_designator which, enum dmb_ddi_names names, const char *image,
		  struct dmb_table **out, bool *read_only)
{
	const struct dmb_ddi_verity *v;
	const struct dmb_ddi_partition *data;
	char *dname, *hname, root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	int r;

	*out = NULL;
	if (which != DMB_DDI_ROOT && which != DMB_DDI_USR)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "only root and usr are mapped");
	v = &ddi->verity[which == DMB_DDI_USR];
	data = ddi->chosen[which];
	if (!data)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no %s partition", designator_names[which]);
	/* A root hash from a signature that did not verify maps nothing. */
	if (v->state == DMB_DDI_VERITY_UNVERIFIED)
		return dmb_ctx_set_error(ctx, DMB_EVERIFY, "%s: the root hash signature did not verify",
				  designator_names[which]);
	if (names == DMB_DDI_NAMES_IMAGE && (!image || dmbi_strlen(image) > DDI_NAME_MAX - 16))
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "no usable image name");
	/* Names are on the heap: a bootloader's stack is small. */
	dname = dmb_port_malloc(2 * DDI_NAME_MAX);
	if (!dname)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a table");
	hname = dname + DDI_NAME_MAX;
	r = dmb_table_create(ctx, out);
	if (!r)
		r = make_table(ctx, ddi, disk, v, data, names, image, dname, hname, *out, root_hex,
			       read_only);
	if (r) {
		dmb_table_destroy(*out);
		*out = NULL;
	}
	dmb_port_free(dname);
	return r;
}

int dmb_ddi_cmdline(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		    char *buf, size_t cap)
{
	static const enum dmb_ddi_designator which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	char dm_names[2][5] = { "root", "usr" }, no_uuid[1] = "";
	struct dmb_concise_dev devs[2] = { 0 };
	struct dmbi_strbuf sb;
	char *spec = NULL;
	size_t ndev = 0, len;
	int r = 0;

	if (!ddi->chosen[DMB_DDI_ROOT])
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "no root partition");
	for (int i = 0; i < 2 && !r; i++) {
		bool ro = true;

		if (!ddi->chosen[which[i]])
			continue;
		r = dmb_ddi_table(ctx, ddi, disk, which[i], DMB_DDI_NAMES_PARTUUID, NULL,
				  &devs[ndev].table, &ro);
		devs[ndev].name = dm_names[i];
		devs[ndev].uuid = no_uuid;
		devs[ndev].minor = -1;
		devs[ndev].read_only = ro;
		if (!r)
			ndev++;
	}
	if (r)
		goto out;
	r = dmb_concise_format(ctx, devs, ndev, DMB_CONCISE_KERNEL, NULL, 0);
	if (r < 0)
		goto out;
	len = (size_t)r;
	spec = dmb_port_malloc(len + 1);
	if (!spec) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for the command line");
		goto out;
	}
	/* It allocates again, so it can fail again; spec is unset then. */
	r = dmb_concise_format(ctx, devs, ndev, DMB_CONCISE_KERNEL, spec, len + 1);
	if (r < 0)
		goto out;
	dmbi_strbuf_init(&sb, buf, cap);
	dmbi_strbuf_printf(&sb, "dm-mod.create=\"%s\" root=/dev/dm-0", spec);
	if (ndev == 2)
		dmbi_strbuf_puts(&sb, " mount.usr=/dev/dm-1");
	dmbi_strbuf_puts(&sb, " dm-mod.waitfor=");
	{
		bool first = true;

		for (int i = 0; i < 2; i++) {
			const struct dmb_ddi_verity *v = &ddi->verity[i];
			const struct dmb_ddi_partition *ps[2] = { ddi->chosen[which[i]],
								   v->root_hash_size ? v->hash : NULL };

			for (int k = 0; k < 2; k++) {
				char uuid[DMB_PART_UUID_MAX];

				if (!ps[k])
					continue;
				dmb_part_uuid(ddi->table, ps[k]->part, uuid);
				dmbi_strbuf_printf(&sb, "%sPARTUUID=%s", first ? "" : ",", uuid);
				first = false;
			}
		}
	}
	r = sb.len > (size_t)INT32_MAX ? dmb_ctx_set_error(ctx, DMB_ERANGE, "command line too long") :
					 (int)sb.len;
out:
	for (size_t i = 0; i < 2; i++)
		dmb_table_destroy(devs[i].table);
	dmb_port_free(spec);
	return r;
}
