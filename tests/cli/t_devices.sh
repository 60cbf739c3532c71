#!/bin/bash
# tests/cli/t_devices.sh - devices named by path: --engine v4l2:/dev/videoN, drm:/dev/dri/NODE,
# --importer (sync's --engine), --heap BACKEND:/dev/PATH. A path that does not exist, is no
# device or is the wrong device is one line naming it, exit 2, before any case runs (no
# output directory); job files take the same values; list shows the drm engine.
# Sourced by run.sh (functions named test_*).

# expect_refused WHAT ARGS...: exit 2, one line on stderr matching WHAT, and nothing written.
expect_refused() {
    local what=$1
    shift
    rm -rf "$work/devices-out"
    run run "$@" --reps 1 --counters none -q -o "$work/devices-out"
    expect_rc 2
    expect_one_line_err
    expect_err -- "$what"
    [ ! -e "$work/devices-out" ] || fail "$* made $work/devices-out: a case ran"
}

test_engine_paths_refused() {
    expect_refused '--engine v4l2:/dev/null: engine: /dev/null: not a video4linux device \(it is a mem device\)$' \
        pipeline --heap host --engine v4l2:/dev/null
    expect_refused '--engine drm:/nonexistent/renderD128: engine: /nonexistent/renderD128: no such device \(it does not exist\)$' \
        sync --heap host --importers 1 --engine drm:/nonexistent/renderD128
    expect_refused '--engine drm:renderD999: engine: /dev/dri/renderD999: no such device' \
        sync --heap host --importers 1 --engine drm:renderD999
    expect_refused '/etc/passwd: not a device \(a regular file\)$' \
        pipeline --heap host --engine v4l2:/etc/passwd
    expect_refused "'cpu:/dev/null': engine cpu is not pointed at a device" \
        pipeline --heap host --engine cpu:/dev/null
    # --importer is sync's spelling, checked the same way
    expect_refused '--importer drm:/dev/null: importer: /dev/null: not a drm device \(it is a mem device\)$' \
        sync --heap host --importers 1 --importer drm:/dev/null
}

test_heap_paths_refused() {
    expect_refused '--heap drm-dumb:/dev/nonexistent: heap: /dev/nonexistent: no such device \(it does not exist\)$' \
        sync --heap drm-dumb:/dev/nonexistent
    expect_refused '--heap drm-dumb:/dev/null: heap: /dev/null: not a drm device \(it is a mem device\)$' \
        alloc --heap drm-dumb:/dev/null
    expect_refused '--heap v4l2:/dev/null:capture: heap: /dev/null: not a video4linux device \(it is a mem device\)$' \
        cpu --heap v4l2:/dev/null:capture
    expect_refused "gpu is not a heap backend \(dma-heap, " sync --heap gpu:/dev/null
    # the alloc command takes the same spelling
    run alloc --heap drm-dumb:/dev/nonexistent --size 4K
    expect_rc 2
    expect_one_line_err
    expect_err -- '^dmabench: alloc: --heap drm-dumb:/dev/nonexistent: /dev/nonexistent: no such device \(it does not exist\)$'
}

test_job_file_device_paths() {
    printf '[importers]\nbench = sync\nheap = host\nimporters = 1\nimporter = drm:/dev/null\n' \
        >"$work/devices.ini"
    expect_refused 'devices.ini:5: engine: /dev/null: not a drm device' -j "$work/devices.ini"
    printf '[frames]\nbench = pipeline\nheap = drm-dumb:/nonexistent\n' >"$work/devices.ini"
    expect_refused 'heap: /nonexistent: no such device' -j "$work/devices.ini"
}

# --importer sets sync's engine and nobody else's; --engine keeps the others'.
test_importer_is_syncs_engine() {
    run run sync pipeline --heap host --size 64K --region 4K --strategy none --direction write \
        --importers 1 --importer drm --engine cpu --frame rgba:64x64 --pool 1 --reps 2 \
        --counters none -q -o "$work/importer"
    expect_rc 0
    local csv=$work/importer/results.csv
    grep -q ',sync:.*;importers=1;engine=drm,' "$csv" || fail "sync's importer is not drm"
    grep -q 'pipeline:.*engine=cpu' "$csv" || fail "pipeline's engine is not cpu"
    ! grep -q 'pipeline:.*engine=drm' "$csv" || fail "--importer reached pipeline"
    "$VALIDATE" "$work/importer" >/dev/null || fail "validate_results"
    run run pipeline --heap host --importer drm -q -o "$work/importer2"
    expect_rc 2
    expect_err -- '--importer: none of the benchmarks run here uses it'
    run run sync --importer drm --importer vgem
    expect_rc 2
    expect_err -- '--importer given twice'
}

test_list_shows_drm_engine() {
    run list --format csv
    expect_rc 0
    expect_out '^engine,drm,DRM PRIME importer \(any DRM driver; no data movement\),'
    run list --help
    expect_out 'every /dev/video\* \(mem2mem or not, DMABUF import or not, the formats'
}
