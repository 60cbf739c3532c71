#!/usr/bin/env bash
# scripts/vm/fetch-kernel.sh - print the path of a vmlinuz for the VM test: Debian's newest stock
# 6.12 amd64 kernel (linux-image-6.12.*-amd64-unsigned), downloaded once and kept in a cache
# outside the repo, so that later runs need no network.
#
#   cache: ${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/kernels/<release>/
#   DMABENCH_KERNEL_VERSION=6.12.117+deb12-amd64   pin a release instead of taking the newest
set -euo pipefail

cache=${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}/kernels
# The plain amd64 flavour only: cloud-amd64 lacks drivers the tests need, rt changes timings.
pkg_re='^linux-image-(6\.12\.[0-9]+\+deb[0-9]+-amd64)-unsigned$'

die() { echo "fetch-kernel: $*" >&2; exit 1; }

newest_in_apt() {
    apt-cache search --names-only '^linux-image-6\.12\..*-amd64-unsigned$' 2>/dev/null |
        awk '{print $1}' | sed -En "s/$pkg_re/\1/p" | sort -V | tail -n1
}
newest_cached() {
    find "$cache" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null |
        awk -F/ '{print $(NF-1)}' | sort -V | tail -n1
}

mkdir -p "$cache"
# One download at a time, e.g. under make -j or two checkouts on one machine.
exec 9>"$cache/.lock"
flock 9

release=${DMABENCH_KERNEL_VERSION:-$(newest_in_apt)}
if [[ -z $release ]]; then
    # Empty package lists (a fresh container): an already cached kernel beats going online.
    release=$(newest_cached)
    if [[ -z $release ]]; then
        [[ $(id -u) == 0 ]] || die "apt-cache knows no linux-image-6.12.*-amd64-unsigned; run: sudo apt-get update"
        echo "fetch-kernel: apt-get update (no 6.12 kernel in the package lists)" >&2
        apt-get update -q >&2
        release=$(newest_in_apt)
        [[ -n $release ]] || die "no linux-image-6.12.*-amd64-unsigned in the apt sources of this machine"
    fi
fi

dir=$cache/$release
if [[ ! -f $dir/vmlinuz ]]; then
    pkg=linux-image-$release-unsigned
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    echo "fetch-kernel: downloading $pkg into $cache" >&2
    # As root apt drops to _apt for downloads, which cannot write into a private cache dir.
    sandbox=()
    [[ $(id -u) == 0 ]] && sandbox=(-o APT::Sandbox::User=root)
    (cd "$tmp" && apt-get -q "${sandbox[@]}" download "$pkg" >&2)
    # Only ./boot: the modules would be ~400 MB of disk we never read.
    dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" ./boot
    mkdir -p "$tmp/out"
    mv "$tmp/boot/vmlinuz-$release" "$tmp/out/vmlinuz"
    mv "$tmp/boot/config-$release" "$tmp/out/config"
    rm -rf "$dir"
    mv "$tmp/out" "$dir"
fi

# The tests exercise built-in drivers: the initramfs has no modules to load.
for opt in CONFIG_DMABUF_HEAPS_SYSTEM CONFIG_UDMABUF; do
    grep -qx "$opt=y" "$dir/config" ||
        die "kernel $release: $opt is '$(grep -E "^$opt=|^# $opt is" "$dir/config" || echo missing)', the VM test needs $opt=y"
done
echo "$dir/vmlinuz"
