// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * LVM2 physical volumes (formats.md §4.1-§4.3, §4.8): the label in one of
 * sectors 0-3, the pv_header behind it with its lists of data and metadata
 * areas, each metadata area's header and the committed text copy it points
 * at, read across the wrap of the circular buffer and checked against its
 * CRC.  Every offset and size comes from disk, so each is checked against
 * the sector, the area or the device before it is used.  A damaged
 * metadata area is logged and skipped: the VG is read from another copy.
 */
#include "../formats.h"
#include "lvm2.h"

static const char label_id[8] = { 'L', 'A', 'B', 'E', 'L', 'O', 'N', 'E' };
static const char label_type[8] = { 'L', 'V', 'M', '2', ' ', '0', '0', '1' };
static const uint8_t mda_magic[16] = { 0x20, 0x4c, 0x56, 0x4d, 0x32, 0x20, 0x78, 0x5b,
				       0x35, 0x41, 0x25, 0x72, 0x30, 0x4e, 0x2a, 0x3e };

/* pv_header: 32-byte id, 8-byte size, then the lists of 16-byte disk_locns. */
#define PVH_ID 0
#define PVH_SIZE 32
#define PVH_LISTS 40
#define LOCN_BYTES 16
/* mda_header: checksum, magic, version, start, size, then 24-byte raw_locns. */
#define MDAH_RAW_LOCNS 40

static bool id_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '!' || c == '#';
}

void dmbi_lvm_id_format(const char *id32, char out[DMB_LVM_UUID_MAX])
{
	static const unsigned group[] = { 6, 4, 4, 4, 4, 4, 6 };
	size_t o = 0, i = 0;

	for (size_t g = 0; g < DMBI_ARRAY_SIZE(group); g++) {
		if (g)
			out[o++] = '-';
		for (unsigned k = 0; k < group[g]; k++)
			out[o++] = id32[i++];
	}
	out[o] = '\0';
}

bool dmbi_lvm_id_parse(const char *text, char out[DMB_LVM_ID_CHARS + 1])
{
	size_t len = dmbi_strnlen(text, DMB_LVM_UUID_MAX), n = 0;
	bool dashed = len == DMB_LVM_UUID_MAX - 1;

	if (len != DMB_LVM_ID_CHARS && !dashed)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (dashed && (i == 6 || i == 11 || i == 16 || i == 21 || i == 26 || i == 31)) {
			if (text[i] != '-')
				return false;
			continue;
		}
		if (!id_char(text[i]))
			return false;
		out[n++] = text[i];
	}
	out[n] = '\0';
	return true;
}

void dmbi_lvm_copies_free(struct lvm_copy *c)
{
	while (c) {
		struct lvm_copy *next = c->next;

		dmbi_cfg_free(c->root);
		dmb_port_free(c);
		c = next;
	}
}

/* The checks of an area's mda_header against itself and the PV header. */
static int check_header(const uint8_t *hdr, uint64_t area_off, uint64_t area_size, char *why,
			size_t why_cap)
{
	uint32_t crc = dmbi_crc32_update(LVM_INITIAL_CRC, hdr + 4, LVM_MDA_HEADER_SIZE - 4);
	uint64_t start, size;

	if (crc != dmbi_get_le32(hdr)) {
		dmbi_snprintf(why, why_cap, "header checksum 0x%08x does not match 0x%08x",
			      (unsigned)dmbi_get_le32(hdr), (unsigned)crc);
		return DMB_ECORRUPT;
	}
	if (memcmp(hdr + 4, mda_magic, sizeof(mda_magic)) != 0) {
		dmbi_snprintf(why, why_cap, "wrong magic in header");
		return DMB_ECORRUPT;
	}
	if (dmbi_get_le32(hdr + 20) != 1) {
		dmbi_snprintf(why, why_cap, "header version %u, not 1", (unsigned)dmbi_get_le32(hdr + 20));
		return DMB_ENOTSUP;
	}
	start = dmbi_get_le64(hdr + 24);
	size = dmbi_get_le64(hdr + 32);
	if (start != area_off || size != area_size) {
		dmbi_snprintf(why, why_cap,
			      "header says start %llu size %llu, the PV header %llu size %llu",
			      (unsigned long long)start, (unsigned long long)size,
			      (unsigned long long)area_off, (unsigned long long)area_size);
		return DMB_ECORRUPT;
	}
	return 0;
}

