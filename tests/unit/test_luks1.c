// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * LUKS1 headers (formats.md §5.6): a valid header built field by field in
 * the test (the layout cryptsetup writes for a 32-byte key: key material
 * every 256 sectors from sector 8, payload at 2056), then one named
 * malformation per row of a table, each with the exact error code and
 * message dmbi_luks1_load() must give.  Also the model a valid header
 * fills, dmb_luks_probe() and the dm-crypt table of §5.5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "../../lib/formats/luks/luks_internal.h"
#include "test_port.h"

#define KEY_BYTES 32u
#define STRIDE 256u   /* sectors per key slot: round_up(32*4000/512, 8) */
#define PAYLOAD (8u + 8u * STRIDE)
#define DEV_BYTES ((uint64_t)(PAYLOAD + 64u) * 512u)

static uint8_t *img;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t *slot(unsigned i)
{
	return img + 208 + 48 * i;
}

/* The header cryptsetup luksFormat --type luks1 writes, slots 0 and 2 active. */
static void build_valid(void)
{
	unsigned i;

	memset(img, 0, DEV_BYTES);
	memcpy(img, "LUKS\xba\xbe", 6);
	img[7] = 1;
	strcpy((char *)img + 8, "aes");
	strcpy((char *)img + 40, "xts-plain64");
	strcpy((char *)img + 72, "sha256");
	put_be32(img + 104, PAYLOAD);
	put_be32(img + 108, KEY_BYTES);
	for (i = 0; i < 20; i++)
		img[112 + i] = (uint8_t)(0x40 + i);
	for (i = 0; i < 32; i++)
		img[132 + i] = (uint8_t)(0x80 + i);
	put_be32(img + 164, 1000);
	strcpy((char *)img + 168, "12345678-1234-1234-1234-123456789abc");
	for (i = 0; i < 8; i++) {
		put_be32(slot(i), i == 0 || i == 2 ? 0x00AC71F3u : 0x0000DEADu);
		put_be32(slot(i) + 4, i == 0 || i == 2 ? 2000 + i : 0);
		memset(slot(i) + 8, (int)(0x10 + i), i == 0 || i == 2 ? 32 : 0);
		put_be32(slot(i) + 40, 8 + i * STRIDE);
		put_be32(slot(i) + 44, 4000);
	}
}

static int load(struct dmb_ctx *ctx, uint64_t bytes, struct dmb_luks *l)
{
	struct dmb_ram_bdev rb;

	dmb_ram_bdev_init(&rb, img, bytes, 9, false);
	return dmbi_luks1_load(ctx, &rb.bdev, l);
}

static void test_valid_model(void **state)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_luks l;
	const struct dmb_luks_hdr *h = &l.hdr;
	unsigned i;

	(void)state;
	build_valid();
	assert_int_equal(load(&ctx, DEV_BYTES, &l), 0);
	assert_int_equal(h->version, 1);
	assert_string_equal(h->cipher_name, "aes");
	assert_string_equal(h->cipher_mode, "xts-plain64");
	assert_string_equal(h->hash_spec, "sha256");
	assert_string_equal(h->uuid, "12345678-1234-1234-1234-123456789abc");
	assert_int_equal(h->payload_offset_sectors, PAYLOAD);
	assert_int_equal(h->nkeyslots, 8);
	for (i = 0; i < 8; i++) {
		const struct dmb_luks_keyslot *ks = &h->keyslots[i];

		assert_int_equal(ks->id, i);
		assert_int_equal(ks->active, i == 0 || i == 2);
		assert_string_equal(ks->area_encryption, "aes-xts-plain64");
		assert_int_equal(ks->area_key_bytes, KEY_BYTES);
		assert_int_equal(ks->key_bytes, KEY_BYTES);
		assert_int_equal(ks->area_offset_bytes, (uint64_t)(8 + i * STRIDE) * 512);
		assert_int_equal(ks->area_size_bytes, 250 * 512);
		assert_int_equal(ks->af_stripes, 4000);
		assert_string_equal(ks->kdf.type, "pbkdf2");
		assert_string_equal(ks->kdf.hash, "sha256");
		assert_string_equal(ks->af_hash, "sha256");
		assert_int_equal(ks->digest, 0);
	}
	assert_int_equal(h->keyslots[2].kdf.iterations, 2002);
	assert_int_equal(h->keyslots[2].kdf.salt[31], 0x12);
	assert_int_equal(h->ndigests, 1);
	assert_int_equal(h->digests[0].keyslots, 0x5);
	assert_int_equal(h->digests[0].digest_len, 20);
	assert_int_equal(h->digests[0].digest[19], 0x40 + 19);
	assert_int_equal(h->digests[0].kdf.iterations, 1000);
	assert_int_equal(h->digests[0].kdf.salt[0], 0x80);
	assert_int_equal(h->nsegments, 1);
	assert_string_equal(h->segments[0].type, "crypt");
	assert_string_equal(h->segments[0].encryption, "aes-xts-plain64");
	assert_int_equal(h->segments[0].offset_bytes, (uint64_t)PAYLOAD * 512);
	assert_true(h->segments[0].dynamic);
	assert_int_equal(h->segments[0].sector_size, 512);
}

