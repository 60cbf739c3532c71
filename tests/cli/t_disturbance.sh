#!/bin/bash
# tests/cli/t_disturbance.sh - a case measured while a busy loop shared its CPU is flagged
# `disturbed` in its rows, with the reason, and counted on the summary's flagged line; the same
# case on the CPU alone is not flagged for it. Sourced by run.sh (functions named test_*).

# The last CPU this shell may use: the benchmark and the busy loop share it.
shared_cpu() { awk '/^Cpus_allowed_list/ {n = split($2, a, /[-,]/); print a[n]}' /proc/self/status; }

# run_beside_busy_loop CPU ARGS...: run dmabench while a shell loop spins on CPU; the loop is
# stopped on every path (the EXIT trap covers an interrupted test run).
run_beside_busy_loop() {
    local cpu=$1 busy
    shift
    taskset -c "$cpu" sh -c 'while :; do :; done' &
    busy=$!
    trap 'kill "$busy" 2>/dev/null; rm -rf "$work"' EXIT
    sleep 0.2 # running before the case starts
    run "$@"
    kill "$busy" 2>/dev/null
    wait "$busy" 2>/dev/null
    trap 'rm -rf "$work"' EXIT
}

# run_queue_share DIR: the run-queue wait (percent) the first row's disturbed column names as
# its main reason, or nothing.
run_queue_share() {
    csv_columns "$1/results.csv" disturbed | head -1 |
        sed -nE 's/^"?run-queue wait: ([0-9.]+)% of the case.*/\1/p'
}

test_run_flags_a_case_that_shared_its_cpu() {
    local cpu flag busy_share args=(run cpu --heap host --size 256K --kernel read --threads 1
        --reps 20 --counters none)
    cpu=$(shared_cpu)
    run_beside_busy_loop "$cpu" "${args[@]}" --cpus "$cpu" -o "$work/busy"
    expect_rc 0
    expect_out '^flagged: 1 disturbed \(run-queue wait 1\), 0 implausible: the rows say why'
    expect_err '\(20 reps, fixed\) \[disturbed: run-queue wait: [0-9.]+% of the case; '
    flag=$(csv_columns "$work/busy/results.csv" disturbed)
    grep -q '; involuntary context switches: [0-9]* in ' <<<"$flag" ||
        fail "disturbed column without the context: $flag"
    # Sharing a CPU fairly, the case waited about half its time; a tenth is a wide margin.
    busy_share=$(run_queue_share "$work/busy")
    awk -v s="$busy_share" 'BEGIN { exit !(s >= 10) }' || fail "run-queue wait: '$busy_share'"
    # The row keeps its numbers; the flag is all that marks it.
    [ "$(csv_columns "$work/busy/results.csv" status implausible)" = "ok," ] ||
        fail "status, implausible: $(csv_columns "$work/busy/results.csv" status implausible)"
    [ -n "$(csv_columns "$work/busy/results.csv" median)" ] || fail "median left out"
    "$VALIDATE" "$work/busy" >/dev/null || fail "validate_results"
    # The report counts and cites it; compare notes it, verdicts unchanged.
    run report "$work/busy" --no-plots -q -o "$work/busy-report"
    expect_rc 0
    grep -q '^| disturbed | run-queue wait | 1 | `cpu:heap=host;size=256KiB;.*` (line 2) |$' \
        "$work/busy-report/report.md" || fail "report.md: $(grep -A4 'Flagged rows' \
        "$work/busy-report/report.md")"
    run compare "$work/busy" "$work/busy"
    expect_rc 0
    expect_err "compare: note: $work/busy has 1 row flagged disturbed and 0 implausible"
    expect_out 'verdicts: 1 same'

    # Alone on the CPU: no run-queue wait worth a flag. Other work on a shared machine can
    # cause some, so a few tries a moment apart; where every one is flagged the machine is
    # busy, and the wait must still be well below the busy loop's.
    local try share least=100
    for try in 1 2 3 4 5 6; do
        run "${args[@]}" --cpus "$cpu" -q -o "$work/alone$try"
        expect_rc 0
        share=$(run_queue_share "$work/alone$try")
        if [ -z "$share" ]; then
            least=0
            break
        fi
        least=$(awk -v a="$least" -v b="$share" 'BEGIN { print (b < a ? b : a) }')
        sleep 0.5
    done
    if [ "$least" = 0 ]; then
        [ -n "$(csv_columns "$work/alone$try/results.csv" disturbed)" ] ||
            expect_out '^flagged: 0 disturbed, 0 implausible$'
        return
    fi
    echo "  note: CPU $cpu was busy without the loop too (load $(cut -d' ' -f1-3 /proc/loadavg));" \
        "least run-queue wait $least% against $busy_share% beside the loop"
    awk -v a="$least" -v b="$busy_share" 'BEGIN { exit !(a < b / 2) }' ||
        fail "alone, run-queue wait $least%; beside a busy loop $busy_share%"
}
