# tests/vm/lab.sh - the lab kernel's test set (kernel/lab.config, booted with cma=64M): every
# heap class and every kernel interface dmabench uses, for real, on the x86_64 lab kernel and on
# the arm64 one (scripts/lab/run-vm.sh lab-arm64). Sourced by tests/vm/init.sh
# (dmabench.suite=lab) after its mounts and helpers (check, list_available, cli_expect,
# kernel_log_clean ...); init.sh ends the run. busybox sh, no `set -e`: see init.sh.

# csv_columns FILE NAME... (packed beside this set by scripts/lab/run-vm.sh).
. /etc/dmabench/csv_columns.sh

lab_heaps=system,reserved,system-uncached,udmabuf
# The same, as separate words for the test programs.
lab_heap_words="system reserved system-uncached udmabuf"

# What differs between the architectures: the user-space cache maintenance for any window
# (user_strategies) and, on arm64, the clean-only one for write windows (dc cvac: a read window
# must invalidate); and the hardware counters the guest's CPU model has (QEMU's x86 CPUs under
# TCG have no PMU; its arm64 -cpu max has PMUv3, counting cycles).
lab_arch=$(uname -m)
case $lab_arch in
aarch64)
    user_strategies=partial-user:dc-civac,full-user:dc-civac
    clean_strategies=partial-user:dc-cvac,full-user:dc-cvac counted=perf::cycles
    ;;
*) user_strategies=partial-user:clflushopt,full-user:clflushopt clean_strategies="" counted="" ;;
esac

# alloc_memory_recorded CSV: every row of the alloc run has the memory note with CMA figures.
alloc_memory_recorded() {
    local rows with
    rows=$(tail -n +2 "$1" | wc -l)
    with=$(grep -c 'memory before/after the case: CmaFree [0-9]*/[0-9]* KiB of CmaTotal [1-9][0-9]* KiB; buddyinfo free blocks per order 0-[0-9]* (all zones and nodes) [0-9,]*/[0-9,]*; heap page pools none shown' "$1")
    [ "$rows" -gt 0 ] && [ "$with" -eq "$rows" ] ||
        { echo "$with of $rows alloc rows record the memory state:"; grep -o 'memory before[^"]*' "$1" | head -3; return 1; }
}

# alloc_threads_rows RESULTS SAMPLES: system and reserved each have a threads=2 case whose
# repetitions (3) hold 2 threads x batch 4 latency samples each, and one-thread cases without
# threads= in their ids.
alloc_threads_rows() {
    local heap n
    for heap in system reserved; do
        n=$(grep -c "alloc:heap=$heap;size=4KiB;align=0B;page-size=base;threads=2;batch=4;kernel=alloc;node=any,alloc_latency," "$2")
        [ "$n" -eq 24 ] || { echo "$heap threads=2: $n alloc_latency samples, not 3 x 2 x 4"; return 1; }
        grep -q "alloc:heap=$heap;size=4KiB;align=0B;page-size=base;batch=4;kernel=alloc;node=any,alloc_latency," "$2" ||
            { echo "$heap: no one-thread case with its old id"; return 1; }
    done
    grep -q 'a repetition is 2 threads started together, each a batch of 4' "$1" ||
        { echo "no threads note"; return 1; }
}

# alloc_pressure_cma_refuses RESULTS: under cma=64M the CMA heap (reserved) refuses before the
# run's --max-mem (128M), and says where, with CmaFree at the fullest; every fill recovered.
alloc_pressure_cma_refuses() {
    local row bytes
    row=$(csv_columns "$1" heap metric median min max note | grep '^reserved,pressure_bytes,')
    echo "reserved: $row" | cut -c1-400
    echo "$row" | grep -q 'alloc-pressure: the heap refused buffer [0-9]* (1 MiB) with ENOMEM (Cannot allocate memory) after [0-9]* buffers, [0-9.]* MiB held (CmaFree then [0-9]* KiB); 3 of 3 fills (one a repetition) stopped alike; after each, all freed, a buffer was allocated again (recovered); memory before/after the case: CmaFree' ||
        { echo "reserved did not record a refusal and its recovery"; return 1; }
    bytes=$(echo "$row" | cut -d, -f3 | cut -d. -f1)
    [ "$bytes" -gt 0 ] && [ "$bytes" -le 67108864 ] ||
        { echo "reserved held $bytes bytes at its refusal, more than the 64 MiB CMA area"; return 1; }
}

# alloc_pressure_system_bounded RESULTS: the system heap (1 GiB guest) gives all of --max-mem
# 128M, and the row says the fill stopped there.
alloc_pressure_system_bounded() {
    local row
    row=$(csv_columns "$1" heap metric median note | grep '^system,pressure_bytes,')
    echo "system: $row" | cut -c1-300
    echo "$row" | grep -q '^system,pressure_bytes,134217728,"alloc-pressure: stopped at --max-mem 128 MiB after 128 buffers of 1 MiB, 128 MiB held; the heap never refused' ||
        { echo "system did not stop at --max-mem 128M"; return 1; }
}

