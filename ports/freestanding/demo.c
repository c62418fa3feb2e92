// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * A program with no libc that maps a table over RAM devices and reads it
 * back: what a bootloader does, minus the bootloader.  Built by
 * scripts/check-freestanding.sh with -ffreestanding -nostdlib; the entry
 * point exits through a raw system call (x86-64 Linux only; elsewhere the
 * script only links it).
 */
#include <dmboot/dmboot.h>

static uint8_t disk0[64 * 512];

struct ram_resolver {
	struct dmb_ram_bdev ram;
};

static int ram_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct ram_resolver *rr = r->priv;

	(void)ctx;
	(void)flags;
	if (name[0] != 'r' || name[1] != 'a' || name[2] != 'm' || name[3] != '0' || name[4])
		return DMB_ENOENT;
	*out = &rr->ram.bdev;
	return 0;
}

static void ram_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static int run(void)
{
	static const char table[] = "0 8 linear ram0 16\n8 8 zero\n16 16 striped 2 4 ram0 0 ram0 40\n";
	struct ram_resolver rr;
	struct dmb_resolver res = { ram_open, ram_close, &rr };
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t;
	struct dmb_dev *dev;
	uint8_t buf[32 * 512];

	for (unsigned i = 0; i < sizeof(disk0); i++)
		disk0[i] = (uint8_t)(i / 512 + 1);
	dmb_ram_bdev_init(&rr.ram, disk0, sizeof(disk0), 9, true);
	ctx.resolver = &res;
	if (dmb_table_parse(&ctx, table, sizeof(table) - 1, &t))
		return 1;
	if (dmb_dev_create(&ctx, t, DMB_DEV_READONLY, &dev))
		return 2;
	if (dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, sizeof(buf), buf))
		return 3;
	/* linear: sectors 16..23 of ram0; zero; striped chunks of 4 from 0 and 40. */
	if (buf[0] != 17 || buf[7 * 512] != 24 || buf[8 * 512] != 0 || buf[16 * 512] != 1 ||
	    buf[20 * 512] != 41 || buf[24 * 512] != 5 || buf[28 * 512] != 45)
		return 4;
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
	return 0;
}

#if defined(__x86_64__) && defined(__linux__)
__attribute__((force_align_arg_pointer, noreturn)) void dmb_freestanding_start(void);
void dmb_freestanding_start(void)
{
	long code = run();

	__asm__ volatile("syscall" : : "a"(60L), "D"(code) : "rcx", "r11", "memory");
	for (;;)
		;
}
#else
int dmb_freestanding_run(void);
int dmb_freestanding_run(void)
{
	return run();
}
#endif
