/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Booting an OS image (docs/boot.md): the version and boot counters an
 * image's name carries (an LV name such as "os_1.2.0+3-1", or a partition
 * label), read by the default rule or by a systemd-sysupdate style pattern,
 * and the order in which images are tried: systemd-boot's order for Boot
 * Assessment counters, over systemd's version order.
 */
#ifndef DMBOOT_BOOT_H
#define DMBOOT_BOOT_H

#ifndef DMBOOT_INSIDE_DMBOOT_H
#error "include <dmboot/dmboot.h>, not <dmboot/boot.h>"
#endif

/* Longest image name and pattern, including the terminating NUL. */
#define DMB_BOOT_NAME_MAX 256

/* What an image name says (dmb_boot_name_parse()). */
struct dmb_boot_name {
	char version[DMB_BOOT_NAME_MAX]; /* the version the name carries, NUL-terminated */
	int tries_left;                  /* boot counter +L, -1 when the name has none */
	int tries_done;                  /* boot counter -D, 0 when none */
};

/*
 * Read the version and boot counters of an image name.
 *
 * First a trailing Boot Assessment counter is taken off the name, as
 * systemd-boot reads one: after the last '+', decimal digits (tries left),
 * optionally '-' and decimal digits (tries done), then the end of the name.
 * A '+' not followed by that shape is part of the name.  The counter stays
 * on the name when pattern names @l or @d itself.
 *
 * Then the rest is matched:
 *  - pattern NULL (the default rule): the version is everything after the
 *    first '_' ("os_1.2.0" is version "1.2.0");
 *  - otherwise pattern is systemd-sysupdate's pattern syntax: literal text,
 *    exactly one @v (the version), optionally @l (tries left) and @d (tries
 *    done, only with @l), and @@ for a literal '@'.  Two fields need text
 *    between them; a field ends at the first occurrence of the text that
 *    follows it, the last one at the end of the name.
 * A version is non-empty, of ASCII letters, digits and ".,_-+" (the
 * characters systemd-sysupdate allows), and neither "." nor "..".
 *
 * On success fills *out; on failure *out holds version "", tries_left -1 and
 * tries_done 0.  Errors (each with a message naming the name or pattern):
 *   DMB_EINVAL   name or out NULL, or pattern malformed: no @v, an unknown
 *                field, a field twice, two fields without text between
 *                them, @d without @l, a trailing lone '@', or a character
 *                sysupdate reserves ($ * ? [ ] ! \ |), '/', a control
 *                character or a non-ASCII byte;
 *   DMB_ENOTSUP  pattern uses a sysupdate field that no name carries
 *                (@u @f @t @m @s @a @r @g @h);
 *   DMB_ERANGE   name or pattern of DMB_BOOT_NAME_MAX bytes or more, or a
 *                counter over 2147483647 (INT_MAX);
 *   DMB_ENOENT   the name carries no version: no '_' or nothing after it
 *                (default rule), no match (pattern), or a version with a
 *                character outside the set above.
 */
DMB_MUST_CHECK int dmb_boot_name_parse(struct dmb_ctx *ctx, const char *pattern, const char *name,
				       struct dmb_boot_name *out);

/*
 * The order images are tried in, as qsort() wants it: negative when a boots
 * before b.  An image with no tries left (tries_left 0) goes last; then the
 * newer version first (dmb_version_cmp()); then, when both names carry a
 * counter, more tries left first and fewer tries done first.  This is
 * systemd-boot's order; where systemd-boot leaves two entries unordered
 * (same version, one with a counter and one without), the one without (an
 * image already known good) goes first, so that the order is total.
 */
int dmb_boot_name_cmp(const struct dmb_boot_name *a, const struct dmb_boot_name *b);

/*
 * systemd's version order (strverscmp_improved, the one dmb_ddi_dissect()
 * picks the newest partition by): -1, 0 or 1 as a is older than, as old as,
 * or newer than b.  NULL compares as "".  Segments of digits or letters,
 * each optionally after '~' (a pre-release: older than anything, even the
 * end of the string), '-' (version-release separator), '^' (a patched
 * release) or '.'; other characters only separate.  Numbers compare by
 * value, letters bytewise, a numeric segment is newer than an alphabetic
 * one, and with all segments equal, more segments is newer.
 */
int dmb_version_cmp(const char *a, const char *b);

#endif /* DMBOOT_BOOT_H */