lab_heaps_present() {
    for heap in system reserved system-uncached; do
        [ -c "/dev/dma_heap/$heap" ] || { echo "no /dev/dma_heap/$heap:"; ls -l /dev/dma_heap; return 1; }
    done
}

# The importing devices dmabench's engines will use: their nodes exist and belong to the
# expected drivers; the edu DMA device (kernel/dmabench_edu.c) claimed the 64-bit mask that
# scripts/vm/run.sh gave QEMU's device.
lab_devices_present() {
    [ -c /dev/udmabuf ] || { echo "no /dev/udmabuf"; return 1; }
    [ -c /dev/dmabench-edu ] || { echo "no /dev/dmabench-edu:"; dmesg | grep -i edu; return 1; }
    dmesg | grep -q 'dmabench-edu .*/dev/dmabench-edu, 64-bit DMA' ||
        { echo "the edu driver did not claim 64-bit DMA:"; dmesg | grep -i edu; return 1; }
    grep -qs vgem /sys/kernel/debug/dri/*/name ||
        { echo "no vgem DRM device:"; cat /sys/kernel/debug/dri/*/name; ls -l /dev/dri; return 1; }
    for v in /sys/class/video4linux/video*; do
        if grep -qs vim2m "$v/name" && [ -c "/dev/$(basename "$v")" ]; then
            return 0
        fi
    done
    echo "no vim2m video device:"
    cat /sys/class/video4linux/*/name
    return 1
}

# The coherency probes on every heap class, with the cpu engine and vim2m as the device, and
# vgem's and sw_sync's fences: x86 is IO-coherent and QEMU models no caches on arm64 either, so
# no stale line anywhere (verdicts coherent or pass), the vim2m cases really ran, and every
# dma-buf heap gave a fence latency from both.
coherency_on_lab_heaps() {
    local csv=/tmp/run-coherency/results.csv
    # No c2c: a cache line's trip between two vCPUs of one TCG thread times QEMU's scheduler,
    # and the host's CLI tests cover the probe itself.
    /bin/dmabench run coherency --heap "$lab_heaps" --kernel stale,false-sharing,fence \
        --size 64K --strategy none,full,full-user --engine cpu,v4l2,vgem,sw_sync --reps 3 \
        --counters none -q -o /tmp/run-coherency >/tmp/coh.out 2>&1 ||
        { cat /tmp/coh.out; return 1; }
    /bin/validate_results /tmp/run-coherency || return 1
    csv_columns "$csv" case_id metric status verdict >/tmp/coh.cols || return 1
    if grep -E ',ok,(needs-sync|fail|sync-ineffective)$' /tmp/coh.cols; then
        echo "stale lines on an IO-coherent machine"
        return 1
    fi
    for heap in $lab_heap_words; do
        grep -q "^coherency:heap=$heap;size=64KiB;kernel=stale;strategy=none;engine=v4l2,.*,ok,coherent\$" /tmp/coh.cols ||
            { echo "no coherent vim2m row for $heap:"; grep "heap=$heap;.*engine=v4l2" "$csv"; return 1; }
        for fences in vgem sw_sync; do
            grep -q "^coherency:heap=$heap;kernel=fence;engine=$fences,fence_latency,ok,\$" /tmp/coh.cols ||
                { echo "no $fences fence latency for $heap:"; grep "heap=$heap;kernel=fence" "$csv"; return 1; }
        done
    done
}

# The stale probe through a real DMA device: QEMU's edu copies by DMA between buffers it has
# imported and keeps mapped. x86 is IO-coherent and this lab does not bounce (no swiotlb=force):
# no stale line, without sync (coherent) or with it (pass), on the system and CMA heaps.
coherency_edu_stale() {
    local csv=/tmp/run-coherency-edu/results.csv
    /bin/dmabench run coherency --heap system,reserved --kernel stale --engine edu \
        --size 4K,64K --strategy none,full --reps 2 --counters none -q \
        -o /tmp/run-coherency-edu >/tmp/coh-edu.out 2>&1 || { cat /tmp/coh-edu.out; return 1; }
    cat /tmp/coh-edu.out
    /bin/validate_results /tmp/run-coherency-edu --expect-ok system,reserved || return 1
    csv_columns "$csv" case_id status verdict >/tmp/coh-edu.cols || return 1
    rows=$(grep -c . /tmp/coh-edu.cols)
    # 2 heaps x 2 sizes x 2 strategies, a row per direction.
    [ "$rows" = 16 ] || { echo "$rows stale rows, want 16:"; cat /tmp/coh-edu.cols; return 1; }
    if grep -Ev 'strategy=none;engine=edu,ok,coherent$|strategy=full;engine=edu,ok,pass$' /tmp/coh-edu.cols; then
        echo "the rows above are not coherent (none) or pass (full)"
        return 1
    fi
}

# coherency_stale_on HEAP OUT: the stale kernel on HEAP with the cpu engine and edu's DMA, valid,
# an edu row there, and every row coherent with no sync and pass with a full one (the lab is
# IO-coherent).
coherency_stale_on() {
    local heap=$1 out=$2
    /bin/dmabench run coherency --heap "$heap" --kernel stale --engine cpu,edu \
        --size 64K --strategy none,full --reps 2 --counters none -q -o "$out" >"$out.log" 2>&1 ||
        { cat "$out.log"; return 1; }
    /bin/validate_results "$out" --expect-ok "$heap" --expect-bench coherency || return 1
    csv_columns "$out/results.csv" case_id status verdict >"$out.cols" || return 1
    cat "$out.cols"
    grep -q 'engine=edu,ok,' "$out.cols" || { echo "no edu row"; return 1; }
    if grep -Ev 'strategy=none;engine=[a-z]+,ok,coherent$|strategy=full;engine=[a-z]+,ok,pass$' "$out.cols"; then
        echo "the rows above are not coherent (none) or pass (full)"
        return 1
    fi
}

# PAT refusing or downgrading a write-combined mapping says so in the log, not as an error.
no_pat_conflicts() {
    if dmesg | grep -E 'x86/PAT: .*(conflicting|map pfn RAM range req|freeing invalid memtype)'; then
        return 1
    fi
}

# counters_counted EVENT...: `run cpu --counters default` gives every counter row either ok with
# a non-zero median or skipped with its reason, and each EVENT (what this guest's PMU counts)
# ok. perf::task-clock always counts; page faults and context switches may be truly zero.
counters_counted() {
    /bin/dmabench run cpu --heap system --size 64K --kernel read --reps 3 --counters default \
        -q -o /tmp/run-counters >/tmp/counters.out 2>&1 || { cat /tmp/counters.out; return 1; }
    /bin/validate_results /tmp/run-counters --expect-ok system --expect-bench cpu || return 1
    csv_columns /tmp/run-counters/results.csv metric status median error >/tmp/counters.cols ||
        return 1
    awk -F, -v want="perf::task-clock $*" '
        BEGIN { n = split(want, w, " ") }
        $1 !~ /::/ { next }
        { print "  " $0; rows++ }
        $2 == "ok" && ($3 + 0 > 0 || $1 ~ /page-faults|context-switches/) { ok[$1] = 1; next }
        $2 == "skipped" && $4 != "" { next }
        { print "counter row " $1 " is neither ok and non-zero nor skipped with a reason"; bad = 1 }
        END {
            for (i = 1; i <= n; i++) if (!(w[i] in ok)) { print w[i] " was not counted"; bad = 1 }
            exit bad || !rows
        }' /tmp/counters.cols
}

# The kernel's own dma-heap selftest from the same source tree, when the kernel was built here
# (scripts/lab/build-kernel.sh); its verdict is reported on its own so that a failure can be
# told apart as the kernel's or dmabench's.
kernel_selftest() {
    /bin/dmabuf-heap >/tmp/selftest.out 2>&1
    rc=$?
    cat /tmp/selftest.out
    if [ "$rc" != 0 ] || grep -q '^not ok' /tmp/selftest.out; then
        echo "tools/testing/selftests/dmabuf-heaps: exit $rc"
        return 1
    fi
}

# csv_rows_pages FILE PAGE FRACTION: every row of a results.csv is ok and records page_size_bytes
# PAGE and huge_fraction FRACTION; prints the rows that do not.
csv_rows_pages() {
    csv_columns "$1" status page_size_bytes huge_fraction | awk -F, -v page="$2" -v frac="$3" '
        { rows++; if ($1 != "ok" || $2 != page || $3 != frac) { print "row " NR + 1 ": " $0; bad++ } }
        END { exit !(rows > 0 && !bad) }'
}

# pages_recorded_on HEAP NAME PAGE FRACTION BENCH ARGS...: `dmabench run BENCH ARGS` on HEAP
# validates, and every row says the buffers were on PAGE-byte pages, FRACTION of them huge. A
# NAME ending in -denied runs dmabench with THP disabled (/bin/without_thp), and its rows must
# also say "THP denied".
pages_recorded_on() {
    local heap=$1 out=/tmp/$2 page=$3 frac=$4 wrapper=""
    shift 4
    case $out in *-denied) wrapper=/bin/without_thp ;; esac
    $wrapper /bin/dmabench run "$@" --heap "$heap" --reps 3 --counters none -q -o "$out" ||
        { echo "dmabench run $* --heap $heap failed"; return 1; }
    /bin/validate_results "$out" --expect-ok "$heap" --expect-bench "$1" || return 1
    csv_rows_pages "$out/results.csv" "$page" "$frac" ||
        { echo "rows above do not record $page-byte pages, $frac of them huge"; return 1; }
    if [ -n "$wrapper" ] && grep -v '^schema_version' "$out/results.csv" | grep -qv 'THP denied'; then
        echo "a row of a denied THP request without 'THP denied':"
        grep -v 'THP denied' "$out/results.csv"
        return 1
    fi
}

dma_api_debug_watch
check hugepages-reserved hugepages_reserved
check two-numa-nodes two_numa_nodes
check lab-heaps-present lab_heaps_present
check lab-devices-present lab_devices_present
check vm-heap-check-lab-heaps env DMABENCH_VM_HEAPS=$lab_heaps /bin/vm_heap_check

/bin/dmabench list
check list-system-cached-available list_available system cached
check list-reserved-contiguous-available list_available reserved contiguous
check list-system-uncached-uncached-available list_available system-uncached uncached
check list-udmabuf-available list_available udmabuf
check list-engine-vgem-available list_engine_available vgem vgem
check list-engine-v4l2-vim2m-available list_engine_available v4l2 vim2m
check list-engine-edu-available list_engine_available edu 'QEMU edu .*64-bit DMA, direct'
check alloc-reserved-verified cli_expect 0 \
    'heap=reserved backend=dma-heap class=contiguous size=4194304B allocated=4194304B .*dmabuf=yes exp_name=reserved name=lab zeroed=yes verify=ok' \
    alloc --heap reserved --size 4M --count 2 --name lab
check alloc-system-uncached-verified cli_expect 0 \
    'heap=system-uncached backend=dma-heap class=uncached size=1048576B allocated=1048576B .*dmabuf=yes exp_name=system-uncached name=lab zeroed=yes verify=ok' \
    alloc --heap system-uncached --size 1M --count 4 --name lab
check alloc-udmabuf-hugetlb-on-node1 cli_expect 0 \
    'heap=udmabuf backend=udmabuf class=cached size=4194304B allocated=4194304B page=2MiB granted=2MiB huge=100% .*node=1 dmabuf=yes exp_name=udmabuf' \
    alloc --heap udmabuf --size 4M --page-size 2M --node 1

# DRM dumb buffers on vgem (CONFIG_DRM_VGEM=y; on x86_64 bochs-drm is a second card, so vgem's
# heap is found by its driver, not its number): the heap named after vgem's card, listed cached,
# allocated (verified through the mapping and fdinfo, none left behind), and the alloc, cpu, sync
# and coherency (cpu and edu engines) benchmarks' rows on it valid.
lab_drm_heap=$(/bin/dmabench list 2>/dev/null | awk '$2 == "drm-dumb" && /driver vgem/ { print $1; exit }')
lab_drm_heap=${lab_drm_heap:-drm-dumb-vgem-not-listed}
check list-drm-dumb-vgem-available list_available "$lab_drm_heap" drm-dumb cached
check alloc-drm-dumb-vgem-verified cli_expect 0 \
    "heap=$lab_drm_heap backend=drm-dumb class=cached size=1048576B allocated=1048576B .*dmabuf=yes exp_name=[^ ]+ name=lab zeroed=yes verify=ok" \
    alloc --heap "$lab_drm_heap" --size 1M --count 2 --name lab
check run-cpu-drm-dumb-vgem-valid-csv run_valid_on "$lab_drm_heap" run-drm-cpu cpu \
    --size 64K,1M --kernel read,write,copy --reps 3
check run-sync-drm-dumb-vgem-valid-csv run_valid_on "$lab_drm_heap" run-drm-sync sync --size 1M \
    --strategy none,full --direction write,read --region 4K,1M --importers 0 --reps 3
check run-alloc-drm-dumb-vgem-valid-csv run_valid_on "$lab_drm_heap" run-drm-alloc alloc \
    --size 4K,1M --batch 1,4 --kernel alloc,alloc-touch --reps 3
check run-alloc-drm-dumb-vgem-memory-state-recorded alloc_memory_recorded /tmp/run-drm-alloc/results.csv
check run-coherency-drm-dumb-vgem-cpu-edu coherency_stale_on "$lab_drm_heap" /tmp/run-drm-coherency

# DRM dumb buffers on bochs-drm (CONFIG_DRM_BOCHS=y, QEMU's -vga std: the x86_64 lab only). Its
# GEM VRAM buffers are made in system RAM and only move into the 16 MiB VRAM when scanned out:
# listed cached with that note, allocated and verified (one buffer larger than all of VRAM),
# mapped write-back, valid cpu and sync rows. PRIME exports them read-write, but with no sg table
# for a device: an importer's case is skipped, saying so, and the kernel logs no warning.
if [ "$lab_arch" = x86_64 ]; then
    lab_bochs_heap=$(/bin/dmabench list 2>/dev/null |
        awk '$2 == "drm-dumb" && /driver bochs-drm/ { print $1; exit }')
    lab_bochs_heap=${lab_bochs_heap:-drm-dumb-bochs-not-listed}
    check list-drm-dumb-bochs-available list_available "$lab_bochs_heap" drm-dumb cached bochs-drm \
        scanned import
    check alloc-drm-dumb-bochs-verified cli_expect 0 \
        "heap=$lab_bochs_heap backend=drm-dumb class=cached size=1048576B allocated=1048576B .*dmabuf=yes exp_name=[^ ]+ name=lab zeroed=yes verify=ok" \
        alloc --heap "$lab_bochs_heap" --size 1M --count 2 --name lab
    check alloc-drm-dumb-bochs-beyond-vram cli_expect 0 \
        "heap=$lab_bochs_heap backend=drm-dumb class=cached size=33554432B allocated=33554432B .*zeroed=yes verify=ok" \
        alloc --heap "$lab_bochs_heap" --size 32M
    check mapping-drm-dumb-bochs-write-back /bin/lab_heap_facts mapping "$lab_bochs_heap" wb
    check run-cpu-drm-dumb-bochs-valid-csv run_valid_on "$lab_bochs_heap" run-bochs-cpu cpu \
        --size 64K,1M --kernel read,write,copy --reps 3
    check run-sync-drm-dumb-bochs-valid-csv run_valid_on "$lab_bochs_heap" run-bochs-sync sync \
        --size 1M --strategy none,full --direction write,read --region 4K,1M --importers 0 --reps 3
    check sync-drm-dumb-bochs-importer-skipped cli_expect 0 \
        "skipped: vgem: PRIME import of a 1048576 B $lab_bochs_heap buffer; the exporter maps it for no device \(ENOSYS\)" \
        run sync --heap "$lab_bochs_heap" --size 1M --strategy full --direction write \
        --region 4K --importers 1 --engine vgem --reps 3 -o /tmp/run-bochs-importer
    # edu's own words are the longest: the reason still ends whole in the row.
    check sync-drm-dumb-bochs-edu-importer-skipped cli_expect 0 \
        "skipped: edu: importing a 1048576 B $lab_bochs_heap buffer: dma_buf_attach .*; the exporter maps it for no device \(ENOSYS\)\$" \
        run sync --heap "$lab_bochs_heap" --size 1M --strategy full --direction write \
        --region 4K --importers 1 --engine edu --reps 3 -o /tmp/run-bochs-importer-edu
fi

# vim2m's MMAP buffers as dma-bufs (the v4l2 heap backend): its m2m node is a capture and an
# output heap, cached (videobuf2_vmalloc); a buffer is the smallest RGB565 frame of its width that
# holds the size (64 KiB: 640x52), or one VIDIOC_CREATE_BUFS makes beyond the largest (640x480);
# each verified through the dma-buf (mapping, fdinfo, zeroed, none left behind), made by four
# threads at once and freed apart (tests/vm/lab_v4l2_heap.c), and the alloc, cpu, sync and
# coherency rows on it valid, every row naming its frame.
lab_v4l2_heap=$(/bin/dmabench list 2>/dev/null | awk '$2 == "v4l2" && $1 ~ /-capture$/ && /driver vim2m/ { print $1; exit }')
lab_v4l2_heap=${lab_v4l2_heap:-v4l2-vim2m-capture-not-listed}
lab_v4l2_frame='v4l2 RGBP 640x[0-9]+ sizeimage [0-9]+ B'
lab_v4l2_nosync='DMA_BUF_IOCTL_SYNC does no cache maintenance \(videobuf2_vmalloc has no CPU-access hooks\)'
# v4l2_rows_say DIR PATTERN: every row of the run in DIR says PATTERN (the vim2m frame it ran on).
v4l2_rows_say() {
    local rows with
    rows=$(tail -n +2 "$1/results.csv" | wc -l)
    with=$(grep -cE "$2" "$1/results.csv")
    [ "$rows" -gt 0 ] && [ "$with" -eq "$rows" ] ||
        { echo "$with of $rows rows say /$2/:"; head -3 "$1/results.csv"; return 1; }
}
# v4l2_coherency_stale: the stale probe on the v4l2 heap with the CPU and edu (which imports the
# vmalloc pages by their scatterlist) as the device: no stale line on x86 (coherent or pass).
v4l2_coherency_stale() {
    coherency_stale_on "$lab_v4l2_heap" /tmp/run-v4l2-coherency &&
        v4l2_rows_say /tmp/run-v4l2-coherency "$lab_v4l2_frame"
}
check list-v4l2-vim2m-capture-available list_available "$lab_v4l2_heap" v4l2 cached
check list-v4l2-vim2m-output-available list_available "${lab_v4l2_heap%-capture}-output" v4l2 cached
check alloc-v4l2-vim2m-frame-verified cli_expect 0 \
    "heap=$lab_v4l2_heap backend=v4l2 class=cached size=65536B allocated=69632B .*dmabuf=yes exp_name=videobuf2_vmalloc name=lab format=\"v4l2 RGBP 640x52 sizeimage 66560 B; $lab_v4l2_nosync\" zeroed=yes verify=ok" \
    alloc --heap "$lab_v4l2_heap" --size 64K --count 4 --name lab
check alloc-v4l2-vim2m-beyond-frame-verified cli_expect 0 \
    "heap=${lab_v4l2_heap%-capture}-output backend=v4l2 class=cached size=1048576B allocated=1048576B .*format=\"v4l2 RGBP 640x480 sizeimage 614400 B, buffer 1048576 B \(VIDIOC_CREATE_BUFS\); $lab_v4l2_nosync\" zeroed=yes verify=ok" \
    alloc --heap "${lab_v4l2_heap%-capture}-output" --size 1M --count 2 --name lab
check v4l2-vim2m-buffers-independent-threads /bin/lab_v4l2_heap "$lab_v4l2_heap"
check run-alloc-v4l2-vim2m-valid-csv run_valid_on "$lab_v4l2_heap" run-v4l2-alloc alloc \
    --size 4K,1M --batch 1,4 --kernel alloc,alloc-touch --reps 3
check run-alloc-v4l2-vim2m-rows-name-the-frame v4l2_rows_say /tmp/run-v4l2-alloc "$lab_v4l2_frame"
check run-alloc-v4l2-vim2m-memory-state-recorded alloc_memory_recorded /tmp/run-v4l2-alloc/results.csv
check run-cpu-v4l2-vim2m-valid-csv run_valid_on "$lab_v4l2_heap" run-v4l2-cpu cpu \
    --size 64K,1M --kernel read,write,copy --reps 3
check run-cpu-v4l2-vim2m-rows-name-the-frame v4l2_rows_say /tmp/run-v4l2-cpu "$lab_v4l2_frame"
check run-sync-v4l2-vim2m-valid-csv run_valid_on "$lab_v4l2_heap" run-v4l2-sync sync --size 1M \
    --strategy none,full --direction write,read --region 4K,1M --importers 0 --reps 3
check run-sync-v4l2-vim2m-rows-say-sync-does-nothing v4l2_rows_say /tmp/run-v4l2-sync \
    "$lab_v4l2_frame(, buffer [0-9]+ B \\(VIDIOC_CREATE_BUFS\\))?; $lab_v4l2_nosync"
check run-coherency-v4l2-vim2m-cpu-edu v4l2_coherency_stale

# What the kernel reports about each class.
check cma-reserved-facts /bin/lab_heap_facts cma reserved
if [ "$lab_arch" = x86_64 ]; then
    check mapping-system-uncached-write-combined /bin/lab_heap_facts mapping system-uncached wc
    check mapping-system-write-back /bin/lab_heap_facts mapping system wb
    check mapping-reserved-write-back /bin/lab_heap_facts mapping reserved wb
    check no-pat-conflicts no_pat_conflicts
else
    echo "no mapping checks on $lab_arch: its kernel dumps no user page tables in debugfs"
fi

# The page size each row records is the one read back from the kernel, not the one asked for.
check pages-udmabuf-hugetlb-alloc-recorded pages_recorded_on udmabuf run-pages-alloc 2097152 1 \
    alloc --page-size 2M --size 4M --batch 1 --kernel alloc,alloc-touch
check pages-udmabuf-hugetlb-cpu-recorded pages_recorded_on udmabuf run-pages-cpu 2097152 1 \
    cpu --page-size 2M --size 4M --kernel read,copy
check pages-udmabuf-hugetlb-sync-recorded pages_recorded_on udmabuf run-pages-sync 2097152 1 \
    sync --page-size 2M --size 4M --strategy none,full --direction write --region 4K
check pages-host-hugetlb-cpu-recorded pages_recorded_on host run-pages-host-hugetlb 2097152 1 \
    cpu --page-size 2M --size 4M --kernel read
# THP is [always] in this kernel: madvised, 2 MiB aligned host memory gets huge pages ...
check pages-host-thp-granted-recorded pages_recorded_on host run-pages-thp 2097152 1 \
    cpu --page-size thp --size 4M --kernel read
# ... unless the process disabled THP (PR_SET_THP_DISABLE, inherited by dmabench).
check pages-host-thp-denied-recorded pages_recorded_on host run-pages-thp-denied 4096 0 \
    cpu --page-size thp --size 4M --kernel read

# Importers and fences.
check vgem-prime-import /bin/lab_importers vgem $lab_heap_words
check vim2m-dmabuf-job /bin/lab_importers vim2m $lab_heap_words
# edu imports (attached and mapped), a DMA copy of a pattern over several transfers, detach.
check edu-import-copy-detach /bin/lab_importers edu system reserved
check sw-sync-timeline /bin/lab_fences sw-sync
check dmabuf-sync-file-fences /bin/lab_fences dmabuf $lab_heap_words
check vgem-importer-fences /bin/lab_fences vgem $lab_heap_words

# The benchmarks on every heap class, CSV read back and validated.
check run-alloc-lab-heaps-valid-csv run_valid_on $lab_heaps run-alloc alloc --size 4K,1M \
    --batch 1,4 --kernel alloc,alloc-touch --reps 3
# Every alloc row of that run says the CMA area (cma=64M) and the buddy orders before and after
# its case; mainline heaps keep no page pool. Every fresh buffer was zeros, or a row is an error.
check run-alloc-memory-state-recorded alloc_memory_recorded /tmp/run-alloc/results.csv
# Allocation as a pool fills (issue 16): two pinned threads allocating at once, on the system
# and CMA heaps, with the CMA state in every row; alloc-pressure fills each heap to its refusal
# or --max-mem, frees, and checks that it recovers.
check run-alloc-threads-lab-heaps-valid-csv run_valid_on system,reserved run-alloc-threads alloc \
    --size 4K,1M --threads 1,2 --batch 4 --kernel alloc,alloc-touch --reps 3
check run-alloc-threads-memory-state-recorded alloc_memory_recorded /tmp/run-alloc-threads/results.csv
check run-alloc-threads-samples alloc_threads_rows /tmp/run-alloc-threads/results.csv \
    /tmp/run-alloc-threads/samples.csv
check run-alloc-pressure-lab-heaps-valid-csv run_valid_on system,reserved run-alloc-pressure \
    alloc --size 1M --kernel alloc-pressure --max-mem 128M --reps 3
check run-alloc-pressure-memory-state-recorded alloc_memory_recorded \
    /tmp/run-alloc-pressure/results.csv
check run-alloc-pressure-cma-refuses alloc_pressure_cma_refuses /tmp/run-alloc-pressure/results.csv
check run-alloc-pressure-system-bounded alloc_pressure_system_bounded \
    /tmp/run-alloc-pressure/results.csv
check run-cpu-lab-heaps-valid-csv run_valid_on $lab_heaps run-cpu cpu --size 64K,2M \
    --kernel read,write,copy,fill,chase --reps 3
check counters-default-counted counters_counted $counted
# Sync with no importer and with one (a vgem PRIME import: mainline heaps only maintain caches
# for mapped attachments) on every heap class, exporter and user-space strategies.
check run-sync-lab-heaps-importers-valid-csv run_valid_on $lab_heaps run-sync sync --size 1M \
    --strategy "none,full,$user_strategies" --direction write,read --region 4K,1M \
    --importers 0,1 --reps 3
if [ -n "$clean_strategies" ]; then
    check run-sync-lab-heaps-clean-only-valid-csv run_valid_on $lab_heaps run-sync-clean sync \
        --size 1M --strategy "$clean_strategies" --direction write --region 4K,1M --reps 3
fi
check run-coherency-lab-heaps coherency_on_lab_heaps
check run-coherency-edu-stale-coherent coherency_edu_stale
# The pipeline through a real device: vim2m copies each RGB24 frame between dma-heap buffers it
# imports (V4L2_MEMORY_DMABUF), and the CPU checks every byte of every copy.
check run-pipeline-vim2m-lab-heaps-valid-csv run_valid_on system,reserved,system-uncached \
    run-pipeline pipeline --format rgb24:640x480 --pool 2 --strategy none,full \
    --engine v4l2 --reps 3
# The same through the edu DMA device: frames of 3 KiB, one of its transfers each way, since it
# moves about 20 KB/s (100 ms of guest time a transfer, free under -icount sleep=off).
check run-pipeline-edu-valid-csv run_valid_on system,reserved run-pipeline-edu pipeline \
    --format rgb24:32x32 --pool 2 --strategy none,full --engine edu --reps 3

# Devices chosen by path (issue 16): vgem's render node as the drm engine (PRIME import into any
# DRM driver), vim2m's node as the pipeline's v4l2 engine and vgem's card as a drm-dumb heap, each
# named by its /dev path (found from sysfs, not from dmabench); the rows carry the short names
# (drm:renderD128, v4l2:videoN, drm-dumb-cardN), a wrong path is exit 2, and list shows the nodes.
lab_vgem_render=no-vgem-render-node lab_vgem_card=no-vgem-card lab_vim2m=no-vim2m-node
for d in /sys/class/drm/renderD* /sys/class/drm/card[0-9]*; do
    [ "$(basename "$(readlink -f "$d/device")")" = vgem ] || continue
    case $d in
    */renderD*) lab_vgem_render=$(basename "$d") ;;
    *) lab_vgem_card=$(basename "$d") ;;
    esac
