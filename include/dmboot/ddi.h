/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Discoverable Disk Images (formats.md §6): the partitions of a GPT disk
 * classified by the UAPI Discoverable Partitions Specification (or of an
 * MBR disk, as systemd reads one), the one
 * partition chosen for each designator as systemd chooses it, the verity
 * pairing of root and usr with their hash and signature partitions, the
 * signature checked before anything is mapped, and the tables that map
 * root and usr -- for dmboot itself, and as the dm-mod.create= line that
 * makes Linux build the same devices at boot.
 */
#ifndef DMBOOT_DDI_H
#define DMBOOT_DDI_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/ddi.h>"
#endif

/* Architectures whose partition types dmboot knows (formats.md §6.1). */
enum dmb_ddi_arch {
	DMB_ARCH_UNKNOWN = 0,  /* also: an architecture-independent partition type */
	DMB_ARCH_X86_64,
	DMB_ARCH_ARM64,
	DMB_ARCH_ARM,
	DMB_ARCH_RISCV64,
	DMB_ARCH_X86,
	DMB_ARCH_COUNT,
};

/* systemd's names: "x86-64", "arm64", "arm", "riscv64", "x86"; NULL for UNKNOWN. */
const char *dmb_ddi_arch_name(enum dmb_ddi_arch arch);
/* The reverse (also "x86_64", "aarch64", "i386"..."i686"); DMB_ARCH_UNKNOWN if none. */
enum dmb_ddi_arch dmb_ddi_arch_parse(const char *name);
/* The architecture a native one also runs, as systemd pairs them (x86-64: x86,
 * arm64: arm), or DMB_ARCH_UNKNOWN. */
enum dmb_ddi_arch dmb_ddi_arch_secondary(enum dmb_ddi_arch native);

enum dmb_ddi_designator {
	DMB_DDI_ROOT,
	DMB_DDI_USR,
	DMB_DDI_HOME,
	DMB_DDI_SRV,
	DMB_DDI_ESP,
	DMB_DDI_XBOOTLDR,
	DMB_DDI_SWAP,
	DMB_DDI_ROOT_VERITY,
	DMB_DDI_USR_VERITY,
	DMB_DDI_ROOT_VERITY_SIG,
	DMB_DDI_USR_VERITY_SIG,
	DMB_DDI_TMP,
	DMB_DDI_VAR,
	DMB_DDI_LINUX_GENERIC,
	DMB_DDI_DESIGNATOR_COUNT,
};

/* systemd's names: "root", "usr", "home", "srv", "esp", "xbootldr", "swap",
 * "root-verity", "usr-verity", "root-verity-sig", "usr-verity-sig", "tmp",
 * "var", "linux-generic". */
const char *dmb_ddi_designator_name(enum dmb_ddi_designator d);

/*
 * What a GPT partition type GUID (canonical byte order) is under the
 * specification: 0 and its designator and architecture (UNKNOWN for the
 * architecture-independent types), or DMB_ENOENT.
 */
DMB_MUST_CHECK int dmb_ddi_classify(const uint8_t type_guid[16], enum dmb_ddi_designator *d,
		     enum dmb_ddi_arch *arch);

/* GPT attribute bits of the specification (formats.md §6.2). */
#define DMB_GPT_FLAG_NO_AUTO (1ull << 63)
#define DMB_GPT_FLAG_READ_ONLY (1ull << 60)
#define DMB_GPT_FLAG_GROWFS (1ull << 59)
#define DMB_GPT_FLAG_NO_BLOCK_IO (1ull << 1) /* on an ESP: firmware ignores it; so does systemd */

/* Largest -verity-sig partition read (systemd's limit). */
#define DMB_DDI_MAX_SIG_PART_BYTES (4u << 20)

/* A partition the specification knows (on MBR: one systemd reads, see dmb_ddi_dissect()). */
struct dmb_ddi_partition {
	enum dmb_ddi_designator designator;
	enum dmb_ddi_arch arch;
	const struct dmb_part *part;  /* in dmb_ddi.table */
	bool no_auto, read_only, growfs;
	/* Named by magic: "squashfs", "erofs", "ext2", "ext3", "ext4", "jbd", "vfat",
	 * "btrfs", "xfs", "swap", "DM_verity_hash", "verity_hash_signature" (blkid's
	 * names), or "" unknown. */
	char fstype[24];
};