/*
 * The committed metadata text the checked header hdr points to, read and
 * checksummed: *text is NULL (and 0 returned) when the area holds none.
 */
static int read_text(struct dmb_bdev *bd, const uint8_t *hdr, uint64_t area_off,
		     uint64_t size, char **text, uint64_t *text_size, char *why, size_t why_cap)
{
	/* raw_locns[0] is the committed copy; [1] a precommitted one, unused. */
	const uint8_t *locn = hdr + MDAH_RAW_LOCNS;
	uint64_t text_off = dmbi_get_le64(locn), len = dmbi_get_le64(locn + 8), first;
	uint32_t crc;
	char *buf;
	int r;

	*text = NULL;
	if (dmbi_get_le32(locn + 20) & LVM_RAW_LOCN_IGNORED)
		return 0;
	if (text_off == 0 && len == 0)
		return 0;
	if (text_off < LVM_MDA_HEADER_SIZE || text_off >= size || len == 0 ||
	    len > size - LVM_MDA_HEADER_SIZE) {
		dmbi_snprintf(why, why_cap, "metadata at %llu size %llu outside the area (%llu bytes)",
			      (unsigned long long)text_off, (unsigned long long)len,
			      (unsigned long long)size);
		return DMB_ECORRUPT;
	}
	if (len > LVM_MAX_TEXT_BYTES) {
		dmbi_snprintf(why, why_cap, "metadata of %llu bytes, over the %u limit",
			      (unsigned long long)len, LVM_MAX_TEXT_BYTES);
		return DMB_ERANGE;
	}
	buf = dmb_port_malloc((size_t)len);
	if (!buf)
		return DMB_ENOMEM;
	/* The circular buffer: what does not fit before the area's end wraps to
	 * just behind the header. */
	first = DMBI_MIN(len, size - text_off);
	r = dmb_bdev_read_bytes(bd, area_off + text_off, (size_t)first, buf);
	if (!r && first < len)
		r = dmb_bdev_read_bytes(bd, area_off + LVM_MDA_HEADER_SIZE, (size_t)(len - first),
					buf + first);
	if (r) {
		dmbi_snprintf(why, why_cap, "metadata unreadable (%s)", dmb_strerror(r));
		dmb_port_free(buf);
		return r;
	}
	crc = dmbi_crc32_update(LVM_INITIAL_CRC, buf, (size_t)len);
	if (crc != dmbi_get_le32(locn + 16)) {
		dmbi_snprintf(why, why_cap, "metadata checksum 0x%08x does not match 0x%08x",
			      (unsigned)dmbi_get_le32(locn + 16), (unsigned)crc);
		dmb_port_free(buf);
		return DMB_ECORRUPT;
	}
	*text = buf;
	*text_size = len;
	return 0;
}

/* Parse a copy's text and find its VG section, id and seqno. */
static int parse_copy(struct dmb_ctx *ctx, const char *text, uint64_t text_size,
		      struct lvm_copy *copy, char *why, size_t why_cap)
{
	struct dmb_ctx pctx = *ctx;
	const struct dmbi_cfg_node *n;
	char bare[DMB_LVM_ID_CHARS + 1];
	const char *vgid;
	int64_t seqno;
	int r;

	pctx.err = 0;
	pctx.msg[0] = '\0';
	r = dmbi_cfg_parse(&pctx, text, (size_t)text_size, &copy->root);
	if (r) {
		dmbi_snprintf(why, why_cap, "metadata text: %s", pctx.msg);
		return r;
	}
	/* The text starts with the VG section; header keys follow it. */
	for (n = copy->root->child; n && n->type != DMBI_CFG_SECTION; n = n->next)
		;
	if (!n) {
		dmbi_snprintf(why, why_cap, "metadata text has no volume group section");
		return DMB_ECORRUPT;
	}
	copy->vgsec = (struct dmbi_cfg_node *)n;
	copy->vgname = n->key;
	if (dmbi_cfg_get_str(n, "id", &vgid) != 0 || !dmbi_lvm_id_parse(vgid, copy->vgid)) {
		dmbi_snprintf(why, why_cap, "volume group %s: missing or invalid id", n->key);
		return DMB_ECORRUPT;
	}
	memcpy(bare, copy->vgid, sizeof(bare));
	dmbi_lvm_id_format(bare, copy->vgid);
	if (dmbi_cfg_get_int(n, "seqno", &seqno) != 0 || seqno < 0) {
		dmbi_snprintf(why, why_cap, "volume group %s: missing or invalid seqno", n->key);
		return DMB_ECORRUPT;
	}
	copy->seqno = (uint64_t)seqno;
	return 0;
}

