// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The one-call helpers of the boot path: dmb_verity_open() (<dmboot/verity.h>),
 * dmb_lvm_activate() (<dmboot/lvm.h>) and dmb_ddi_open() (<dmboot/ddi.h>).
 * Each maps an image built in RAM by the test (a hash tree and superblock
 * from dmb_verity_tree_build(); PVs laid out as pvcreate does; a GPT disk
 * with root and root-verity partitions) and reads every block back; each
 * documented failure gives its exact code and message and leaves no device
 * open; a tampered block fails with DMB_EIO and comes back zeroed; and
 * every allocation failing in turn gives DMB_ENOMEM with nothing leaked.
 */
#include "helpers.h"

#include "../../ports/posix/dmboot_posix.h"
#include "base/base.h"

static struct dmb_posix_crypto pc;

static int group_setup(void **state)
{
	(void)state;
	dmb_posix_crypto_init(&pc);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	dmb_posix_crypto_fini(&pc);
	return 0;
}

static void expect(int got, int want, const struct dmb_ctx *ctx, const char *msg)
{
	if (got != want || (msg && strcmp(ctx->msg, msg) != 0))
		fail_msg("got %d \"%s\"\n  want %d \"%s\"", got, ctx->msg, want, msg ? msg : "(any)");
}

/* Every sector of dev equals want[0..bytes). */
static void assert_reads(struct dmb_dev *dev, const uint8_t *want, size_t bytes)
{
	uint8_t *buf = malloc(bytes);

	assert_non_null(buf);
	assert_int_equal(dmb_dev_sectors(dev) * SECTOR, bytes);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, bytes, buf), 0);
	assert_memory_equal(buf, want, bytes);
	free(buf);
}

/* ---- verity ------------------------------------------------------------- */

#define VBS 4096u
#define VBLOCKS 40u

/* A verity image: "data" and "hash" (superblock at 0), and "disk" holding
 * the data then, at VHASH_OFF, the superblock and tree. */
#define VHASH_OFF ((uint64_t)VBLOCKS * VBS)

struct vimg {
	struct tres res;
	struct dmb_ctx ctx;
	struct dmb_verity_params p;
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	struct tdev *data, *hash, *disk;
};

static void vimg_make(struct vimg *v)
{
	struct dmb_ram_bdev data, hash;
	struct dmb_verity_geometry g;
	struct rng rng;
	uint8_t root[DMB_MAX_DIGEST_SIZE];

	memset(v, 0, sizeof(*v));
	tres_init(&v->res);
	v->ctx.resolver = &v->res.r;
	v->ctx.crypto = &pc.crypto;
	v->p.hash_type = 1;
	strcpy(v->p.hash_name, "sha256");
	v->p.data_block_size = VBS;
	v->p.hash_block_size = VBS;
	v->p.data_blocks = VBLOCKS;
	v->p.salt_size = 8;
	memcpy(v->p.salt, "\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", 8);
	memset(v->p.uuid, 0x42, 16);
	assert_int_equal(dmb_verity_geometry(&v->ctx, &v->p, &g), 0);
	rng_seed(&rng, 7);
	v->data = tres_add(&v->res, "data", VHASH_OFF, 9, &rng);
	v->hash = tres_add(&v->res, "hash", g.hash_end * VBS, 9, NULL);
	v->disk = tres_add(&v->res, "disk", VHASH_OFF + g.hash_end * VBS, 9, NULL);
	tres_add(&v->res, "small", 2 * VBS, 9, NULL);
	dmb_ram_bdev_init(&data, v->data->mem, VHASH_OFF, 9, false);
	dmb_ram_bdev_init(&hash, v->hash->mem, v->hash->bytes, 9, true);
	assert_int_equal(dmb_verity_tree_build(&v->ctx, &v->p, &data.bdev, &hash.bdev, root, NULL,
					       NULL),
			 0);
	dmb_hex_encode(root, g.digest_size, v->root_hex);
	memcpy(v->disk->mem, v->data->mem, VHASH_OFF);
	memcpy(v->disk->mem + VHASH_OFF, v->hash->mem, v->hash->bytes);
	for (size_t i = 0; i < v->res.n; i++)
		dmb_ram_bdev_init(&v->res.dev[i].rb, v->res.dev[i].mem, v->res.dev[i].bytes, 9, false);
}

