/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * LUKS1 and LUKS2 (formats.md §5): read and validate a header, unlock a key
 * slot with a passphrase, and give the dm-crypt table cryptsetup would load
 * for the data segment.  Read-only: nothing is ever written back, a damaged
 * LUKS2 header copy is passed over (with a warning), never repaired.
 *
 * Use: dmb_luks_load() on the device holding the header (the data device,
 * or a detached header), dmb_luks_header() for the model luksDump prints,
 * dmb_luks_unlock() for the volume key, dmb_luks_table() for the table,
 * then dmb_luks_destroy().  The model lives until dmb_luks_destroy().
 */
#ifndef DMBOOT_LUKS_H
#define DMBOOT_LUKS_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/luks.h>"
#endif

/* Caps on what a header may hold (DMB_ECORRUPT beyond them). */
#define DMB_LUKS_MAX_SLOTS 32      /* LUKS2 keyslots, tokens, segments, digests; LUKS1 has 8 */
#define DMB_LUKS_MAX_KEY_BYTES 128 /* volume key and keyslot area key */
#define DMB_LUKS_MAX_SALT 64       /* LUKS1 32, LUKS2 base64 of 32 */
#define DMB_LUKS_MAX_DIGEST 64
#define DMB_LUKS_NAME_MAX 64       /* cipher specs, hash and type names, with NUL */
#define DMB_LUKS_UUID_MAX 40       /* the on-disk field, with NUL */
#define DMB_LUKS_LABEL_MAX 48      /* LUKS2 label and subsystem, with NUL */

/* config.flags of LUKS2 (persistent activation flags), as bits. */
#define DMB_LUKS_FLAG_ALLOW_DISCARDS (1u << 0)
#define DMB_LUKS_FLAG_SAME_CPU_CRYPT (1u << 1)
#define DMB_LUKS_FLAG_SUBMIT_FROM_CRYPT_CPUS (1u << 2)
#define DMB_LUKS_FLAG_NO_JOURNAL (1u << 3)
#define DMB_LUKS_FLAG_NO_READ_WORKQUEUE (1u << 4)
#define DMB_LUKS_FLAG_NO_WRITE_WORKQUEUE (1u << 5)
#define DMB_LUKS_FLAG_HIGH_PRIORITY (1u << 6)

struct dmb_luks;

/* A key derivation: a LUKS2 keyslot's kdf, or PBKDF2 of LUKS1 and digests. */
struct dmb_luks_kdf {
	char type[DMB_LUKS_NAME_MAX]; /* "pbkdf2", "argon2i", "argon2id" */
	char hash[DMB_LUKS_NAME_MAX]; /* pbkdf2 only */
	uint32_t iterations;          /* pbkdf2 */
	uint32_t time;                /* argon2: passes */
	uint32_t memory_kib;          /* argon2 */
	uint32_t cpus;                /* argon2: lanes */
	uint8_t salt[DMB_LUKS_MAX_SALT];
	size_t salt_len;
};

struct dmb_luks_keyslot {
	unsigned id;                   /* LUKS1: 0..7; LUKS2: the JSON key */
	char type[DMB_LUKS_NAME_MAX];  /* "luks1" for a LUKS1 slot, "luks2", "reencrypt" */
	bool active;                   /* LUKS1: enabled; LUKS2: always true */
	size_t key_bytes;              /* length of the volume key it stores */
	int priority;                  /* LUKS2: 0 ignore, 1 normal, 2 prefer */
	char area_type[DMB_LUKS_NAME_MAX];       /* LUKS2 "raw" */
	char area_encryption[DMB_LUKS_NAME_MAX]; /* cipher spec of the key material */
	size_t area_key_bytes;                   /* key length of area_encryption */
	uint64_t area_offset_bytes, area_size_bytes;
	struct dmb_luks_kdf kdf;
	char af_type[DMB_LUKS_NAME_MAX];         /* "luks1" */
	uint32_t af_stripes;
	char af_hash[DMB_LUKS_NAME_MAX];
	int digest;                    /* index into digests[], -1 if none names it */
	/* reencrypt keyslots, for luksDump ("" or 0 when absent) */
	char reenc_mode[DMB_LUKS_NAME_MAX];      /* "reencrypt", "encrypt", "decrypt" */
	char reenc_direction[DMB_LUKS_NAME_MAX]; /* "forward", "backward" */
	char area_hash[DMB_LUKS_NAME_MAX];       /* checksum resilience */
	uint32_t area_sector_size;               /* checksum resilience */
	uint64_t area_shift_bytes;               /* datashift resilience */
};

