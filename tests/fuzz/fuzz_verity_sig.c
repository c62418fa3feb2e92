// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the parser of a -verity-sig partition's content
 * (lib/formats/ddi.c, formats.md §6.4): the input is the partition, JSON
 * padded with NUL bytes.  Whatever the bytes, the parser returns 0,
 * DMB_ECORRUPT or DMB_ENOMEM with a message, leaves no root hash size
 * outside 16..DMB_MAX_DIGEST_SIZE, and leaks nothing.  What it accepts must
 * hold what ddi_internal.h promises (a root hash whose first and last 16
 * bytes are not all zero, a signature, a lowercase fingerprint or none),
 * and printing those fields again as the JSON systemd-repart writes must
 * parse back to the same fields.
 *
 * Seeds in corpus/verity_sig/: the partition systemd-repart 252 wrote for
 * `Verity=signature` with --private-key/--certificate (RSA-2048, the
 * certificate in the PKCS#7), JSON made by hand the same way with
 * `openssl smime -sign -nocerts -noattr -binary` over the hex root hash
 * (EC P-256), and variants: members in another order, no fingerprint,
 * white space, other members nested, a sha512 root hash, upper case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <dmboot/dmboot.h>

#include "core/core.h"
#include "formats/ddi_internal.h"

#define MAX_INPUT (1u << 20)

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_verity_sig: %s\n", what);
		abort();
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The accepted fields, printed as systemd-repart prints them and parsed again. */
static void round_trip(const struct dmb_ddi_verity *v)
{
	static char text[2 * MAX_INPUT];
	char hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	struct dmb_ctx ctx = { 0 };
	struct dmb_ddi_verity again;
	int n, r;

	dmb_hex_encode(v->root_hash, v->root_hash_size, hex);
	n = snprintf(text, sizeof(text), "{\"rootHash\":\"%s\",", hex);
	if (v->cert_fingerprint[0])
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\"certificateFingerprint\":\"%s\",",
			      v->cert_fingerprint);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\"signature\":\"");
	check(4 * ((v->signature_size + 2) / 3) + (size_t)n + 3 < sizeof(text), "room");
	n += EVP_EncodeBlock((unsigned char *)text + n, v->signature, (int)v->signature_size);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\"}");
	memset(&again, 0, sizeof(again));
	r = dmbi_ddi_sig_json_parse(&ctx, "again", text, (size_t)n, &again);
	if (r == DMB_ENOMEM) {
		dmb_port_free(again.signature);
		return;
	}
	check(r == 0, "printed again, not accepted");
	check(again.root_hash_size == v->root_hash_size &&
	      memcmp(again.root_hash, v->root_hash, v->root_hash_size) == 0, "root hash differs");
	check(again.signature_size == v->signature_size &&
	      memcmp(again.signature, v->signature, v->signature_size) == 0, "signature differs");
	check(strcmp(again.cert_fingerprint, v->cert_fingerprint) == 0, "fingerprint differs");
	dmb_port_free(again.signature);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_ddi_verity v;
	int r;

	if (size > MAX_INPUT)
		return 0;
	memset(&v, 0, sizeof(v));
	r = dmbi_ddi_sig_json_parse(&ctx, "sig", (const char *)data, size, &v);
	check(r == 0 || r == DMB_ECORRUPT || r == DMB_ENOMEM, "undocumented code");
	check(v.root_hash_size == 0 ||
	      (v.root_hash_size >= 16 && v.root_hash_size <= DMB_MAX_DIGEST_SIZE),
	      "root hash size out of range");
	if (r) {
		check(ctx.err == r && strncmp(ctx.msg, "sig: ", 5) == 0, "failure without a message");
	} else {
		check(v.root_hash_size != 0, "accepted without a root hash");
		check(!all_zero(v.root_hash, 16) &&
		      !all_zero(v.root_hash + v.root_hash_size - 16, 16), "zero UUID accepted");
		check(v.signature != NULL && v.signature_size <= size, "signature");
		check(v.cert_fingerprint[0] == '\0' || strlen(v.cert_fingerprint) == 64,
		      "fingerprint length");
		for (size_t i = 0; v.cert_fingerprint[i]; i++)
			check((v.cert_fingerprint[i] >= '0' && v.cert_fingerprint[i] <= '9') ||
			      (v.cert_fingerprint[i] >= 'a' && v.cert_fingerprint[i] <= 'f'),
			      "fingerprint not lowercase hex");
		round_trip(&v);
	}
	dmb_port_free(v.signature);
	return 0;
}
