#!/bin/bash
# tests/cli/t_coherency.sh - `dmabench run coherency`: host memory is coherent (0 stale lines,
# verdicts coherent and pass) in every mode that applies, the core-to-core table and rows,
# skipped cases that say why (no dma-buf, no data movement, no vgem), bad probes refused.
# Sourced by run.sh (functions named test_*).

test_coherency_default_run() {
    run run coherency --counters none -q -o "$work/coh"
    expect_rc 0
    expect_out '^coherency stale: stale cache lines, the most in any repetition'
    expect_out '^heap host, engine cpu \(CPU engine \(software thread\): coherent with the CPU by construction\)$'
    expect_out '^  none +0/0 coherent +0/0 coherent$'
    expect_out '^  full +- +-$'
    expect_out '^heap host, engine v4l2 \(V4L2 mem2mem device\): did not run: stale: host memory is not a dma-buf'
    # The acceptance line: every mode 0 stale lines, and the machine called coherent.
    expect_out '^verdict: heap host is coherent: no stale line without sync in 2 probes; every sync strategy kept it coherent \(CPU engine only: a device may see it otherwise\)'
    if [ "$(uname -m)" = x86_64 ]; then
        expect_out '; x86-64 is IO-coherent: DMA snoops the CPU caches$'
    fi
    expect_out '^coherency c2c: core-to-core cache-line transfer, ns one way \(median\), heap host'
    expect_out '^  cpu \\ peer( +[0-9]+)+$'
    expect_out '^coherency fence, heap host, fences from vgem: skipped: fence: host memory is not a dma-buf'
    expect_out '^coherency fence, heap host, fences from sw_sync: skipped: fence: host memory is not a dma-buf'
    "$VALIDATE" "$work/coh" >/dev/null || fail "validate_results"
    local csv=$work/coh/results.csv rows
    # Every stale row that ran: engine cpu, not one stale line in any repetition, and a verdict
    # that says so (coherent without sync, pass with one).
    rows=$(csv_columns "$csv" kernel engine strategy metric max status verdict | grep '^stale,')
    grep -q '^stale,cpu,none,stale_lines_cpu_to_dev,0,ok,coherent$' <<<"$rows" || fail "cpu to dev row"
    grep -q '^stale,cpu,none,stale_lines_dev_to_cpu,0,ok,coherent$' <<<"$rows" || fail "dev to cpu row"
    if grep ',ok,' <<<"$rows" | grep -Ev '^stale,cpu,[^,]+,stale_lines_(cpu_to_dev|dev_to_cpu),0,ok,(coherent|pass)$'; then
        fail "a stale row that ran is not 0 lines, coherent or pass"
    fi
    grep -q '^stale,cpu,full,stale_lines_cpu_to_dev,,skipped,' <<<"$rows" || fail "full skipped on host"
    # Each probe took its own default engines: stale the copy engines, fence the fence sources.
    [ "$(csv_columns "$csv" kernel engine | sort -u | grep -E '^(stale|fence),' | paste -sd' ')" = \
        "fence,sw_sync fence,vgem stale,cpu stale,v4l2" ] ||
        fail "probe engines: $(csv_columns "$csv" kernel engine | sort -u | paste -sd' ')"
    ! grep -Eq 'cannot copy|puts no fences' "$csv" || fail "a default case that could only skip"
    # The core-to-core matrix: every ordered pair of CPUs, the diagonal skipped with its reason.
    local ncpu
    ncpu=$(nproc)
    rows=$(csv_columns "$csv" kernel cpu peer metric unit median status | grep '^c2c,')
    [ "$(grep -c . <<<"$rows")" -eq $((ncpu * ncpu)) ] ||
        fail "c2c rows: $(grep -c . <<<"$rows"), expected $((ncpu * ncpu))"
    grep -q '^c2c,0,0,c2c_latency,ns,,skipped$' <<<"$rows" || fail "c2c diagonal not skipped"
    if [ "$ncpu" -ge 2 ]; then
        grep -Eq '^c2c,0,1,c2c_latency,ns,[0-9.e+-]+,ok$' <<<"$rows" || fail "c2c 0 -> 1 row"
        grep -q 'kernel=c2c;cpu=0;peer=0,.*cpu and peer are both CPU 0: no line crosses between caches' "$csv" ||
            fail "c2c diagonal reason"
        rows=$(csv_columns "$csv" kernel metric unit status | grep '^false-sharing,')
        grep -q '^false-sharing,false_sharing_cost,ratio,ok$' <<<"$rows" || fail "false sharing row"
    fi
}

