#!/usr/bin/env bash
# scripts/lab/run-vm.sh - the lab runner: get a kernel, pack an initramfs with the static test
# binaries and a named test set (tests/vm/SET.sh, sourced by tests/vm/init.sh), boot it with
# scripts/vm/run.sh and pass only when every check of the set passed.
#
#   usage: scripts/lab/run-vm.sh SET OUTDIR DMABENCH PROGRAM...
#     lab     the lab kernel (scripts/lab/build-kernel.sh), cma=64M, x86_64
#             KERNEL=path/to/bzImage   boot that kernel instead (no selftest: it has no tree)
#             KERNEL_SRC=path/to/linux build that tree with the lab fragment and driver
#     arm64   Debian's stock arm64 6.12 kernel (scripts/lab/fetch-arm64.sh), cma=128M, under
#             qemu-system-aarch64; DMABENCH and PROGRAMs must be aarch64 static binaries
#             ARM64_KERNEL=path/to/Image   boot that kernel instead
#   OUTDIR gets initramfs.cpio.gz and console.log. DMABENCH_VM_TIMEOUT, DMABENCH_VM_APPEND,
#   DMABENCH_ACCEL and DMABENCH_CACHE work as for scripts/vm/run.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ $# -ge 3 ]] || { echo "usage: $0 lab|arm64 OUTDIR DMABENCH PROGRAM..." >&2; exit 2; }
set_name=$1 outdir=$2 dmabench=$3
shift 3
programs=("$@")

die() { echo "vmcheck[$set_name]: $*" >&2; exit 1; }

extra_programs=()
case $set_name in
lab)
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
    ;;
arm64)
    kernel=${ARM64_KERNEL:-$("$here/scripts/lab/fetch-arm64.sh" kernel)} || die "no arm64 kernel"
    busybox=$("$here/scripts/lab/fetch-arm64.sh" busybox) || die "no arm64 busybox"
    export DMABENCH_BUSYBOX=$busybox DMABENCH_VM_ARCH=aarch64
    append="cma=128M"
    ;;
*) die "unknown test set '$set_name' (lab, arm64)" ;;
esac
[[ -f $here/tests/vm/$set_name.sh ]] || die "no tests/vm/$set_name.sh"

mkdir -p "$outdir"
DMABENCH_INITRAMFS_FILES="$here/tests/vm/$set_name.sh:/etc/dmabench/$set_name.sh \
$here/tests/csv_columns.sh:/etc/dmabench/csv_columns.sh" \
    "$here/scripts/vm/mkinitramfs.sh" "$outdir/initramfs.cpio.gz" "$here/tests/vm/init.sh" \
    "$dmabench" "${programs[@]}" "${extra_programs[@]}"

# TCG runs the larger sets in about a minute; the limit only catches a hung guest.
export DMABENCH_VM_NAME=$set_name DMABENCH_VM_TIMEOUT=${DMABENCH_VM_TIMEOUT:-400}
export DMABENCH_VM_APPEND="$append dmabench.suite=$set_name ${DMABENCH_VM_APPEND:-}"
exec "$here/scripts/vm/run.sh" "$kernel" "$outdir/initramfs.cpio.gz" "$outdir/console.log"
