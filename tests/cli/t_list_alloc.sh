#!/bin/bash
# tests/cli/t_list_alloc.sh - `help`, `list` in both formats, `alloc` on host memory, and every
# bad input: unknown heap, size 0, sizes that cannot fit, unaligned requests, no permission on
# /dev/dma_heap, a heap that is not there. Sourced by run.sh (functions named test_*).

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
    expect_out '^  (u-dma-buf .*unavailable: no /dev/udmabuf\[0-9\]\*: the out-of-tree u-dma-buf driver \(ikwzm\) is not loaded|udmabuf0 +u-dma-buf )'
    expect_out '^  (v4l2 +v4l2 .*unavailable: no /dev/video\* node: no V4L2 driver loaded|v4l2-video[0-9]+-(capture|output) +v4l2 )'
    expect_out '^  (drm-dumb +drm-dumb .*unavailable: no /dev/dri|drm-dumb-card[0-9]+ +drm-dumb )'
    expect_out '^  drm +DRM PRIME importer \(any DRM driver; no data movement\): '
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
    expect_out '^heap=host backend=host class=cached size=65536B allocated=65536B page=4KiB granted=4KiB huge=0% align=1MiB node=any dmabuf=no zeroed=yes verify=ok$'
    run alloc --heap host --size 5000
    expect_rc 0
    expect_out 'size=5000B allocated=8192B'
}

# A fresh buffer with a byte of someone else's data is an information leak (Android's VTS fails
# it): the test hook plants one (DMABENCH_FAULT=dirty:N:OFFSET) and alloc must say where, exit 1.
test_alloc_dirty_buffer_is_a_leak() {
    DMABENCH_FAULT=dirty:2:4097 run alloc --heap host --size 64K --count 3
    expect_rc 1
    expect_out '^heap=host .* zeroed=yes verify=ok$'
    expect_out '^heap=host .* zeroed=no \(first non-zero byte at offset 4097\) verify=ok$'
    [ "$(grep -c 'zeroed=yes' <<<"$out")" -eq 2 ] || fail "the clean buffers are not zeroed=yes"
    expect_err 'heap host \(host\): buffer 2 of 3 was not zeroed: first non-zero byte at offset 4097 of 65536 B \(an information leak\)'
    expect_one_line_err
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

# ikwzm's u-dma-buf as its files look: /dev/udmabuf0 (a 1 MiB file stands in for the buffer) and
# /sys/class/u-dma-buf/udmabuf0 in the driver's default sync_mode 1.
test_u_dma_buf_device_is_listed_and_lends_its_buffer() {
    local root="$work/udb-root" sys="$work/udb-root/sys/class/u-dma-buf/udmabuf0" f
    mkdir -p "$root/dev" "$sys"
    truncate -s 1M "$root/dev/udmabuf0"
    printf '1048576\n' >"$sys/size"
    printf '1\n' >"$sys/sync_mode"
    for f in sync_offset sync_size sync_direction sync_for_cpu sync_for_device; do
        printf '0\n' >"$sys/$f"
    done
    DMABENCH_DEV_ROOT="$root" run list
    expect_rc 0
    expect_out '^  udmabuf0 +u-dma-buf +contiguous +cached +no +4KiB +available: .*/dev/udmabuf0, at most 1 MiB'
    expect_out '^  udmabuf0-uncached +u-dma-buf +uncached +uncached +no '
    DMABENCH_DEV_ROOT="$root" run alloc --heap udmabuf0-uncached --size 64K
    expect_rc 0
    expect_out 'heap=udmabuf0-uncached backend=u-dma-buf class=uncached .* dmabuf=no zeroed=yes verify=ok'
    DMABENCH_DEV_ROOT="$root" run alloc --heap udmabuf0 --size 2M
    expect_rc 1
    expect_err "heap udmabuf0 \(u-dma-buf\): alloc of 2 MiB .*\(the largest buffer this heap accepts is 1 MiB\)"
    expect_one_line_err
}

# A /dev/video0 that is no V4L2 device (a plain file answers no VIDIOC_QUERYCAP): no v4l2 heap,
# the one v4l2 row saying why; asking for a heap of it is an unknown heap.
test_video_node_that_is_no_v4l2_device() {
    mkdir -p "$work/v4l2-root/dev"
    : >"$work/v4l2-root/dev/video0"
    DMABENCH_DEV_ROOT="$work/v4l2-root" run list
    expect_rc 0
    expect_out '^  v4l2 +v4l2 .*unavailable: no video node exports MMAP buffers \(first: video0: not a V4L2 device \(VIDIOC_QUERYCAP\)\)'
    DMABENCH_DEV_ROOT="$work/v4l2-root" run alloc --heap v4l2-video0-capture --size 4K
    expect_rc 2
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