enum dmb_ddi_verity_state {
	DMB_DDI_VERITY_NONE = 0,    /* no -verity partition for it */
	DMB_DDI_VERITY_AVAILABLE,   /* a -verity partition, but no root hash known */
	DMB_DDI_VERITY_EXTERNAL,    /* root hash given by the caller, no signature */
	DMB_DDI_VERITY_SIGNED,      /* root hash from a signature that verified */
	DMB_DDI_VERITY_UNVERIFIED,  /* DMB_DDI_KEEP_GOING: a signature that did not verify
				       (sig_err says why); the root hash is its claim */
};

/* Verity for root (index 0) or usr (index 1). */
struct dmb_ddi_verity {
	enum dmb_ddi_verity_state state;
	uint8_t root_hash[DMB_MAX_DIGEST_SIZE];
	size_t root_hash_size;        /* 0 when unknown */
	const struct dmb_ddi_partition *data, *hash, *sig; /* sig: NULL when none */
	uint8_t *signature;           /* DER PKCS#7 from the -verity-sig partition, or NULL */
	size_t signature_size;
	char cert_fingerprint[65];    /* lowercase hex, "" when the JSON had none */
	/* DMB_DDI_KEEP_GOING: what went wrong with the signature, or 0. */
	int sig_err;
	char sig_msg[DMB_MSG_MAX];
};

struct dmb_ddi {
	struct dmb_part_table *table;
	size_t count;                          /* partitions the specification knows */
	struct dmb_ddi_partition *parts;       /* in table order */
	/* The partition used for each designator, or NULL. */
	const struct dmb_ddi_partition *chosen[DMB_DDI_DESIGNATOR_COUNT];
	struct dmb_ddi_verity verity[2];
};

/* dmb_ddi_options.flags */
#define DMB_DDI_REQUIRE_SIGNATURE 1u  /* refuse a root or usr without a verified signature */
#define DMB_DDI_IGNORE_SIGNATURE 2u   /* do not read -verity-sig partitions */
/*
 * Inspection: a -verity-sig partition that is malformed or whose signature
 * does not verify is recorded in sig_err/sig_msg (state UNVERIFIED, or
 * AVAILABLE when it gave no root hash) instead of failing the dissection.
 * Never use the result to map anything.
 */
#define DMB_DDI_KEEP_GOING 4u

struct dmb_ddi_options {
	enum dmb_ddi_arch arch;        /* native architecture (the library cannot know it) */
	/* Root hashes given by the caller (--root-hash), for root and usr; size 0: none. */
	const uint8_t *root_hash[2];
	size_t root_hash_size[2];
	unsigned flags;                /* DMB_DDI_* */
};