/*
 * The metadata copy of one area, or none.  Returns 0 (a copy appended, or
 * none there), DMB_ENOMEM, or another error for a damaged area, with the
 * reason in why.
 */
static int read_copy(struct dmb_ctx *ctx, struct lvm_pvdev *dev, struct dmb_bdev *bd,
		     unsigned index, uint64_t area_off, uint64_t area_size, struct lvm_copy **copies,
		     char *why, size_t why_cap)
{
	uint8_t hdr[LVM_MDA_HEADER_SIZE];
	struct lvm_copy *copy;
	uint64_t text_size = 0;
	char *text;
	int r;

	r = dmb_bdev_read_bytes(bd, area_off, sizeof(hdr), hdr);
	if (r) {
		dmbi_snprintf(why, why_cap, "header unreadable (%s)", dmb_strerror(r));
		return r;
	}
	r = check_header(hdr, area_off, area_size, why, why_cap);
	if (!r)
		r = read_text(bd, hdr, area_off, area_size, &text, &text_size, why, why_cap);
	if (r || !text)
		return r;
	copy = dmbi_calloc(1, sizeof(*copy));
	if (!copy) {
		dmb_port_free(text);
		return DMB_ENOMEM;
	}
	r = parse_copy(ctx, text, text_size, copy, why, why_cap);
	dmb_port_free(text);
	if (r) {
		dmbi_lvm_copies_free(copy);
		return r;
	}
	copy->dev = dev;
	copy->mda = index;
	copy->next = *copies;
	*copies = copy;
	dev->copies++;
	return 0;
}

/*
 * A disk_locn list of the pv_header at *p (inside the label sector end):
 * visits each {offset, size} until the {0, 0} terminator.  Returns the
 * number of entries, or -1 when the list runs off the sector or over max.
 */
static long read_locns(const uint8_t **p, const uint8_t *end, unsigned max, uint64_t *offs,
		       uint64_t *sizes)
{
	long n = 0;

	for (;;) {
		uint64_t off, size;

		if (end - *p < LOCN_BYTES)
			return -1;
		off = dmbi_get_le64(*p);
		size = dmbi_get_le64(*p + 8);
		*p += LOCN_BYTES;
		if (off == 0 && size == 0)
			return n;
		if ((unsigned long)n >= max)
			return -2;
		offs[n] = off;
		sizes[n] = size;
		n++;
	}
}

int dmbi_lvm_pv_read(struct dmb_ctx *ctx, const char *name, struct dmb_bdev *bd,
		     struct lvm_pvdev *dev, struct lvm_copy **copies)
{
	uint8_t buf[LVM_LABEL_SCAN_SECTORS * LVM_SECTOR];
	uint64_t dev_bytes = dmb_bdev_bytes(bd), offs[DMB_LVM_MAX_MDAS], sizes[DMB_LVM_MAX_MDAS];
	uint64_t data_off[1], data_size[1];
	size_t have = (size_t)DMBI_MIN(dev_bytes, (uint64_t)sizeof(buf));
	const uint8_t *label = NULL, *ph, *p, *end;
	char damaged[160] = "", why[DMB_MSG_MAX];
	uint32_t offset_xl;
	long ndata, nmda;
	int r;

