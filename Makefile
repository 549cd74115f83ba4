# hemgang - top-level build. `make` builds build/release/hemgang; `make test`
# builds everything with AddressSanitizer + UndefinedBehaviorSanitizer into
# build/asan (and the fuzzers into build/fuzz) and runs every test in parallel;
# `make check` builds and runs the core's tests alone, in seconds; `make lint`
# runs cppcheck and the clang-format check; `make ci` (what CI runs, .ci/run)
# installs what is missing, then lint and test; `make run` installs what is
# missing, builds, creates the demo database if absent and serves
# http://127.0.0.1:8080.

CC      ?= cc
MODE    ?= release
BUILD_ROOT ?= build
B       := $(BUILD_ROOT)/$(MODE)
PKGS    := jansson sqlite3 libmicrohttpd libsodium xlsxwriter libpq libcurl
WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wvla \
           -Wformat=2 -Wno-format-nonliteral
CFLAGS_ := -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc -Itests $(WARN) -MMD -MP
ifeq ($(MODE),asan)
  OPT   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(MODE),fuzz)
  CC    := clang
  OPT   := -O1 -g -fsanitize=fuzzer-no-link,address,undefined
else
  OPT   := -O2 -g
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -DHG_HAVE_XLSXWRITER -DHG_HAVE_LIBHARU
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf # libharu has no .pc file

