#!/bin/bash
# tests/cli/t_limits.sh - issue 15's limits: paths that fit or are refused, arithmetic that
# cannot wrap, a case limit for the whole run, every stopped run resumable (a write error, a
# closed pipe or stderr), --max-mem true to the machine, compare's verdicts per pair, and
# options given twice. Sourced by run.sh (functions named test_*); uses t_reliability.sh's
# REL_CPU, rel_straight, rel_meta, rel_validate and rel_case_set.

# lim_path BASE BYTES: BASE, then 100-byte components, then one that makes it BYTES long.
lim_path() {
    local path=$1 name
    name=$(printf 'd%.0s' $(seq 99))
    while [ $((${#path} + 101)) -lt "$2" ]; do
        path=$path/$name
    done
    printf '%s/%s' "$path" "$(printf 'e%.0s' $(seq $(($2 - ${#path} - 1))))"
}

test_limits_long_output_dir_fits_or_is_refused() {
    local args=(cpu --heap host --size 64K --kernel read --reps 2 --counters none -q)
    local long huge
    long=$(lim_path "$work/lim-long" 600)
    huge=$(lim_path "$work/lim-huge" 5000)
    [ "${#long}" -eq 600 ] && [ "${#huge}" -eq 5000 ] || fail "test paths of ${#long}, ${#huge} bytes"
    run run "${args[@]}" -o "$long"
    expect_rc 0
    expect_out "^results: $long/results.csv, samples.csv, metadata.csv$"
    [ -f "$long/results.csv" ] || fail "the run is not where -o said"
    rel_validate "$long"
    run run --resume "$long"
    expect_rc 0
    expect_out "^run in $long is complete: nothing to resume$"
    run run "${args[@]}" -o "$huge"
    expect_rc 2
    expect_err "^dmabench: run: -o '[^']{64}\.\.\.': 5000 bytes, longer than the 4095 a path may have$"
    expect_one_line_err
    [ ! -e "$work/lim-huge" ] || fail "something was created for a refused -o"
    run run --resume "$huge"
    expect_rc 2
    expect_err "^dmabench: run: --resume '[^']{64}\.\.\.': 5000 bytes, longer than"
}

test_limits_offset_plus_size_cannot_wrap() {
    run run cpu --heap host --size 8192 --align 18446744073709547520 --kernel read --reps 1 \
        --counters none -q -o "$work/lim-wrap"
    expect_rc 2
    expect_err "^dmabench: run: the sweep needs more than the address space: cpu:heap=host;size=8KiB;align=18014398509481980KiB;.*: 8 KiB \+ 16\.0 EiB does not fit in 64 bits; lower --size or --align$"
    expect_one_line_err
    [ ! -e "$work/lim-wrap" ] || fail "output created for a refused sweep"
    # size x batch: 8 EiB x 4 buffers.
    run run alloc --heap host --size 8E --batch 4 --kernel alloc --reps 1 --counters none -q \
        -o "$work/lim-wrap"
    expect_rc 2
    expect_err 'the sweep needs more than the address space: alloc:heap=host;size=8EiB;.*: 8 EiB x batch 4 does not fit in 64 bits'
}

# lim_jobs N: a job file of N jobs of 50,688 cpu cases each, all set in [global].
lim_jobs() {
    printf '[global]\nbench=cpu\nheap=host\nsize=1..2G\nalign=0,1..64K\nthreads=1..1024\n'
    printf 'kernel=read,write,copy,fill,read:c,write:c,copy:c,fill:c\ncounters=none\n'
    printf '[j%d]\n' $(seq "$1")
}

test_limits_case_count_is_for_the_whole_run() {
    # 3 jobs: each under the limit, 152,064 cases together. (A planted machine with no memory
    # free, so that a dmabench which let them through refuses them at once.)
    lim_jobs 3 >"$work/lim-3.ini"
    printf 'MemTotal: 1000000 kB\nMemAvailable: 1 kB\n' >"$work/lim-meminfo"
    DMABENCH_MEMINFO=$work/lim-meminfo run run -j "$work/lim-3.ini" -q -o "$work/lim-cases"
    expect_rc 2
    expect_err "^dmabench: run: $work/lim-3.ini: 152064 cases in 3 jobs, more than the 100000 one run may have$"
    expect_one_line_err
    # 256 jobs in 1.6 KB of job file, 13 million cases: counted, never made.
    lim_jobs 256 >"$work/lim-256.ini"
    [ "$(wc -c <"$work/lim-256.ini")" -lt 2048 ] || fail "the job file is not small"
    run_program /usr/bin/time -f 'maxrss %M' "$DMABENCH" run -j "$work/lim-256.ini" -q \
        -o "$work/lim-cases"
    expect_rc 2
    expect_err "12976128 cases in 256 jobs, more than the 100000 one run may have"
    local kib
    kib=$(sed -n 's/^maxrss //p' <<<"$err")
    [ -n "$kib" ] && [ "$kib" -lt 300000 ] || fail "refusing it took ${kib:-?} KiB"
    [ ! -e "$work/lim-cases" ] || fail "output created for a refused sweep"
}

test_limits_write_error_is_resumable() {
    rel_straight
    local d=$work/lim-efbig
    # samples.csv reaches 6 KiB in the third case: write(2) says EFBIG (SIGXFSZ ignored).
    run_program bash -c 'ulimit -f 6; trap "" XFSZ; exec "$@"' - "$DMABENCH" run "${REL_CPU[@]}" \
        -q -o "$d"
    expect_rc 1
    expect_err "^dmabench: run: writing $d: File too large$"
    [ "$(rel_meta "$d" run_state)" = failed ] || fail "run_state '$(rel_meta "$d" run_state)'"
    [ "$(rel_meta "$d" failure)" = 'writing the results: File too large' ] || fail "failure '$(rel_meta "$d" failure)'"
    [ -z "$(rel_meta "$d" end_time)" ] || fail "a failed run has an end_time"
    rel_validate --allow-truncated "$d"
    run run --resume "$d"
    expect_rc 0
    expect_err "run: --resume $d: [0-9] of 9 cases done earlier \(kept\)"
    rel_validate "$d"
    [ "$(rel_meta "$d" run_state)" = complete ] || fail "resumed run not complete"
    [ -z "$(rel_meta "$d" failure)" ] || fail "the failure was kept"
    diff <(rel_case_set "$work/rel-straight") <(rel_case_set "$d") >"$work/diff" ||
        fail "write error + resume differs: $(head -5 "$work/diff")"
}

test_limits_closed_pipe_or_stderr_stops_only_the_progress() {
    local d=$work/lim-pipe status
    "$DMABENCH" run "${REL_CPU[@]}" -o "$d" 2>&1 | head -c 10 >/dev/null
    status=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] || fail "a closed pipe: exit $status"
    [ "$(rel_meta "$d" run_state)" = complete ] || fail "closed pipe: run_state '$(rel_meta "$d" run_state)'"
    rel_validate "$d"
    # A closed stderr: the progress lines go nowhere, not into the run's files.
    d=$work/lim-nostderr
    "$DMABENCH" run "${REL_CPU[@]}" -o "$d" >/dev/null 2>&-
    status=$?
    [ "$status" -eq 0 ] || fail "closed stderr: exit $status"
    [ "$(rel_meta "$d" run_state)" = complete ] || fail "closed stderr: run not complete"
    rel_validate "$d"
    grep -qv '^[0-9]*$' "$d/.dmabench.lock" && fail "progress lines in the lock file"
    ! grep -rq '^\[' "$d" || fail "progress lines in the run's files"
}

test_limits_resume_counter_cannot_overflow() {
    rel_straight
    local d=$work/lim-resumes
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    sed -i -e '/^[0-9]*,end_time,/d' -e 's/^\([0-9]*\),run_state,.*/\1,run_state,interrupted/' \
        "$d/metadata.csv"
    echo "3,resumes,9223372036854775807" >>"$d/metadata.csv"
    run run --resume "$d" -q
    expect_rc 2
    expect_err "^dmabench: run: --resume: $d/metadata.csv: resumes '9223372036854775807' is not a count of resumes$"
}

# on_small_machine ARGS...: dmabench ARGS on a planted machine of 976.6 MiB, 97.7 MiB free.
on_small_machine() { DMABENCH_MEMINFO=$work/lim-meminfo run "$@"; }

# A run directory whose metadata.csv is not what dmabench writes is bad input: exit 2, not 1.
test_limits_bad_metadata_is_bad_input() {
    rel_straight
    local d=$work/lim-badmeta
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    grep -v -e '^[0-9]*,end_time,' -e '^[0-9]*,argv,' "$work/rel-straight/metadata.csv" >"$d/metadata.csv"
    run run --resume "$d"
    expect_rc 2
    expect_err "^dmabench: run: --resume: $d/metadata.csv has no argv"
    echo '3,argv,"cpu""x"' >>"$d/metadata.csv"
    run run --resume "$d"
    expect_rc 2
    expect_err "^dmabench: run: --resume: $d/metadata.csv: argv is not one CSV row$"
    sed -i '1s/.*/version,name,value/' "$d/metadata.csv"
    run run --resume "$d"
    expect_rc 2
    expect_err "metadata.csv:1: not the header this dmabench writes$"
}

test_limits_max_mem_true_to_the_machine() {
    printf 'MemTotal: 1000000 kB\nMemAvailable: 100000 kB\n' >"$work/lim-meminfo"
    local args=(alloc --heap host --kernel alloc --reps 1 --counters none -q)
    on_small_machine run "${args[@]}" --size 4K --max-mem 2G -o "$work/lim-mem"
    expect_rc 2
    expect_err "^dmabench: run: --max-mem 2 GiB is more than the 976\.6 MiB of RAM this machine has \(MemTotal\); --force allows it$"
    expect_one_line_err
    [ ! -e "$work/lim-mem" ] || fail "output created for a refused --max-mem"
    on_small_machine run "${args[@]}" --size 4K --max-mem 2G --force -o "$work/lim-mem"
    expect_rc 0
    on_small_machine alloc --heap host --size 4K --max-mem 2G
    expect_rc 2
    expect_err "^dmabench: alloc: --max-mem 2 GiB is more than the 976\.6 MiB of RAM this machine has \(MemTotal\)$"
    # A sweep bigger than the machine: the hint lowers the sweep, never --max-mem beyond RAM;
    # within the machine it still names the --max-mem that allows it.
    local size
    for size in 1G 256M; do
        on_small_machine run "${args[@]}" --size "$size" --batch 2 -o "$work/lim-mem2"
        expect_rc 2
    done
    expect_err 'or allow it with --max-mem 512MiB$'
    on_small_machine run "${args[@]}" --size 1G --batch 2 -o "$work/lim-mem2"
    expect_err 'the sweep needs up to 2 GiB at once \(alloc:.*: 1 GiB x batch 2\), more than the 976\.6 MiB of RAM this machine has \(MemTotal\); lower --size or --batch$'
    grep -q -- '--max-mem' <<<"$err" && fail "suggests --max-mem beyond the machine"
    on_small_machine alloc --heap host --size 512M --count 4
    expect_rc 2
    expect_err 'alloc: the buffers need up to 2 GiB at once .*, more than the 976\.6 MiB of RAM this machine has \(MemTotal\); lower --size or --count$'
}

test_limits_compare_decides_each_pair() {
    # slower is a same-board regression; boardb a difference: the regression still fails.
    run compare "$cmp_data/base" "$cmp_data/slower" "$cmp_data/boardb"
    expect_rc 1
    run compare "$cmp_data/base" "$cmp_data/slower" "$cmp_data/boardb" --format csv
    expect_rc 1
    expect_out 'size=4KiB;.*kernel=read:c;.*,regression'
    expect_out 'size=4KiB;.*kernel=read:c;.*,worse'
}

test_limits_options_given_twice_are_refused() {
    run compare --format csv --format md "$cmp_data/base" "$cmp_data/slower"
    expect_rc 2
    expect_err '^dmabench: compare: --format given twice$'
    run compare --threshold 5 --threshold 10 "$cmp_data/base" "$cmp_data/slower"
    expect_rc 2
    expect_err '^dmabench: compare: --threshold given twice$'
    run compare --alpha 0.05 --alpha 0.01 "$cmp_data/base" "$cmp_data/slower"
    expect_rc 2
    expect_err '--alpha given twice'
    run compare --min-samples 3 --min-samples 4 "$cmp_data/base" "$cmp_data/slower"
    expect_rc 2
    expect_err '--min-samples given twice'
    run plot -o "$work/p1" -o "$work/p2" "$cmp_data/base"
    expect_rc 2
    expect_err '^dmabench: plot: -o given twice$'
    run plot --type bandwidth --type latency "$cmp_data/base" -o "$work/p1"
    expect_rc 2
    expect_err '^dmabench: plot: --type given twice'
    run export --format junit --format kcidb "$cmp_data/base"
    expect_rc 2
    expect_err '^dmabench: export: --format given twice$'
    run export --format kcidb --origin a --origin b "$cmp_data/base"
    expect_rc 2
    expect_err '^dmabench: export: --origin given twice$'
    run export --format kcidb --build-id a --build-id b "$cmp_data/base"
    expect_rc 2
    expect_err '^dmabench: export: --build-id given twice$'
    run report --no-plots -o "$work/p1" -o "$work/p2" "$cmp_data/base"
    expect_rc 2
    expect_err '^dmabench: report: -o given twice$'
    [ ! -e "$work/p1" ] && [ ! -e "$work/p2" ] || fail "plot or report wrote something"
}
