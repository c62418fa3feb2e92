// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot cryptsetup luksDump`: the LUKS1 and LUKS2 header as cryptsetup
 * 2.6.1 prints it, byte for byte (formats.md §5.1-§5.6: the binary
 * header, the JSON objects and the LUKS1 key slots, from the model of
 * <dmboot/luks.h>), the JSON area re-indented as json-c pretty-prints it
 * (--dump-json-metadata), and with --dump-volume-key the volume key after
 * the confirmation cryptsetup asks on a terminal.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cryptsetup.h"

/* Bytes as "xx " groups, per bytes per line, later lines after prefix. */
static void hex_lines(const uint8_t *p, size_t n, size_t per, const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		if (i && i % per == 0)
			printf("\n%s", prefix);
		printf("%02x ", p[i]);
	}
	printf("\n");
}

static void dump_luks1(const struct dmb_luks_hdr *h, const char *path)
{
	const struct dmb_luks_digest *d = &h->digests[0];

	printf("LUKS header information for %s\n\n", path);
	printf("Version:       \t1\n");
	printf("Cipher name:   \t%s\n", h->cipher_name);
	printf("Cipher mode:   \t%s\n", h->cipher_mode);
	printf("Hash spec:     \t%s\n", h->hash_spec);
	printf("Payload offset:\t%u\n", h->payload_offset_sectors);
	printf("MK bits:       \t%zu\n", h->keyslots[0].key_bytes * 8);
	printf("MK digest:     \t");
	hex_lines(d->digest, d->digest_len, 20, "");
	printf("MK salt:       \t");
	hex_lines(d->kdf.salt, d->kdf.salt_len, 16, "               \t");
	printf("MK iterations: \t%u\n", d->kdf.iterations);
	printf("UUID:          \t%s\n\n", h->uuid);
	for (size_t i = 0; i < h->nkeyslots; i++) {
		const struct dmb_luks_keyslot *k = &h->keyslots[i];

		if (!k->active) {
			printf("Key Slot %u: DISABLED\n", k->id);
			continue;
		}
		printf("Key Slot %u: ENABLED\n", k->id);
		printf("\tIterations:         \t%u\n", k->kdf.iterations);
		printf("\tSalt:               \t");
		hex_lines(k->kdf.salt, k->kdf.salt_len, 16, "\t                      \t");
		printf("\tKey material offset:\t%llu\n", (unsigned long long)(k->area_offset_bytes / 512));
		printf("\tAF stripes:            \t%u\n", k->af_stripes);
	}
}

static void dump_flags(const struct dmb_luks_hdr *h)
{
	static const char *const names[] = {
		"allow-discards", "same-cpu-crypt", "submit-from-crypt-cpus", "no-journal",
		"no-read-workqueue", "no-write-workqueue", "high-priority",
	};

	printf("Flags:       \t");
	if (!h->flags)
		printf("(no flags)");
	for (size_t i = 0; i < CLI_NELEM(names); i++)
		if (h->flags & (1u << i))
			printf("%s ", names[i]);
	printf("\n");
	if (h->requirements)
		printf("Requirements:\t%s \n", h->requirements);
	printf("\n");
}

static void dump_segments(const struct dmb_luks_hdr *h)
{
	printf("Data segments:\n");
	for (size_t i = 0; i < h->nsegments; i++) {
		const struct dmb_luks_segment *s = &h->segments[i];

		printf("  %u: %s\n", s->id, s->type);
		printf("\toffset: %llu [bytes]\n", (unsigned long long)s->offset_bytes);
		if (s->dynamic)
			printf("\tlength: (whole device)\n");
		else
			printf("\tlength: %llu [bytes]\n", (unsigned long long)s->size_bytes);
		if (strcmp(s->type, "crypt") == 0) {
			printf("\tcipher: %s\n", s->encryption);
			printf("\tsector: %u [bytes]\n", s->sector_size);
		}
		if (s->integrity)
			printf("\tintegrity: %s\n", s->integrity_type);
		if (s->nflags)
			printf("\tflags : %s\n", s->flags);
		printf("\n");
	}
}

static void dump_kdf(const struct dmb_luks_kdf *k)
{
	printf("\tPBKDF:      %s\n", k->type);
	if (strcmp(k->type, "pbkdf2") == 0) {
		printf("\tHash:       %s\n", k->hash);
		printf("\tIterations: %u\n", k->iterations);
	} else {
		printf("\tTime cost:  %u\n", k->time);
		printf("\tMemory:     %u\n", k->memory_kib);
		printf("\tThreads:    %u\n", k->cpus);
	}
	printf("\tSalt:       ");
	hex_lines(k->salt, k->salt_len, 16, "\t            ");
}

