#!/bin/bash
# tests/cli/run.sh - host integration tests of the dmabench command line.
#
# Runs the sanitizer build ($DMABENCH) as a user would and checks exit codes and messages: the
# help text, `list` in both formats, `alloc` on host memory, and every bad input (unknown heap,
# size 0, sizes that cannot fit, unaligned requests, no permission on /dev/dma_heap, a heap
# that is not there). Fake /dev trees under $DMABENCH_DEV_ROOT stand in for boards.
set -u
DMABENCH=${DMABENCH:-./dmabench}
VALIDATE=${VALIDATE:-build/static-x86_64/vm/validate_results}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
out="" err="" rc=0

# run ARGS...: run dmabench, keeping stdout, stderr and the exit code.
run() {
    "$DMABENCH" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

fail() {
    echo "FAIL $current: $*"
    echo "  command output: $out" | head -20
    echo "  stderr: $err" | head -20
    failed=$((failed + 1))
    ok=0
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit code $rc, expected $1"; }
expect_out() { grep -Eq -- "$1" <<<"$out" || fail "stdout lacks /$1/"; }
expect_err() { grep -Eq -- "$1" <<<"$err" || fail "stderr lacks /$1/"; }
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

test_help_lists_commands() {
    run help
    expect_rc 0
    expect_out '^  list '
    expect_out '^  alloc '
    run list --help
    expect_rc 0
    expect_out 'usage: dmabench list'
    run alloc --help
    expect_rc 0
    expect_out '--page-size'
}

test_no_command_and_unknown_command() {
    run
    expect_rc 2
    run frobnicate
    expect_rc 2
    expect_err "unknown command 'frobnicate'"
    expect_one_line_err
}

test_list_table_says_what_is_missing_and_why() {
    run list
    expect_rc 0
    expect_out '^  host +host +cached +cached +no .* available'
    expect_out '^  dma-heap .*unavailable: no /dev/dma_heap'
    expect_out '^  ion .*unavailable: no /dev/ion'
    expect_out '^  udmabuf .*(available|unavailable: .*udmabuf)'
    expect_out '^Topology \(hwloc\)'
    expect_out '^  L1d +[0-9]+ KiB x[0-9]+, line [0-9]+ B'
    expect_out '^  hardware +libpfm4: (available|unavailable: .*perf_event_open\(perf::cycles\))'
    expect_out '^  software +perf_event_open: '
}

test_list_csv_is_one_table() {
    run list --format csv
    expect_rc 0
    [ "$(head -1 <<<"$out")" = "section,name,backend,class,cpu_mapping,dmabuf,page_sizes,status,detail" ] ||
        fail "CSV header"
    expect_out '^heap,host,host,cached,cached,no,4KiB[^,]*,available,'
    expect_out '^heap,ion,ion,.*,unavailable,"no /dev/ion: legacy Android ION, removed'
    expect_out '^counters,hardware,libpfm4,'
    # Every row has exactly nine fields once quoted commas are taken out.
    local bad
    bad=$(sed -E 's/"[^"]*"//g' <<<"$out" | awk -F, 'NF != 9' | head -1)
    [ -z "$bad" ] || fail "row without 9 fields: $bad"
}

test_list_bad_format() {
    run list --format xml
    expect_rc 2
    expect_err "--format 'xml': expected table or csv"
    expect_one_line_err
}

test_heap_class_override() {
    run list --heap-class host=uncached
    expect_rc 0
    expect_out '^  host +host +uncached \(user\) +uncached '
    run list --heap-class nosuch=cached
    expect_rc 2
    expect_err "no heap named 'nosuch'"
    run list --heap-class host=fast
    expect_rc 2
    expect_err "expected NAME=CLASS"
}

test_alloc_host_verifies_buffers() {
    run alloc --heap host --size 64K --count 3 --align 1M
    expect_rc 0
    [ "$(grep -c 'verify=ok' <<<"$out")" -eq 3 ] || fail "expected 3 verified buffers"
    expect_out '^heap=host backend=host class=cached size=65536B allocated=65536B page=4KiB align=1MiB node=any dmabuf=no verify=ok$'
    run alloc --heap host --size 5000
    expect_rc 0
    expect_out 'size=5000B allocated=8192B'
}

test_alloc_unknown_heap() {
    run alloc --heap nosuch --size 4K
    expect_rc 2
    expect_err "unknown heap 'nosuch' \(heaps here: .*host"
    expect_one_line_err
}

test_alloc_size_zero_and_garbage() {
    run alloc --heap host --size 0
    expect_rc 2
    expect_err -- "--size 0: must be at least 1 byte"
    expect_one_line_err
    run alloc --heap host --size 12Q
    expect_rc 2
    expect_err -- "--size '12Q': not a size"
    run alloc --heap host --size 99999999999T
    expect_rc 2
    expect_err -- "too large"
    run alloc --heap host
    expect_rc 2
    expect_err -- "--heap and --size are required"
}

test_alloc_more_than_memory() {
    run alloc --heap host --size 64T
    expect_rc 1
    expect_err "heap host \(host\): alloc of 64 TiB .*Cannot allocate memory \(more than the .* of RAM"
    expect_one_line_err
}

test_alloc_unaligned_requests() {
    run alloc --heap host --size 4K --align 3000
    expect_rc 2
    expect_err -- "--align 3000: must be a power of two"
    run alloc --heap host --size 4K --page-size 3M
    expect_rc 2
    expect_err -- "--page-size '3M'"
    run alloc --heap host --size 4K --page-size 64G
    expect_rc 1
    expect_err "page size 64 GiB is not offered by this heap"
    run alloc --heap host --size 4K --node 1023
    expect_rc 1
    expect_err "NUMA node 1023: this machine has nodes 0\.\."
    run alloc --heap host --size 4K --count 0
    expect_rc 2
    expect_err -- "--count '0': expected an integer from 1"
}

test_alloc_heap_not_present() {
    mkdir -p "$work/empty-root"
    DMABENCH_DEV_ROOT="$work/empty-root" run alloc --heap udmabuf --size 4K
    expect_rc 1
    expect_err "heap udmabuf \(udmabuf\): alloc of 4 KiB .*No such file or directory \(no /dev/udmabuf"
    expect_one_line_err
}

test_alloc_node_that_is_not_a_heap() {
    make_fake_dev 600
    DMABENCH_DEV_ROOT="$work/dev-root" run alloc --heap system --size 4K
    expect_rc 1
    expect_err "heap system \(dma-heap\): alloc of 4 KiB .*Inappropriate ioctl for device"
    expect_one_line_err
}

test_alloc_without_permission() {
    make_fake_dev 600
    # As an unprivileged user, like a board's shell user facing /dev/dma_heap/system 0600 root.
    DMABENCH_DEV_ROOT="$work/dev-root" run_as_nobody list
    expect_rc 0
    expect_out '^  system +dma-heap .*unavailable: permission denied'
    DMABENCH_DEV_ROOT="$work/dev-root" run_as_nobody alloc --heap system --size 4K
    expect_rc 1
    expect_err "heap system \(dma-heap\): alloc of 4 KiB .*: Permission denied \(permission denied: cannot open .*/dev/dma_heap/system as this user\)$"
    expect_one_line_err
}

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
    run run alloc --threads 2
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
    [ "$header" = "schema_version,run_id,case_id,bench,job,heap,backend,heap_class,size_bytes,align_bytes,page_kind,page_size_bytes,threads,batch,kernel,node,metric,unit,better,n,median,mean,min,max,stddev,mad,cv,p90,p99,ci_low,ci_high,reps,reps_stop,mux_ratio,status,error" ] ||
        fail "results.csv header: $header"
    rows=$(tail -n +2 "$work/run1/results.csv" | wc -l)
    [ "$rows" -eq 6 ] || fail "expected 6 rows (2 sizes x 3 kernels, one metric each), got $rows"
    grep -q '^1,[^,]*,cpu:heap=host;size=1MiB;align=0B;page-size=base;threads=1;kernel=copy;node=any,cpu,cpu,host,host,cached,1048576,0,base,[0-9]*,1,,copy,any,bandwidth,bytes/s,higher,3,' \
        "$work/run1/results.csv" || fail "copy row"
    grep -q ',latency,ns,lower,3,' "$work/run1/results.csv" || fail "chase latency row"
    [ "$(tail -n +2 "$work/run1/samples.csv" | wc -l)" -eq 18 ] || fail "samples.csv: want 6 x 3"
    "$VALIDATE" "$work/run1" --expect-ok host --expect-bench cpu >/dev/null || fail "validate_results"
    grep -q '^1,start_time,' "$work/run1/metadata.csv" || fail "metadata start_time"
    grep -q '^1,end_time,' "$work/run1/metadata.csv" || fail "metadata end_time"
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
    grep -q ',host,host,cached,4096,.*,alloc_latency,ns,lower,2,.*,ok,$' \
        "$work/run3/results.csv" || fail "host went on after the error"
}

run_as_nobody() {
    if [ "$(id -u)" -ne 0 ]; then
        run "$@" # already unprivileged
        return
    fi
    setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
        env DMABENCH_DEV_ROOT="$DMABENCH_DEV_ROOT" "$DMABENCH" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

DMABENCH=$(realpath "$DMABENCH")
VALIDATE=$(realpath "$VALIDATE")
for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