static void test_verity_open(void **state)
{
	struct vimg v;
	struct dmb_verity_params np;
	struct dmb_dev *dev;
	struct dmb_verity_open_args a = { 0 };

	(void)state;
	vimg_make(&v);
	/* Separate devices, the superblock at 0. */
	a.data_dev = "data";
	a.hash_dev = "hash";
	a.root_hex = v.root_hex;
	expect(dmb_verity_open(&v.ctx, &a, &dev), 0, &v.ctx, NULL);
	assert_int_equal(dmb_dev_bdev(dev)->block_shift, 12);
	assert_true(dmb_dev_flags(dev) & DMB_DEV_READONLY);
	assert_reads(dev, v.data->mem, VHASH_OFF);
	dmb_dev_destroy(dev);
	assert_int_equal(v.res.opens, v.res.closes);

	/* One device: the hash area after the data, as --hash-offset. */
	a.data_dev = "disk";
	a.hash_dev = NULL;
	a.hash_offset = VHASH_OFF;
	expect(dmb_verity_open(&v.ctx, &a, &dev), 0, &v.ctx, NULL);
	assert_int_equal(dmb_dev_lower_count(dev), 1);
	assert_reads(dev, v.data->mem, VHASH_OFF);
	dmb_dev_destroy(dev);

	/* Explicit parameters, nothing read first (--no-superblock over the tree past the superblock). */
	np = v.p;
	np.no_superblock = true;
	np.hash_offset = VBS;
	a.data_dev = "data";
	a.hash_dev = "hash";
	a.params = &np;
	v.res.opens = v.res.closes = 0;
	expect(dmb_verity_open(&v.ctx, &a, &dev), 0, &v.ctx, NULL);
	assert_int_equal(v.res.opens, 2);
	assert_reads(dev, v.data->mem, VHASH_OFF);
	dmb_dev_destroy(dev);

	/* Options are passed on: the table names them. */
	{
		struct dmb_verity_opts o = { .corruption = DMB_VERITY_CORRUPTION_IGNORE,
					     .ignore_zero_blocks = true };
		char line[1024];

		a.params = NULL;
		a.hash_offset = 0;
		a.opts = &o;
		expect(dmb_verity_open(&v.ctx, &a, &dev), 0, &v.ctx, NULL);
		assert_true(dmb_dev_format(dev, DMB_FMT_TABLE, 0, line, sizeof(line)) > 0);
		assert_non_null(strstr(line, " 2 ignore_corruption ignore_zero_blocks\n"));
		dmb_dev_destroy(dev);
	}
	assert_int_equal(v.res.opens, v.res.closes);
	tres_free(&v.res);
}

