#!/bin/bash
# tests/install/run.sh - `make install` / `make uninstall` into a DESTDIR, and what they install.
#
# The installed binary plots and reports from its own tree (another cwd, no DMABENCH_PLOT_DIR,
# the source tree out of its reach); uninstall leaves nothing; the man page lists --help's
# options; the bash completion completes commands, options and heap names. Defines test_*
# functions like the CLI tests (tests/cli/lib.sh) and ends with "install: N passed, M failed".
set -u
here=$(dirname "$0")
# shellcheck source=tests/cli/lib.sh
. "$here/../cli/lib.sh"
src=$(realpath "$here/../..")
MAKE=${MAKE:-make}
sample=$src/tests/data/plot-sample/host
man_vs_help=$src/tests/install/man-vs-help.sh
unset DMABENCH_PLOT_DIR

# stage DIR [MAKE ARGS...]: `make install DESTDIR=DIR` from the source tree.
stage() {
    local dir=$1
    shift
    run_program "$MAKE" -C "$src" --no-print-directory -s install DESTDIR="$dir" "$@"
    [ "$rc" -eq 0 ] || fail "make install DESTDIR=$dir $* exited $rc"
}

# The files make install puts under PREFIX (default /usr/local), relative to DESTDIR.
installed_files() {
    local p=${1:-/usr/local}
    echo "$p/bin/dmabench $p/share/man/man1/dmabench.1 \
        $p/share/bash-completion/completions/dmabench $p/share/dmabench/plot/common.gp \
        $p/share/doc/dmabench/examples/jobs/quick.ini $p/share/dmabench/dmabench-results.schema.json"
}

test_install_puts_every_file_under_destdir_and_prefix() {
    local f
    stage "$work/stage-default"
    for f in $(installed_files); do
        [ -f "$work/stage-default$f" ] || fail "make install: no $f under DESTDIR"
    done
    [ -x "$work/stage-default/usr/local/bin/dmabench" ] || fail "the binary is not executable"
    for f in "$src"/plot/*.gp; do
        cmp -s "$f" "$work/stage-default/usr/local/share/dmabench/plot/${f##*/}" ||
            fail "plot script ${f##*/} not installed as it is"
    done
    stage "$work/stage-usr" PREFIX=/usr
    for f in $(installed_files /usr); do
        [ -f "$work/stage-usr$f" ] || fail "make install PREFIX=/usr: no $f"
    done
}

