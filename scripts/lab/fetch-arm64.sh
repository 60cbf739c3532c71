#!/usr/bin/env bash
# scripts/lab/fetch-arm64.sh - print the path of what the arm64 VM test boots: Debian's newest
# stock 6.12 arm64 kernel (linux-image-6.12.*-arm64-unsigned), or the static arm64 busybox
# (busybox-static:arm64) that its initramfs runs. Downloaded once from the arm64 archive (after
# `dpkg --add-architecture arm64`, which scripts/deps.sh does) and kept in a cache outside the
# repo, so that later runs need no network. The same scheme as scripts/vm/fetch-kernel.sh.
#
#   usage: scripts/lab/fetch-arm64.sh kernel|busybox
#   cache: ${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/arm64/
#            kernels/<release>/{vmlinuz,config}   busybox/<version>/busybox
#   DMABENCH_ARM64_KERNEL_VERSION=6.12.117+deb12-arm64   pin a release instead of the newest
set -euo pipefail

cache=${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/arm64
what=${1:-}

die() { echo "fetch-arm64: $*" >&2; exit 1; }

# The plain arm64 flavour only: cloud-arm64 lacks drivers, rt changes timings.
kernel_re='^linux-image-(6\.12\.[0-9]+\+deb[0-9]+-arm64)-unsigned$'
newest_kernel_in_apt() {
    apt-cache search --names-only '^linux-image-6\.12\..*-arm64-unsigned$' 2>/dev/null |
        awk '{print $1}' | sed -En "s/$kernel_re/\1/p" | sort -V | tail -n1
}
busybox_in_apt() {
    apt-cache policy busybox-static:arm64 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}'
}
newest_cached() { find "$cache/$1" -mindepth 2 -maxdepth 2 -name "$2" 2>/dev/null |
    awk -F/ '{print $(NF-1)}' | sort -V | tail -n1; }

# version_of KIND: what apt offers, else what is cached, else apt-get update once (as root).
version_of() {
    local v
    v=$("$1")
    [[ -n $v ]] || v=$(newest_cached "$2" "$3")
    if [[ -z $v ]]; then
        [[ $(id -u) == 0 ]] || die "apt knows no $4; run: sudo scripts/deps.sh cross && sudo apt-get update"
        dpkg --print-foreign-architectures | grep -qx arm64 ||
            die "arm64 is not a dpkg architecture here: run scripts/deps.sh cross"
        echo "fetch-arm64: apt-get update (no $4 in the package lists)" >&2
        apt-get update -q >&2
        v=$("$1")
        [[ -n $v ]] || die "no $4 in the apt sources of this machine"
    fi
    echo "$v"
}

# fetch PACKAGE DIR: download PACKAGE's .deb and unpack it into a temporary directory, which
# the caller turns into DIR. Prints the temporary directory.
download() {
    local tmp sandbox=()
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    echo "fetch-arm64: downloading $1 into $cache" >&2
    # As root apt drops to _apt for downloads, which cannot write into a private cache dir.
    [[ $(id -u) == 0 ]] && sandbox=(-o APT::Sandbox::User=root)
    (cd "$tmp" && apt-get -q "${sandbox[@]}" download "$1" >&2)
    mkdir -p "$tmp/root"
    # Only what is asked for: the kernel's modules would be ~400 MB we never read.
    dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp/root" "${@:2}"
    echo "$tmp"
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

case $what in
kernel)
    release=${DMABENCH_ARM64_KERNEL_VERSION:-$(version_of newest_kernel_in_apt kernels vmlinuz \
        'linux-image-6.12.*-arm64-unsigned')}
    dir=$cache/kernels/$release
    if [[ ! -f $dir/vmlinuz ]]; then
        tmp=$(download "linux-image-$release-unsigned" ./boot)
        trap 'rm -rf "$tmp"' EXIT
        mkdir -p "$tmp/out"
        mv "$tmp/root/boot/vmlinuz-$release" "$tmp/out/vmlinuz"
        mv "$tmp/root/boot/config-$release" "$tmp/out/config"
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        mv "$tmp/out" "$dir"
    fi
    # The initramfs loads no modules: what the arm64 checks use must be built in.
    for opt in CONFIG_UDMABUF CONFIG_DMA_CMA CONFIG_SERIAL_AMBA_PL011_CONSOLE CONFIG_HUGETLBFS; do
        grep -qx "$opt=y" "$dir/config" ||
            die "kernel $release: $opt is '$(grep -E "^$opt=|^# $opt is" "$dir/config" || echo missing)', the arm64 VM test needs $opt=y"
    done
    echo "$dir/vmlinuz"
    ;;
busybox)
    version=$(version_of busybox_in_apt busybox busybox 'busybox-static:arm64')
    dir=$cache/busybox/$version
    if [[ ! -f $dir/busybox ]]; then
        tmp=$(download "busybox-static:arm64=$version" ./bin/busybox)
        trap 'rm -rf "$tmp"' EXIT
        mkdir -p "$tmp/out"
        mv "$tmp/root/bin/busybox" "$tmp/out/busybox"
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        mv "$tmp/out" "$dir"
    fi
    echo "$dir/busybox"
    ;;
*) die "usage: $0 kernel|busybox" ;;
esac