done
for v in /sys/class/video4linux/video*; do
    grep -qs vim2m "$v/name" && { lab_vim2m=$(basename "$v"); break; }
done
echo "devices by path: vgem /dev/dri/$lab_vgem_render and /dev/dri/$lab_vgem_card, vim2m /dev/$lab_vim2m"
# rows_all_ok_with CSV COLUMN VALUE: every row ok, COLUMN VALUE in each.
rows_all_ok_with() {
    csv_columns "$1" status "$2" | awk -F, -v want="$3" '
        { rows++; if ($1 != "ok" || $2 != want) { print "row " NR + 1 ": " $0; bad++ } }
        END { exit !(rows > 0 && !bad) }' || { echo "not every row is ok with $2 $3"; return 1; }
}
# by_path_valid NAME COLUMN VALUE ARGS...: `dmabench run ARGS` validates, every row ok with VALUE.
by_path_valid() {
    local out=/tmp/$1 column=$2 value=$3
    shift 3
    /bin/dmabench run "$@" --counters none -q -o "$out" >/tmp/$1.out 2>&1 ||
        { cat /tmp/$1.out; return 1; }
    /bin/validate_results "$out" || return 1
    rows_all_ok_with "$out/results.csv" "$column" "$value"
}
check sync-importer-drm-by-path by_path_valid run-sync-drm-path engine "drm:$lab_vgem_render" \
    sync --heap system,reserved --size 1M --strategy none,full --direction write,read \
    --region 4K,1M --importers 1 --engine "drm:/dev/dri/$lab_vgem_render" --reps 3
