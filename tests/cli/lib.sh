#!/bin/bash
# tests/cli/lib.sh - what every CLI test file uses: run dmabench, expect an exit code and
# messages, fake /dev trees under $DMABENCH_DEV_ROOT, running as nobody. Sourced by run.sh.
DMABENCH=${DMABENCH:-./dmabench}
VALIDATE=${VALIDATE:-build/static-x86_64/vm/validate_results}
WITHOUT_THP=${WITHOUT_THP:-build/static-x86_64/vm/without_thp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
out="" err="" rc=0

# run_program COMMAND...: run any command, keeping stdout, stderr and the exit code.
run_program() {
    "$@" >"$work/out" 2>"$work/err"
    rc=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}
# run ARGS...: run dmabench that way.
run() { run_program "$DMABENCH" "$@"; }

fail() {
    echo "FAIL $current: $*"
    echo "  command output: $out" | head -20
    echo "  stderr: $err" | head -20
    failed=$((failed + 1))
    ok=0
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit code $rc, expected $1"; }
# Callers write `expect_err -- "--size ..."` for patterns that start with a dash: skip the --.
expect_out() {
    [ "$1" = -- ] && shift
    grep -Eq -- "$1" <<<"$out" || fail "stdout lacks /$1/"
}
expect_err() {
    [ "$1" = -- ] && shift
    grep -Eq -- "$1" <<<"$err" || fail "stderr lacks /$1/"
}
expect_one_line_err() {
    [ "$(grep -c . <<<"$err")" -eq 1 ] || fail "stderr should be one line, is: $err"
}
no_sanitizer_report() {
    ! grep -Eq 'Sanitizer|runtime error|leaked' <<<"$err" || fail "sanitizer or leak report"
}

t() {
    current=$1
    ok=1
    "$1"
    no_sanitizer_report
    if [ "$ok" -eq 1 ]; then
        echo "PASS $current"
        passed=$((passed + 1))
    fi
}

# A fake /dev with one dma-heap node ("system") that is not a real device.
make_fake_dev() {
    rm -rf "$work/dev-root"
    mkdir -p "$work/dev-root/dev/dma_heap"
    : >"$work/dev-root/dev/dma_heap/system"
    chmod "${1:-600}" "$work/dev-root/dev/dma_heap/system"
    chmod 755 "$work" "$work/dev-root" "$work/dev-root/dev" "$work/dev-root/dev/dma_heap"
}

run_as_nobody() {
    if [ "$(id -u)" -ne 0 ]; then
        run "$@" # already unprivileged
        return
    fi
    run_program setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
        env DMABENCH_DEV_ROOT="$DMABENCH_DEV_ROOT" "$DMABENCH" "$@"
}


# csv_columns FILE NAME...: tests/csv_columns.sh, shared with the VM test sets.
# shellcheck source=tests/csv_columns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../csv_columns.sh"

# noise_run, noise_copy, noise_edit: tests/cli/noise_fixture.sh.
# shellcheck source=tests/cli/noise_fixture.sh
. "$(dirname "${BASH_SOURCE[0]}")/noise_fixture.sh"