static void test_verity_open_errors(void **state)
{
	struct vimg v;
	struct dmb_dev *dev = (struct dmb_dev *)&dev;
	struct dmb_verity_open_args a = { .data_dev = "data", .hash_dev = "hash" };
	char bad[2 * DMB_MAX_DIGEST_SIZE + 1];

	(void)state;
	vimg_make(&v);
	a.root_hex = v.root_hex;

	expect(dmb_verity_open(&v.ctx, &(struct dmb_verity_open_args){ .root_hex = "00" }, &dev),
	       DMB_EINVAL, &v.ctx, "verity: no data device given");
	assert_null(dev);
	expect(dmb_verity_open(&v.ctx, &(struct dmb_verity_open_args){ .data_dev = "data" }, &dev),
	       DMB_EINVAL, &v.ctx, "verity: data: no root hash given");

	/* A missing device: the hash device first (the superblock), then the data. */
	a.hash_dev = "nope";
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ENOENT, &v.ctx,
	       "verity: hash device nope: not found");
	a.hash_dev = "hash";
	a.data_dev = "nope";
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ENOENT, &v.ctx,
	       "line 1: verity: Device lookup failed: nope");
	assert_null(dev);
	a.data_dev = "data";

	/* A data device shorter than the superblock's data blocks. */
	a.data_dev = "small";
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ERANGE, &v.ctx,
	       "line 1: verity: small too small for target: start=0, len=320, dev_size=16");
	a.data_dev = "data";

	/* No superblock where the offset says. */
	a.hash_offset = VBS;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ENOENT, &v.ctx,
	       "verity: hash device hash: no verity superblock (signature \"verity\" missing)");
	a.hash_offset = 1000;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_EINVAL, &v.ctx,
	       "verity: hash device hash: hash offset 1000 is not a multiple of 512");
	a.hash_offset = 0;

	/* A superblock this library does not take. */
	v.hash->mem[12] = 7;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ENOTSUP, &v.ctx,
	       "verity: hash device hash: verity superblock: unsupported hash type 7");
	v.hash->mem[12] = 1;

	/* The root hash: wrong length, not hex, then well-formed but wrong. */
	a.root_hex = "abcd";
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_EINVAL, &v.ctx,
	       "verity: data: the root hash must be 64 hex digits for sha256");
	strcpy(bad, v.root_hex);
	bad[5] = 'x';
	a.root_hex = bad;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_EINVAL, &v.ctx,
	       "verity: data: the root hash must be 64 hex digits for sha256");
	bad[5] = bad[5 + 1] == '0' ? '1' : '0';
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_EVERIFY, &v.ctx,
	       "line 1: verity: metadata block 1 of hash, the top of the hash tree, does not match the root digest: a wrong root hash or salt, or a corrupt hash device");
	assert_null(dev);
	a.root_hex = v.root_hex;

	/* One device whose hash area starts inside the data. */
	a.data_dev = "disk";
	a.hash_dev = NULL;
	a.hash_offset = VHASH_OFF;
	memcpy(v.disk->mem + VHASH_OFF - VBS, v.hash->mem, VBS);
	a.hash_offset = VHASH_OFF - VBS;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_EINVAL, &v.ctx,
	       "verity: disk: the data area (40 blocks of 4096 bytes) overlaps the hash area at byte 159744");

	/* No resolver. */
	v.ctx.resolver = NULL;
	expect(dmb_verity_open(&v.ctx, &a, &dev), DMB_ENOENT, &v.ctx,
	       "verity: disk: no resolver configured");
	v.ctx.resolver = &v.res.r;
	assert_int_equal(v.res.opens, v.res.closes);
	tres_free(&v.res);
}

/* The tamper case of the boot path: the block fails, zeroed; the others read. */
static void test_verity_open_tamper(void **state)
{
	struct vimg v;
	struct dmb_dev *dev;
	struct dmb_verity_open_args a = { .data_dev = "data", .hash_dev = "hash" };
	uint8_t buf[VBS];

	(void)state;
	vimg_make(&v);
	a.root_hex = v.root_hex;
	assert_int_equal(dmb_verity_open(&v.ctx, &a, &dev), 0);
	v.data->mem[9 * VBS + 100] ^= 0x20;
	memset(buf, 0xa5, sizeof(buf));
	expect(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 9 * VBS, VBS, buf), DMB_EIO, &v.ctx,
	       "verity: data block 9 of data is corrupted");
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 10 * VBS, VBS, buf), 0);
	assert_memory_equal(buf, v.data->mem + 10 * VBS, VBS);
	dmb_dev_destroy(dev);
	tres_free(&v.res);
}

static void test_verity_open_alloc_faults(void **state)
{
	struct vimg v;
	struct dmb_verity_open_args a = { .data_dev = "disk", .hash_offset = VHASH_OFF };

	(void)state;
	vimg_make(&v);
	a.root_hex = v.root_hex;
	for (long n = 1;; n++) {
		struct dmb_dev *dev = NULL;
		long live = test_port_live_allocs();
		int r;

		test_port_fail_alloc_at(n);
		r = dmb_verity_open(&v.ctx, &a, &dev);
		test_port_fail_alloc_at(0);
		if (r == 0) {
			assert_reads(dev, v.data->mem, VHASH_OFF);
			dmb_dev_destroy(dev);
		}
		assert_int_equal(test_port_live_allocs(), live);
		assert_int_equal(v.res.opens, v.res.closes);
		if (r == 0)
			break;
		if (r != DMB_ENOMEM)
			fail_msg("allocation %ld: %d %s", n, r, v.ctx.msg);
		assert_null(dev);
	}
	tres_free(&v.res);
}

/* ---- LVM ---------------------------------------------------------------- */

