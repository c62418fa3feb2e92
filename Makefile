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
CRYPTO_SRCS := ports/posix/crypto_openssl.c ports/posix/crypto_sig.c
PORT_SRCS  := ports/posix/port.c ports/posix/file_bdev.c $(CRYPTO_SRCS)
TOOL_SRCS  := $(wildcard tools/dmboot/*.c tools/dmboot/cli/*.c)
UNIT_SRCS  := $(filter-out tests/unit/test_port.c,$(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS    := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
HDRS       := $(wildcard tests/fuzz/*.h include/dmboot/*.h lib/core/*.h lib/formats/*.h lib/formats/lvm2/*.h lib/targets/*.h ports/posix/*.h tools/dmboot/*.h tools/dmboot/cli/*.h tests/unit/*.h)

.PHONY: all deps check unit unit-asan freestanding fuzz-smoke fuzz e2e valgrind demo bench clean

all: $(B)/dmboot $(B)/libdmboot.a

deps:
	@scripts/install-deps.sh

# --- normal build ---------------------------------------------------------
$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(B)/libdmboot.a: $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(B)/dmboot: $(patsubst %.c,$(B)/obj/%.o,$(TOOL_SRCS) $(PORT_SRCS)) $(B)/libdmboot.a
	$(CC) $(CFLAGS_ALL) $^ -lcrypto -lpthread -o $@
	ln -sf dmboot $(B)/dmsetup
	ln -sf dmboot $(B)/veritysetup
	ln -sf dmboot $(B)/sfdisk
	ln -sf dmboot $(B)/lvm

# --- unit tests (cmocka), plain and under ASan+UBSan ----------------------
# Tests link the host crypto provider (OpenSSL) besides the library.
$(B)/unit/%: tests/unit/%.c tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/libdmboot.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Ilib $(CFLAGS_ALL) $< tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/libdmboot.a -lcmocka -lcrypto -o $@

SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(B)/asan/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) $(CSTD) -O1 -g $(WARN) $(SAN) -c $< -o $@

$(B)/asan/libdmboot.a: $(patsubst %.c,$(B)/asan/obj/%.o,$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/unit/%: tests/unit/%.c tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/asan/libdmboot.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) -Ilib $(CSTD) -O1 -g $(WARN) $(SAN) $< tests/unit/test_port.c $(CRYPTO_SRCS) $(B)/asan/libdmboot.a -lcmocka -lcrypto -o $@

$(B)/asan/dmboot: $(patsubst %.c,$(B)/asan/obj/%.o,$(TOOL_SRCS) $(PORT_SRCS)) $(B)/asan/libdmboot.a
	$(CLANG) $(SAN) $^ -lcrypto -lpthread -o $@

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

# --- fuzzing (libFuzzer + ASan + UBSan) -----------------------------------
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(CRYPTO_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS_ALL) -Ilib $(CSTD) -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $< $(LIB_SRCS) $(CRYPTO_SRCS) tests/unit/test_port.c -lcrypto -o $@

FUZZ_SECONDS ?= 20
fuzz-smoke: $(addprefix $(B)/fuzz/,$(FUZZERS))
	@for f in $(FUZZERS); do echo "== $$f ($(FUZZ_SECONDS) s)"; mkdir -p $(B)/fuzz/corpus-$$f; \
	  $(B)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
	    $(B)/fuzz/corpus-$$f tests/fuzz/corpus/$${f#fuzz_} 2>$(B)/fuzz/$$f.log \
	    || { tail -50 $(B)/fuzz/$$f.log; exit 1; }; tail -1 $(B)/fuzz/$$f.log; done

fuzz: FUZZ_SECONDS = 600
fuzz: fuzz-smoke

# --- end-to-end -------------------------------------------------------------
e2e: $(B)/dmboot $(B)/asan/dmboot
	$(PYTHON) -m pytest -q tests/e2e

check: deps all unit unit-asan valgrind freestanding fuzz-smoke e2e
	@echo "make check: all tests passed"

demo: deps all
	@scripts/demo.sh

bench: deps all
	@$(PYTHON) bench/bench.py

clean:
	rm -rf $(B)
