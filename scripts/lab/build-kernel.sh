#!/usr/bin/env bash
# scripts/lab/build-kernel.sh - build the dmabench lab kernel and print the directory that holds
# it: bzImage (arm64: Image), its .config, and the kernel's own dmabuf-heaps selftest (static)
# from the same tree. The source is Debian's linux-source-6.12 (or KERNEL_SRC, a kernel tree of
# your own), configured as `make tinyconfig` + kernel/lab.config, with kernel/system_uncached_heap.c added
# to drivers/dma-buf/heaps and kernel/dmabench_edu.c (the edu DMA device, with its
# kernel/uapi/dmabench_edu.h) to drivers/dma-buf. Built once per machine: later runs print the
# cached directory.
#
#   usage: scripts/lab/build-kernel.sh [--arch x86_64|arm64] [KERNEL_SRC]
#     --arch arm64   cross-build (aarch64-linux-gnu-) for qemu-system-aarch64 -M virt, with
#                    kernel/lab-arm64.config merged after kernel/lab.config; default x86_64
#   cache: ${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/lab/
#            src/<version>/       the unpacked Debian source (the driver hooked in)
#            obj/<version>/       Kbuild's output tree, kept so that a changed fragment or
#                                 driver rebuilds incrementally (arm64: obj-arm64/<version>/)
#            kernels/<key>/       bzImage, config, dmabuf-heap, build.log; <key> hashes the
#                                 source version, the fragment, the drivers and this script
#                                 (arm64: Image; its key adds the arch and its fragment)
#   DMABENCH_LAB_JOBS=N   make -jN (default: the number of CPUs)
# A KERNEL_SRC tree is built out of tree (O=) and always handed to make, which rebuilds only
# what changed; the driver file and two hook lines are added to the tree (say so, once).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fragment=$here/kernel/lab.config
driver=$here/kernel/system_uncached_heap.c
# The lab's DMA device driver and the ioctls it shares with user space.
edu_driver=$here/kernel/dmabench_edu.c
edu_uapi=$here/kernel/uapi/dmabench_edu.h
cache=${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/lab
jobs=${DMABENCH_LAB_JOBS:-$(nproc)}
tarball=/usr/src/linux-source-6.12.tar.xz

die() { echo "lab-kernel: $*" >&2; exit 1; }
say() { echo "lab-kernel: $*" >&2; }

# The architecture: Kbuild's ARCH, the cross compiler, the image it boots, a fragment merged
# after lab.config, and where its objects go (one tree per architecture, the source shared).
arch=x86_64
if [[ ${1:-} == --arch ]]; then
    [[ $# -ge 2 ]] || die "usage: $0 [--arch x86_64|arm64] [KERNEL_SRC]"
    arch=$2
    shift 2
fi
case $arch in
x86_64) cross="" image=arch/x86/boot/bzImage arch_fragment="" obj_root=$cache/obj ;;
arm64)
    cross=aarch64-linux-gnu- image=arch/arm64/boot/Image obj_root=$cache/obj-arm64
    arch_fragment=$here/kernel/lab-arm64.config
    command -v "${cross}gcc" >/dev/null ||
        die "${cross}gcc is missing: scripts/deps.sh cross installs it"
    ;;
*) die "--arch must be x86_64 or arm64, not '$arch'" ;;
esac
image_name=$(basename "$image")
fragments=("$fragment" ${arch_fragment:+"$arch_fragment"})

