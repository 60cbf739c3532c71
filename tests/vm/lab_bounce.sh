# tests/vm/lab_bounce.sh - the bounce lab: the lab kernel booted with swiotlb=force, so that every
# streaming DMA mapping goes through a swiotlb bounce buffer and a device sees what the CPU wrote
# only when the DMA API copies it (at map and unmap, and at the dma_sync_* calls the exporters
# make from DMA_BUF_IOCTL_SYNC for mapped attachments): what a non-coherent device sees. Sourced
# by tests/vm/init.sh (dmabench.suite=lab_bounce) after its helpers; init.sh ends the run.
# The checks through a real DMA device need the edu engine: a dmabench without one reports them
# as not run yet. busybox sh, no `set -e`: see init.sh.

# csv_columns FILE NAME... (packed beside this set by scripts/lab/run-vm.sh).
. /etc/dmabench/csv_columns.sh

bounce_heaps=system,reserved,system-uncached,udmabuf
# The heaps whose own sync reaches their importers' mappings (dma_sync_sgtable_* for each
# mapped attachment): udmabuf syncs only its own device's mapping, the uncached heap nothing.
syncing_heaps=system,reserved
swiotlb=/sys/kernel/debug/swiotlb

# The command line asks for it, the kernel has a bounce pool (its debugfs counts the slots in
# use), and no IOMMU stands between the devices and memory (an emulated one would map around the
# bounce buffers without a word).
bounce_forced() {
    grep -Eq '(^| )swiotlb=([0-9]+,)?force( |$)' /proc/cmdline ||
        { echo "no swiotlb=force in: $(cat /proc/cmdline)"; return 1; }
    [ -r $swiotlb/io_tlb_used_hiwater ] && [ "$(cat $swiotlb/io_tlb_nslabs)" -gt 0 ] ||
        { echo "no swiotlb pool in $swiotlb:"; ls $swiotlb; return 1; }
    if [ -n "$(ls /sys/class/iommu 2>/dev/null)" ]; then
        echo "an IOMMU: $(ls /sys/class/iommu)"
        return 1
    fi
    echo "$(cat $swiotlb/io_tlb_nslabs) slots of 2 KiB"
}

# Every heap allocates, maps and verifies as in the coherent lab: bouncing changes what a device
# sees, not what the CPU allocates.
heaps_allocate() {
    run_valid_on $bounce_heaps run-alloc alloc --size 4K,1M --batch 1 --kernel alloc-touch --reps 3
}

# sync_importer_costs_more ENGINE NAME: on the heaps whose sync reaches their importers, one
# importer of ENGINE (attached and mapped: bounced) makes DMA_BUF_IOCTL_SYNC cost more per MiB
# than none, the more the larger the buffer (8 times larger: TCG on a shared host is noisy);
# the rows name the importer's engine. Below 256 KiB, the most a bounce buffer maps in one piece.
sync_importer_costs_more() {
    local engine=$1 out=/tmp/$2
    echo 0 >$swiotlb/io_tlb_used_hiwater || return 1
    /bin/dmabench run sync --heap $syncing_heaps --size 16K,128K --region 4K --strategy full \
        --direction rw --importers 0,1 --engine "$engine" --reps 5 --counters none -q -o "$out" ||
        { echo "dmabench run sync failed"; return 1; }
    /bin/validate_results "$out" --expect-ok $syncing_heaps --expect-bench sync || return 1
    # The importer's mappings took bounce slots: 128 KiB is 64 slots of 2 KiB.
    used=$(cat $swiotlb/io_tlb_used_hiwater)
    [ "$used" -ge 64 ] || { echo "at most $used bounce slots in use at once: nothing bounced"; return 1; }
    csv_columns "$out/results.csv" heap size_bytes importers engine metric median | awk -F, -v engine="$engine" '
        $5 == "sync_cost_per_mib" { per[$1 " " $2 " B, " $3] = $6 }
        $5 == "sync_cost" && $3 == 1 { cost[$1 " " $2] = $6 }
        $3 == 1 && $4 != engine { print "an importer row names engine " $4 ", not " engine; bad++ }
        $3 == 0 && $4 != "" { print "an importer-less row names engine " $4; bad++ }
        END {
            for (k in per) {
                if (k !~ /, 1$/) continue
                base = k; sub(/1$/, "0", base); n++
                printf "%s: %.0f ns/MiB with one %s importer, %.0f without\n", k, per[k], engine, per[base]
                if (!(per[k] + 0 > per[base] + 0)) { print "  not more with the importer"; bad++ }
            }
            for (k in cost) {
                if (k !~ / 16384$/) continue
                big = k; sub(/ 16384$/, " 131072", big)
                printf "%s -> 131072 B: %.0f -> %.0f ns per sync with the importer\n", k, cost[k], cost[big]
                if (!(cost[big] + 0 > cost[k] + 0)) { print "  does not grow with size"; bad++ }
            }
            exit bad > 0 || n != 4
        }'
}

