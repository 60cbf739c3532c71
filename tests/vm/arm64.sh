# tests/vm/arm64.sh - the arm64 VM's test set: Debian's stock arm64 6.12 kernel (udmabuf and CMA,
# no dma-heaps) under qemu-system-aarch64 -M virt -cpu max, booted with cma=128M, running the
# cross-built static dmabench: the allocator tests on udmabuf and dmabench's arm64 code paths
# (timers, NEON dispatch, dc cvac / dc civac cache maintenance). Sourced by tests/vm/init.sh (dmabench.suite=arm64) after its mounts
# and helpers; init.sh ends the run. busybox sh, no `set -e`: see init.sh.

is_aarch64() {
    [ "$(uname -m)" = aarch64 ] || { echo "uname -m is $(uname -m)"; return 1; }
}

# cma=128M took: the kernel reserved exactly that (CmaTotal is in kB).
cma_area_reserved() {
    total=$(awk '/^CmaTotal:/ {print $2}' /proc/meminfo)
    [ "$total" = 131072 ] || { echo "CmaTotal is '$total' kB, cma=128M asks for 131072"; return 1; }
}

# Every cpu case ran the implementation it names: the NEON kernels on an arm64 build, and the
# default (widest) implementation resolved to NEON.
cpu_dispatch_neon() {
    csv=/tmp/run-cpu-dispatch/results.csv
    /bin/dmabench run cpu --heap udmabuf --size 64K --kernel read:neon,copy:neon,read:c,read \
        --reps 3 --counters none -q -o /tmp/run-cpu-dispatch || return 1
    /bin/validate_results /tmp/run-cpu-dispatch --expect-ok udmabuf --expect-bench cpu || return 1
    grep -q 'neon' "$csv" || { echo "no NEON kernel in $csv:"; cat "$csv"; return 1; }
}

check is-aarch64 is_aarch64
check hugepages-reserved hugepages_reserved
check two-numa-nodes two_numa_nodes
check cma-area-reserved cma_area_reserved
check vm-heap-check-udmabuf env DMABENCH_VM_HEAPS=udmabuf /bin/vm_heap_check

/bin/dmabench list
check list-udmabuf-available list_available udmabuf cached
check list-host-available list_available host cached
check alloc-udmabuf-verified cli_expect 0 \
    'heap=udmabuf backend=udmabuf class=cached size=1048576B allocated=1048576B .*dmabuf=yes exp_name=udmabuf name=arm64 zeroed=yes verify=ok' \
    alloc --heap udmabuf --size 1M --count 4 --name arm64
check alloc-udmabuf-hugetlb-on-node1 cli_expect 0 \
    'heap=udmabuf backend=udmabuf class=cached size=4194304B allocated=4194304B page=2MiB .*node=1 dmabuf=yes exp_name=udmabuf' \
    alloc --heap udmabuf --size 4M --page-size 2M --node 1
check run-alloc-udmabuf-valid-csv run_valid_on udmabuf run-alloc alloc --size 4K,1M \
    --batch 1,4 --kernel alloc,alloc-touch --reps 3
check run-cpu-udmabuf-valid-csv run_valid_on udmabuf run-cpu cpu --size 64K,2M \
    --kernel read,write,copy,fill,chase --reps 3
check cpu-dispatch-neon cpu_dispatch_neon
# The arm64 cache maintenance from user space: dc cvac cleans what the CPU wrote, dc civac also
# invalidates what it is about to read; both run through the sync benchmark on a real dma-buf.
check sync-dc-cvac-udmabuf run_valid_on udmabuf run-sync-cvac sync --size 1M \
    --strategy none,full,partial-user:dc-cvac,full-user:dc-cvac --direction write \
    --region 4K,64K --reps 3
check sync-dc-civac-udmabuf run_valid_on udmabuf run-sync-civac sync --size 1M \
    --strategy partial-user:dc-civac,full-user:dc-civac --direction read,rw --region 4K,64K \
    --lines dirty,clean --reps 3
check kernel-log-clean kernel_log_clean
