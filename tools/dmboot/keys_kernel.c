// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Volume keys of opened crypt devices, kept in the kernel's user keyring
 * (@u) through libkeyutils so that they never reach a file: a device's
 * record names its key as `:<size>:logon:<description>` (formats.md §1.7,
 * the keyring form of a crypt key) and every later command reads it back
 * from here.  The kernel's own logon keys cannot be read from userspace,
 * so the key is stored as a user key of the same description, with
 * permissions for its possessor and owner only; close unlinks it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <keyutils.h>
#include <stdlib.h>
#include <string.h>

#include "cryptsetup.h"

/* View, read, write, search, link and set attributes: possessor and user only. */
#define KEY_PERMS (KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_USR_SEARCH | \
		   KEY_USR_LINK | KEY_USR_SETATTR)

int cs_key_add(const char *desc, const uint8_t *key, size_t len)
{
	key_serial_t id = add_key("user", desc, key, len, KEY_SPEC_USER_KEYRING);

	if (id < 0) {
		cli_error("cannot add key \"%s\" to the user keyring: %s", desc, strerror(errno));
		return DMB_EIO;
	}
	if (keyctl_setperm(id, KEY_PERMS) < 0) {
		cli_error("cannot restrict key \"%s\": %s", desc, strerror(errno));
		(void)keyctl_unlink(id, KEY_SPEC_USER_KEYRING);
		return DMB_EIO;
	}
	return 0;
}

int cs_key_read(const char *desc, uint8_t **out, size_t *len)
{
	key_serial_t id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", desc, 0);
	void *buf = NULL;
	long n;

	if (id < 0)
		return DMB_ENOKEY;
	n = keyctl_read_alloc(id, &buf);
	if (n < 0)
		return errno == ENOMEM ? DMB_ENOMEM : DMB_ENOKEY;
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int cs_key_unlink(const char *desc)
{
	key_serial_t id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", desc, 0);

	if (id < 0)
		return DMB_ENOKEY;
	(void)keyctl_invalidate(id);
	(void)keyctl_unlink(id, KEY_SPEC_USER_KEYRING);
	return 0;
}
