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


# csv_columns FILE NAME...: the named columns of every data row of a dmabench CSV file, comma-
# separated, found by header name (so a new column does not shift them). Quoted fields (RFC
# 4180, no line breaks inside) keep their quotes.
csv_columns() {
    local file=$1
    shift
    awk -v want="$*" '
        function split_csv(line, f,    n, i, c, q, cell) {
            n = 0; q = 0; cell = ""
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (c == "\"") q = !q
                if (c == "," && !q) { f[++n] = cell; cell = ""; continue }
                cell = cell c
            }
            f[++n] = cell
            return n
        }
        NR == 1 {
            n = split_csv($0, head)
            k = split(want, names, " ")
            for (j = 1; j <= k; j++) {
                idx[j] = 0
                for (i = 1; i <= n; i++) if (head[i] == names[j]) idx[j] = i
                if (!idx[j]) { print "csv_columns: no column " names[j] > "/dev/stderr"; exit 1 }
            }
            next
        }
        {
            split_csv($0, f)
            out = ""
            for (j = 1; j <= k; j++) out = out (j > 1 ? "," : "") f[idx[j]]
            print out
        }' "$file"
}
