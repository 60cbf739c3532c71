# mk/lab.mk - the kernel lab's VM tests, included by the Makefile after mk/vm.mk. `make vmcheck`
# boots six kernel sets, one after the other, and fails if any test set failed:
#   stock             Debian's amd64 6.12 kernel, tests/vm/init.sh's checks (mk/vm.mk)
#   lab               the lab kernel built from linux-source-6.12 + kernel/ (cma=64M), with
#                     QEMU's edu DMA device and -vga std (bochs-drm): tests/vm/lab.sh
#   lab-bounce        the same kernel with swiotlb=force, every DMA mapping bounced:
#                     tests/vm/lab_bounce.sh
#   lab-arm64         the same source and fragment cross-built for arm64 (+ kernel/lab-arm64.config)
#                     under qemu-system-aarch64 (cma=64M): tests/vm/lab.sh again
#   lab-arm64-bounce  that kernel with swiotlb=65536,force: tests/vm/lab_bounce.sh
#   arm64             Debian's arm64 6.12 kernel under qemu-system-aarch64 (cma=128M):
#                     tests/vm/arm64.sh
#
#   make vmcheck-SET      one of them (vmcheck-lab, vmcheck-lab-bounce, vmcheck-lab-arm64 ...)
#   KERNEL=path/to/bzImage make vmcheck       only the lab's test set, on that x86_64 kernel
#   KERNEL_SRC=path/to/linux make vmcheck     only the lab's test set, on that tree built with
#                                             kernel/lab.config and the system-uncached heap
#   ARM64_KERNEL=path/to/Image make vmcheck-arm64
# The kernels are built or downloaded once per machine (scripts/lab/*.sh say where they cache).

VM_ARM64 := $(BUILD)/vm-arm64
KERNEL_SRC ?=
ARM64_CROSS ?= aarch64-linux-gnu-
# The static build of mk/static.mk, made by a sub-make with the cross compiler.
ARM64_STATIC := $(BUILD)/static-aarch64
ARM64_VM_DMABENCH := $(ARM64_STATIC)/dmabench
ARM64_VM_PROGRAMS := $(VM_SRCS:tests/vm/%.c=$(ARM64_STATIC)/vm/%)

.PHONY: vmcheck-stock vmcheck-lab vmcheck-lab-bounce vmcheck-arm64 arm64-vm-binaries \
	vmcheck-lab-arm64 vmcheck-lab-arm64-bounce

ifeq ($(ARCH),x86_64)
ifneq ($(KERNEL)$(KERNEL_SRC),)
# A kernel developer's kernel: the lab's test sets are the ones that exercise everything.
vmcheck: vmcheck-lab vmcheck-lab-bounce
else
# One after the other (two QEMUs under TCG on two cores would only slow each other), all of them
# even when one fails, so that one run names every failing set.
vmcheck: | checkdeps
	@failed=""; \
	for set in stock lab lab-bounce lab-arm64 lab-arm64-bounce arm64; do \
		$(MAKE) --no-print-directory vmcheck-$$set || failed="$$failed $$set"; \
	done; \
	if [ -n "$$failed" ]; then echo "vmcheck: failed VM test sets:$$failed" >&2; exit 1; fi; \
	echo "vmcheck: stock, lab, lab-bounce, lab-arm64, lab-arm64-bounce and arm64 VM test sets passed"
endif

vmcheck-lab vmcheck-lab-bounce: vmcheck-%: $(VM_DMABENCH) $(VM_PROGRAMS) | checkdeps
	@KERNEL='$(KERNEL)' KERNEL_SRC='$(KERNEL_SRC)' \
		scripts/lab/run-vm.sh $* $(BUILD)/vm-$* '$(VM_DMABENCH)' $(VM_PROGRAMS)

vmcheck-arm64: arm64-vm-binaries | checkdeps
	@scripts/lab/run-vm.sh arm64 $(VM_ARM64) $(ARM64_VM_DMABENCH) $(ARM64_VM_PROGRAMS)

# The lab set on the arm64 lab kernel (KERNEL_SRC= cross-builds that tree instead), coherent and
# with every streaming DMA mapping bounced.
vmcheck-lab-arm64 vmcheck-lab-arm64-bounce: vmcheck-%: arm64-vm-binaries | checkdeps
	@KERNEL_SRC='$(KERNEL_SRC)' scripts/lab/run-vm.sh $* $(BUILD)/vm-$* $(ARM64_VM_DMABENCH) \
		$(ARM64_VM_PROGRAMS)

# mk/static.mk's own rules, with ARCH=aarch64 from the prefix; the sub-make installs the cross
# compiler and the :arm64 libraries it needs (scripts/deps.sh cross).
arm64-vm-binaries:
	@$(MAKE) --no-print-directory CROSS_COMPILE=$(ARM64_CROSS) $(ARM64_VM_DMABENCH) \
		$(ARM64_VM_PROGRAMS)
endif