# Sources. The core is pure and links alone; the shell (adapters) needs the libraries.
CORE_SRC  := $(sort $(wildcard src/core/*.c))
SHELL_SRC := $(sort $(wildcard src/auth/*.c src/wire/*.c src/store/*.c src/http/*.c src/hl7/*.c src/fhir/*.c src/cli/*.c))
CORE_OBJ  := $(CORE_SRC:%.c=$(B)/%.o)
SHELL_OBJ := $(SHELL_SRC:%.c=$(B)/%.o) $(B)/gen/migrations.o $(B)/gen/pg_migrations.o
MIGRATIONS := $(sort $(wildcard migrations/*.sql))
PG_MIGRATIONS := $(sort $(wildcard migrations/pg/*.sql))
LIB_OBJ   := $(filter-out $(B)/src/cli/%,$(SHELL_OBJ))
CORE_TESTS    := $(patsubst tests/core/%.c,$(B)/tests/%,$(wildcard tests/core/test_*.c))
ADAPTER_TSRC  := $(wildcard tests/wire/test_*.c tests/store/test_*.c tests/http/test_*.c tests/hl7/test_*.c tests/fhir/test_*.c tests/cli/test_*.c)
ADAPTER_TESTS := $(addprefix $(B)/tests/,$(basename $(notdir $(ADAPTER_TSRC))))
FUZZERS       := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
vpath test_%.c tests/wire tests/store tests/http tests/hl7 tests/fhir tests/cli

DB ?= hemgang.db
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
Q  := $(if $(V),,@)

.PHONY: all run test tests fuzzers bench fuzz clean lint deps web install deb ci check core-check test-build \
	asan-tests fuzz-fuzzers
all: $(B)/hemgang

$(B)/hemgang: $(CORE_OBJ) $(SHELL_OBJ)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(OPT) -o $@ $(filter %.c %.o,$^) $(PKG_LIBS) -lm -lpthread

$(B)/src/core/%.o: src/core/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(OPT) -c -o $@ $<

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(PKG_CFLAGS) $(OPT) -c -o $@ $<

$(B)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-migrations $@ $(MIGRATIONS)

$(B)/gen/migrations.o: $(B)/gen/migrations.c
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(OPT) -c -o $@ $<

# The PostgreSQL store's own numbered migrations (migrations/pg), as store_pg_migrations().
$(B)/gen/pg_migrations.c: $(PG_MIGRATIONS) scripts/embed-migrations
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-migrations --name store_pg_migrations $@ $(PG_MIGRATIONS)

$(B)/gen/pg_migrations.o: $(B)/gen/pg_migrations.c
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(OPT) -c -o $@ $<

# Core tests link the core alone: proof that it needs no I/O library.
$(CORE_TESTS): $(B)/tests/%: tests/core/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(OPT) -o $@ $(filter %.c %.o,$^) -lm

$(ADAPTER_TESTS): $(B)/tests/%: %.c $(CORE_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(PKG_CFLAGS) $(OPT) -o $@ $(filter %.c %.o,$^) $(PKG_LIBS) -lm -lpthread

$(FUZZERS): $(B)/fuzz/%: tests/fuzz/%.c $(CORE_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC $@")
	$(Q)$(CC) $(CFLAGS_) $(PKG_CFLAGS) $(OPT) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(PKG_LIBS) -lm -lpthread

tests: $(B)/hemgang $(CORE_TESTS) $(ADAPTER_TESTS)
fuzzers: $(FUZZERS)

deps:
	@scripts/install-deps

# The web UI into web/dist (npm ci only when the lock changed; a no-op when up to date).
web:
	web/build.sh

# make ci: what CI runs (.ci/run) and the README's test command: installs what is missing, then lint and test.
ci:
	scripts/install-deps
	$(MAKE) lint
	$(MAKE) test

# make test installs nothing (make ci and scripts/install-deps do): the web UI, the ASan tests and the fuzzers
# build at once, $(JOBS) + 1 jobs in all (one more than the cores, so that a link or the disk leaves no core
# idle), then tests/run runs every test, $(JOBS) + 1 at a time (HEMGANG_TEST_JOBS).
test:
	$(MAKE) -j$$(($(JOBS) + 1)) test-build
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		HEMGANG_FUZZ_DIR=$(BUILD_ROOT)/fuzz/fuzz tests/run $(BUILD_ROOT)/asan

test-build: web asan-tests fuzz-fuzzers
asan-tests:
	$(MAKE) MODE=asan tests
fuzz-fuzzers:
	$(MAKE) MODE=fuzz fuzzers

# make check: the pure core's table-driven tests alone (src/core and tests/core, ASan + UBSan), in seconds.
check:
	$(MAKE) -j$(JOBS) --no-print-directory MODE=asan core-check

core-check: $(CORE_TESTS)
	@failed=0; for t in $(CORE_TESTS); do \
		if $$t >$$t.log 2>&1; then tail -n 1 $$t.log; else cat $$t.log; failed=$$((failed + 1)); fi; \
	done; echo "check: $(words $(CORE_TESTS)) programs, $$failed failed"; [ $$failed -eq 0 ]

run: deps web
	$(MAKE) MODE=release
	@test -f $(DB) || { $(BUILD_ROOT)/release/hemgang demo --db $(DB) && \
		$(BUILD_ROOT)/release/hemgang agreement --db $(DB) import agreements/demo-amounts.json >/dev/null; }
	$(BUILD_ROOT)/release/hemgang serve --db $(DB) --listen 127.0.0.1:8080

# Install (packaging/install-tree): PREFIX/bin/hemgang with its UI, OpenAPI document and agreements in
# PREFIX/share/hemgang, found by the binary itself. `make deb`: a Debian package with a systemd unit, the
# system user hemgang, /etc/hemgang and /var/lib/hemgang (packaging/build-deb; docs/operations.md).
PREFIX ?= /usr/local
install: deps web
	$(MAKE) MODE=release
	packaging/install-tree $(BUILD_ROOT)/release/hemgang "$(DESTDIR)" "$(PREFIX)"

deb: deps web
	$(MAKE) MODE=release
	packaging/build-deb $(BUILD_ROOT)/release/hemgang $(BUILD_ROOT)/deb

bench: deps
	$(MAKE) MODE=release
	bench/run $(BUILD_ROOT)/release

fuzz: deps
	$(MAKE) MODE=fuzz fuzzers
	tests/fuzz/run $(BUILD_ROOT)/fuzz

# cppcheck on src, and clang-format (.clang-format) on every C file not in scripts/format-baseline.
lint:
	cppcheck -j$(JOBS) --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -Isrc src
	scripts/check-format

clean:
	rm -rf build

-include $(shell find $(BUILD_ROOT) -name '*.d' 2>/dev/null)
