# Makefile - builds dmabench, its tests, the static board build and the aarch64 cross build.
#
#   make                 ./dmabench (installs missing Debian packages first, see scripts/deps.sh)
#   make run             the quick characterisation of every heap here -> results/BOARD/TIME/,
#                        then its plots (make plot)
#   make plot            PNG and SVG plots of the newest run -> results/BOARD/TIME/plots/
#   make check           every test set, in this order: format-check, layering, unit (cmocka
#                        under ASan/UBSan), clitest (the command line, ASan build), browsercheck
#                        (history's dashboard page in headless Chromium), reliability
#                        (short runs under valgrind), hostcheck (the chase on this machine's
#                        caches, native build), fuzz (libFuzzer, 30 s a target), vmcheck,
#                        installcheck and debcheck (make install and make deb: mk/install.mk)
#   make vmcheck         only the real-kernel VM sets under QEMU: Debian's stock amd64 6.12
#                        kernel; the lab kernel (linux-source-6.12 + kernel/) for x86-64 and for
#                        arm64, each as it is and with swiotlb=force; Debian's arm64 6.12 kernel
#                        (mk/vm.mk, mk/lab.mk)
#   make layering        only the layering check (tests/layering.sh): nothing includes or calls
#                        a layer above its own, no files include or call each other in a loop
#   make static          a static binary for a board: build/static-<arch>/dmabench
#   make CROSS_COMPILE=aarch64-linux-gnu- static     the same for arm64
#   make history-bench   time `dmabench history` over 1,000 runs on one core (tests/perf/)
#   make install         dmabench, its plot scripts, man page and bash completion under PREFIX
#                        (default /usr/local; DESTDIR too); make uninstall; make deb (mk/install.mk)
#   make format          clang-format every source file in place
# No configure step: pkg-config for hwloc and libnuma, libpfm4 by name (it has no .pc file).

CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc
BUILD ?= build
DEPS := scripts/deps.sh

# The target is read from the prefix when cross compiling, and falls back to uname natively:
# on a fresh machine make reads this before scripts/deps.sh has installed any compiler.
ifneq ($(CROSS_COMPILE),)
MULTIARCH := $(patsubst %-,%,$(notdir $(CROSS_COMPILE)))
ARCH := $(firstword $(subst -, ,$(MULTIARCH)))
export PKG_CONFIG_LIBDIR := /usr/lib/$(MULTIARCH)/pkgconfig:/usr/share/pkgconfig
else
ARCH := $(or $(shell $(CC) -dumpmachine 2>/dev/null | cut -d- -f1),$(shell uname -m))
endif
PKG_CONFIG ?= pkg-config
PKGS := hwloc numa inih jansson

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
# One -I per source folder (DESIGN.md's layout): a file names its headers by their own names.
SRC_DIRS := clock heaps coherency workloads bench bench/job bench/measure bench/results bench/analysis \
	bench/cli plot
# Headers the lab kernel's drivers share with user space (their ioctls): included, never built.
UAPI_DIRS := kernel/uapi
CPPFLAGS += -D_GNU_SOURCE $(addprefix -I,$(SRC_DIRS) $(UAPI_DIRS))
BASE_CFLAGS := -std=gnu11 -g -fopenmp $(WARN) -MMD -MP
CFLAGS ?= -O2
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
LIBS = $(PKG_LIBS) -lpfm -lcsv -lm