/*
 * Dissect the disk: load its partition table (the sector size found from
 * where "EFI PART" sits), classify every partition, skip the no-auto ones,
 * choose one partition per designator (a native architecture before its
 * secondary one before any other; among equals the highest version in the
 * partition label for root, usr and their verity partitions, as systemd's
 * strverscmp_improved orders them; else the first), pair root and usr with
 * their -verity partitions by the partition UUIDs the root hash gives (the
 * first and last 128 bits), read each -verity-sig partition (JSON, at most
 * DMB_DDI_MAX_SIG_PART_BYTES, NUL padded) and verify its signature over the
 * hex root hash through ctx->crypto before returning.
 * Root and its verity partitions come from one tier of architectures, as
 * systemd promotes them: the native one, else the secondary one, else the
 * others (given a root hash, first the tier holding the data partition it
 * names); usr from root's tier (a foreign root's from the others, then the
 * secondary one), or without a root from the best tier that has one.  A
 * -verity or -verity-sig partition of a native or secondary tier passed
 * over for want of its data partition is refused (DMB_EINVAL); one of the
 * others is ignored.
 * On MBR, a Linux partition (0x83) with the boot flag is generic Linux data
 * and an 0xEA partition XBOOTLDR; nothing else counts.  With neither root
 * nor usr, the one generic Linux data partition that is not no-auto becomes
 * root (its designator is changed to DMB_DDI_ROOT; no architecture, no
 * verity); generic Linux data is never chosen as itself.
 * Errors (the message names the partition and the reason):
 *   DMB_ENOENT    no partition table
 *   DMB_ECORRUPT  a malformed -verity-sig partition (JSON, padding, rootHash,
 *                 base64, a rootHash not of the size of the -verity
 *                 partition's digests), or a partition table
 *                 dmb_part_table_load refuses
 *   DMB_EVERIFY   the signature is not over this root hash (or tampered);
 *                 a signed rootHash or a given root hash that does not match
 *                 the data and -verity partition UUIDs; a given root hash
 *                 that differs from the signed one
 *   DMB_ENOKEY    the signer is not trusted; or DMB_DDI_REQUIRE_SIGNATURE
 *                 and no signature for a root or usr
 *   DMB_EINVAL    a malformed signature (PKCS#7), or an inconsistent image:
 *                 a -verity or -verity-sig partition without its data
 *                 partition, root and usr of different architectures,
 *                 verity partitions for both root and usr, a verity root
 *                 with a separate usr partition (systemd's rules); a
 *                 given root hash shorter than 16 or longer than
 *                 DMB_MAX_DIGEST_SIZE bytes, or whose first or last 16
 *                 bytes are all zero (no partition may have that UUID);
 *                 no root or usr and two generic Linux partitions
 *   DMB_ENOTSUP   no crypto provider for a signature (fails closed)
 *   DMB_ERANGE    over a cap; DMB_EIO and device errors; DMB_ENOMEM
 */
DMB_MUST_CHECK int dmb_ddi_dissect(struct dmb_ctx *ctx, struct dmb_bdev *disk, const struct dmb_ddi_options *o,
		    struct dmb_ddi **out);

/* Frees the result; accepts NULL. */
void dmb_ddi_destroy(struct dmb_ddi *ddi);

/* How dmb_ddi_table() names the partitions in the table. */
enum dmb_ddi_names {
	DMB_DDI_NAMES_IMAGE,     /* "<image>:pN", the host resolver's partition names */
	DMB_DDI_NAMES_PARTUUID,  /* "PARTUUID=<uuid>", as the kernel resolves them */
};

/*
 * The table that maps root (DMB_DDI_ROOT) or usr (DMB_DDI_USR): verity over
 * the data partition when its verity has a root hash (parameters from the
 * veritysetup superblock on the -verity partition, which disk must hold),
 * else linear over the data partition.  image is the disk's name for
 * DMB_DDI_NAMES_IMAGE.  *read_only is set: always for verity, else from
 * the read-only flag or a file system that cannot be written (squashfs, erofs).
 * Errors: DMB_ENOENT no such partition; DMB_EVERIFY its verity state is
 * DMB_DDI_VERITY_UNVERIFIED (a KEEP_GOING result); DMB_ECORRUPT a bad or missing
 * verity superblock, or one that does not fit the partitions; errors of
 * reading disk; DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_ddi_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		  enum dmb_ddi_designator which, enum dmb_ddi_names names, const char *image,
		  struct dmb_table **out, bool *read_only);

/*
 * The kernel command line that makes Linux map root (and usr, when there
 * is one) as dmb_ddi_table() does, without an initramfs:
 *   dm-mod.create="root,,,ro|rw,<table>[;usr,,,ro|rw,<table>]" root=/dev/dm-0
 *   [mount.usr=/dev/dm-1] dm-mod.waitfor=PARTUUID=...[,PARTUUID=...]
 * with PARTUUID= device names, checked against dm-init's rules (its
 * targets, its 4096-byte limit, no character it cannot carry).  A usr-only
 * image gets its usr device as /dev/dm-0, mount.usr= and no root=.
 * Returns the length like snprintf, or an error: DMB_ENOENT no root and no
 * usr; DMB_EINVAL or DMB_ERANGE the line breaks dm-init's rules; as
 * dmb_ddi_table().
 */
DMB_MUST_CHECK int dmb_ddi_cmdline(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *disk,
		    char *buf, size_t cap);