#define PV_BYTES (4u << 20)
#define MDA_OFF 4096u
#define MDA_SIZE ((1u << 20) - 4096u)
#define PE_START_BYTES (1u << 20)
#define LVM_CRC_SEED 0xf597a6cfu

static const char pv_id[] = "AAAAAAaaaaBBBBbbbbCCCCccccDDDDdd";

/* vg0 on one PV of 48 extents of 64 KiB: lin (two segments), ro (read-only),
 * and a snapshot of orig whose COW store is cow. */
static const char vg_text[] =
	"vg0 {\nid = \"VGVGVG-vgvg-VGVG-vgvg-VGVG-vgvg-VGVGVG\"\nseqno = 3\n"
	"format = \"lvm2\"\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
	"extent_size = 128\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n"
	"physical_volumes {\npv0 {\nid = \"AAAAAA-aaaa-BBBB-bbbb-CCCC-cccc-DDDDdd\"\n"
	"device = \"/dev/sda\"\nstatus = [\"ALLOCATABLE\"]\nflags = []\ndev_size = 8192\n"
	"pe_start = 2048\npe_count = 48\n}\n}\n"
	"logical_volumes {\n"
	"lin {\nid = \"LINLIN-0000-0000-0000-0000-0000-000000\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\nsegment_count = 2\n"
	"segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\n\"pv0\", 5\n]\n}\n"
	"segment2 {\nstart_extent = 2\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\n\"pv0\", 1\n]\n}\n}\n"
	"ro {\nid = \"RORORO-0000-0000-0000-0000-0000-000000\"\n"
	"status = [\"READ\", \"VISIBLE\"]\nflags = []\nsegment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\n\"pv0\", 10\n]\n}\n}\n"
	"orig {\nid = \"ORIGOR-0000-0000-0000-0000-0000-000000\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\nsegment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 3\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\n\"pv0\", 30\n]\n}\n}\n"
	"cow {\nid = \"COWCOW-0000-0000-0000-0000-0000-000000\"\n"
	"status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\nsegment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\n"
	"stripes = [\n\"pv0\", 20\n]\n}\n}\n"
	"snapshot0 {\nid = \"SNAPSN-0000-0000-0000-0000-0000-000000\"\n"
	"status = [\"READ\"]\nflags = []\nsegment_count = 1\n"
	"segment1 {\nstart_extent = 0\nextent_count = 3\ntype = \"snapshot\"\n"
	"chunk_size = 8\norigin = \"orig\"\ncow_store = \"cow\"\n}\n}\n"
	"}\n}\n"
	"contents = \"Text Format Volume Group\"\nversion = 1\ndescription = \"\"\n";

static void put_pv(uint8_t *mem, const char *text)
{
	static const uint8_t magic[16] = { 0x20, 0x4c, 0x56, 0x4d, 0x32, 0x20, 0x78, 0x5b,
					   0x35, 0x41, 0x25, 0x72, 0x30, 0x4e, 0x2a, 0x3e };
	uint8_t *s = mem + 512, *h = mem + MDA_OFF;
	size_t len = strlen(text) + 1;

	/* Label in sector 1, one data area, one metadata area. */
	memcpy(s, "LABELONE", 8);
	dmbi_put_le64(s + 8, 1);
	dmbi_put_le32(s + 20, 32);
	memcpy(s + 24, "LVM2 001", 8);
	memcpy(s + 32, pv_id, 32);
	dmbi_put_le64(s + 64, PV_BYTES);
	dmbi_put_le64(s + 72, PE_START_BYTES);
	dmbi_put_le64(s + 104, MDA_OFF);
	dmbi_put_le64(s + 112, MDA_SIZE);
	dmbi_put_le32(s + 136, 2);
	dmbi_put_le32(s + 140, 1);
	dmbi_put_le32(s + 16, dmbi_crc32_update(LVM_CRC_SEED, s + 20, 512 - 20));
	/* The metadata area header and one copy of the text at 512. */
	memcpy(h + 4, magic, 16);
	dmbi_put_le32(h + 20, 1);
	dmbi_put_le64(h + 24, MDA_OFF);
	dmbi_put_le64(h + 32, MDA_SIZE);
	dmbi_put_le64(h + 40, 512);
	dmbi_put_le64(h + 48, len);
	dmbi_put_le32(h + 56, dmbi_crc32_update(LVM_CRC_SEED, text, len));
	memcpy(h + 512, text, len);
	dmbi_put_le32(h, dmbi_crc32_update(LVM_CRC_SEED, h + 4, 512 - 4));
}