test_coherency_skipped_cases_say_why() {
    run run coherency --heap host --kernel stale,fence --size 4K --strategy none \
        --engine vgem,v4l2 --reps 2 --counters none -q -o "$work/coh2"
    expect_rc 0
    expect_out '^cases: 4, ok 0, skipped 4, errors 0$'
    local csv=$work/coh2/results.csv
    grep -q 'engine=vgem,.*,skipped,"\?Operation not supported: stale: engine vgem cannot copy: DRM vgem importer (no data movement)"\?,' "$csv" ||
        fail "vgem skipped with its reason"
    grep -q 'engine=v4l2,.*,skipped,"Operation not supported: stale: host memory is not a dma-buf, and v4l2 imports dma-bufs",' "$csv" ||
        fail "v4l2 skipped with its reason"
    grep -q 'kernel=fence;engine=vgem,.*,skipped,"Operation not supported: fence: host memory is not a dma-buf, so it has no implicit fences",' "$csv" ||
        fail "fence skipped with its reason"
    grep -q 'kernel=fence;engine=v4l2,.*,skipped,"Operation not supported: fence: engine v4l2 puts no fences on buffers: .*",' "$csv" ||
        fail "fence with an engine without fences skipped with its reason"
    "$VALIDATE" "$work/coh2" >/dev/null || fail "validate_results"
}

test_coherency_one_pair() {
    if [ "$(nproc)" -lt 2 ]; then
        return # one CPU: the default run already checks that c2c says why it cannot run
    fi
    run run coherency --kernel c2c --cpu 0 --peer 1 --reps 3 --counters none -q -o "$work/coh3"
    expect_rc 0
    expect_out '^cases: 1, ok 1, skipped 0, errors 0$'
    expect_out '^  cpu \\ peer +1$'
    expect_out '^  0 +[0-9.e+]+$'
    [ "$(csv_columns "$work/coh3/results.csv" case_id metric verdict)" = \
        "coherency:heap=host;kernel=c2c;cpu=0;peer=1,c2c_latency," ] || fail "one c2c row, no verdict"
}

test_coherency_bad_input() {
    run run coherency --kernel bogus
    expect_rc 2
    expect_err "'bogus' is not a coherency probe \(stale, c2c, false-sharing, fence\)"
    expect_one_line_err
    run run coherency --cpu 0,all
    expect_rc 2
    expect_err 'all cannot be listed with other CPUs'
    run run coherency --peer 5000
    expect_rc 2
    expect_err "'5000' is not a CPU"
    run run coherency --engine dma
    expect_rc 2
    expect_err "'dma' is not an engine"
}

# The report never passes off a CPU-engine probe as a device's view: the engine is a column of
# the verdict table, and the advice says what the CPU engine cannot show.
test_coherency_report_names_the_engine() {
    run run coherency --heap host --kernel stale --size 4K --strategy none --engine cpu \
        --reps 3 --counters none -q -o "$work/coh-report"
    expect_rc 0
    run report "$work/coh-report" --no-plots -q -o "$work/coh-report/report"
    expect_rc 0
    local md=$work/coh-report/report/report.md
    grep -q '^| heap | class | strategy | engine | size | metric | value | verdict | rows |$' "$md" ||
        fail "no engine column: $(grep -m1 '^| heap' "$md")"
    grep -q '^| host | cached | none | cpu | 4KiB | stale_lines_cpu_to_dev | 0 lines | coherent |' "$md" ||
        fail "no cpu-engine verdict row: $(grep -m2 'stale_lines' "$md")"
    grep -q 'showed no stale lines without sync through the CPU engine, which is coherent with the CPU by construction' "$md" ||
        fail "the advice does not say the CPU engine cannot show a device's view"
}
