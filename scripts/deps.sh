#!/bin/sh
# scripts/deps.sh - install the Debian packages a dmabench build or test needs, only the missing.
#
#   scripts/deps.sh build   compiler and libraries for ./dmabench and `make static`
#   scripts/deps.sh check   plus cmocka, QEMU, busybox, cpio, file, setpriv, clang-format,
#                           valgrind (make reliability), chromium (make browsercheck), and
#                           for the lab VMs linux-source-6.12, its build tools and the cross set
#   scripts/deps.sh cross   plus the aarch64 cross compiler and the :arm64 -dev libraries
#   scripts/deps.sh plot    plus gnuplot, for `make plot` and `dmabench plot` / `report`
#   scripts/deps.sh deb     plus debhelper and lintian, for `make deb` (mk/install.mk)
# Quiet and fast when everything is there (one dpkg-query); as root it runs apt-get update and
# apt-get install, otherwise it says what to run. The Makefile calls it before every build.
set -eu

# Libraries we link, listed once: installed for the host, and as :arm64 for the cross build.
libs="libhwloc-dev libnuma-dev libpfm4-dev libinih-dev libcsv-dev libjansson-dev"
arm64_libs=$(for l in $libs; do printf '%s:arm64 ' "$l"; done)

build="gcc make pkg-config libc6-dev $libs"
# util-linux brings setpriv (the VM test drops privileges with it), file checks static binaries.
# The lab VMs (mk/lab.mk): the kernel source and what building it takes, and the arm64 guest
# with the cross-built static binaries. clang and its runtime build the libFuzzer targets
# (mk/fuzz.mk); lava-common (jinja2 for its lava-schema.py), python3-jsonschema and
# libxml2-utils (xmllint) check the LAVA, KCIDB and JUnit output against their schemas
# (tests/cli/t_export.sh, tests/data/schemas/), python3-jsonschema and jq the JSON output and
# the README's jq one-liners for dashboards (tests/cli/t_json.sh). chromium renders history's
# dashboard page headless (tests/browser/run.sh).
check="$build libcmocka-dev qemu-system-x86 busybox-static cpio file util-linux clang-format
    valgrind gnuplot-nox chromium
    linux-source-6.12 flex bison bc libelf-dev xz-utils qemu-system-arm
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross $arm64_libs
    clang libclang-rt-14-dev lava-common python3-jinja2 python3-jsonschema libxml2-utils jq"
# make deb builds with debhelper and checks the package with lintian; the man page test renders
# it with groff (tests/install/). make check does both (installcheck, debcheck).
deb="$build debhelper lintian"
check="$check debhelper lintian groff-base"
cross="$build gcc-aarch64-linux-gnu libc6-dev-arm64-cross $arm64_libs"
plot="$build gnuplot-nox"

case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
cross) want=$cross ;;
plot) want=$plot ;;
deb) want=$deb ;;
*)
    echo "usage: $0 build|check|cross|plot|deb" >&2
    exit 2
    ;;
esac
set_name=${1:-build}

# Prints the wanted packages that are not installed. A plain name means the host architecture
# (or an Architecture: all package): asking dpkg for "libhwloc-dev" alone would also accept
# libhwloc-dev:arm64, which is no use to a native build.
find_missing() {
    native=$(dpkg --print-architecture)
    installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}:${Architecture}\n' 2>/dev/null |
        awk 'substr($1, 2, 1) == "i" { print $2 }')
    for p in $want; do
        case "$p" in
        *:*) printf '%s\n' "$installed" | grep -qxF "$p" || printf ' %s' "$p" ;;
        *) printf '%s\n' "$installed" | grep -qxF -e "$p:$native" -e "$p:all" || printf ' %s' "$p" ;;
        esac
    done
}

missing=$(find_missing)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "dmabench needs these Debian packages:$missing" >&2
    echo "install them with: sudo $0 $set_name" >&2
    case "$missing" in
    *:arm64*) echo "  (or: sudo dpkg --add-architecture arm64 && sudo apt-get update &&" \
        "sudo apt-get install$missing)" >&2 ;;
    *) echo "  (or: sudo apt-get install$missing)" >&2 ;;
    esac
    exit 1
fi

# `make -j` can start several of us at once (native, static and test builds each ask): take
# turns, and look again once it is our turn, since the one before may have installed it all.
mkdir -p /run/lock
exec 9>/run/lock/dmabench-deps.lock
flock 9
missing=$(find_missing)
[ -z "$missing" ] && exit 0

case "$missing" in
*:arm64*)
    dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# --no-remove: the :arm64 -dev packages are Multi-Arch: same and sit beside the amd64 ones; if
# apt ever wanted to remove something to install them, stop rather than break the host build.
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends --no-remove $missing >&2