static void dump_luks2_slot(const struct dmb_luks_keyslot *k)
{
	printf("\tCipher:     %s\n", k->area_encryption);
	printf("\tCipher key: %zu bits\n", k->area_key_bytes * 8);
	dump_kdf(&k->kdf);
	printf("\tAF stripes: %u\n", k->af_stripes);
	printf("\tAF hash:    %s\n", k->af_hash);
}

/* A reencrypt keyslot: the operation and its resilience (the area's type). */
static void dump_reencrypt(const struct dmb_luks_keyslot *k)
{
	printf("\tMode:       %s\n", k->reenc_mode);
	printf("\tDirection:  %s\n", k->reenc_direction);
	printf("\tResilience: %s\n", k->area_type);
	if (strcmp(k->area_type, "checksum") == 0) {
		printf("\tHash:       %s\n", k->area_hash);
		printf("\tHash data:  %u [bytes]\n", k->area_sector_size);
	} else if (strcmp(k->area_type, "datashift") == 0) {
		/* cryptsetup 2.6.1 prints no space before the unit here */
		printf("\tShift size: %llu[bytes]\n", (unsigned long long)k->area_shift_bytes);
	}
}

/* Whether keyslot k holds the data segment's key (its digest lists the segment). */
static bool bound(const struct dmb_luks_hdr *h, const struct dmb_luks_keyslot *k)
{
	unsigned seg = 32;

	for (size_t i = 0; i < h->nsegments; i++)
		if (h->segments[i].id < seg)
			seg = h->segments[i].id;
	return k->digest >= 0 && (size_t)k->digest < h->ndigests && seg < 32 &&
	       (h->digests[k->digest].segments >> seg & 1u);
}

static void dump_keyslots(const struct dmb_luks_hdr *h)
{
	static const char *const prio[] = { "ignored", "normal", "preferred" };

	printf("Keyslots:\n");
	for (size_t i = 0; i < h->nkeyslots; i++) {
		const struct dmb_luks_keyslot *k = &h->keyslots[i];

		printf("  %u: %s%s\n", k->id, k->type, bound(h, k) ? "" : " (unbound)");
		printf("\tKey:        %zu bits\n", k->key_bytes * 8);
		if (k->priority >= 0 && k->priority <= 2)
			printf("\tPriority:   %s\n", prio[k->priority]);
		if (strcmp(k->type, "reencrypt") == 0)
			dump_reencrypt(k);
		else
			dump_luks2_slot(k);
		printf("\tArea offset:%llu [bytes]\n", (unsigned long long)k->area_offset_bytes);
		printf("\tArea length:%llu [bytes]\n", (unsigned long long)k->area_size_bytes);
		if (k->digest >= 0)
			printf("\tDigest ID:  %u\n", h->digests[k->digest].id);
	}
}

static void dump_ids(const char *what, uint32_t bits)
{
	for (unsigned i = 0; i < 32; i++)
		if (bits & (1u << i))
			printf("\t%s    %u\n", what, i);
}

static void dump_tokens_digests(const struct dmb_luks_hdr *h)
{
	printf("Tokens:\n");
	for (size_t i = 0; i < h->ntokens; i++) {
		const struct dmb_luks_token *t = &h->tokens[i];

		printf("  %u: %s\n", t->id, t->type);
		if (strcmp(t->type, "luks2-keyring") == 0)
			printf("\tKey description: %s\n", t->key_description);
		dump_ids("Keyslot:", t->keyslots);
	}
	printf("Digests:\n");
	for (size_t i = 0; i < h->ndigests; i++) {
		const struct dmb_luks_digest *d = &h->digests[i];

		printf("  %u: %s\n", d->id, d->type);
		printf("\tHash:       %s\n", d->kdf.hash);
		printf("\tIterations: %u\n", d->kdf.iterations);
		printf("\tSalt:       ");
		hex_lines(d->kdf.salt, d->kdf.salt_len, 16, "\t            ");
		printf("\tDigest:     ");
		hex_lines(d->digest, d->digest_len, 16, "\t            ");
	}
}

static void dump_luks2(const struct dmb_luks_hdr *h)
{
	printf("LUKS header information\n");
	printf("Version:       \t2\n");
	printf("Epoch:         \t%llu\n", (unsigned long long)h->seqid);
	printf("Metadata area: \t%llu [bytes]\n", (unsigned long long)h->hdr_size_bytes);
	printf("Keyslots area: \t%llu [bytes]\n", (unsigned long long)h->keyslots_size_bytes);
	printf("UUID:          \t%s\n", h->uuid);
	printf("Label:         \t%s\n", h->label[0] ? h->label : "(no label)");
	printf("Subsystem:     \t%s\n", h->subsystem[0] ? h->subsystem : "(no subsystem)");
	dump_flags(h);
	dump_segments(h);
	dump_keyslots(h);
	dump_tokens_digests(h);
}

static void indent(unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", stdout);
}

/*
 * The JSON text as json-c pretty-prints it: every member and element on
 * its own line, two spaces a level, no space after ':', an empty object
 * or array as an opening line and a closing line at the opening's
 * indentation, no final newline.
 */