struct dmb_luks_segment {
	unsigned id;
	char type[DMB_LUKS_NAME_MAX];  /* "crypt", "linear", ... */
	uint64_t offset_bytes;
	uint64_t size_bytes;           /* 0 with dynamic */
	bool dynamic;                  /* to the end of the device */
	uint64_t iv_tweak;             /* 512-byte sectors */
	char encryption[DMB_LUKS_NAME_MAX];
	uint32_t sector_size;
	bool integrity;                /* an integrity object is present (refused) */
	char integrity_type[DMB_LUKS_NAME_MAX];
	unsigned nflags;               /* segment flags (e.g. "backup-final") */
	char flags[2 * DMB_LUKS_NAME_MAX]; /* the flags ", "-joined, as luksDump shows them */
};

struct dmb_luks_digest {
	unsigned id;
	char type[DMB_LUKS_NAME_MAX];  /* "pbkdf2" */
	struct dmb_luks_kdf kdf;       /* hash, iterations, salt */
	uint8_t digest[DMB_LUKS_MAX_DIGEST];
	size_t digest_len;
	uint32_t keyslots;             /* bit i: keyslot with id i */
	uint32_t segments;             /* bit i: segment with id i */
};

struct dmb_luks_token {
	unsigned id;
	char type[DMB_LUKS_NAME_MAX];  /* "luks2-keyring", "systemd-tpm2", ... */
	uint32_t keyslots;             /* bit i: keyslot with id i */
	char key_description[256];     /* luks2-keyring only */
	const char *json;              /* the token's object as written */
	size_t json_len;
};

/* A validated header, as luksDump shows it. */
struct dmb_luks_hdr {
	unsigned version;              /* 1 or 2 */
	char uuid[DMB_LUKS_UUID_MAX];
	/* LUKS1 */
	char cipher_name[32 + 1], cipher_mode[32 + 1], hash_spec[32 + 1];
	uint32_t payload_offset_sectors;
	/* LUKS2 */
	char label[DMB_LUKS_LABEL_MAX], subsystem[DMB_LUKS_LABEL_MAX];
	char checksum_alg[DMB_LUKS_NAME_MAX];
	uint64_t seqid;                /* "Epoch" */
	uint64_t hdr_size_bytes;       /* "Metadata area": binary header + JSON */
	uint64_t keyslots_size_bytes;  /* "Keyslots area" */
	uint32_t flags;                /* DMB_LUKS_FLAG_* */
	const char *unknown_flags;     /* the first flag not known, NULL if none */
	const char *requirements;      /* first mandatory requirement, NULL if none */
	bool secondary;                /* the secondary copy was used */
	const char *json;              /* the JSON area's text (no padding) */
	size_t json_len;

	size_t nkeyslots, nsegments, ndigests, ntokens;
	struct dmb_luks_keyslot keyslots[DMB_LUKS_MAX_SLOTS]; /* by id */
	struct dmb_luks_segment segments[DMB_LUKS_MAX_SLOTS];
	struct dmb_luks_digest digests[DMB_LUKS_MAX_SLOTS];   /* LUKS1: one, the mkDigest */
	struct dmb_luks_token tokens[DMB_LUKS_MAX_SLOTS];
};