# Everything but main() goes into a library so that tests link the same objects.
CORE_SRCS := $(sort $(foreach dir,$(SRC_DIRS),$(wildcard $(dir)/*.c)))
CORE_SRCS := $(filter-out bench/cli/main.c,$(CORE_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
# Fixtures the unit tests share (the planted /dev, a bench_env on it), linked into every one.
UNIT_SUPPORT_SRCS := tests/unit/fake_dev.c tests/unit/bench_fixture.c tests/unit/result_fixture.c \
	tests/unit/history_fixture.c
VM_SRCS := $(sort $(wildcard tests/vm/*.c))

# Quiet by default, like the kernel: `make V=1` shows every command.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @echo "  $(1)	$@"
endif

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps checkdeps run plot check unit clitest reliability hostcheck vmcheck static format \
	format-check layering clean history-bench change-points-bench
all: dmabench

deps:
	@$(DEPS) build

# Test objects include <cmocka.h>: the test packages must be there before they compile.
checkdeps:
	@$(DEPS) check

# --- the normal build ----------------------------------------------------------------------
NATIVE := $(BUILD)/native
NATIVE_OBJS := $(CORE_SRCS:%.c=$(NATIVE)/%.o)

$(NATIVE)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(call quiet,CC)
	$(Q)$(CC) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(NATIVE)/libdmabench.a: $(NATIVE_OBJS)
	$(Q)rm -f $@
	$(Q)$(CROSS_COMPILE)ar rcs $@ $^

# LDFLAGS: a packager's (Debian's hardening: -z relro -z now), empty otherwise.
dmabench: $(NATIVE)/bench/cli/main.o $(NATIVE)/libdmabench.a
	$(call quiet,LD)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# --- sanitizer build for tests ---------------------------------------------------------------
ASAN := $(BUILD)/asan
ASAN_OBJS := $(CORE_SRCS:%.c=$(ASAN)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(ASAN)/tests/%)

$(ASAN)/%.o: %.c | checkdeps
	@mkdir -p $(@D)
	$(call quiet,CC-SAN)
	$(Q)$(CC) $(CPPFLAGS) $(BASE_CFLAGS) -O1 $(SAN_FLAGS) $(PKG_CFLAGS) -c $< -o $@

$(ASAN)/libdmabench.a: $(ASAN_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(ASAN)/dmabench: $(ASAN)/bench/cli/main.o $(ASAN)/libdmabench.a
	$(call quiet,LD-SAN)
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS)

# A static pattern rule names the objects, so make keeps them instead of deleting intermediates.
$(UNIT_BINS): $(ASAN)/tests/%: $(ASAN)/tests/unit/%.o $(UNIT_SUPPORT_SRCS:%.c=$(ASAN)/%.o) \
		$(ASAN)/libdmabench.a
	@mkdir -p $(@D)
	$(call quiet,LD-SAN)
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS) -lcmocka

# The writer's fdatasync calls go through the test's logging wrapper: the proof that every case
# is on the disk before the next one starts.
$(ASAN)/tests/test_reliability_sync: LIBS += -Wl,--wrap=fdatasync

# --- static build for boards (and for the VM tests) ------------------------------------------
include mk/static.mk
include mk/jobs.mk

# --- what the run metadata says about the build (bench/measure/version.h) -----------------
# Only bench/measure/metadata.o gets the commit and its own flavour's flags, so a new commit
# rebuilds one object; the stamp file changes, and so triggers that rebuild, only when they change.
GIT_SHA := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
shell_quote = '$(subst ','\'',$(1))'
# $(call c_string_arg,TEXT): TEXT as a C string literal (\ and " escaped), quoted for the shell.
c_string_arg = $(call shell_quote,"$(subst ",\",$(subst \,\\,$(strip $(1))))")
buildinfo_flags = -DDMABENCH_GIT_SHA=$(call c_string_arg,$(GIT_SHA)) \
	-DDMABENCH_CFLAGS=$(call c_string_arg,$(1))
BUILDINFO := $(BUILD)/buildinfo
BUILDINFO_TEXT := $(call shell_quote,$(GIT_SHA) | $(CFLAGS) | $(STATIC_CFLAGS))
$(shell mkdir -p $(BUILD) && { printf '%s\n' $(BUILDINFO_TEXT) | cmp -s - $(BUILDINFO) || \
	printf '%s\n' $(BUILDINFO_TEXT) >$(BUILDINFO); })
$(BUILDINFO):
	@mkdir -p $(@D) && touch $@

$(NATIVE)/bench/measure/metadata.o: CPPFLAGS += $(call buildinfo_flags,$(CFLAGS))
$(ASAN)/bench/measure/metadata.o: CPPFLAGS += $(call buildinfo_flags,-O1 $(SAN_FLAGS))
$(STATIC_OBJ)/bench/measure/metadata.o: CPPFLAGS += $(call buildinfo_flags,-O2 $(STATIC_CFLAGS))
METADATA_OBJ := bench/measure/metadata.o
$(NATIVE)/$(METADATA_OBJ) $(ASAN)/$(METADATA_OBJ) $(STATIC_OBJ)/$(METADATA_OBJ): $(BUILDINFO)

# --- the default characterisation --------------------------------------------------------
# Then the plots of that run (the newest under results/), so one command gives CSV and plots.
run: dmabench
	./dmabench run -j quick $(RUNFLAGS)
	@$(MAKE) --no-print-directory plot

# PNG and SVG plots of the newest run under results/ (by its results.csv), into its plots/;
# `make plot RESULTS=DIR` plots another.
plot: dmabench
	@$(DEPS) plot
	@dir=$${RESULTS:-$$(ls -t results/*/*/results.csv 2>/dev/null | head -1 | xargs -r dirname)}; \
	if [ -z "$$dir" ]; then echo "make plot: no run under results/ (make run first)" >&2; exit 2; fi; \
	./dmabench plot "$$dir" -o "$$dir/plots"

# --- tests -----------------------------------------------------------------------------------
check: format-check layering unit clitest browsercheck reliability hostcheck fuzz vmcheck
	@echo "make check: all test sets passed"

unit: $(UNIT_BINS) | checkdeps
	@tests/run-unit.sh $(UNIT_BINS)

clitest: $(ASAN)/dmabench $(STATIC_DIR)/vm/validate_results $(STATIC_DIR)/vm/without_thp | checkdeps
	@DMABENCH=$(ASAN)/dmabench VALIDATE=$(STATIC_DIR)/vm/validate_results \
		WITHOUT_THP=$(STATIC_DIR)/vm/without_thp tests/cli/run.sh

# The dashboard page of `dmabench history` rendered in headless Chromium (tests/browser/run.sh):
# the sample history's page, written by a small program linked as the unit tests are.
BROWSER_SAMPLE := $(ASAN)/tests/dashboard_sample
$(ASAN)/tests/browser/%.o: CPPFLAGS += -Itests/unit
$(BROWSER_SAMPLE): $(ASAN)/tests/browser/dashboard_sample.o $(ASAN)/tests/unit/history_fixture.o \
		$(ASAN)/libdmabench.a
	@mkdir -p $(@D)
	$(call quiet,LD-SAN)
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS)