/*
 * The device an image lies inside, for an image the kernel cannot find by
 * PARTUUID= (one kept in a logical volume): the kernel maps it first, as
 * /dev/dm-0, from table (whose lower devices it must resolve, PARTUUID= of
 * the partitions under it, say), and waits for the devices in waitfor (a
 * comma-separated list for dm-mod.waitfor=).  The table is not modified.
 */
struct dmb_ddi_lower {
	const char *name;          /* its dm name, e.g. "vg-lv" */
	const char *uuid;          /* its dm uuid, or NULL */
	struct dmb_table *table;
	const char *waitfor;
};

/*
 * dmb_ddi_cmdline() for an image inside lower (NULL: as dmb_ddi_cmdline()).
 * The image's partitions become linear devices over /dev/dm-0
 * ("root-data", "root-hash", and for usr likewise; a linear root or usr
 * reads /dev/dm-0 at its offset directly), root (and usr) stack on them,
 * and root= (mount.usr=) name the top device:
 *   dm-mod.create="vg-lv,,,ro,<lower table>;root-data,,,ro,0 N linear /dev/dm-0 S;
 *   root-hash,,,ro,...;root,,,ro,0 N verity 1 /dev/dm-1 /dev/dm-2 ..."
 *   root=/dev/dm-3 dm-mod.waitfor=<lower->waitfor>
 * Errors as dmb_ddi_cmdline(); DMB_EINVAL lower lacks a name, a table or
 * a waitfor list, or the list has a blank, a quote or an unprintable
 * character; dm-init's limits apply to the lower table as well.
 */
DMB_MUST_CHECK int dmb_ddi_cmdline_lower(struct dmb_ctx *ctx, const struct dmb_ddi *ddi,
					 struct dmb_bdev *disk, const struct dmb_ddi_lower *lower,
					 char *buf, size_t cap);

/* What dmb_ddi_open() maps, as `systemd-dissect --mount`'s root device. */
struct dmb_ddi_open_args {
	/* The disk: a name ctx->resolver opens.  Required. */
	const char *disk;
	/* As for dmb_ddi_dissect(): the native architecture, root hashes given
	 * by the caller, and DMB_DDI_REQUIRE_SIGNATURE or
	 * DMB_DDI_IGNORE_SIGNATURE (DMB_DDI_KEEP_GOING is refused). */
	struct dmb_ddi_options options;
	/* Map usr; false: root, or usr when the image has no root. */
	bool usr;
	/* DMB_DEV_READONLY; verity and read-only partitions are read-only anyway. */
	unsigned flags;
};

/*
 * Dissect a disk and map its root (or usr) in one call: open the disk
 * through ctx->resolver, dmb_ddi_dissect() it (signatures checked as the
 * options say), build dmb_ddi_table() with DMB_DDI_NAMES_IMAGE names
 * ("<disk>:pN"), close the disk and create the device with
 * dmb_dev_create().  ctx->resolver must open those partition names: make
 * it a dmb_part_resolver over the embedder's own resolver (<dmboot/part.h>),
 * and keep it for as long as the device lives.  *out is the mapped device,
 * NULL on failure.
 * Errors (the message names the disk):
 *   DMB_EINVAL   no args or no disk; DMB_DDI_KEEP_GOING; what
 *                dmb_ddi_dissect() refuses with it
 *   DMB_ENOENT   no resolver; the disk not found; no partition table (not
 *                a DDI); no root and no usr partition (no usr, with usr)
 *   DMB_EVERIFY, DMB_ENOKEY, DMB_ECORRUPT, DMB_ENOTSUP, DMB_ERANGE  what
 *                dmb_ddi_dissect() and dmb_ddi_table() return (a signature
 *                that does not verify, an untrusted signer or a missing
 *                signature under DMB_DDI_REQUIRE_SIGNATURE, a bad verity
 *                superblock ...)
 *   errors of dmb_dev_create() (DMB_EVERIFY: the top hash block does not
 *   match the root hash); DMB_EIO and device errors; DMB_ENOMEM
 */
DMB_MUST_CHECK int dmb_ddi_open(struct dmb_ctx *ctx, const struct dmb_ddi_open_args *a,
				struct dmb_dev **out);

#endif /* DMBOOT_DDI_H */