struct limg {
	struct tres res;
	struct dmb_ctx ctx;
	struct tdev *pv;
};

static void limg_make(struct limg *l)
{
	struct rng rng;

	memset(l, 0, sizeof(*l));
	tres_init(&l->res);
	l->ctx.resolver = &l->res.r;
	rng_seed(&rng, 11);
	l->pv = tres_add(&l->res, "pv", PV_BYTES, 9, &rng);
	memset(l->pv->mem, 0, PE_START_BYTES);
	put_pv(l->pv->mem, vg_text);
	tres_add(&l->res, "blank", 1u << 20, 9, NULL);
}

static const char *const lvm_devs[] = { "blank", "pv" };

static void test_lvm_activate(void **state)
{
	struct limg l;
	struct dmb_dev *dev;
	struct dmb_lvm_activate_args a = { lvm_devs, 2, "vg0/lin", 0 };
	const uint64_t ext = 128 * SECTOR;
	uint8_t *want = malloc(3 * ext);

	(void)state;
	limg_make(&l);
	/* lin: extents 5-6 of the PV, then extent 1. */
	memcpy(want, l.pv->mem + PE_START_BYTES + 5 * ext, 2 * ext);
	memcpy(want + 2 * ext, l.pv->mem + PE_START_BYTES + ext, ext);
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), 0, &l.ctx, NULL);
	assert_false(dmb_dev_flags(dev) & DMB_DEV_READONLY);
	assert_reads(dev, want, 3 * ext);
	dmb_dev_destroy(dev);
	assert_int_equal(l.res.opens, l.res.closes);
	/* The blank device was opened to be scanned, and only the PV by the device. */
	assert_int_equal(tres_find(&l.res, "blank")->opens, 1);
	assert_int_equal(tres_find(&l.res, "pv")->opens, 2);

	/* An LV without write permission maps read-only; so does the caller's flag. */
	a.lv = "vg0/ro";
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), 0, &l.ctx, NULL);
	assert_true(dmb_dev_flags(dev) & DMB_DEV_READONLY);
	assert_int_equal(tres_find(&l.res, "pv")->last_flags, 0);
	assert_reads(dev, l.pv->mem + PE_START_BYTES + 10 * ext, ext);
	dmb_dev_destroy(dev);
	a.lv = "vg0/lin";
	a.flags = DMB_DEV_READONLY;
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), 0, &l.ctx, NULL);
	assert_true(dmb_dev_flags(dev) & DMB_DEV_READONLY);
	dmb_dev_destroy(dev);
	assert_int_equal(l.res.opens, l.res.closes);
	free(want);
	tres_free(&l.res);
}