# A buffer with a segment larger than a bounce buffer maps (the system heap's 1 MiB chunk, a 1 MiB
# CMA buffer) cannot be imported: the case is an error row that names the limit, the run goes
# on to the end and exits 1 (a case failed), and dmabench does not crash.
sync_import_over_limit() {
    local engine=$1 out=/tmp/$2
    /bin/dmabench run sync --heap $syncing_heaps --size 1M --region 4K --strategy full \
        --direction rw --importers 1 --engine "$engine" --reps 3 --counters none -q -o "$out"
    rc=$?
    [ "$rc" = 1 ] || { echo "dmabench run sync exited $rc, want 1 (error rows)"; return 1; }
    /bin/validate_results "$out" || return 1
    csv_columns "$out/results.csv" heap metric status error | grep ',sync_cost,' >/tmp/over.cols
    cat /tmp/over.cols
    [ "$(grep -c . /tmp/over.cols)" = 2 ] || { echo "want a row per heap"; return 1; }
    if grep -Ev ',error,"?.*swiotlb=force bounces DMA through buffers of at most 256 KiB: a larger segment cannot be mapped"?$' /tmp/over.cols; then
        echo "the rows above are no error naming the bounce buffers' limit"
        return 1
    fi
}

# stale_verdicts_through ENGINE: the stale probe through a real DMA device behind bounce buffers
# gives the verdicts of results/README.md: without sync every heap needs it; the exporter's
# sync keeps the system and CMA heaps coherent, not udmabuf nor the uncached heap (it does not
# reach the device's mapping: sync-ineffective); user-space maintenance never does (fail).
stale_verdicts_through() {
    local engine=$1 out=/tmp/run-stale-$1
    /bin/dmabench run coherency --heap $bounce_heaps --kernel stale --engine "$engine" \
        --size 4K,64K --strategy none,full,full-user,partial-user --reps 2 --counters none -q \
        -o "$out" || { echo "dmabench run coherency failed"; return 1; }
    /bin/validate_results "$out" --expect-ok $bounce_heaps --expect-bench coherency || return 1
    csv_columns "$out/results.csv" heap size_bytes strategy metric status verdict | awk -F, '
        function want(v) { n++; if ($6 != v) { print $1 " " $2 " B " $3 " " $4 ": " $5 " " $6 ", want " v; bad++ } }
        $3 == "none" { want("needs-sync"); next }
        $1 ~ /^(system|reserved)$/ && $3 == "full" { want("pass"); next }
        $1 ~ /^(system|reserved)$/ && $3 ~ /-user/ { want("fail"); next }
        $3 == "full" { want("sync-ineffective"); next }
        END { print n " rows checked"; exit bad > 0 || n < 48 }'
}

# check_with_engine ENGINE NAME CMD...: NAME through ENGINE, or not run yet where this dmabench
# has no such engine (an engine it has must be available here: the check fails if not).
check_with_engine() {
    local engine=$1 name=$2
    shift 2
    if engine_built "$engine"; then
        check "$name" "$@"
    else
        not_run_yet "$name" "no $engine engine in this dmabench"
    fi
}

dma_api_debug_watch
check bounce-forced bounce_forced
/bin/dmabench list
check lab-heaps-allocate heaps_allocate
check sync-vgem-importer-costs-more sync_importer_costs_more vgem run-sync-vgem
check sync-vgem-import-over-bounce-limit-error-row sync_import_over_limit vgem run-sync-vgem-1m
check_with_engine edu list-engine-edu-available list_engine_available edu edu
check_with_engine edu stale-edu-bounce-verdicts stale_verdicts_through edu
check_with_engine edu sync-edu-importer-costs-more sync_importer_costs_more edu run-sync-edu
if [ -r /sys/kernel/debug/dma-api/error_count ]; then
    check dma-api-debug-clean dma_api_debug_clean
else
    not_run_yet dma-api-debug-clean "kernel without CONFIG_DMA_API_DEBUG"
fi
check kernel-log-clean kernel_log_clean
