#!/bin/bash
# tests/cli/t_run.sh - `dmabench run`: help, bad input with file:line errors, the CSV it
# writes (validated), refusing to overwrite a run, an unavailable heap as an error row.
# Sourced by run.sh (functions named test_*).

test_run_help_lists_benchmarks() {
    run run --help
    expect_rc 0
    expect_out '^  alloc +allocate'
    expect_out '^  cpu +CPU read'
    expect_out 'camera-pool'
}

test_run_bad_input() {
    run run frob
    expect_rc 2
    expect_err "unknown benchmark 'frob'"
    expect_one_line_err
    run run -j quik
    expect_rc 2
    expect_err "quik.*did you mean 'quick'"
    run run cpu --size 4Q
    expect_rc 2
    expect_err -- "--size 4Q: size: '4Q' is not a size"
    run run cpu --counters perf::cylces
    expect_rc 2
    expect_err "unknown event 'perf::cylces'"
    run run sync --threads 2
    expect_rc 2
    expect_err -- "--threads: none of the benchmarks run here uses it"
    run run cpu --kernel read:avx9
    expect_rc 2
    expect_err "cpu kernels are OP or OP:IMPL"
}

test_run_job_file_errors_name_file_and_line() {
    printf '[global]\nheap = host\n\n[bw]\nbench = cpu\nszie = 4K\n' >"$work/bad.ini"
    run run -j "$work/bad.ini" -o "$work/never"
    expect_rc 2
    expect_err "bad.ini:6: unknown key 'szie' \(did you mean 'size'\?\)"
    expect_one_line_err
    [ ! -e "$work/never" ] || fail "output directory created for a bad job"
}

test_run_writes_tidy_csv() {
    run run cpu --heap host --size 64K,1M --kernel read,copy,chase --reps 3 --counters none -q \
        -o "$work/run1"
    expect_rc 0
    expect_out '^host +[0-9.]+ +- +[0-9.]+ +[0-9.]+ '
    expect_out "results: $work/run1/results.csv"
    local header rows
    header=$(head -1 "$work/run1/results.csv")
    [ "$header" = "schema_version,run_id,case_id,bench,job,heap,backend,heap_class,size_bytes,align_bytes,page_kind,page_size_bytes,threads,batch,kernel,node,strategy,direction,region_bytes,region_offset_bytes,regions,lines,importers,pool_depth,frame_format,engine,cpu,peer,metric,unit,better,n,median,mean,min,max,stddev,mad,cv,p90,p99,ci_low,ci_high,reps,reps_stop,mux_ratio,status,error,verdict,implementation,huge_fraction,min_sample_ns,note,disturbed,implausible" ] ||
        fail "results.csv header: $header"
    rows=$(tail -n +2 "$work/run1/results.csv" | wc -l)
    [ "$rows" -eq 6 ] || fail "expected 6 rows (2 sizes x 3 kernels, one metric each), got $rows"
    grep -q '^3,[^,]*,cpu:heap=host;size=1MiB;align=0B;page-size=base;threads=1;kernel=copy;node=any,cpu,cpu,host,host,cached,1048576,0,base,[0-9]*,1,,copy,any,,,,,,,,,,,,,bandwidth,bytes/s,higher,3,' \
        "$work/run1/results.csv" || fail "copy row"
    grep -q ',latency,ns,lower,3,' "$work/run1/results.csv" || fail "chase latency row"
    [ "$(tail -n +2 "$work/run1/samples.csv" | wc -l)" -eq 18 ] || fail "samples.csv: want 6 x 3"
    "$VALIDATE" "$work/run1" --expect-ok host --expect-bench cpu >/dev/null || fail "validate_results"
    grep -q '^3,start_time,' "$work/run1/metadata.csv" || fail "metadata start_time"
    grep -q '^3,end_time,' "$work/run1/metadata.csv" || fail "metadata end_time"
}

# --reps auto says which cases did not converge: a time budget of a few 64 MiB passes stops
# the case long before the 6 repetitions a confidence interval needs.
test_run_names_cases_that_stopped_short() {
    run run cpu --heap host --size 64M --kernel read --reps auto --time-budget 0.05 \
        --counters none -o "$work/short"
    expect_rc 0
    expect_out '^1 case stopped by the time budget \(reps_stop budget: fewer repetitions than asked, or with --reps auto not converged\): cpu:heap=host;size=64MiB;align=0B;page-size=base;threads=1;kernel=read;node=any$'
    grep -q 'size=64MiB;.*,budget,' "$work/short/results.csv" || fail "64 MiB row: reps_stop budget"
    run run cpu --heap host --size 16K --kernel read --reps 3 --counters none -o "$work/whole"
    expect_rc 0
    grep -q 'time budget' <<<"$out" && fail "a case that took its repetitions named as short"
}

test_run_never_overwrites_a_run() {
    run run cpu --heap host --size 64K --kernel read --reps 1 --counters none -q -o "$work/run2"
    expect_rc 0
    run run cpu --heap host --size 64K --kernel read --reps 1 --counters none -q -o "$work/run2"
    expect_rc 1
    expect_err "results.csv: File exists \(an earlier run is there: choose another -o\)"
}

test_run_heap_not_here_is_an_error_row() {
    mkdir -p "$work/empty-root"
    DMABENCH_DEV_ROOT="$work/empty-root" run run alloc --heap udmabuf,host --size 4K \
        --kernel alloc --batch 1 --reps 2 --counters none -q -o "$work/run3"
    expect_rc 1
    grep -q ',udmabuf,udmabuf,cached,4096,.*,error,"No such file or directory: no /dev/udmabuf' \
        "$work/run3/results.csv" || fail "udmabuf error row"
    grep -q ',host,host,cached,4096,.*,alloc_latency,ns,lower,2,.*,ok,,' \
        "$work/run3/results.csv" || fail "host went on after the error"
}