static void test_lvm_activate_errors(void **state)
{
	static const char *const missing[] = { "pv", "nope" };
	static const struct {
		const char *lv;
		int err;
		const char *msg;
	} cases[] = {
		{ "vg1/lin", DMB_ENOENT, "Volume group \"vg1\" not found" },
		{ "vg0/zzz", DMB_ENOENT, "Failed to find logical volume \"vg0/zzz\"" },
		{ "vg0", DMB_EINVAL, "lvm: vg0: not a VG/LV name" },
		{ "vg0/", DMB_EINVAL, "lvm: vg0/: not a VG/LV name" },
		{ "/lin", DMB_EINVAL, "lvm: /lin: not a VG/LV name" },
		{ "vg0/lin/x", DMB_EINVAL, "lvm: vg0/lin/x: not a VG/LV name" },
		{ "vg0/orig", DMB_ENOTSUP,
		  "lvm: vg0/orig needs its -real layer device below it: map the layers with dmb_lvm_lv_table(DMB_LVM_LAYER)" },
		{ "vg0/cow", DMB_ENOTSUP,
		  "lvm: vg0/cow needs its -cow layer device below it: map the layers with dmb_lvm_lv_table(DMB_LVM_LAYER)" },
		{ "vg0/snapshot0", DMB_ENOTSUP,
		  "logical volume vg0/snapshot0: segment type snapshot is not supported" },
	};
	struct limg l;
	struct dmb_dev *dev = (struct dmb_dev *)&dev;
	struct dmb_lvm_activate_args a = { lvm_devs, 2, NULL, 0 };

	(void)state;
	limg_make(&l);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		a.lv = cases[i].lv;
		expect(dmb_lvm_activate(&l.ctx, &a, &dev), cases[i].err, &l.ctx, cases[i].msg);
		assert_null(dev);
		assert_int_equal(l.res.opens, l.res.closes);
	}
	a.lv = "vg0/ro";
	a.devs = missing;
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), DMB_ENOENT, &l.ctx, "lvm: nope: not found");
	a.ndevs = 0;
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), DMB_EINVAL, &l.ctx, "lvm: vg0/ro: no devices to scan");
	/* Only the blank device: no PV, so no VG. */
	a.devs = lvm_devs;
	a.ndevs = 1;
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), DMB_ENOENT, &l.ctx,
	       "Volume group \"vg0\" not found");
	/* A damaged label is skipped, as lvm2 skips it, with a warning. */
	a.devs = lvm_devs;
	a.ndevs = 2;
	l.pv->mem[512 + 16] ^= 1;
	l.ctx.log_level = DMB_LOG_WARN;
	expect(dmb_lvm_activate(&l.ctx, &a, &dev), DMB_ENOENT, &l.ctx,
	       "Volume group \"vg0\" not found");
	assert_non_null(strstr(test_port_last_log(), "lvm: pv skipped: "));
	assert_int_equal(l.res.opens, l.res.closes);
	tres_free(&l.res);
}

static void test_lvm_activate_alloc_faults(void **state)
{
	struct limg l;
	struct dmb_lvm_activate_args a = { lvm_devs, 2, "vg0/ro", 0 };

	(void)state;
	limg_make(&l);
	for (long n = 1;; n++) {
		struct dmb_dev *dev = NULL;
		long live = test_port_live_allocs();
		int r;

		test_port_fail_alloc_at(n);
		r = dmb_lvm_activate(&l.ctx, &a, &dev);
		test_port_fail_alloc_at(0);
		dmb_dev_destroy(dev);
		assert_int_equal(test_port_live_allocs(), live);
		assert_int_equal(l.res.opens, l.res.closes);
		if (r == 0)
			break;
		if (r != DMB_ENOMEM)
			fail_msg("allocation %ld: %d %s", n, r, l.ctx.msg);
		assert_null(dev);
	}
	tres_free(&l.res);
}

/* ---- DDI ---------------------------------------------------------------- */

#define SS 512u
#define LBAS 2048u
#define ENTRIES 128u
#define ARRAY_LBAS (ENTRIES * 128u / SS)
#define ROOT_FIRST 64u
#define ROOT_LBAS 256u  /* 128 KiB: 32 data blocks of 4096 bytes */
#define HASH_FIRST (ROOT_FIRST + ROOT_LBAS)
#define HASH_LBAS 64u

static const char root_x86_64[] = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709";
static const char root_verity_x86_64[] = "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5";

struct dimg {
	struct tres res;
	struct dmb_part_resolver pr;
	struct dmb_ctx ctx;
	struct tdev *disk;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
};

/* One GPT entry (the entry array at LBA 2 and its backup) of type with uuid. */
static void put_entry(uint8_t *a, unsigned i, const char *type, const uint8_t *uuid,
		      uint64_t first, uint64_t count)
{
	uint8_t g[16], *e = a + i * 128u;

	assert_int_equal(dmb_guid_parse(type, g), 0);
	dmb_guid_to_disk(g, e);
	dmb_guid_to_disk(uuid, e + 16);
	dmbi_put_le64(e + 32, first);
	dmbi_put_le64(e + 40, first + count - 1);
	dmbi_put_le64(e + 48, 1ull << 60);
}