/* A detached header (payloadOffset 0) needs no room for a payload. */
static void test_detached(void **state)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_luks l;

	(void)state;
	build_valid();
	put_be32(img + 104, 0);
	assert_int_equal(load(&ctx, (uint64_t)(8 + 8 * STRIDE) * 512, &l), 0);
	assert_int_equal(l.hdr.segments[0].offset_bytes, 0);
}

struct bad {
	const char *name;
	void (*mutate)(void);
	uint64_t dev_bytes; /* 0: DEV_BYTES */
	int err;
	const char *msg;
};

static void m_magic(void) { img[5] = 0xbf; }
static void m_version(void) { img[7] = 3; }
static void m_keybytes0(void) { put_be32(img + 108, 0); }
static void m_keybytes_huge(void) { put_be32(img + 108, 0x40000000u); }
static void m_mkiter0(void) { put_be32(img + 164, 0); }
static void m_iter0(void) { put_be32(slot(2) + 4, 0); }
static void m_stripes0(void) { put_be32(slot(1) + 44, 0); }
static void m_stripes_huge(void) { put_be32(slot(3) + 44, 0xffffffffu); }
static void m_offset_past_dev(void) { put_be32(img + 104, 0); put_be32(slot(7) + 40, 0x7fffff00u); }
static void m_overlap(void) { put_be32(slot(4) + 40, 8 + 3 * STRIDE + 100); }
static void m_in_header(void) { put_be32(slot(0) + 40, 1); }
static void m_cipher_unterminated(void) { memset(img + 8, 'a', 32); }
static void m_mode_unterminated(void) { memset(img + 40, 'x', 32); }
static void m_hash_unterminated(void) { memset(img + 72, 's', 32); }
static void m_uuid_unterminated(void) { memset(img + 168, '1', 40); }
static void m_cipher_empty(void) { memset(img + 8, 0, 32); }
static void m_active_bad(void) { put_be32(slot(5), 0x00AC71F4u); }
static void m_payload_in_km(void) { put_be32(img + 104, 8 + 7 * STRIDE + 10); }
static void m_payload_past_dev(void) { put_be32(img + 104, PAYLOAD + 65); }
static void m_none(void) { }

