#!/bin/bash
# tests/cli/t_sync.sh - `dmabench run sync`: the cost table, the new columns, skipped rows that
# say why (no dma-buf ioctl for host memory, nothing to import it, a method that cannot
# invalidate), the importer's engine in ids and rows only where there are importers, bad
# strategies and formats refused with exit 2.
# Sourced by run.sh (functions named test_*).

test_sync_table_and_columns() {
    run run sync --heap host --size 256K --region 64,4K --strategy none,full,partial-user,full-user \
        --direction write,rw --importers 0,1 --engine vgem,v4l2 --reps 2 --counters none -q \
        -o "$work/sync1"
    expect_rc 0
    expect_out '^sync: one CPU access window \(begin \+ end\), us, median'
    expect_out '^heap host, buffer 256 KiB, 1 region per sync from offset 0 B, dirty lines, 0 importers$'
    expect_out '^  direction strategy \\ region +64 B +4 KiB$'
    expect_out '^  write +none +[0-9.e+-]+ +[0-9.e+-]+$'
    expect_out '^  write +full +- +-$'
    expect_out '^heap host, buffer 256 KiB, .*, 1 importer \(vgem\)$'
    "$VALIDATE" "$work/sync1" >/dev/null || fail "validate_results"
    local csv=$work/sync1/results.csv
    # heap,backend,class, 9 parameter cells unused by sync (size..node; size is used), then ours.
    grep -q ',sync,sync,host,host,cached,262144,,base,[0-9]*,,,,,none,write,64,0,1,dirty,0,,,,,,sync_cost,ns,lower,2,' "$csv" ||
        fail "none row"
    grep -q 'strategy=full;.*,skipped,"Operation not supported: full: host memory is not a dma-buf, so there is no DMA_BUF_IOCTL_SYNC",' "$csv" ||
        fail "full skipped with its reason"
    grep -q 'importers=1;engine=vgem,.*,1,,,vgem,,,sync_cost,.*,skipped,"Operation not supported: importers: host memory is not a dma-buf, nothing imports it",' "$csv" ||
        fail "importers skipped with their reason, the importer named in the id and the engine column"
    # Without an importer there is no importer's engine: one case, with the id it always had;
    # with one, a case per engine.
    local without with
    without=$(grep -c 'importers=0,.*,sync_cost,' "$csv")
    with=$(grep -c 'importers=1;engine=[a-z0-9]*,.*,sync_cost,' "$csv")
    [ "$without" = 16 ] && [ "$with" = 32 ] ||
        fail "$without importer-less cases (want 16), $with with one (want 32: vgem and v4l2)"
    # The importers here by default: vgem, or every engine that keeps its imports mapped.
    run run sync --heap host --size 64K --region 4K --strategy none --direction write \
        --importers 1 --reps 2 --counters none -q -o "$work/sync1-default"
    expect_rc 0
    grep -q 'importers=1;engine=vgem,' "$work/sync1-default/results.csv" ||
        fail "sync's importer is not vgem by default"
    grep -q ',sync_cost_per_mib,ns/MiB,lower,' "$csv" || fail "per MiB row"
    grep -q ',sync_begin_cost,ns,lower,' "$csv" || fail "begin row"
}

test_sync_user_methods() {
    if ! grep -qw clflushopt /proc/cpuinfo; then
        return # the row would be skipped, which the other tests already cover
    fi
    run run sync --heap host --size 64K --region 4K --strategy partial-user:clflushopt,partial-user:clwb \
        --direction read --reps 2 --counters none -q -o "$work/sync2"
    expect_rc 0
    expect_out '^  read +partial-user:clflushopt +[0-9.e+-]+$'
    expect_out '^  read +partial-user:clwb +-$'
    grep -q 'clwb only cleans, and a read or rw window must invalidate at begin' "$work/sync2/results.csv" ||
        fail "clwb refused for a read window"
}

test_sync_bad_input() {
    run run sync --strategy partial
    expect_rc 2
    expect_err "'partial' is not a sync strategy"
    expect_one_line_err
    run run sync --strategy full:clwb
    expect_rc 2
    expect_err "'full:clwb' is not a sync strategy"
    run run sync --direction both
    expect_rc 2
    expect_err "--direction both: direction: 'both' is not a direction \(read, write, rw\)"
    run run sync --importers 9
    expect_rc 2
    expect_err "'9' is not an importer count from 0 to 8"
    run run sync --kernel read
    expect_rc 2
    expect_err -- "--kernel: none of the benchmarks run here uses it"
    run run alloc --strategy none
    expect_rc 2
    expect_err -- "--strategy: none of the benchmarks run here uses it"
}