# From another directory, without DMABENCH_PLOT_DIR: the scripts under PREFIX/share/dmabench.
test_installed_binary_plots_and_reports() {
    local bin=$work/stage-run/usr/local/bin/dmabench
    stage "$work/stage-run"
    mkdir -p "$work/elsewhere"
    cp -r "$sample" "$work/elsewhere/set"
    case $bin in "$src"/*) fail "the staged binary is inside the source tree" ;; esac
    run_program sh -c 'cd "$1" && "$2" plot set -o plots' sh "$work/elsewhere" "$bin"
    expect_rc 0
    ls "$work/elsewhere/plots/"*.png >/dev/null 2>&1 || fail "no PNG plot from the installed binary"
    ls "$work/elsewhere/plots/"*.svg >/dev/null 2>&1 || fail "no SVG plot from the installed binary"
    run_program sh -c 'cd "$1" && "$2" report set -o report' sh "$work/elsewhere" "$bin"
    expect_rc 0
    [ -s "$work/elsewhere/report/report.md" ] || fail "no report.md from the installed binary"
    grep -q '\.png' "$work/elsewhere/report/report.md" || fail "the report shows no plot"
    # The control: without the installed scripts it has nothing to plot with.
    mv "$work/stage-run/usr/local/share/dmabench/plot" "$work/stage-run/plot-moved"
    run_program sh -c 'cd "$1" && "$2" plot set -o plots-2' sh "$work/elsewhere" "$bin"
    [ "$rc" -ne 0 ] || fail "plotted without the installed scripts: found them elsewhere"
    expect_err 'share/dmabench/plot'
}

test_uninstall_leaves_nothing() {
    local left
    stage "$work/stage-un"
    run_program "$MAKE" -C "$src" --no-print-directory -s uninstall DESTDIR="$work/stage-un"
    expect_rc 0
    left=$(find "$work/stage-un" ! -type d)
    [ -z "$left" ] || fail "files left after uninstall: $left"
    left=$(find "$work/stage-un" -name '*dmabench*')
    [ -z "$left" ] || fail "directories left after uninstall: $left"
}

test_man_page_lists_the_options_of_help() {
    stage "$work/stage-man"
    run_program "$man_vs_help" "$work/stage-man/usr/local/share/man/man1/dmabench.1" \
        "$work/stage-man/usr/local/bin/dmabench"
    expect_rc 0
    expect_out 'run: [0-9]+ options'
    # Rendered as man renders it: no warning from groff.
    run_program groff -man -Tutf8 -ww -z "$work/stage-man/usr/local/share/man/man1/dmabench.1"
    expect_rc 0
    [ -z "$err" ] || fail "groff warns about the man page"
}

# The comparison itself: an option that only --help has, or only the man page, fails it.
test_man_vs_help_fails_when_one_side_gains_an_option() {
    local real=$work/stage-cmp/usr/local/bin/dmabench page=$work/stage-cmp/usr/local/share/man/man1/dmabench.1
    stage "$work/stage-cmp"
    cat >"$work/gained" <<EOF
#!/bin/sh
"$real" "\$@"
[ "\$1 \$2" = "run --help" ] && echo "  --gained-option N      an option the man page lacks"
exit 0
EOF
    chmod +x "$work/gained"
    run_program "$man_vs_help" "$page" "$work/gained"
    expect_rc 1
    expect_out -- '--gained-option'
    run_program "$src/scripts/gen-man.sh" "$work/gained"
    expect_rc 0
    printf '%s\n' "$out" >"$work/gained.1"
    run_program "$man_vs_help" "$work/gained.1" "$real"
    expect_rc 1
    expect_out -- '--gained-option'
}

# complete_line BIN_DIR WORD...: what the installed completion offers for the last WORD.
complete_line() {
    local stage_dir=$1
    shift
    run_program env PATH="$stage_dir/usr/local/bin:$PATH" DMABENCH_DEV_ROOT="$work/dev-root" \
        bash -c '. "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            fn=$(complete -p dmabench | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
            "$fn" dmabench "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf "%s\n" "${COMPREPLY[@]}"' \
        sh "$stage_dir/usr/local/share/bash-completion/completions/dmabench" "$@"
}

test_completion_completes_commands_options_and_heaps() {
    local st=$work/stage-comp
    stage "$st"
    make_fake_dev
    : >"$work/dev-root/dev/dma_heap/linux,cma"
    complete_line "$st" dmabench r
    [ "$(sort <<<"$out" | tr '\n' ' ')" = "report run " ] || fail "dmabench r<TAB>: '$out'"
    complete_line "$st" dmabench alloc --he
    [ "$(sort <<<"$out" | tr '\n' ' ')" = "--heap --heap-class --help " ] ||
        fail "dmabench alloc --he<TAB>: '$out'"
    complete_line "$st" dmabench plot --t
    [ "$out" = "--type" ] || fail "dmabench plot --t<TAB>: '$out'"
    complete_line "$st" dmabench run --heap sy
    [ "$out" = system ] || fail "dmabench run --heap sy<TAB>: '$out'"
    complete_line "$st" dmabench alloc --heap li
    [ "$out" = "linux,cma" ] || fail "dmabench alloc --heap li<TAB>: '$out'"
    complete_line "$st" dmabench run --heap system,li
    [ "$out" = "system,linux,cma" ] || fail "dmabench run --heap system,li<TAB>: '$out'"
    complete_line "$st" dmabench list --format ""
    [ "$(sort <<<"$out" | tr '\n' ' ')" = "csv table " ] || fail "list --format <TAB>: '$out'"
    complete_line "$st" dmabench help al
    [ "$out" = alloc ] || fail "dmabench help al<TAB>: '$out'"
}

for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
