#!/bin/bash
# tests/install/deb.sh - the Debian package `make deb` built: lintian, its files, its version.
#
#   tests/install/deb.sh DEB_DIR      (make debcheck, after make deb)
# lintian reports no error (its warnings are printed), and does report one on a package
# broken on purpose; the package holds what make install installs, its version is the
# binary's, and its binary, unpacked anywhere, plots with its own scripts. Ends with
# "deb: N passed, M failed".
set -u
here=$(dirname "$0")
# shellcheck source=tests/cli/lib.sh
. "$here/../cli/lib.sh"
deb_dir=${1:?usage: $0 DEB_DIR}
src=$(realpath "$here/../..")
deb=""
for f in "$deb_dir"/dmabench_*.deb; do [ -f "$f" ] && deb=$f; done
unset DMABENCH_PLOT_DIR

test_lintian_reports_no_error() {
    [ -n "$deb" ] || { fail "no dmabench_*.deb in $deb_dir (make deb)"; return; }
    run_program lintian --fail-on error "$deb"
    expect_rc 0
    if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/  lintian: /'; else echo "  lintian: no tags"; fi
    ! grep -q '^E:' <<<"$out" || fail "lintian errors"
}

# The control: the same package without its copyright file is an error lintian reports.
test_lintian_fails_a_broken_package() {
    [ -n "$deb" ] || { fail "no package"; return; }
    dpkg-deb -R "$deb" "$work/broken"
    rm "$work/broken/usr/share/doc/dmabench/copyright"
    dpkg-deb -b -Zgzip "$work/broken" "$work/broken.deb" >/dev/null
    run_program lintian --fail-on error "$work/broken.deb"
    [ "$rc" -ne 0 ] || fail "lintian passed a package without a copyright file"
    expect_out 'E: dmabench: no-copyright-file'
}

test_package_holds_what_make_install_installs() {
    local f
    [ -n "$deb" ] || { fail "no package"; return; }
    dpkg-deb -x "$deb" "$work/root"
    for f in /usr/bin/dmabench /usr/share/man/man1/dmabench.1.gz \
        /usr/share/bash-completion/completions/dmabench /usr/share/doc/dmabench/copyright \
        /usr/share/doc/dmabench/examples/jobs/quick.ini; do
        [ -f "$work/root$f" ] || fail "the package has no $f"
    done
    for f in "$src"/plot/*.gp; do
        cmp -s "$f" "$work/root/usr/share/dmabench/plot/${f##*/}" || fail "no ${f##*/} as it is"
    done
    run_program "$src/tests/install/man-vs-help.sh" "$work/root/usr/share/man/man1/dmabench.1.gz" \
        "$work/root/usr/bin/dmabench"
    expect_rc 0
}

test_package_version_is_the_binarys() {
    local version
    [ -n "$deb" ] || { fail "no package"; return; }
    dpkg-deb -x "$deb" "$work/root-v"
    version=$(dpkg-deb -f "$deb" Version)
    run_program "$work/root-v/usr/bin/dmabench" version
    [ "$out" = "dmabench $version" ] || fail "package $version, binary says '$out'"
}

test_unpacked_binary_plots_with_its_own_scripts() {
    [ -n "$deb" ] || { fail "no package"; return; }
    dpkg-deb -x "$deb" "$work/root-p"
    run_program sh -c 'cd "$1" && "$2" plot "$3" -o plots -q' sh "$work" \
        "$work/root-p/usr/bin/dmabench" "$src/tests/data/plot-sample/host"
    expect_rc 0
    ls "$work/plots/"*.png >/dev/null 2>&1 || fail "no PNG from the packaged binary"
}

for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
