#!/bin/bash
# tests/cli/t_pipeline.sh - `dmabench run pipeline`: the throughput table, rows per metric with
# their units, skipped rows that say why (no dma-buf ioctl for host memory, an engine that
# moves no data or is not here), an engine fault as an error row, bad input refused with exit 2.
# Sourced by run.sh (functions named test_*).

test_pipeline_table_and_rows() {
    run run pipeline --heap host --frame nv12:640x480 --pool 1,2 --reps 3 --counters none \
        -o "$work/pipe"
    expect_rc 0
    expect_out '^pipeline: frames/s \(median of the repetitions\) and frame latency p99'
    expect_out '^heap host, frames nv12:640x480 \(450 KiB\), engine cpu$'
    expect_out '^  strategy +pool depth +1 +2$'
    expect_out '^  none +frames/s +[0-9.e+]+ +[0-9.e+]+$'
    expect_out '^  full +frames/s +- +-$'
    expect_out '^cases: 6, ok 4, skipped 2, errors 0$'
    expect_err 'pipeline:heap=host;strategy=none;pool=2;format=nv12:640x480;engine=cpu: throughput [0-9.e+]+ frames/s \(3 reps'
    "$VALIDATE" "$work/pipe" >/dev/null || fail "validate_results"
    local rows
    rows=$(csv_columns "$work/pipe/results.csv" bench strategy pool_depth frame_format engine metric unit better n status)
    # Every ok case has its three metrics: one throughput and bandwidth per repetition, a
    # latency per frame (several rounds of the pool in each repetition).
    for pool in 1 2; do
        for strategy in none full-user; do
            grep -q "^pipeline,$strategy,$pool,nv12:640x480,cpu,throughput,frames/s,higher,3,ok$" <<<"$rows" ||
                fail "throughput row ($strategy, pool $pool)"
            grep -q "^pipeline,$strategy,$pool,nv12:640x480,cpu,frame_bandwidth,bytes/s,higher,3,ok$" <<<"$rows" ||
                fail "bandwidth row ($strategy, pool $pool)"
            local n
            n=$(grep "^pipeline,$strategy,$pool,nv12:640x480,cpu,frame_latency,ns,lower," <<<"$rows" |
                grep ',ok$' | cut -d, -f9)
            if [ -z "$n" ] || [ "$n" -lt $((3 * 4 * pool)) ]; then
                fail "latency samples ($strategy, pool $pool): '$n'"
            fi
        done
    done
    [ "$(grep -c ',skipped$' <<<"$rows")" -eq 6 ] || fail "full: three skipped rows per pool depth"
    grep -q 'strategy=full;.*,skipped,"Operation not supported: full: host memory is not a dma-buf, so there is no DMA_BUF_IOCTL_SYNC",' \
        "$work/pipe/results.csv" || fail "full skipped with its reason"
    # Bandwidth is throughput times the frame (640 x 480 x 1.5 = 460800 bytes).
    csv_columns "$work/pipe/results.csv" case_id metric median |
        awk -F, '$3 == "" {next} $2 == "throughput" {t[$1] = $3} $2 == "frame_bandwidth" {b[$1] = $3}
            END {for (c in t) if (b[c] < t[c] * 460800 * 0.999 || b[c] > t[c] * 460800 * 1.001) exit 1}' ||
        fail "frame_bandwidth is not throughput x frame bytes"
}

test_pipeline_engines_that_cannot_run() {
    make_fake_dev
    DMABENCH_DEV_ROOT=$work/dev-root run run pipeline --heap host --frame rgba:64x64 --pool 2 \
        --strategy none --engine vgem,v4l2 --reps 2 --counters none -q -o "$work/pipe2"
    expect_rc 0
    expect_out '^cases: 2, ok 0, skipped 2, errors 0$'
    grep -q 'engine=vgem,.*,skipped,"Operation not supported: engine vgem: moves no data (it imports and fences only), and a pipeline needs an engine that copies frames",' \
        "$work/pipe2/results.csv" || fail "vgem skipped with its reason"
    grep -q 'engine=v4l2,.*,skipped,Operation not supported: engine v4l2: no V4L2 mem2mem device found' \
        "$work/pipe2/results.csv" || fail "v4l2 skipped with its reason"
}

test_pipeline_engine_fault_is_an_error() {
    DMABENCH_FAULT=submit:40:EIO run run pipeline --heap host --frame rgba:64x64 --pool 2 \
        --strategy none --reps 3 --counters none -q -o "$work/pipe3"
    expect_rc 1
    expect_out '^cases: 1, ok 0, skipped 0, errors 1$'
    grep -q ',error,Input/output error: engine cpu: submit of frame [0-9]*.s copy,' "$work/pipe3/results.csv" ||
        fail "the refused submit is an error row with its reason"
    "$VALIDATE" "$work/pipe3" >/dev/null || fail "validate_results"
}

test_pipeline_bad_input() {
    run run pipeline --pool 0
    expect_rc 2
    expect_err "--pool 0: pool: '0' is not a pool depth from 1 to 64"
    expect_one_line_err
    run run pipeline --engine gpu
    expect_rc 2
    expect_err "--engine gpu: engine: 'gpu' is not an engine \(cpu, v4l2, vgem, sw_sync, edu, drm\)"
    expect_one_line_err
    run run pipeline --format nv12:1080
    expect_rc 2
    expect_err "'nv12:1080' is not a frame format"
    run run pipeline --heap host --frame rgba:4k --pool 64 --max-mem 1G
    expect_rc 2
    expect_err "31.6 MiB frames x pool 64 x 2 \(source, copy\)\), more than --max-mem 1 GiB; lower --frame or --pool"
}

# --frame is the frame format's option (everywhere else --format is the output format); the old
# --format is still taken, as one option with it, and case ids keep format= so runs compare.
test_pipeline_frame_option_and_its_old_name() {
    run run pipeline --heap host --frame rgba:64x64 --format nv12:64x64 -o "$work/frame-twice"
    expect_rc 2
    expect_err -- "^dmabench: run: --frame given twice"
    printf '[p]\nbench = pipeline\nheap = host\nframe = rgba:64x64\nformat = nv12:64x64\n' \
        >"$work/frame.ini"
    run run -j "$work/frame.ini" -o "$work/frame-twice"
    expect_rc 2
    expect_err "frame.ini:5: frame already set on line 4"
    run run --help
    expect_out -- "--frame LIST +frames: PIXEL:WxH"
    ! grep -q -- "--format LIST" <<<"$out" || fail "run --help still offers --format for frames"
}
