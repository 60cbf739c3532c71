# tests/cli/t_alloc_pool.sh - alloc as a pool fills on a busy SoC: the threads axis (N pinned
# threads, each its own batch, started together) and the alloc-pressure kernel (fill until the
# heap refuses or the --max-mem bound, free, check the heap recovers), on the host heap; udmabuf
# too where this machine has /dev/udmabuf.

# pool_heaps: the host heaps this machine can allocate from.
pool_heaps() {
    if [ -c /dev/udmabuf ] && [ -r /dev/udmabuf ]; then echo host,udmabuf; else echo host; fi
}

# One thread keeps the ids it had; two threads' cases name threads=2, give every thread's
# buffers as samples, and say in the note what a repetition is. The rows validate.
test_alloc_threads_rows() {
    local heaps
    heaps=$(pool_heaps)
    run run alloc --heap "$heaps" --size 4K,1M --threads 1,2 --batch 3 --kernel alloc,alloc-touch \
        --reps 2 -q -o "$work/pool-threads"
    expect_rc 0
    "$VALIDATE" "$work/pool-threads" >/dev/null || fail "validate_results"
    local res=$work/pool-threads/results.csv smp=$work/pool-threads/samples.csv
    grep -q '^[^"]*"\{0,1\}alloc:heap=host;size=4KiB;align=0B;page-size=base;batch=3;kernel=alloc;node=any,' \
        "$res" || fail "the one-thread case lost its id"
    grep -q 'alloc:heap=host;size=4KiB;align=0B;page-size=base;threads=2;batch=3;kernel=alloc;node=any' \
        "$res" || fail "no threads=2 case"
    [ "$(csv_columns "$res" case_id status | grep -c ',ok$')" -eq "$(($(tail -n +2 "$res" | wc -l)))" ] ||
        [ -n "$(csv_columns "$res" metric status | grep -v '^perf::' | grep -v ',ok$')" ] &&
        fail "a row is not ok: $(csv_columns "$res" case_id metric status | grep -v ',ok$' | grep -v perf:: | head -3)"
    # 2 threads x batch 3 = 6 latency samples a repetition, in each of 2 repetitions.
    local n
    n=$(grep -c 'heap=host;size=4KiB;align=0B;page-size=base;threads=2;batch=3;kernel=alloc;node=any,alloc_latency,' "$smp")
    [ "$n" -eq 12 ] || fail "threads=2 batch=3 gave $n alloc_latency samples in 2 repetitions, not 12"
    n=$(grep -c 'heap=host;size=4KiB;align=0B;page-size=base;batch=3;kernel=alloc;node=any,alloc_latency,' "$smp")
    [ "$n" -eq 6 ] || fail "one thread, batch 3 gave $n alloc_latency samples, not 6"
    csv_columns "$res" case_id metric threads | grep -q 'threads=2;batch=3;kernel=alloc;node=any,alloc_latency,2$' ||
        fail "the threads column of a threads=2 row"
    csv_columns "$res" case_id note | grep 'threads=2;batch=3;kernel=alloc;' | head -1 |
        grep -q 'a repetition is 2 threads started together, each a batch of 3, timed buffer by buffer; memory before/after the case:' ||
        fail "threads note: $(csv_columns "$res" case_id note | grep 'threads=2' | head -1)"
}

# Threads beyond the CPUs the job may pin to: the case is skipped, saying why.
test_alloc_threads_beyond_cpus() {
    run run alloc --heap host --size 4K --threads 1,2 --batch 1 --kernel alloc --cpus 0 \
        --reps 2 -q -o "$work/pool-cpus"
    expect_rc 0
    csv_columns "$work/pool-cpus/results.csv" case_id status error | grep 'threads=2' | head -1 |
        grep -q ',skipped,.*2 threads but only 1 CPUs to pin them to' ||
        fail "threads=2 on one CPU: $(csv_columns "$work/pool-cpus/results.csv" case_id status error | head -2)"
}

