#!/usr/bin/env bash
# scripts/vm/mkinitramfs.sh - build the VM test initramfs (cpio newc, gzip): static busybox with
# its applet links, tests/vm/init.sh as /init, the static dmabench and every static test program
# (tests/vm/*.c: vm_heap_check, validate_results ...) in /bin under its own name, and a
# passwd/group with `nobody` for the permission check.
#
#   usage: scripts/vm/mkinitramfs.sh OUT.cpio.gz INIT DMABENCH PROGRAM...
#   DMABENCH_BUSYBOX=path   the guest's static busybox (default /bin/busybox, the host's): an
#                           arm64 one for an arm64 guest
#   DMABENCH_INITRAMFS_FILES='SRC:/DEST ...'   more files, as they are (test-set scripts that
#                           tests/vm/init.sh sources, for one)
set -euo pipefail

[[ $# -ge 4 ]] || { echo "usage: $0 OUT.cpio.gz INIT DMABENCH PROGRAM..." >&2; exit 2; }
out=$1 init=$2 dmabench=$3
shift 3
programs=("$@")
busybox=${DMABENCH_BUSYBOX:-/bin/busybox}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

# The initramfs has no libc: a dynamic binary would fail with a baffling "not found".
for bin in "$busybox" "$dmabench" "${programs[@]}"; do
    [[ -n $bin && -f $bin ]] || die "static binary '$bin' is missing (see mk/static.mk)"
    file -L "$bin" | grep -Eq 'statically linked|static-pie linked' ||
        die "$bin is not statically linked (busybox-static, make static)"
done

root=$out.root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# Links made here rather than by `busybox --install` at boot: the image is then plain to read.
# The host's busybox names the applets: a foreign-architecture one cannot run here, and Debian
# builds every architecture's busybox-static from one configuration.
/bin/busybox --list-full | while read -r applet; do
    [[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done
install -m 0755 "$init" "$root/init"
install -m 0755 "$dmabench" "$root/bin/dmabench"
for program in "${programs[@]}"; do
    install -m 0755 "$program" "$root/bin/$(basename "$program")"
done
for pair in ${DMABENCH_INITRAMFS_FILES:-}; do
    src=${pair%%:*} dest=${pair#*:}
    [[ -f $src && $dest == /* ]] || die "DMABENCH_INITRAMFS_FILES: '$pair' is not an existing SRC:/DEST"
    mkdir -p "$root$(dirname "$dest")"
    cp "$src" "$root$dest"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"

# Sorted names, root ownership and no timestamps in gzip: the same inputs give the same image.
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
    gzip -n -6 >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