check sync-importer-option-by-path by_path_valid run-sync-importer-path engine "drm:$lab_vgem_render" \
    sync --heap system --size 1M --strategy full --direction write --region 1M --importers 2 \
    --importer "drm:/dev/dri/$lab_vgem_render" --reps 3
check pipeline-v4l2-by-path by_path_valid run-pipeline-path engine "v4l2:$lab_vim2m" \
    pipeline --heap system --format rgb24:640x480 --pool 2 --strategy none,full \
    --engine "v4l2:/dev/$lab_vim2m" --reps 3
check cpu-drm-dumb-heap-by-path by_path_valid run-cpu-heap-path heap "drm-dumb-$lab_vgem_card" \
    cpu --heap "drm-dumb:/dev/dri/$lab_vgem_card" --size 64K --kernel read --reps 3
check cpu-v4l2-heap-by-path by_path_valid run-cpu-v4l2-heap-path heap "v4l2-$lab_vim2m-capture" \
    cpu --heap "v4l2:/dev/$lab_vim2m:capture" --size 64K --kernel read --reps 3
check v4l2-heap-wrong-kind-exit-2 cli_expect 2 \
    "^dmabench: run: --heap v4l2:/dev/dri/$lab_vgem_card:capture: heap: /dev/dri/$lab_vgem_card: not a video4linux device \\(it is a drm device\\)\$" \
    run cpu --heap "v4l2:/dev/dri/$lab_vgem_card:capture" -o /tmp/run-wrong-path