static const struct bad bads[] = {
	{ "bad-magic", m_magic, 0, DMB_ENOENT, "no LUKS header (magic missing)" },
	{ "bad-version", m_version, 0, DMB_ENOTSUP, "unsupported LUKS version 3" },
	{ "keybytes-0", m_keybytes0, 0, DMB_ECORRUPT, "LUKS header: key size 0 out of range (16..128)" },
	{ "keybytes-huge", m_keybytes_huge, 0, DMB_ECORRUPT,
	  "LUKS header: key size 1073741824 out of range (16..128)" },
	{ "mk-iterations-0", m_mkiter0, 0, DMB_ECORRUPT, "LUKS header: 0 volume key digest iterations" },
	{ "slot-iterations-0", m_iter0, 0, DMB_ECORRUPT, "LUKS keyslot 2 is invalid: 0 iterations" },
	{ "stripes-0", m_stripes0, 0, DMB_ECORRUPT, "LUKS keyslot 1 is invalid: 0 stripes (must be 4000)" },
	{ "stripes-huge", m_stripes_huge, 0, DMB_ECORRUPT,
	  "LUKS keyslot 3 is invalid: 4294967295 stripes (must be 4000)" },
	{ "offset-past-device", m_offset_past_dev, 0, DMB_ECORRUPT,
	  "LUKS keyslot 7 is invalid: key material ends past the device (2120 sectors)" },
	{ "overlapping-slots", m_overlap, 0, DMB_ECORRUPT,
	  "LUKS keyslot 4 is invalid: key material overlaps keyslot 3" },
	{ "key-material-in-header", m_in_header, 0, DMB_ECORRUPT,
	  "LUKS keyslot 0 is invalid: key material at sector 1 is inside the header" },
	{ "cipher-unterminated", m_cipher_unterminated, 0, DMB_ECORRUPT,
	  "LUKS header: cipher name is not terminated" },
	{ "mode-unterminated", m_mode_unterminated, 0, DMB_ECORRUPT,
	  "LUKS header: cipher mode is not terminated" },
	{ "hash-unterminated", m_hash_unterminated, 0, DMB_ECORRUPT, "LUKS header: hash is not terminated" },
	{ "uuid-unterminated", m_uuid_unterminated, 0, DMB_ECORRUPT, "LUKS header: UUID is not terminated" },
	{ "cipher-empty", m_cipher_empty, 0, DMB_ECORRUPT, "LUKS header: cipher name is empty" },
	{ "bad-active-value", m_active_bad, 0, DMB_ECORRUPT,
	  "LUKS keyslot 5 is invalid: state 0x00ac71f4 is neither enabled nor disabled" },
	{ "payload-in-key-material", m_payload_in_km, 0, DMB_ECORRUPT,
	  "LUKS keyslot 7 is invalid: key material (sectors 1800..2049) reaches the payload at sector 1810" },
	{ "payload-past-device", m_payload_past_dev, 0, DMB_ECORRUPT,
	  "LUKS header: payload offset 2121 past the device (2120 sectors)" },
	{ "device-too-small", m_none, 512, DMB_ENOENT, "device too small for a LUKS header" },
	{ "key-material-past-small-device", m_none, 1000 * 512, DMB_ECORRUPT,
	  "LUKS keyslot 3 is invalid: key material ends past the device (1000 sectors)" },
};

static void test_malformed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct dmb_ctx ctx = { 0 };
		struct dmb_luks l;
		int r;

		build_valid();
		bads[i].mutate();
		r = load(&ctx, bads[i].dev_bytes ? bads[i].dev_bytes : DEV_BYTES, &l);
		if (r != bads[i].err || strcmp(dmb_ctx_message(&ctx), bads[i].msg) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", bads[i].name, r,
				 dmb_ctx_message(&ctx), bads[i].err, bads[i].msg);
	}
}

/*
 * A header written by cryptsetup 2.6.1 (luksFormat --type luks1 --cipher
 * aes-cbc-essiv:sha256 --key-size 128 --hash sha256
 * --pbkdf-force-iterations 1000 on a 2 MiB file; the fuzz corpus keeps its
 * first 4096 bytes), read on a 1 MiB device; the expected values are
 * cryptsetup luksDump's for that image.
 */
static void test_cryptsetup_header(void **state)
{
	static const uint8_t mk_digest[4] = { 0x46, 0x29, 0x15, 0x45 };
	struct dmb_ctx ctx = { 0 };
	struct dmb_luks l;
	FILE *f = fopen("tests/fuzz/corpus/luks1/cryptsetup-cbc-essiv-header", "rb");
	size_t n;

	(void)state;
	assert_non_null(f);
	memset(img, 0, DEV_BYTES);
	n = fread(img, 1, 4096, f);
	fclose(f);
	assert_int_equal(n, 4096);
	assert_int_equal(load(&ctx, 1u << 20, &l), 0);
	assert_string_equal(l.hdr.cipher_name, "aes");
	assert_string_equal(l.hdr.cipher_mode, "cbc-essiv:sha256");
	assert_string_equal(l.hdr.hash_spec, "sha256");
	assert_string_equal(l.hdr.uuid, "20b57cdb-ca18-4814-bfac-8804428b6328");
	assert_int_equal(l.hdr.payload_offset_sectors, 2048);
	assert_int_equal(l.hdr.keyslots[0].key_bytes, 16);
	assert_true(l.hdr.keyslots[0].active);
	assert_false(l.hdr.keyslots[1].active);
	assert_int_equal(l.hdr.keyslots[0].area_offset_bytes, 8 * 512);
	assert_int_equal(l.hdr.keyslots[0].kdf.iterations, 1000);
	assert_int_equal(l.hdr.digests[0].kdf.iterations, 1000);
	assert_memory_equal(l.hdr.digests[0].digest, mk_digest, sizeof(mk_digest));
	assert_int_equal(l.hdr.digests[0].keyslots, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_model),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cryptsetup_header),
	};
	int r;

	img = calloc(1, DEV_BYTES);
	if (!img)
		return 1;
	r = cmocka_run_group_tests_name("luks1", tests, NULL, NULL);
	free(img);
	return r;
}
