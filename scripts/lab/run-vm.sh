#!/usr/bin/env bash
# scripts/lab/run-vm.sh - the lab runner: get a kernel, pack an initramfs with the static test
# binaries and a named test set (tests/vm/SET.sh, sourced by tests/vm/init.sh), boot it with
# scripts/vm/run.sh and pass only when every check of the set passed.
#
#   usage: scripts/lab/run-vm.sh SET OUTDIR DMABENCH PROGRAM...
#     lab     the lab kernel (scripts/lab/build-kernel.sh), cma=64M, x86_64, with QEMU's edu
#             DMA device and its standard VGA (-vga std: bochs-drm, a second DRM card)
#             KERNEL=path/to/bzImage   boot that kernel instead (no selftest: it has no tree)
#             KERNEL_SRC=path/to/linux build that tree with the lab fragment and driver
#     lab-bounce  the same kernel booted with swiotlb=force: every streaming DMA mapping through
#             a bounce buffer, as a non-coherent device sees memory; tests/vm/lab_bounce.sh
#     lab-arm64         the arm64 lab kernel (build-kernel.sh --arch arm64), cma=64M, under
#                       qemu-system-aarch64, running the same test set (tests/vm/lab.sh);
#                       DMABENCH and PROGRAMs must be aarch64 static binaries
#                       KERNEL_SRC=path/to/linux  cross-build that tree instead
#     lab-arm64-bounce  the same boot with swiotlb=65536,force: every streaming DMA mapping
#                       through a 128 MiB bounce pool (arm64's default pool is 1 MiB);
#                       tests/vm/lab_bounce.sh
#     arm64   Debian's stock arm64 6.12 kernel (scripts/lab/fetch-arm64.sh), cma=128M, under
#             qemu-system-aarch64; DMABENCH and PROGRAMs must be aarch64 static binaries
#             ARM64_KERNEL=path/to/Image   boot that kernel instead
#   OUTDIR gets initramfs.cpio.gz and console.log. DMABENCH_VM_TIMEOUT, DMABENCH_VM_APPEND,
#   DMABENCH_ACCEL and DMABENCH_CACHE work as for scripts/vm/run.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ $# -ge 3 ]] || { echo "usage: $0 lab|lab-bounce|lab-arm64|lab-arm64-bounce|arm64 OUTDIR DMABENCH PROGRAM..." >&2; exit 2; }
set_name=$1 outdir=$2 dmabench=$3
shift 3
programs=("$@")

die() { echo "vmcheck[$set_name]: $*" >&2; exit 1; }

extra_programs=()
# The test set the guest runs (tests/vm/$suite.sh): the set's own name unless a boot variant
# runs another set.
suite=$set_name
case $set_name in
lab | lab-bounce)
    if [[ -n ${KERNEL:-} ]]; then
        kernel=$KERNEL
    else
        dir=$("$here/scripts/lab/build-kernel.sh" ${KERNEL_SRC:+"$KERNEL_SRC"}) || die "no lab kernel"
        kernel=$dir/bzImage
        extra_programs+=("$dir/dmabuf-heap")
    fi
    # CONFIG_DMA_API_DEBUG reports on dmabench's own driver only (tests/vm/lab.sh says why).
    append="cma=64M dma_debug_driver=dmabench-edu"
    # QEMU's edu DMA device for kernel/dmabench_edu.c, reaching all of memory (scripts/vm/run.sh
    # gives the device and its driver the mask together), and edu's 100 ms transfers made free:
    # the guest's clocks then count instructions, which the lab's checks do not time. 4 ns an
    # instruction is about TCG's pace on a 2-core builder, so that timed loops take as long as
    # with real-time clocks (shift 0: the set took 88 s; shift 2: 49 s; real time: 169 s).
    export DMABENCH_VM_EDU=64 DMABENCH_VM_ICOUNT=${DMABENCH_VM_ICOUNT:-2}
    # QEMU's standard VGA, named rather than left to QEMU's default: the lab kernel's bochs-drm
    # makes it a second DRM card (dumb buffers on the GEM VRAM helpers), besides vgem. No
    # framebuffer console on it (kernel/lab.config): the console stays on the serial port.
    export DMABENCH_VM_VGA=std
    if [[ $set_name == lab-bounce ]]; then
        suite=lab_bounce
        append+=" swiotlb=force"
    fi
    ;;
arm64)
    kernel=${ARM64_KERNEL:-$("$here/scripts/lab/fetch-arm64.sh" kernel)} || die "no arm64 kernel"
    busybox=$("$here/scripts/lab/fetch-arm64.sh" busybox) || die "no arm64 busybox"
    export DMABENCH_BUSYBOX=$busybox DMABENCH_VM_ARCH=aarch64
    append="cma=128M"
    ;;
lab-arm64 | lab-arm64-bounce)
    dir=$("$here/scripts/lab/build-kernel.sh" --arch arm64 ${KERNEL_SRC:+"$KERNEL_SRC"}) ||
        die "no arm64 lab kernel"
    kernel=$dir/Image
    extra_programs+=("$dir/dmabuf-heap")
    busybox=$("$here/scripts/lab/fetch-arm64.sh" busybox) || die "no arm64 busybox"
    export DMABENCH_BUSYBOX=$busybox DMABENCH_VM_ARCH=aarch64
    # QEMU's edu DMA device on the virt board's PCIe, as for the x86 lab (scripts/vm/run.sh).
    export DMABENCH_VM_EDU=64 DMABENCH_VM_ICOUNT=${DMABENCH_VM_ICOUNT:-1}
    suite=lab
    append="cma=64M dma_debug_driver=dmabench-edu"
    if [[ $set_name == *-bounce ]]; then
        suite=lab_bounce
        append+=" swiotlb=65536,force"
    fi
    ;;
*) die "unknown test set '$set_name' (lab, lab-bounce, lab-arm64, lab-arm64-bounce, arm64)" ;;
esac
[[ -f $here/tests/vm/$suite.sh ]] || die "no tests/vm/$suite.sh"

mkdir -p "$outdir"
DMABENCH_INITRAMFS_FILES="$here/tests/vm/$suite.sh:/etc/dmabench/$suite.sh \
$here/tests/csv_columns.sh:/etc/dmabench/csv_columns.sh" \
    "$here/scripts/vm/mkinitramfs.sh" "$outdir/initramfs.cpio.gz" "$here/tests/vm/init.sh" \
    "$dmabench" "${programs[@]}" "${extra_programs[@]}"

# TCG runs the larger sets in about a minute; the limit only catches a hung guest.
export DMABENCH_VM_NAME=$set_name DMABENCH_VM_TIMEOUT=${DMABENCH_VM_TIMEOUT:-400}
export DMABENCH_VM_APPEND="$append dmabench.suite=$suite ${DMABENCH_VM_APPEND:-}"
exec "$here/scripts/vm/run.sh" "$kernel" "$outdir/initramfs.cpio.gz" "$outdir/console.log"
