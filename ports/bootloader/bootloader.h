/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The reference bootloader port: what a bootloader supplies so that
 * ports/bootloader/port.c can give lib/ everything it needs.  Copy the two
 * files into the bootloader, implement the functions below as wrappers
 * around the bootloader's own (each is usually one line), and link lib/
 * (the DMBOOT_BOOTLOADER_SRCS list of lib/sources.mk).  The C compiler's
 * memcpy, memmove, memset and memcmp (<dmboot/port.h>) come from the
 * bootloader's string library, not from here.
 *
 * port.c then provides:
 *   - the port functions of <dmboot/port.h>: dmb_port_malloc, dmb_port_free,
 *     dmb_port_log (one console line each), dmb_port_fatal (reset or halt);
 *   - dmb_bl_resolver: a table's device names are bootloader device paths,
 *     each opened as a read-only dmb_bdev of 512-byte blocks over
 *     dmb_bl_dev_read();
 *   - dmb_bl_crypto: a crypto provider whose digests are the bootloader's,
 *     by Linux crypto API name ("sha256", "sha512", ...).  It has no
 *     ciphers, PBKDF2, Argon2 or signature checks: what needs them (crypt,
 *     LUKS, signed verity and DDIs) fails closed with DMB_ENOTSUP.
 *
 * None of these functions is called with a NULL pointer; none has to be
 * thread safe (lib/ keeps no global state and runs where it is called).
 */
#ifndef DMBOOT_PORTS_BOOTLOADER_H
#define DMBOOT_PORTS_BOOTLOADER_H

#include <dmboot/dmboot.h>

/* --- what the bootloader supplies --------------------------------------- */

/*
 * Memory: n bytes (n > 0) aligned as <dmboot/port.h> asks of
 * dmb_port_malloc(), or NULL; free accepts NULL.
 */
void *dmb_bl_malloc(size_t n);
void dmb_bl_free(void *p);

/* Print s on the console as it is (it carries its own newlines). */
void dmb_bl_puts(const char *s);

/* Restart the machine; halt it (as after a panic).  Neither should return. */
void dmb_bl_reset(void);
void dmb_bl_halt(void);

/*
 * Devices by path ("/dev/mmc0.rootfs", "mmc 0:2", whatever the bootloader
 * calls them).  open returns a handle and the device's size in bytes, or
 * NULL when there is no such device.  read fills buf with len bytes from
 * byte offset (offset + len never passes the size; both are multiples of
 * 512) and returns 0, or a negative number on an I/O error.  close releases
 * the handle.  Devices are only read.
 */
struct dmb_bl_dev;
struct dmb_bl_dev *dmb_bl_dev_open(const char *path, uint64_t *size_bytes);
int dmb_bl_dev_read(struct dmb_bl_dev *dev, uint64_t offset, void *buf, size_t len);
void dmb_bl_dev_close(struct dmb_bl_dev *dev);

/*
 * Digests by Linux crypto API name: alloc returns a fresh state, ready for
 * update, and the digest's size in bytes (at most DMB_MAX_DIGEST_SIZE), or
 * NULL when the bootloader lacks the algorithm (or memory).  init restarts
 * a state, final writes the digest (the state then needs init), free
 * wipes and releases it.  init, update and final return 0 or a negative
 * number.  dm-verity needs the images' digest ("sha256" nearly always).
 */
struct dmb_bl_digest;
struct dmb_bl_digest *dmb_bl_digest_alloc(const char *name, size_t *digest_size);
int dmb_bl_digest_init(struct dmb_bl_digest *d);
int dmb_bl_digest_update(struct dmb_bl_digest *d, const void *data, size_t len);
int dmb_bl_digest_final(struct dmb_bl_digest *d, uint8_t *out);
void dmb_bl_digest_free(struct dmb_bl_digest *d);

/* --- what port.c gives the bootloader ------------------------------------ */

/* Put these in the struct dmb_ctx of every call (ctx.resolver, ctx.crypto). */
extern const struct dmb_resolver dmb_bl_resolver;
extern const struct dmb_crypto dmb_bl_crypto;

#endif /* DMBOOT_PORTS_BOOTLOADER_H */