static void put_gpt(uint8_t *mem, const uint8_t *root_uuid, const uint8_t *hash_uuid)
{
	uint8_t a[ENTRIES * 128u];

	memset(a, 0, sizeof(a));
	put_entry(a, 0, root_x86_64, root_uuid, ROOT_FIRST, ROOT_LBAS);
	put_entry(a, 1, root_verity_x86_64, hash_uuid, HASH_FIRST, HASH_LBAS);
	mem[446 + 4] = 0xee;
	dmbi_put_le32(mem + 446 + 8, 1);
	dmbi_put_le32(mem + 446 + 12, LBAS - 1);
	mem[510] = 0x55;
	mem[511] = 0xaa;
	for (int backup = 0; backup < 2; backup++) {
		uint64_t my = backup ? LBAS - 1 : 1, array = backup ? LBAS - 1 - ARRAY_LBAS : 2;
		uint8_t *h = mem + my * SS;

		memcpy(mem + array * SS, a, sizeof(a));
		memcpy(h, "EFI PART", 8);
		dmbi_put_le32(h + 8, 0x00010000);
		dmbi_put_le32(h + 12, 92);
		dmbi_put_le64(h + 24, my);
		dmbi_put_le64(h + 32, backup ? 1 : LBAS - 1);
		dmbi_put_le64(h + 40, 2 + ARRAY_LBAS);
		dmbi_put_le64(h + 48, LBAS - 2 - ARRAY_LBAS);
		memset(h + 56, 0x5c, 16);
		dmbi_put_le64(h + 72, array);
		dmbi_put_le32(h + 80, ENTRIES);
		dmbi_put_le32(h + 84, 128);
		dmbi_put_le32(h + 88, dmbi_crc32(0, a, sizeof(a)));
		dmbi_put_le32(h + 16, dmbi_crc32(0, h, 92));
	}
}

/* A disk with root and root-verity (a squashfs magic, a superblock and tree). */
static void dimg_make(struct dimg *d)
{
	struct dmb_verity_params p = { .hash_type = 1, .hash_name = "sha256" };
	struct dmb_ram_bdev data, hash;
	struct rng rng;
	uint8_t *root_mem;

	memset(d, 0, sizeof(*d));
	tres_init(&d->res);
	dmb_part_resolver_init(&d->pr, &d->res.r);
	d->ctx.resolver = &d->pr.r;
	d->ctx.crypto = &pc.crypto;
	d->disk = tres_add(&d->res, "disk", LBAS * SS, 9, NULL);
	tres_add(&d->res, "blank", LBAS * SS, 9, NULL);
	root_mem = d->disk->mem + ROOT_FIRST * SS;
	rng_seed(&rng, 5);
	rng_fill(&rng, root_mem, ROOT_LBAS * SS);
	memcpy(root_mem, "hsqs", 4);
	p.data_block_size = p.hash_block_size = 4096;
	p.data_blocks = ROOT_LBAS * SS / 4096;
	p.salt_size = 16;
	rng_fill(&rng, p.salt, 16);
	rng_fill(&rng, p.uuid, 16);
	dmb_ram_bdev_init(&data, root_mem, ROOT_LBAS * SS, 9, false);
	dmb_ram_bdev_init(&hash, d->disk->mem + HASH_FIRST * SS, HASH_LBAS * SS, 9, true);
	assert_int_equal(dmb_verity_tree_build(&d->ctx, &p, &data.bdev, &hash.bdev, d->root, NULL,
					       NULL),
			 0);
	put_gpt(d->disk->mem, d->root, d->root + 16);
	dmb_ram_bdev_init(&d->disk->rb, d->disk->mem, d->disk->bytes, 9, false);
}

static void test_ddi_open(void **state)
{
	struct dimg d;
	struct dmb_dev *dev;
	struct dmb_ddi_open_args a = { .disk = "disk" };
	char line[1024];

	(void)state;
	dimg_make(&d);
	a.options.arch = DMB_ARCH_X86_64;
	a.options.root_hash[0] = d.root;
	a.options.root_hash_size[0] = 32;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), 0, &d.ctx, NULL);
	assert_true(dmb_dev_flags(dev) & DMB_DEV_READONLY);
	assert_true(dmb_dev_format(dev, DMB_FMT_TABLE, 0, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " verity 1 disk:p1 disk:p2 4096 4096 32 1 sha256 "));
	assert_reads(dev, d.disk->mem + ROOT_FIRST * SS, ROOT_LBAS * SS);
	dmb_dev_destroy(dev);
	assert_int_equal(d.res.opens, d.res.closes);

	/* Without a root hash: the data partition, linear (no signature required). */
	a.options.root_hash[0] = NULL;
	a.options.root_hash_size[0] = 0;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), 0, &d.ctx, NULL);
	assert_true(dmb_dev_format(dev, DMB_FMT_TABLE, 0, line, sizeof(line)) > 0);
	assert_string_equal(line, "0 256 linear disk:p1 0\n");
	dmb_dev_destroy(dev);
	assert_int_equal(d.res.opens, d.res.closes);
	tres_free(&d.res);
}

