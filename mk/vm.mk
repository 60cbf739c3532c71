# mk/vm.mk - `make vmcheck-stock`: boot Debian's stock 6.12 kernel under QEMU with an initramfs
# of the static dmabench + tests/vm/vm_heap_check and run tests/vm/init.sh's checks against the
# real dma-heap and udmabuf drivers. Included by the Makefile after mk/static.mk; `make vmcheck`
# runs this and the lab's VMs (mk/lab.mk).
#
#   make vmcheck-stock                          newest linux-image-6.12.*-amd64-unsigned, cached
#   KERNEL=path/to/bzImage make vmcheck-stock   any other x86_64 kernel (dma-heaps, udmabuf built in)
#   DMABENCH_ACCEL=tcg|kvm, DMABENCH_VM_TIMEOUT=secs, DMABENCH_CACHE=dir   see scripts/vm/*.sh

VM := $(BUILD)/vm
VM_INITRD := $(VM)/initramfs.cpio.gz
# Overridable to run prebuilt static binaries in the VM.
VM_DMABENCH ?= $(STATIC_DIR)/dmabench
VM_PROGRAMS ?= $(STATIC_VM_BINS)
KERNEL ?=

ifeq ($(ARCH),x86_64)
# checkdeps (Makefile) brings busybox-static, cpio and QEMU onto a fresh machine.
$(VM_INITRD): tests/vm/init.sh scripts/vm/mkinitramfs.sh $(VM_DMABENCH) $(VM_PROGRAMS) | checkdeps
	@mkdir -p $(@D)
	$(call quiet,INITRAMFS)
	$(Q)scripts/vm/mkinitramfs.sh $@ tests/vm/init.sh '$(VM_DMABENCH)' $(VM_PROGRAMS)

vmcheck-stock: $(VM_INITRD) | checkdeps
	@kernel='$(KERNEL)'; \
	if [ -z "$$kernel" ]; then kernel=$$(scripts/vm/fetch-kernel.sh) || exit 1; fi; \
	scripts/vm/run.sh "$$kernel" $(VM_INITRD) $(VM)/console.log
else
# The guest is x86_64: cross-built binaries cannot run in it.
vmcheck vmcheck-stock:
	@echo "vmcheck boots an x86_64 guest: run it without CROSS_COMPILE" >&2; exit 1
endif