[[ $# -le 1 ]] || die "usage: $0 [--arch x86_64|arm64] [KERNEL_SRC]"
for tool in make gcc flex bison bc; do
    command -v "$tool" >/dev/null || die "$tool is missing: scripts/deps.sh check installs it"
done
[[ -f /usr/include/gelf.h ]] || die "libelf-dev is missing (objtool needs it): scripts/deps.sh check"

mkdir -p "$cache"
# One build at a time per machine: two checkouts must not write the same obj tree.
exec 9>"$cache/.lock"
flock 9

hash_of() { sha256sum | cut -c1-16; }

if [[ $# == 1 ]]; then
    src=$(cd "$1" && pwd) || die "no kernel tree at $1"
    [[ -f $src/Makefile && -d $src/drivers/dma-buf/heaps ]] || die "$src is not a kernel tree"
    id=src-$(printf '%s' "$src" | hash_of)
    [[ $arch == x86_64 ]] || id+=-$arch
    version="$src ($(make -s -C "$src" kernelversion 2>/dev/null || echo unknown))"
    obj=$obj_root/$id
    out=$cache/kernels/$id
else
    [[ -f $tarball ]] || die "no $tarball: apt-get install linux-source-6.12 (scripts/deps.sh check)"
    version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
        die "linux-source-6.12 is not installed"
    key=$(cat <(echo "$version") "$fragment" "$driver" "$edu_driver" "$edu_uapi" "${BASH_SOURCE[0]}" |
        hash_of)
    # Another architecture: the same inputs, its name and its fragment (x86_64's key is as is).
    [[ -z $arch_fragment ]] || key=$(cat <(echo "$key $arch") "$arch_fragment" | hash_of)
    out=$cache/kernels/$key
    if [[ -f $out/$image_name && -f $out/dmabuf-heap && -f $out/config ]]; then
        say "cached: linux-source-6.12 $version ($arch), key $key"
        echo "$out"
        exit 0
    fi
    # A new Debian release replaces the old tree (1.5 GB unpacked); built kernels stay.
    for old in "$cache"/src/* "$cache"/obj/[0-9]* "$cache"/obj-arm64/[0-9]*; do
        if [[ -e $old && $(basename "$old") != "$version" ]]; then rm -rf "$old"; fi
    done
    src=$cache/src/$version/linux-source-6.12
    if [[ ! -f $cache/src/$version/.unpacked ]]; then
        say "unpacking $tarball ($version)"
        rm -rf "$cache/src/$version"
        mkdir -p "$cache/src/$version"
        tar -xf "$tarball" -C "$cache/src/$version"
        touch "$cache/src/$version/.unpacked"
    fi
    obj=$obj_root/$version
fi

# The driver, and its Kconfig entry and Makefile line, idempotently: an unchanged file keeps its
# mtime, so Kbuild does not recompile it.
heaps=$src/drivers/dma-buf/heaps
if ! cmp -s "$driver" "$heaps/system_uncached_heap.c"; then
    [[ $# == 1 ]] && say "adding drivers/dma-buf/heaps/system_uncached_heap.c to $src"
    cp "$driver" "$heaps/system_uncached_heap.c"
fi
if ! grep -q '^config DMABUF_HEAPS_SYSTEM_UNCACHED$' "$heaps/Kconfig"; then
    [[ $# == 1 ]] && say "adding DMABUF_HEAPS_SYSTEM_UNCACHED to $heaps/Kconfig and Makefile"
    cat >>"$heaps/Kconfig" <<'EOF'

config DMABUF_HEAPS_SYSTEM_UNCACHED
	bool "DMA-BUF system-uncached heap (dmabench lab)"
	depends on DMABUF_HEAPS
	help
	  A heap of page-allocator pages whose CPU mappings are all write-combined, so that
	  DMA_BUF_IOCTL_SYNC does no cache maintenance. Added by dmabench's lab build.
EOF
fi
grep -q 'system_uncached_heap\.o' "$heaps/Makefile" ||
    echo 'obj-$(CONFIG_DMABUF_HEAPS_SYSTEM_UNCACHED)	+= system_uncached_heap.o' >>"$heaps/Makefile"

# The edu driver and its UAPI header side by side in drivers/dma-buf (the driver includes
# "dmabench_edu.h"), its Kconfig entry and Makefile line: as for the heap above.
dmabuf=$src/drivers/dma-buf
for file in "$edu_driver" "$edu_uapi"; do
    if ! cmp -s "$file" "$dmabuf/$(basename "$file")"; then
        [[ $# == 1 ]] && say "adding drivers/dma-buf/$(basename "$file") to $src"
        cp "$file" "$dmabuf/$(basename "$file")"
    fi
done
if ! grep -q '^config DMABENCH_EDU$' "$dmabuf/Kconfig"; then
    [[ $# == 1 ]] && say "adding DMABENCH_EDU to $dmabuf/Kconfig and Makefile"
    cat >>"$dmabuf/Kconfig" <<'EOF'

config DMABENCH_EDU
	bool "QEMU edu device as a dma-buf importing DMA engine (dmabench lab)"
	depends on PCI && DMA_SHARED_BUFFER && 64BIT
	help
	  /dev/dmabench-edu: imports dma-bufs for QEMU's edu PCI device, keeps them mapped, and
	  copies between them by DMA. Added by dmabench's lab build.
EOF
fi
grep -q 'dmabench_edu\.o' "$dmabuf/Makefile" ||
    echo 'obj-$(CONFIG_DMABENCH_EDU)	+= dmabench_edu.o' >>"$dmabuf/Makefile"

mkdir -p "$obj"
log=$obj/build.log
: >"$log"
kmake() { make -C "$src" O="$obj" ARCH="$arch" ${cross:+CROSS_COMPILE="$cross"} "$@" >>"$log" 2>&1; }
fail() {
    echo "lab-kernel: ---- last 30 lines of $log ----" >&2
    tail -n 30 "$log" >&2
    die "$*"
}

say "configuring $version for $arch: tinyconfig + ${fragments[*]#"$here"/}"
start=$SECONDS
kmake tinyconfig || fail "make tinyconfig failed"
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" >>"$log" 2>&1 ||
    fail "merge_config.sh failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Kconfig drops a symbol whose dependencies are not met without a word: name every one. What a
# symbol should be is its last line in the fragments, as for merge_config.sh.
declare -A want=()
order=()
for file in "${fragments[@]}"; do
    while read -r line; do
        if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=y$ ]]; then
            sym=${BASH_REMATCH[1]} value=y
        elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
            sym=${BASH_REMATCH[1]} value=n
        else
            continue
        fi
        [[ -v want[$sym] ]] || order+=("$sym")
        want[$sym]=$value
    done <"$file"
done
bad=()
for sym in "${order[@]}"; do
    if [[ ${want[$sym]} == y ]]; then
        grep -qx "$sym=y" "$obj/.config" ||
            bad+=("$sym: want y, got $(grep -E "^$sym=" "$obj/.config" | cut -d= -f2 || echo 'not set')")
    else
        ! grep -Eq "^$sym=[ym]" "$obj/.config" || bad+=("$sym: want not set, got $(grep -E "^$sym=" "$obj/.config")")
    fi
done
if ((${#bad[@]})); then
    printf 'lab-kernel:   %s\n' "${bad[@]}" >&2
    die "the .config does not have what ${fragments[*]#"$here"/} asks for (a dependency missing from the fragment?)"
fi

say "building $image_name with make -j$jobs (log: $log)"
kmake -j"$jobs" "$image_name" || fail "the kernel build failed"
# The selftest includes the UAPI headers of this tree (linux/dma-heap.h, drm/drm.h).
kmake headers || fail "make headers failed"
mkdir -p "$obj/selftests/dmabuf-heaps"
make -C "$src/tools/testing/selftests/dmabuf-heaps" OUTPUT="$obj/selftests/dmabuf-heaps" \
    ${cross:+CROSS_COMPILE="$cross"} KHDR_INCLUDES="-isystem $obj/usr/include" >>"$log" 2>&1 ||
    fail "building the dmabuf-heaps selftest failed"
elapsed=$((SECONDS - start))

tmp=$(mktemp -d "$cache/.out.XXXXXX")
cp "$obj/$image" "$tmp/$image_name"
cp "$obj/.config" "$tmp/config"
cp "$obj/selftests/dmabuf-heaps/dmabuf-heap" "$tmp/dmabuf-heap"
cp "$log" "$tmp/build.log"
echo "$version" >"$tmp/version"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
say "built $version for $arch in ${elapsed}s: $out"
echo "$out"