static void test_ddi_open_errors(void **state)
{
	struct dimg d;
	struct dmb_dev *dev = (struct dmb_dev *)&dev;
	struct dmb_ddi_open_args a = { .disk = "disk" };
	uint8_t wrong[32];

	(void)state;
	dimg_make(&d);
	a.options.arch = DMB_ARCH_X86_64;
	expect(dmb_ddi_open(&d.ctx, &(struct dmb_ddi_open_args){ 0 }, &dev), DMB_EINVAL, &d.ctx,
	       "ddi: no disk given");
	assert_null(dev);
	a.disk = "nope";
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_ENOENT, &d.ctx, "ddi: nope: not found");
	a.disk = "blank";
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_ENOENT, &d.ctx,
	       "ddi: blank: no partition table: no MBR signature 55 aa");
	a.disk = "disk";
	a.usr = true;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_ENOENT, &d.ctx, "ddi: disk: no usr partition");
	a.usr = false;
	a.options.flags = DMB_DDI_KEEP_GOING;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_EINVAL, &d.ctx,
	       "ddi: disk: DMB_DDI_KEEP_GOING is for inspection, never for mapping");
	a.options.flags = DMB_DDI_REQUIRE_SIGNATURE;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_ENOKEY, &d.ctx, NULL);
	assert_true(strncmp(d.ctx.msg, "ddi: disk: ", 11) == 0);
	a.options.flags = 0;
	/* A root hash that is not the one the partitions were made for. */
	memcpy(wrong, d.root, 32);
	wrong[31] ^= 1;
	a.options.root_hash[0] = wrong;
	a.options.root_hash_size[0] = 32;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_EVERIFY, &d.ctx, NULL);
	assert_true(strncmp(d.ctx.msg, "ddi: disk: ", 11) == 0);
	assert_null(dev);
	d.ctx.resolver = NULL;
	expect(dmb_ddi_open(&d.ctx, &a, &dev), DMB_ENOENT, &d.ctx,
	       "ddi: disk: no resolver configured");
	assert_int_equal(d.res.opens, d.res.closes);
	tres_free(&d.res);
}

static void test_ddi_open_alloc_faults(void **state)
{
	struct dimg d;
	struct dmb_ddi_open_args a = { .disk = "disk" };

	(void)state;
	dimg_make(&d);
	a.options.arch = DMB_ARCH_X86_64;
	a.options.root_hash[0] = d.root;
	a.options.root_hash_size[0] = 32;
	for (long n = 1;; n++) {
		struct dmb_dev *dev = NULL;
		long live = test_port_live_allocs();
		int r;

		test_port_fail_alloc_at(n);
		r = dmb_ddi_open(&d.ctx, &a, &dev);
		test_port_fail_alloc_at(0);
		dmb_dev_destroy(dev);
		assert_int_equal(test_port_live_allocs(), live);
		assert_int_equal(d.res.opens, d.res.closes);
		if (r == 0)
			break;
		if (r != DMB_ENOMEM)
			fail_msg("allocation %ld: %d %s", n, r, d.ctx.msg);
		assert_null(dev);
	}
	tres_free(&d.res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verity_open),
		cmocka_unit_test(test_verity_open_errors),
		cmocka_unit_test(test_verity_open_tamper),
		cmocka_unit_test(test_verity_open_alloc_faults),
		cmocka_unit_test(test_lvm_activate),
		cmocka_unit_test(test_lvm_activate_errors),
		cmocka_unit_test(test_lvm_activate_alloc_faults),
		cmocka_unit_test(test_ddi_open),
		cmocka_unit_test(test_ddi_open_errors),
		cmocka_unit_test(test_ddi_open_alloc_faults),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
