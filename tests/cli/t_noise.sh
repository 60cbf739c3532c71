#!/bin/bash
# tests/cli/t_noise.sh - compare's noise guard on copies of one real run: a run whose metadata
# shows it disturbed makes its regression inconclusive (a warning, exit 0), the same regression
# between quiet runs still exits 1, and counter rows never decide the exit status.
# Sourced by run.sh (functions named test_*).

# The new run's bandwidth at a quarter of the base's: whatever the noise of the real samples,
# no sample of one side reaches the other, a regression of the plainest kind.
test_noise_quiet_regression_exits_1() {
    local base new
    base=$(noise_copy nq-base)
    new=$(noise_copy nq-new scale:bandwidth:0.25)
    run compare "$base" "$new"
    expect_rc 1
    expect_out 'kernel=read;.* bandwidth +bytes/s .* -75\.0% .* regression$'
    ! grep -q 'inconclusive' <<<"$out$err" || fail "a quiet run called inconclusive"
}

test_noise_disturbed_run_is_inconclusive() {
    local base new
    base=$(noise_copy nd-base)
    new=$(noise_copy nd-new scale:bandwidth:0.25 meta:after_loadavg_1=3.50 meta:cpus_used=2)
    run compare "$base" "$new"
    expect_rc 0
    expect_err '^dmabench: compare: warning: inconclusive: new: load 3\.50 on 2 CPUs'
    expect_out 'kernel=read;.* bandwidth +bytes/s .* -75\.0% .* inconclusive$'
    expect_out '^  note: the new run was disturbed: load 3\.50 on 2 CPUs'
    ! grep -q 'regression$' <<<"$out" || fail "a disturbed run's change called a regression"
    # Every format exits 0 for it; JUnit skips the case with the reason.
    run compare "$base" "$new" --format junit
    expect_rc 0
    expect_out '<skipped message="inconclusive: new: load 3\.50 on 2 CPUs; regression: median'
    # The disturbed side may be BASE as well: a faster NEW is no evidence either way.
    run compare "$new" "$base"
    expect_rc 0
    # Steal time disturbs a run as load does.
    new=$(noise_copy nd-steal scale:bandwidth:0.25 meta:steal_percent=4.20)
    run compare "$base" "$new" --format csv
    expect_rc 0
    expect_err '^dmabench: compare: warning: inconclusive: new: steal 4\.2%'
    expect_out ',inconclusive$'
}

test_noise_counters_never_fail() {
    local base new
    base=$(noise_copy nc-base)
    new=$(noise_copy nc-new scale:perf:::4)
    grep -q 'perf::task-clock,ns/byte,lower,9,' "$new/results.csv" ||
        fail "the run has no task-clock counter rows to compare"
    run compare "$base" "$new"
    expect_rc 0
    expect_out 'perf::task-clock +ns/byte .* \+300\.0% .* worse$'
    ! grep -q 'regression$' <<<"$out" || fail "a counter row called a regression"
    expect_out '^verdicts: .*[0-9]+ worse'
}

# The CPUs a run's load is held to: its --cpus, else every CPU it may use.
test_noise_run_records_cpus_used() {
    local dir=$work/noise-cpus all
    run run cpu --heap host --size 16K --kernel read --reps 3 --counters none -q --cpus 0 \
        -o "$dir-one"
    expect_rc 0
    [ "$(csv_columns "$dir-one/metadata.csv" key value | sed -n 's/^cpus_used,//p')" = 1 ] ||
        fail "--cpus 0: cpus_used is not 1"
    run run cpu --heap host --size 16K --kernel read --reps 3 --counters none -q -o "$dir-all"
    expect_rc 0
    all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status | tr , '\n' |
        awk -F- '{n += NF == 2 ? $2 - $1 + 1 : 1} END {print n}')
    [ "$(csv_columns "$dir-all/metadata.csv" key value | sed -n 's/^cpus_used,//p')" = "$all" ] ||
        fail "cpus_used is not the $all CPUs this process may use"
}