static void dump_json(const char *j, size_t n)
{
	unsigned depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < n && j[i]; i++) {
		char c = j[i];

		if (in_str) {
			putchar(c);
			if (c == '\\' && i + 1 < n)
				putchar(j[++i]);
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		if (c == '"')
			in_str = true;
		if (c == '}' || c == ']') {
			putchar('\n');
			indent(depth ? --depth : 0);
		}
		putchar(c);
		if (c == '{' || c == '[') {
			size_t k = i + 1;

			while (k < n && (j[k] == ' ' || j[k] == '\n' || j[k] == '\t' || j[k] == '\r'))
				k++;
			putchar('\n');
			if (k < n && (j[k] == '}' || j[k] == ']')) {
				indent(depth);
				putchar(j[k]);
				i = k;
			} else {
				indent(++depth);
			}
		} else if (c == ',') {
			putchar('\n');
			indent(depth);
		}
	}
}

/* The confirmation cryptsetup asks on a terminal, unless --batch-mode. */
static bool confirmed(const struct copts *o)
{
	char line[16];

	if (o->batch || !isatty(0))
		return true;
	printf("\nWARNING!\n========\n"
	       "Header dump with volume key is sensitive information\n"
	       "that allows access to encrypted partition without a passphrase.\n"
	       "This dump should be stored encrypted in a safe place.\n\n"
	       "Are you sure? (Type 'yes' in capital letters): ");
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) && strcmp(line, "YES\n") == 0;
}

static void print_volume_key(const struct dmb_luks_hdr *h, const char *path, const uint8_t *vk,
			     size_t vk_len)
{
	char name[DMB_LUKS_NAME_MAX] = "", mode[DMB_LUKS_NAME_MAX] = "";
	const char *dash;
	uint64_t payload = h->payload_offset_sectors;

	if (h->version == 1) {
		snprintf(name, sizeof(name), "%s", h->cipher_name);
		snprintf(mode, sizeof(mode), "%s", h->cipher_mode);
	} else if (h->nsegments) {
		dash = strchr(h->segments[0].encryption, '-');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(dash ? (size_t)(dash - h->segments[0].encryption)
				    : strlen(h->segments[0].encryption)),
			 h->segments[0].encryption);
		snprintf(mode, sizeof(mode), "%s", dash ? dash + 1 : "");
		payload = h->segments[0].offset_bytes / 512;
	}
	printf("LUKS header information for %s\n", path);
	printf("Cipher name:   \t%s\n", name);
	printf("Cipher mode:   \t%s\n", mode);
	printf("Payload offset:\t%llu\n", (unsigned long long)payload);
	printf("UUID:          \t%s\n", h->uuid);
	printf("MK bits:       \t%zu\n", vk_len * 8);
	printf("MK dump:\t");
	hex_lines(vk, vk_len, 16, "\t\t");
}

static int dump_volume_key(struct dmb_ctx *ctx, const struct copts *o, const char *path,
			   const struct dmb_luks *l, struct dmb_bdev *bd)
{
	uint8_t vk[DMB_LUKS_MAX_KEY_BYTES], *pass;
	size_t vk_len = 0, plen;
	int slot, r;

	if (!confirmed(o))
		return DMB_EINVAL;
	r = cs_read_secret(o, path, &pass, &plen);
	if (r)
		return r;
	/* cryptsetup 2.6.1 ignores --key-slot here: any slot bound to the data segment. */
	r = dmb_luks_unlock(ctx, l, bd, -1, pass, plen, vk, sizeof(vk), &vk_len, &slot);
	cs_secret_free(pass, plen);
	if (r == DMB_ENOKEY)
		fprintf(stderr, "No key available with this passphrase.\n");
	else if (r)
		fprintf(stderr, "%s\n", ctx->msg);
	else
		print_volume_key(dmb_luks_header(l), path, vk, vk_len);
	dmb_wipe(vk, sizeof(vk));
	return r;
}

int cs_luks_dump(void *opts, int argc, char **argv)
{
	struct copts *o = opts;
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct cli_image im = { 0 };
	struct dmb_luks *l = NULL;
	const char *shown = o->header ? o->header : argv[1];
	int r;

	(void)argc;
	cs_ctx_init(&ctx, &pc);
	r = cs_load(&ctx, o, argv[1], &im, &l);
	if (!r) {
		const struct dmb_luks_hdr *h = dmb_luks_header(l);

		if (o->dump_volume_key)
			r = dump_volume_key(&ctx, o, shown, l, im.bd);
		else if (o->dump_json && h->version == 2)
			dump_json(h->json, h->json_len);
		else if (h->version == 1)
			dump_luks1(h, shown);
		else
			dump_luks2(h);
	}
	dmb_luks_destroy(l);
	cli_image_close(&im);
	cs_ctx_fini(&pc);
	return r;
}
