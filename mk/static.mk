# mk/static.mk - the fully static build, included by the Makefile.
#
#   make static                                      build/static-<arch>/dmabench for a board
#   make CROSS_COMPILE=aarch64-linux-gnu- static     the same for arm64
#   make STATIC_CFLAGS=-mcpu=cortex-a55 ...          tune for one board
# A static binary runs on any board rootfs (Android, Yocto, busybox initramfs) without our
# libraries installed; the VM test relies on that for $(STATIC_VM_BINS) and $(STATIC_BIN).
# Objects live under $(STATIC_DIR)/obj so they never mix with the native or ASan objects.

STATIC_DIR := $(BUILD)/static-$(ARCH)
STATIC_OBJ := $(STATIC_DIR)/obj
STATIC_BIN := $(STATIC_DIR)/dmabench
STATIC_OBJS := $(CORE_SRCS:%.c=$(STATIC_OBJ)/%.o)
STATIC_VM_BINS := $(VM_SRCS:tests/vm/%.c=$(STATIC_DIR)/vm/%)
STATIC_CFLAGS ?=

# What every static program links besides its own main object. The udev shim is an object, not
# part of the library, so the linker always takes it (see mk/udev_absent.c for why it is safe).
STATIC_LINK_OBJS := $(STATIC_OBJ)/libdmabench.a $(STATIC_OBJ)/mk/udev_absent.o

# pkg-config --static adds the private dependencies (-lm -lpthread, and -ludev for hwloc);
# Debian ships no libudev.a, so -ludev is dropped in favour of the shim. Libraries that the
# Makefile names directly (libpfm4 has no .pc file) come from LIBS. Expanded at link time,
# after scripts/deps.sh has installed pkg-config and the .pc files.
STATIC_LIBS = $(filter-out -ludev,$(shell $(PKG_CONFIG) --static --libs $(PKGS))) \
	$(filter-out $(PKG_LIBS),$(LIBS)) -lm -lpthread

# -fopenmp (in BASE_CFLAGS) makes gcc link libgomp.a. Linking against static glibc makes ld warn
# about getaddrinfo (libnuma) and dlopen (hwloc's plugin loader); both are unused on our paths,
# and ld warnings are not errors (-Werror applies to the compiler only), so the link succeeds.
STATIC_LINK = $(Q)$(CC) -static $(BASE_CFLAGS) -O2 $(STATIC_CFLAGS) -o $@ $^ $(STATIC_LIBS)

# A cross build needs the cross compiler and the :arm64 libraries, a native one the usual set.
STATIC_DEPS_SET := $(if $(CROSS_COMPILE),cross,build)

.PHONY: static static-deps
static: $(STATIC_BIN)

static-deps:
	@$(DEPS) $(STATIC_DEPS_SET)

$(STATIC_OBJ)/%.o: %.c | static-deps
	@mkdir -p $(@D)
	$(call quiet,CC-STATIC)
	$(Q)$(CC) $(CPPFLAGS) $(BASE_CFLAGS) -O2 $(STATIC_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# Rebuilt from scratch so that objects of deleted sources do not linger in the archive.
$(STATIC_OBJ)/libdmabench.a: $(STATIC_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)$(CROSS_COMPILE)ar rcs $@ $^

$(STATIC_BIN): $(STATIC_OBJ)/bench/cli/main.o $(STATIC_LINK_OBJS)
	$(call quiet,LD-STATIC)
	$(STATIC_LINK)

# One static program per tests/vm/NAME.c. A static pattern rule names every object explicitly,
# so make does not delete them as intermediates after linking.
$(STATIC_VM_BINS): $(STATIC_DIR)/vm/%: $(STATIC_OBJ)/tests/vm/%.o $(STATIC_LINK_OBJS)
	@mkdir -p $(@D)
	$(call quiet,LD-STATIC)
	$(STATIC_LINK)
