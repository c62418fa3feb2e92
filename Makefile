# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# dmboot: plain GNU make.  `make` builds build/dmboot and build/libdmboot.a;
# `make check` runs every test; `make demo` and `make bench` the demo and the
# benchmarks.  scripts/install-deps.sh installs missing Debian packages.

CC      ?= cc
CLANG   ?= clang
PYTHON  ?= /usr/bin/python3
B       := build

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wmissing-prototypes \
           -Wstrict-prototypes -Wvla -Werror
CSTD    := -std=c11
OPT     ?= -O2 -g
CPPFLAGS_ALL := -Iinclude -D_FILE_OFFSET_BITS=64
CFLAGS_ALL   := $(CSTD) $(OPT) $(WARN) $(CFLAGS)

include lib/sources.mk
LIB_SRCS   := $(addprefix lib/,$(DMBOOT_LIB_SRCS))
CRYPTO_SRCS := ports/posix/crypto_openssl.c ports/posix/crypto_sig.c ports/posix/crypto_cipher.c
CRYPTO_LIBS := -lcrypto -largon2
PORT_SRCS  := ports/posix/port.c ports/posix/file_bdev.c $(CRYPTO_SRCS)
TOOL_SRCS  := $(wildcard tools/dmboot/*.c tools/dmboot/cli/*.c)
UNIT_SRCS  := $(filter-out tests/unit/test_port.c,$(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS    := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
HDRS       := $(wildcard tests/fuzz/*.h include/dmboot/*.h lib/base/*.h lib/core/*.h lib/verity/*.h lib/crypt/*.h lib/formats/*.h lib/formats/lvm2/*.h lib/formats/luks/*.h lib/targets/*.h ports/posix/*.h tools/dmboot/*.h tools/dmboot/cli/*.h tests/unit/*.h)

.PHONY: all deps check rules unit unit-asan freestanding cross sizes fuzz-smoke fuzz e2e kernel-check valgrind demo bench clean

all: $(B)/dmboot $(B)/libdmboot.a

deps:
	@scripts/install-deps.sh

# --- normal build ---------------------------------------------------------
$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

# Two archives of the same objects: libdmboot-internal.a keeps every symbol,
# for the unit tests that test internals; libdmboot.a, the one embedders and
# the CLI link, is one relocatable object whose only global symbols are the
# public API (scripts/check-symbols.sh proves it).
LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
$(B)/libdmboot-internal.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/public.syms: $(wildcard include/dmboot/*.h) scripts/public-symbols.sh
	@mkdir -p $(dir $@)
	scripts/public-symbols.sh "$(CC)" >$@

$(B)/libdmboot.a: $(LIB_OBJS) $(B)/public.syms
	@rm -f $@ $(B)/libdmboot.o
	ld -r -o $(B)/libdmboot.o $(LIB_OBJS)
	objcopy --keep-global-symbols=$(B)/public.syms $(B)/libdmboot.o
	ar rcs $@ $(B)/libdmboot.o

$(B)/dmboot: $(patsubst %.c,$(B)/obj/%.o,$(TOOL_SRCS) $(PORT_SRCS)) $(B)/libdmboot.a
	$(CC) $(CFLAGS_ALL) $^ $(CRYPTO_LIBS) -lkeyutils -lpthread -o $@
	ln -sf dmboot $(B)/dmsetup
	ln -sf dmboot $(B)/veritysetup
	ln -sf dmboot $(B)/sfdisk
	ln -sf dmboot $(B)/lvm
	ln -sf dmboot $(B)/cryptsetup

# --- unit tests (cmocka), plain and under ASan+UBSan ----------------------
# Tests link the host crypto provider (OpenSSL) besides the library.
$(B)/unit/%: tests/unit/%.c tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/libdmboot-internal.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Ilib $(CFLAGS_ALL) $< tests/unit/test_port.c $(UNIT_EXTRA) $(CRYPTO_SRCS) $(B)/libdmboot-internal.a -lcmocka $(CRYPTO_LIBS) -o $@

SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(B)/asan/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) $(CSTD) -O1 -g $(WARN) $(SAN) -c $< -o $@

ASAN_LIB_OBJS := $(patsubst %.c,$(B)/asan/obj/%.o,$(LIB_SRCS))
$(B)/asan/libdmboot-internal.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/libdmboot.a: $(ASAN_LIB_OBJS) $(B)/public.syms
	@rm -f $@ $(B)/asan/libdmboot.o
	ld -r -o $(B)/asan/libdmboot.o $(ASAN_LIB_OBJS)
	objcopy --keep-global-symbols=$(B)/public.syms $(B)/asan/libdmboot.o
	ar rcs $@ $(B)/asan/libdmboot.o

$(B)/asan/unit/%: tests/unit/%.c tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/asan/libdmboot-internal.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) -Ilib $(CSTD) -O1 -g $(WARN) $(SAN) $< tests/unit/test_port.c $(UNIT_EXTRA) $(CRYPTO_SRCS) $(B)/asan/libdmboot-internal.a -lcmocka $(CRYPTO_LIBS) -o $@

$(B)/asan/dmboot: $(patsubst %.c,$(B)/asan/obj/%.o,$(TOOL_SRCS) $(PORT_SRCS)) $(B)/asan/libdmboot.a
	$(CLANG) $(SAN) $^ $(CRYPTO_LIBS) -lkeyutils -lpthread -o $@

unit: $(addprefix $(B)/unit/,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t"; $$t || exit 1; done

unit-asan: $(addprefix $(B)/asan/unit/,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t (ASan+UBSan)"; $$t || exit 1; done

valgrind: $(addprefix $(B)/unit/,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t (valgrind)"; \
	  valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect $$t >/dev/null || exit 1; done

# --- freestanding proof ---------------------------------------------------
freestanding:
	@scripts/check-freestanding.sh "$(CC)"

# Code size per feature subset for x86-64 and 32-bit ARM (docs/porting.md
# §9): each subset must link on its own, core + linear + verity within its
# ARM budget.
sizes:
	@$(PYTHON) scripts/text-size.py

# The same for arm (Thumb-2), aarch64, riscv64, x86-64 and s390x with
# Debian's cross compilers, with both the default and a replaced
# <dmboot/port_types.h>: only port symbols (and on arm the 32-bit division
# helpers), no writable data, stack frames within each one's budget.
cross:
	@scripts/check-cross.sh

# --- the tree's own rules -------------------------------------------------
# Exported symbols are exactly the public ones; each folder includes only
# what its main header's rule allows; no file over 800 lines, no function
# over 120; every docs/formats.md section the tree cites exists.
rules: $(B)/libdmboot.a $(B)/asan/libdmboot.a $(B)/libdmboot-internal.a $(B)/asan/libdmboot-internal.a
	@scripts/check-symbols.sh $(B)/libdmboot.a "$(CC)"
	@scripts/check-symbols.sh $(B)/asan/libdmboot.a "$(CC)"
	@$(PYTHON) scripts/check-includes.py
	@$(PYTHON) scripts/check-size.py
	@scripts/check-doc-refs.sh

# --- fuzzing (libFuzzer + ASan + UBSan) -----------------------------------
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(CRYPTO_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) -Ilib $(CSTD) -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $< $(LIB_SRCS) $(CRYPTO_SRCS) tests/unit/test_port.c $(CRYPTO_LIBS) -o $@

# test_errors also links the host port's file device, whose messages it checks.
$(B)/unit/test_errors $(B)/asan/unit/test_errors: UNIT_EXTRA = ports/posix/file_bdev.c
$(B)/unit/test_errors $(B)/asan/unit/test_errors: ports/posix/file_bdev.c

# The Argon2 tests also link the freestanding port's portable BLAKE2b, Argon2
# and provider (ports/freestanding/, over the test port's allocator).
FS_CRYPTO_SRCS := ports/freestanding/blake2b.c ports/freestanding/argon2.c ports/freestanding/sha256.c
FS_CRYPTO_TESTS := test_argon2 test_luks_argon2 test_sha256
$(addprefix $(B)/unit/,$(FS_CRYPTO_TESTS)) $(addprefix $(B)/asan/unit/,$(FS_CRYPTO_TESTS)): \
  UNIT_EXTRA = $(FS_CRYPTO_SRCS)
$(addprefix $(B)/unit/,$(FS_CRYPTO_TESTS)) $(addprefix $(B)/asan/unit/,$(FS_CRYPTO_TESTS)): \
  $(FS_CRYPTO_SRCS) ports/freestanding/freestanding.h

# test_config links the smallest configuration a bootloader builds
# (docs/porting.md §9) from the source lists alone: linear and verity
# without FEC, every other target left out of the registry (and the
# library's SHA-256, which the host provider it links hands out).
CFG_DEFS := -DDMBOOT_WITHOUT_STRIPED -DDMBOOT_WITHOUT_ZERO -DDMBOOT_WITHOUT_ERROR \
            -DDMBOOT_WITHOUT_SNAPSHOT -DDMBOOT_WITHOUT_CRYPT
CFG_SRCS := $(addprefix lib/,$(DMBOOT_BASE_CORE_SRCS) $(DMBOOT_CORE_SRCS) $(DMBOOT_TARGET_LINEAR_SRCS) \
            $(DMBOOT_VERITY_CHECK_NOFEC_SRCS) $(DMBOOT_TARGET_VERITY_NOFEC_SRCS) \
            $(DMBOOT_SHA256_SRCS))
$(B)/cfg/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFG_DEFS) $(CFLAGS_ALL) -c $< -o $@
$(B)/asan/cfg/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) $(CFG_DEFS) $(CSTD) -O1 -g $(WARN) $(SAN) -c $< -o $@
$(B)/unit/test_config: tests/unit/test_config.c tests/unit/test_port.c $(CRYPTO_SRCS) \
  $(patsubst %.c,$(B)/cfg/obj/%.o,$(CFG_SRCS)) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Ilib $(CFLAGS_ALL) $(filter %.c %.o,$^) -lcmocka $(CRYPTO_LIBS) -o $@
$(B)/asan/unit/test_config: tests/unit/test_config.c tests/unit/test_port.c $(CRYPTO_SRCS) \
  $(patsubst %.c,$(B)/asan/cfg/obj/%.o,$(CFG_SRCS)) $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) -Ilib $(CSTD) -O1 -g $(WARN) $(SAN) $(filter %.c %.o,$^) -lcmocka $(CRYPTO_LIBS) -o $@

# The unit test and the fuzzer of the tools' image names compile that file in.
$(B)/unit/test_image_names $(B)/asan/unit/test_image_names $(B)/fuzz/fuzz_image_name: \
  tools/dmboot/cli/image_names.c

# The smoke run in `make check` is deterministic: a fresh output corpus, the
# committed seeds, a fixed seed and a fixed number of runs.  `make fuzz` is the
# long random run; commit what it finds under tests/fuzz/corpus/.
FUZZ_RUNS  ?= 200000
FUZZ_FLAGS ?= -seed=1 -runs=$(FUZZ_RUNS)
FUZZ_FRESH ?= 1
fuzz-smoke: $(addprefix $(B)/fuzz/,$(FUZZERS))
	@for f in $(FUZZERS); do echo "== $$f ($(FUZZ_FLAGS))"; \
	  if [ "$(FUZZ_FRESH)" = 1 ]; then rm -rf $(B)/fuzz/corpus-$$f; fi; mkdir -p $(B)/fuzz/corpus-$$f; \
	  $(B)/fuzz/$$f $(FUZZ_FLAGS) -print_final_stats=0 \
	    $(B)/fuzz/corpus-$$f tests/fuzz/corpus/$${f#fuzz_} 2>$(B)/fuzz/$$f.log \
	    || { tail -50 $(B)/fuzz/$$f.log; exit 1; }; tail -1 $(B)/fuzz/$$f.log; done

FUZZ_SECONDS ?= 120
fuzz: FUZZ_FLAGS = -max_total_time=$(FUZZ_SECONDS)
fuzz: FUZZ_FRESH = 0
fuzz: fuzz-smoke

# --- unit tests under qemu-user (aarch64, 32-bit ARM, big-endian s390x) ---
# The same cmocka tests as `make unit`, cross-built with Debian's cross
# compilers and the normal build flags into build/cross/ARCH/, linked with
# the multiarch cmocka, OpenSSL and libargon2, and run under
# qemu-ARCH-static, so that endianness, alignment and 32-bit bugs in the
# parsers show up.  s390x has no OpenSSL (the mirror's is older than the
# host's and cannot be installed beside it): its tests link the portable
# provider of ports/freestanding/ through tests/unit/crypto_portable.c,
# and leave out the tests that need an algorithm only OpenSSL offers.
QEMU_ARCHS := aarch64 armhf s390x
QEMU_CC_aarch64 := aarch64-linux-gnu-gcc
QEMU_CC_armhf   := arm-linux-gnueabihf-gcc
QEMU_CC_s390x   := s390x-linux-gnu-gcc
QEMU_RUN_aarch64 := qemu-aarch64-static -L /usr/aarch64-linux-gnu
QEMU_RUN_armhf   := qemu-arm-static -L /usr/arm-linux-gnueabihf
# With -L /usr/s390x-linux-gnu every dynamic s390x binary aborts at start
# ("stack smashing detected"); the multiarch loader /lib/ld64.so.1 works.
QEMU_RUN_s390x   := qemu-s390x-static
QEMU_CRYPTO_aarch64 := $(CRYPTO_SRCS)
QEMU_CRYPTO_armhf   := $(CRYPTO_SRCS)
QEMU_CRYPTO_s390x   := tests/unit/crypto_portable.c $(FS_CRYPTO_SRCS)
QEMU_LIBS_aarch64 := $(CRYPTO_LIBS)
QEMU_LIBS_armhf   := $(CRYPTO_LIBS)
QEMU_LIBS_s390x   := -largon2
# libargon2's threads spin without end under qemu-user: tests/unit/argon2_serial.c.
QEMU_LINK := tests/unit/argon2_serial.c -Wl,--wrap=argon2_hash
# Left out on s390x, each for an algorithm only OpenSSL has here:
#   test_sha256       OpenSSL as the reference for the library's SHA-256 (which
#                     still runs there under test_verity, through the portable provider)
#   test_sig          PKCS#7 verification against OpenSSL-made signatures
#   test_luks_unlock  AES and PBKDF2 to make and open every keyslot
#   test_luks_argon2  AES to open the Argon2 keyslots (Argon2 itself runs in test_argon2)
QEMU_SKIP_s390x := test_sha256 test_sig test_luks_unlock test_luks_argon2
# test_ddi makes its signatures with OpenSSL and test_crypt checks AES,
# PBKDF2 and EVP: without OpenSSL the tests that need those skip and the
# others (parsers, AF merge, DDI dissection) run.
QEMU_DEFS_s390x := -DDMBOOT_TEST_NO_OPENSSL
# Sources a test links besides the usual, as UNIT_EXTRA gives them to `make unit`.
QEMU_EXTRA_test_errors := ports/posix/file_bdev.c
QEMU_TESTS = $(filter-out $(QEMU_SKIP_$(1)),$(UNIT_TESTS))

define qemu_arch
$(B)/cross/$(1)/obj/%.o: %.c $$(HDRS)
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(CPPFLAGS_ALL) $$(if $$(filter tests/%,$$<),-Ilib) $$(CFLAGS_ALL) -c $$< -o $$@
$(B)/cross/$(1)/cfg/obj/%.o: %.c $$(HDRS)
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(CPPFLAGS_ALL) $$(CFG_DEFS) $$(CFLAGS_ALL) -c $$< -o $$@
$(B)/cross/$(1)/libdmboot-internal.a: $$(patsubst %.c,$(B)/cross/$(1)/obj/%.o,$$(LIB_SRCS))
	@rm -f $$@
	ar rcs $$@ $$^
$(B)/cross/$(1)/unit/%: tests/unit/%.c tests/unit/argon2_serial.c $$(patsubst %.c,$(B)/cross/$(1)/obj/%.o,$$(sort tests/unit/test_port.c \
  $$(QEMU_CRYPTO_$(1)) $$(FS_CRYPTO_SRCS) ports/posix/file_bdev.c)) $(B)/cross/$(1)/libdmboot-internal.a $$(HDRS)
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(CPPFLAGS_ALL) -Ilib $$(QEMU_DEFS_$(1)) $$(CFLAGS_ALL) $$< $$(patsubst %.c,$(B)/cross/$(1)/obj/%.o,$$(sort \
	  tests/unit/test_port.c $$(QEMU_CRYPTO_$(1)) $$(QEMU_EXTRA_$$*) \
	  $$(if $$(filter $$*,$$(FS_CRYPTO_TESTS)),$$(FS_CRYPTO_SRCS)))) \
	  $(B)/cross/$(1)/libdmboot-internal.a $$(QEMU_LINK) -lcmocka $$(QEMU_LIBS_$(1)) -o $$@
$(B)/cross/$(1)/unit/test_config: tests/unit/test_config.c tests/unit/argon2_serial.c $$(patsubst %.c,$(B)/cross/$(1)/obj/%.o,\
  tests/unit/test_port.c $$(QEMU_CRYPTO_$(1))) $$(patsubst %.c,$(B)/cross/$(1)/cfg/obj/%.o,$$(CFG_SRCS)) $$(HDRS)
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(CPPFLAGS_ALL) -Ilib $$(CFLAGS_ALL) $$(filter-out tests/unit/argon2_serial.c,$$(filter %.c %.o,$$^)) $$(QEMU_LINK) -lcmocka $$(QEMU_LIBS_$(1)) -o $$@
$(B)/cross/$(1)/unit/test_image_names: tools/dmboot/cli/image_names.c
unit-qemu-$(1): $$(addprefix $(B)/cross/$(1)/unit/,$$(call QEMU_TESTS,$(1)))
	@for t in $$^; do echo "== $$$$t (qemu $(1))"; DMBOOT_UNDER_QEMU=1 $$(QEMU_RUN_$(1)) $$$$t || exit 1; done
endef
$(foreach a,$(QEMU_ARCHS),$(eval $(call qemu_arch,$(a))))
.SECONDARY: $(foreach a,$(QEMU_ARCHS),$(patsubst %.c,$(B)/cross/$(a)/obj/%.o,tests/unit/test_port.c \
  $(CRYPTO_SRCS) $(FS_CRYPTO_SRCS) tests/unit/crypto_portable.c ports/posix/file_bdev.c))

.PHONY: unit-qemu $(addprefix unit-qemu-,$(QEMU_ARCHS))
unit-qemu: $(addprefix unit-qemu-,$(QEMU_ARCHS))

# --- end-to-end -------------------------------------------------------------
e2e: $(B)/dmboot $(B)/asan/dmboot
	$(PYTHON) -m pytest -q tests/e2e

# --- the kernel suite: Linux's own device-mapper in a QEMU VM (docs/kernel-suite.md)
kernel-check: deps $(B)/dmboot
	$(PYTHON) tests/kernel/build_vm.py
	$(PYTHON) -m pytest -q tests/kernel

check: deps all rules unit unit-asan valgrind freestanding cross unit-qemu sizes fuzz-smoke e2e kernel-check
	@echo "make check: all tests passed"

demo: deps all
	@scripts/demo.sh

bench: deps all
	@$(PYTHON) bench/bench.py

clean:
	rm -rf $(B)