check engine-wrong-path-exit-2 cli_expect 2 \
    "^dmabench: run: --engine drm:/dev/$lab_vim2m: engine: /dev/$lab_vim2m: not a drm device \\(it is a video4linux device\\)\$" \
    run sync --heap system --importers 1 --engine "drm:/dev/$lab_vim2m" -o /tmp/run-wrong-path
check heap-wrong-path-exit-2 cli_expect 2 \
    "^dmabench: run: --heap drm-dumb:/dev/nonexistent: heap: /dev/nonexistent: no such device" \
    run cpu --heap drm-dumb:/dev/nonexistent -o /tmp/run-wrong-path
check list-v4l2-node-formats list_engine_available "v4l2:$lab_vim2m" \
    'vim2m: mem2mem, DMABUF import; both queues take .*RGB3=rgb24'
check list-drm-render-node-driver list_engine_available "drm:$lab_vgem_render" 'driver vgem'
check list-engine-drm-available list_engine_available drm "/dev/dri/renderD[0-9]*: "

if [ -x /bin/dmabuf-heap ]; then
    check kernel-selftest-dmabuf-heaps kernel_selftest
else
    echo "no /bin/dmabuf-heap: a prebuilt KERNEL= comes without its selftest (KERNEL_SRC= has one)"
fi
check dma-api-debug-clean dma_api_debug_clean
check kernel-log-clean kernel_log_clean