	if (have < LVM_SECTOR)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no LVM label (device of %llu bytes)", name,
					 (unsigned long long)dev_bytes);
	r = dmb_bdev_read_bytes(bd, 0, have - have % LVM_SECTOR, buf);
	if (r)
		return dmb_ctx_set_error(ctx, r, "%s: cannot read the label sectors: %s", name,
					 dmb_strerror(r));
	for (unsigned i = 0; i < have / LVM_SECTOR && !label; i++) {
		const uint8_t *s = buf + i * LVM_SECTOR;
		uint32_t crc;

		if (memcmp(s, label_id, sizeof(label_id)) != 0)
			continue;
		if (dmbi_get_le64(s + 8) != i) {
			dmbi_snprintf(damaged, sizeof(damaged),
				      "label in sector %u says it is in sector %llu", i,
				      (unsigned long long)dmbi_get_le64(s + 8));
			continue;
		}
		crc = dmbi_crc32_update(LVM_INITIAL_CRC, s + 20, LVM_SECTOR - 20);
		if (crc != dmbi_get_le32(s + 16)) {
			dmbi_snprintf(damaged, sizeof(damaged),
				      "label checksum 0x%08x in sector %u does not match 0x%08x",
				      (unsigned)dmbi_get_le32(s + 16), i, (unsigned)crc);
			continue;
		}
		label = s;
		dev->pub.label_sector = i;
	}
	if (!label && damaged[0])
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: %s", name, damaged);
	if (!label)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no LVM label in sectors 0-3", name);
	if (memcmp(label + 24, label_type, sizeof(label_type)) != 0)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "%s: label type \"%.8s\" is not LVM2 001", name,
					 (const char *)label + 24);

	/* The pv_header, its two lists and the optional extension must all lie
	 * inside the label sector. */
	offset_xl = dmbi_get_le32(label + 20);
	end = label + LVM_SECTOR;
	if (offset_xl < 32 || offset_xl > LVM_SECTOR - PVH_LISTS - 2 * LOCN_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: pv_header offset %u outside the label",
					 name, (unsigned)offset_xl);
	ph = label + offset_xl;
	{
		char id[DMB_LVM_ID_CHARS + 1];

		memcpy(id, ph + PVH_ID, DMB_LVM_ID_CHARS);
		id[DMB_LVM_ID_CHARS] = '\0';
		if (!dmbi_lvm_id_parse(id, dev->id))
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: pv_header: invalid PV id", name);
		dmbi_lvm_id_format(dev->id, dev->pub.uuid);
	}
	dev->pub.dev_size_bytes = dmbi_get_le64(ph + PVH_SIZE);
	p = ph + PVH_LISTS;
	ndata = read_locns(&p, end, 1, data_off, data_size);
	if (ndata == -2)
		return dmb_ctx_set_error(ctx, DMB_ENOTSUP, "%s: pv_header lists more than one data area",
					 name);
	if (ndata < 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					 "%s: pv_header data area list runs past the label", name);
	nmda = read_locns(&p, end, DMB_LVM_MAX_MDAS, offs, sizes);
	if (nmda == -2)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s: pv_header lists more than %u metadata areas",
					 name, DMB_LVM_MAX_MDAS);
	if (nmda < 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
				  "%s: pv_header metadata area list runs past the label", name);
	if (end - p >= 8) {
		dev->pub.ext_version = dmbi_get_le32(p);
		dev->pub.ext_flags = dmbi_get_le32(p + 4);
	}
	if (ndata == 1) {
		if (data_off[0] > dev_bytes)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
					  "%s: data area at byte %llu past the device end (%llu bytes)",
					  name, (unsigned long long)data_off[0],
					  (unsigned long long)dev_bytes);
		dev->pub.pe_start_bytes = data_off[0];
	}
	dev->pub.mda_count = (unsigned)nmda;
	for (long i = 0; i < nmda; i++) {
		uint64_t area_end;

		if (!dev->pub.mda_size_bytes || sizes[i] < dev->pub.mda_size_bytes)
			dev->pub.mda_size_bytes = sizes[i];
		why[0] = '\0';
		if (sizes[i] < 2 * LVM_MDA_HEADER_SIZE || !dmbi_add_u64(offs[i], sizes[i], &area_end) ||
		    area_end > dev_bytes) {
			dmbi_snprintf(why, sizeof(why), "area %llu+%llu outside the device (%llu bytes)",
				      (unsigned long long)offs[i], (unsigned long long)sizes[i],
				      (unsigned long long)dev_bytes);
			r = DMB_ECORRUPT;
		} else {
			r = read_copy(ctx, dev, bd, (unsigned)i, offs[i], sizes[i], copies, why,
				      sizeof(why));
		}
		if (r == DMB_ENOMEM)
			return dmb_ctx_set_error(ctx, r, "%s: out of memory reading metadata", name);
		if (r) {
			dev->pub.mda_bad++;
			dmbi_log(ctx, DMB_LOG_WARN, "%s: metadata area %ld: %s", name, i + 1, why);
		}
	}
	return 0;
}