.PHONY: browsercheck
browsercheck: $(BROWSER_SAMPLE) | checkdeps
	@DASHBOARD_SAMPLE=$(BROWSER_SAMPLE) tests/browser/run.sh

# Short runs under valgrind memcheck, with the native binary (valgrind and ASan do not mix);
# its own copy, so the tests never replace the ./dmabench a user built. The rest of issue 7's
# tests are tests/cli/t_reliability.sh (clitest) and tests/unit/test_reliability*.c (unit).
$(NATIVE)/dmabench: $(NATIVE)/bench/cli/main.o $(NATIVE)/libdmabench.a
	$(call quiet,LD)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

reliability: $(NATIVE)/dmabench $(STATIC_DIR)/vm/validate_results | checkdeps
	@DMABENCH=$(NATIVE)/dmabench VALIDATE=$(STATIC_DIR)/vm/validate_results tests/valgrind/run.sh

# Checks that the numbers mean what they say, timed on this host: the native binary, since ASan
# instruments every load, and small reference programs linked with the same library.
HOST_BINS := $(NATIVE)/tests/chase_lap
$(HOST_BINS): $(NATIVE)/tests/%: $(NATIVE)/tests/host/%.o $(NATIVE)/libdmabench.a
	$(call quiet,LD)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $^ $(LIBS)

hostcheck: $(NATIVE)/dmabench $(HOST_BINS)
	@DMABENCH=$(NATIVE)/dmabench CHASE_LAP=$(NATIVE)/tests/chase_lap tests/host/run.sh

# How long `dmabench history` takes over 1,000 copies of a quick run, on one core (issue 14:
# under 10 s; the figures are in README.md). HISTORY_BENCH_FLAGS="--step-every 10": a change
# in one series of ten (the default: in every one). Not part of make check: 650 MB in /tmp.
history-bench: $(NATIVE)/dmabench
	@DMABENCH=$(NATIVE)/dmabench tests/perf/history_bench.sh $(HISTORY_BENCH_FLAGS)

# How long the change-point search takes on CI-sized series (tests/perf/change_points_bench.c):
# figures for docs/change-points.md, not a test, so not part of check.
$(NATIVE)/tests/change_points_bench: $(NATIVE)/tests/perf/change_points_bench.o \
		$(NATIVE)/libdmabench.a
	$(call quiet,LD)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $^ $(LIBS)

change-points-bench: $(NATIVE)/tests/change_points_bench
	$(NATIVE)/tests/change_points_bench

include mk/vm.mk
include mk/fuzz.mk
include mk/lab.mk
include mk/install.mk

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check: | checkdeps
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h') && echo "format-check: clean"

# The layers of README's layout hold (tests/layering.sh): clock/ at the bottom, then heaps/,
# coherency/ and workloads/, then bench/ and plot/; no file includes a header or uses a symbol
# from a layer above its own, and no files include or call each other in a loop. Read from the
# sources and the native objects' symbols, after a self-test that each rule catches its break.
layering: $(NATIVE_OBJS) $(NATIVE)/bench/cli/main.o
	@CC="$(CC)" NM="$(CROSS_COMPILE)nm" tests/layering.sh --self-test
	@NM="$(CROSS_COMPILE)nm" tests/layering.sh $(NATIVE) $(SRC_DIRS)

clean:
	rm -rf $(BUILD) dmabench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