# A heap that never refuses within --max-mem is a result: the fill stops at the bound, every
# repetition alike, the heap recovers, and the rows validate.
test_alloc_pressure_stops_at_max_mem() {
    local heaps
    heaps=$(pool_heaps)
    run run alloc --heap "$heaps" --size 1M --kernel alloc-pressure --max-mem 4M --reps 3 -q \
        -o "$work/pool-pressure"
    expect_rc 0
    "$VALIDATE" "$work/pool-pressure" >/dev/null || fail "validate_results"
    local res=$work/pool-pressure/results.csv
    csv_columns "$res" case_id metric unit n median status | grep -q \
        '^alloc:heap=host;size=1MiB;align=0B;page-size=base;kernel=alloc-pressure;node=any,pressure_bytes,bytes,3,4194304,ok$' ||
        fail "pressure_bytes: $(csv_columns "$res" case_id metric unit n median status | head -1)"
    for m in alloc_latency alloc_latency_first_tenth alloc_latency_last_tenth free_latency; do
        csv_columns "$res" metric unit status | grep -q "^$m,ns,ok$" || fail "no $m row"
    done
    # 4 buffers a fill: the first and last tenth are one buffer each.
    csv_columns "$res" metric n | grep -q '^alloc_latency,12$' || fail "alloc_latency samples"
    csv_columns "$res" metric n | grep -q '^alloc_latency_last_tenth,3$' || fail "last tenth samples"
    csv_columns "$res" metric note | grep '^pressure_bytes' | grep -q \
        'alloc-pressure: stopped at --max-mem 4 MiB after 4 buffers of 1 MiB, 4 MiB held; the heap never refused; 3 of 3 fills (one a repetition) stopped alike; after each, all freed, a buffer was allocated again (recovered); memory before/after the case:' ||
        fail "note: $(csv_columns "$res" metric note | head -1)"
    # The memory guard sees one buffer of a fill, not the fill: a case id without batch or threads.
    ! grep -q 'kernel=alloc-pressure;.*\(batch\|threads\)=' "$res" || fail "pressure case id has batch or threads"
}

# The heap refuses the 3rd buffer of the first fill (call 4: setup's untimed check buffer is
# call 1): the row records where and how, and the fills after it reach --max-mem.
test_alloc_pressure_records_refusal() {
    DMABENCH_FAULT=alloc:4:ENOMEM run run alloc --heap host --size 1M --kernel alloc-pressure \
        --max-mem 8M --reps 2 -q -o "$work/pool-refused"
    expect_rc 0
    "$VALIDATE" "$work/pool-refused" >/dev/null || fail "validate_results"
    local res=$work/pool-refused/results.csv
    csv_columns "$res" metric min max status | grep -q '^pressure_bytes,2097152,8388608,ok$' ||
        fail "pressure_bytes: $(csv_columns "$res" metric min max status | head -1)"
    csv_columns "$res" metric note | grep '^pressure_bytes' | grep -q \
        'alloc-pressure: the heap refused buffer 3 (1 MiB) with ENOMEM (Cannot allocate memory) after 2 buffers, 2 MiB held; .*1 of 2 fills (one a repetition) stopped alike; after each, all freed, a buffer was allocated again (recovered)' ||
        fail "note: $(csv_columns "$res" metric note | head -1)"
}

# A heap that keeps refusing after everything was freed has not recovered: an error row.
test_alloc_pressure_no_recovery_is_an_error() {
    DMABENCH_FAULT=alloc:4+:ENOMEM run run alloc --heap host --size 1M --kernel alloc-pressure \
        --max-mem 8M --reps 2 -q -o "$work/pool-stuck"
    expect_rc 1
    "$VALIDATE" "$work/pool-stuck" >/dev/null || fail "validate_results"
    csv_columns "$work/pool-stuck/results.csv" metric status error | grep '^pressure_bytes' | grep -q \
        ',error,"Cannot allocate memory: alloc-pressure: the heap did not recover: with all 2 buffers freed, a buffer of 1 MiB was refused' ||
        fail "reason: $(csv_columns "$work/pool-stuck/results.csv" metric status error | head -1)"
}

# The fill never takes MemAvailable below an eighth of MemTotal, whatever --max-mem allows.
test_alloc_pressure_keeps_a_reserve() {
    printf 'MemTotal: 65536 kB\nMemAvailable: 12288 kB\n' >"$work/pool-meminfo"
    DMABENCH_MEMINFO=$work/pool-meminfo run run alloc --heap host --size 1M \
        --kernel alloc-pressure --max-mem 32M --reps 2 -q -o "$work/pool-reserve"
    expect_rc 0
    csv_columns "$work/pool-reserve/results.csv" metric median note | grep '^pressure_bytes' | grep -q \
        '^pressure_bytes,4194304,"alloc-pressure: stopped at the memory reserve, 4 MiB (MemAvailable less an eighth of MemTotal, 8 MiB) after 4 buffers of 1 MiB, 4 MiB held; the heap never refused' ||
        fail "reserve: $(csv_columns "$work/pool-reserve/results.csv" metric median note | head -1)"
}