/*
 * Whether dev starts with a LUKS1 or LUKS2 header magic (cryptsetup isLuks
 * checks the magic and version only).  Returns 1 or 2, 0 if not LUKS, or a
 * negative error (DMB_EIO).
 */
DMB_MUST_CHECK int dmb_luks_probe(struct dmb_ctx *ctx, struct dmb_bdev *dev);

/*
 * Read and validate the header on dev (every field taken from disk bounded,
 * LUKS2's both binary headers and JSON as cryptsetup validates them).
 * Errors: DMB_ENOENT (no LUKS header: "Device X is not a valid LUKS
 * device."), DMB_ECORRUPT (a field out of range or inconsistent: the
 * message names it), DMB_ENOTSUP (a version or object type not supported),
 * DMB_EIO, DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_luks_load(struct dmb_ctx *ctx, struct dmb_bdev *dev, struct dmb_luks **out);

/* Free; accepts NULL.  Wipes what the header held. */
void dmb_luks_destroy(struct dmb_luks *l);

const struct dmb_luks_hdr *dmb_luks_header(const struct dmb_luks *l);

/*
 * Unlock with pass[0..pass_len): try keyslot `slot`, or with slot < 0
 * every active keyslot bound to the data segment in order (LUKS2: priority
 * 2 first, priority 0 never unless named), deriving the slot key, decrypting its area from dev
 * (the device given to dmb_luks_load()) and checking the digest in
 * constant time, key length included.  On success writes the volume key to
 * vk (vk_cap >= DMB_LUKS_MAX_KEY_BYTES is always enough), its length to
 * *vk_len and the slot to *slot_used.  Every intermediate secret is wiped.
 * Refused before any key is derived: a mandatory requirement, a reencrypt
 * keyslot or a segment type other than crypt (DMB_ENOTSUP, named).  An
 * Argon2 slot above ctx->mem.kdf_max_kib is skipped with a message naming
 * both figures.
 * Errors: DMB_ENOKEY (no keyslot opens with this passphrase), DMB_ENOENT
 * (slot not active), DMB_EACCES (the named slot opens with this passphrase
 * but is unbound: its key is not the volume key, and none is written),
 * DMB_ERANGE (every slot tried was over the memory cap),
 * DMB_ENOTSUP, DMB_ECORRUPT, DMB_EIO, DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_luks_unlock(struct dmb_ctx *ctx, const struct dmb_luks *l, struct dmb_bdev *dev,
		    int slot, const uint8_t *pass, size_t pass_len, uint8_t *vk, size_t vk_cap,
		    size_t *vk_len, int *slot_used);

/*
 * Check that vk[0..vk_len) is the volume key (--volume-key-file): its
 * length and digest, compared in constant time.
 * Errors: DMB_EVERIFY (not the key), DMB_ENOTSUP, DMB_ENOMEM.
 */
DMB_MUST_CHECK int dmb_luks_check_key(struct dmb_ctx *ctx, const struct dmb_luks *l, const uint8_t *vk,
		       size_t vk_len);

/*
 * Write the table cryptsetup loads for the data segment, as one line
 * `0 <sectors> crypt <cipher> <key> <iv_offset> <data_dev> <offset>
 * [<#opts> <opts>...]`: key_text is the key as the table should carry it
 * (lowercase hex, or `:<size>:logon:<description>`); data_sectors is the
 * size of the data device in 512-byte sectors (a dynamic segment runs to
 * its end); extra_flags (DMB_LUKS_FLAG_*) are added to the header's own.
 * Errors: DMB_ERANGE (out too small, or the segment past the device's
 * end), DMB_ENOTSUP (the segment cannot be mapped).
 */
DMB_MUST_CHECK int dmb_luks_table(struct dmb_ctx *ctx, const struct dmb_luks *l, const char *data_dev,
		   uint64_t data_sectors, const char *key_text, uint32_t extra_flags, char *out,
		   size_t cap);

#endif /* DMBOOT_LUKS_H */
