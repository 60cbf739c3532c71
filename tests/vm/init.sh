#!/bin/sh
# tests/vm/init.sh - /init of the VM test initramfs (busybox sh, PID 1 in Debian's kernel).
# Runs every check against the real kernel, prints one DMABENCH-VM-CHECK line per check and a
# DMABENCH-VM-RESULT line that scripts/vm/run.sh parses, then powers the VM off. No `set -e`:
# one failing check must not hide the others, and PID 1 must never exit (that is a panic).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
# The kernel's built-in initramfs has a /dev/console, devtmpfs hides it behind its own.
exec </dev/console >/dev/console 2>&1

# scripts/vm/run.sh boots with this flag only to learn whether KVM really works.
if grep -qw dmabench.probe /proc/cmdline; then
    echo "DMABENCH-VM-PROBE: ok"
    poweroff -f
fi

echo "DMABENCH-VM-START: $(uname -r), $(nproc) cpus, up $(cut -d" " -f1 /proc/uptime)s"
# Before anything allocates, so that the pages can still be found contiguous.
echo 16 >/proc/sys/vm/nr_hugepages

passed=0
failed=0
not_run=0
# check NAME CMD...: run one check; its own output says why it failed.
check() {
    name=$1
    shift
    echo "DMABENCH-VM-RUN: $name"
    # The guest's uptime around each check: where a slow VM set spends its time.
    t0=$(cut -d' ' -f1 /proc/uptime)
    if "$@"; then
        result=pass
        passed=$((passed + 1))
    else
        result=fail
        failed=$((failed + 1))
    fi
    echo "DMABENCH-VM-CHECK: $result $name (${t0}s to $(cut -d' ' -f1 /proc/uptime)s)"
}

# not_run_yet NAME WHY: a check this build cannot run yet (the code it checks has not landed):
# reported as such, neither passed nor failed, so that it cannot pass unseen.
not_run_yet() {
    not_run=$((not_run + 1))
    echo "DMABENCH-VM-CHECK: not-run $1 ($2)"
}

hugepages_reserved() {
    n=$(cat /proc/sys/vm/nr_hugepages)
    [ "$n" -ge 16 ] || { echo "nr_hugepages is $n, wanted 16"; return 1; }
}

two_numa_nodes() {
    [ -d /sys/devices/system/node/node1 ] || { echo "no node1: QEMU's -numa did not take"; return 1; }
}

# list_available NAME WORD...: `dmabench list` shows heap NAME as available, its row holding
# every WORD. Rows are compared word by word, so `system` does not match `system-uncached` nor
# `cached` `uncached`; trailing ':' ',' ';' are ignored. A row saying `unavailable` never
# counts, whatever its reason text says.
list_available() {
    /bin/dmabench list >/tmp/list.out 2>&1 || {
        echo "dmabench list failed:"
        cat /tmp/list.out
        return 1
    }
    awk -v words="$*" '
        BEGIN { nw = split(words, w, " ") }
        {
            delete f
            for (i = 1; i <= NF; i++) { x = $i; sub(/[:,;]+$/, "", x); f[x] = 1 }
            ok = ("available" in f) && !("unavailable" in f)
            for (i = 1; i <= nw; i++) if (!(w[i] in f)) ok = 0
            if (ok) found = 1
        }
        END { exit !found }' /tmp/list.out && return 0
    echo "dmabench list has no available row with: $*"
    cat /tmp/list.out
    return 1
}

# /dev/dma_heap/* is 0600 root: an unprivileged user must get a clear EACCES, not a crash or
# a misleading message.
nobody_alloc_permission_denied() {
    out=$(su -s /bin/sh nobody -c 'id -u; /bin/dmabench alloc --heap system --size 4K' 2>&1)
    rc=$?
    uid=$(echo "$out" | head -n1)
    msg=$(echo "$out" | tail -n +2)
    if [ "$uid" = 0 ] || [ -z "$uid" ]; then
        echo "su did not drop privileges (uid '$uid'): $out"
        return 1
    fi
    if [ "$rc" = 0 ] || ! echo "$msg" | grep -q "Permission denied"; then
        echo "as uid $uid: exit $rc, want a non-zero exit and 'Permission denied' in the output:"
        echo "$msg"
        return 1
    fi
    echo "as uid $uid: exit $rc: $msg"
}

# list_engine_available NAME WORD: `dmabench list --format csv` has engine NAME available, its
# detail naming WORD (the driver it found).
list_engine_available() {
    /bin/dmabench list --format csv >/tmp/list.csv 2>&1 || { cat /tmp/list.csv; return 1; }
    grep -q "^engine,$1,.*,available,.*$2" /tmp/list.csv && return 0
    echo "engine $1 not available with $2:"
    grep '^engine,' /tmp/list.csv
    return 1
}

# Whether this dmabench has engine NAME at all (available here or not).
engine_built() {
    /bin/dmabench list --format csv 2>/dev/null | grep -q "^engine,$1,"
}

# cli_expect RC PATTERN ARGS...: `dmabench ARGS` exits with RC and its output matches PATTERN.
cli_expect() {
    want_rc=$1 pattern=$2
    shift 2
    out=$(/bin/dmabench "$@" 2>&1)
    rc=$?
    echo "$out"
    if [ "$rc" != "$want_rc" ] || ! echo "$out" | grep -E -q -- "$pattern"; then
        echo "dmabench $*: exit $rc (want $want_rc), output should match /$pattern/"
        return 1
    fi
}

# run_valid_on HEAPS NAME BENCH ARGS...: `dmabench run BENCH ARGS -o /tmp/NAME` on HEAPS writes
# CSV that validates, every case of every one of HEAPS ok.
run_valid_on() {
    local heaps=$1 out=/tmp/$2 bench=$3
    shift 2
    /bin/dmabench run "$@" --heap "$heaps" --counters default -q -o "$out" ||
        { echo "dmabench run $* --heap $heaps failed"; return 1; }
    /bin/validate_results "$out" --expect-ok "$heaps" --expect-bench "$bench"
}

# run_valid NAME BENCH ARGS...: the same on the stock kernel's real heaps, system and udmabuf.
run_valid() { run_valid_on system,udmabuf "$@"; }

# CONFIG_DMA_API_DEBUG checks every mapping and sync. The lab kernels (coherent and bounce,
# x86-64 and arm64) boot with dma_debug_driver=dmabench-edu (scripts/lab/run-vm.sh): only the DMA
# API use of dmabench's own driver, and what the exporters do for its attachments, is reported,
# each error with a warning (all_errors, set by dma_api_debug_watch before any check). The
# kernel's other drivers are counted but not reported: vgem sets no maximum segment size, and
# every import of a segment over 64 KiB (the system heap's 1 MiB chunks, the dmabuf-heaps
# selftest's buffers) is a DMA-API error of vgem's.
dma_api_debug_clean() {
    local total
    total=$(cat /sys/kernel/debug/dma-api/error_count) || return 1
    echo "DMA-API errors counted on every driver (the others' included): $total"
    if dmesg | grep 'DMA-API: ' | grep -Ev 'preallocated [0-9]+ debug entries|debugging enabled by kernel config|filter'; then
        echo "the DMA API errors above come from dmabench-edu's mappings"
        return 1
    fi
}

# Every DMA-API error of the driver the lab watches warns, not only the first; nothing on a
# kernel without CONFIG_DMA_API_DEBUG.
dma_api_debug_watch() {
    [ -w /sys/kernel/debug/dma-api/all_errors ] && echo 1 >/sys/kernel/debug/dma-api/all_errors
    return 0
}

# A WARN, BUG or oops during the checks is a finding even when every check passed.
kernel_log_clean() {
    if dmesg | grep -E -q 'Call Trace:|BUG:|Oops:|WARNING:'; then
        dmesg | grep -E -B 2 -A 20 'Call Trace:|BUG:|Oops:|WARNING:' | head -n 60
        return 1
    fi
}

# list_names KIND:NAME...: `dmabench list --format csv` has a row for each heap backend
# (heap:BACKEND, any of its heaps) or engine (engine:NAME), available or unavailable with its
# reason: every VM shows every backend, whatever this kernel has.
list_names() {
    local want kind name missing=0
    /bin/dmabench list --format csv >/tmp/list-names.csv 2>&1 || { cat /tmp/list-names.csv; return 1; }
    for want in "$@"; do
        kind=${want%%:*} name=${want#*:}
        if [ "$kind" = heap ]; then
            grep -Eq "^heap,(\"[^\"]*\"|[^,]*),$name,.*,(available,|unavailable,[^,])" /tmp/list-names.csv
        else
            grep -Eq "^engine,$name,.*,(available,|unavailable,[^,])" /tmp/list-names.csv
        fi || { echo "list has no row for $want, available or with its reason"; missing=1; }
    done
    [ "$missing" = 0 ] || cat /tmp/list-names.csv
    [ "$missing" = 0 ]
}
check list-names-every-backend list_names heap:dma-heap heap:udmabuf heap:u-dma-buf \
    heap:drm-dumb heap:v4l2 heap:ion heap:host engine:cpu engine:v4l2 engine:vgem engine:sw_sync \
    engine:edu engine:drm

# Another VM's test set: scripts/lab/run-vm.sh boots the lab and arm64 kernels with
# dmabench.suite=NAME and puts that set in /etc/dmabench/NAME.sh. It runs here, with the helpers
# above, and then ends the run with finish instead of the stock checks below.
finish() {
    status=pass
    [ "$failed" = 0 ] || status=fail
    echo "DMABENCH-VM-RESULT: $status ($passed passed, $failed failed, $not_run not run yet, up $(cut -d" " -f1 /proc/uptime)s)"
    poweroff -f
}
suite=$(sed -n 's/.*dmabench\.suite=\([A-Za-z0-9_-]*\).*/\1/p' /proc/cmdline)
if [ -n "$suite" ]; then
    if [ -f "/etc/dmabench/$suite.sh" ]; then
        . "/etc/dmabench/$suite.sh"
    else
        echo "no /etc/dmabench/$suite.sh in this initramfs for dmabench.suite=$suite"
        check "suite-$suite-present" false
    fi
    finish
fi

check hugepages-reserved hugepages_reserved
check two-numa-nodes two_numa_nodes
check vm-heap-check /bin/vm_heap_check
# Shown once so that the console log tells what dmabench saw, pass or fail.
/bin/dmabench list
check list-system-cached-available list_available system cached
check list-udmabuf-available list_available udmabuf
check nobody-alloc-permission-denied nobody_alloc_permission_denied
check alloc-system-verified cli_expect 0 \
    'heap=system backend=dma-heap class=cached size=1048576B allocated=1048576B .*dmabuf=yes exp_name=system name=vmcheck zeroed=yes verify=ok' \
    alloc --heap system --size 1M --count 4 --name vmcheck
check alloc-udmabuf-hugetlb-on-node1 cli_expect 0 \
    'heap=udmabuf backend=udmabuf class=cached size=4194304B allocated=4194304B page=2MiB .*node=1 dmabuf=yes exp_name=udmabuf' \
    alloc --heap udmabuf --size 4M --page-size 2M --node 1
check alloc-udmabuf-over-size-limit cli_expect 1 \
    'heap udmabuf \(udmabuf\): alloc of 128 MiB .*File too large \(the largest buffer this heap accepts is 64 MiB\)' \
    alloc --heap udmabuf --size 128M
check alloc-system-node-refused cli_expect 1 \
    "heap system \(dma-heap\): alloc .*exporter places its pages itself" \
    alloc --heap system --size 4K --node 1
check run-alloc-real-heaps-valid-csv run_valid run-alloc alloc --size 4K,1M --batch 1,4 \
    --kernel alloc,alloc-touch --reps 3
check run-cpu-real-heaps-valid-csv run_valid run-cpu cpu --size 64K,2M \
    --kernel read,write,copy,fill,chase --reps 3
check kernel-log-clean kernel_log_clean

status=pass
[ "$failed" = 0 ] || status=fail
echo "DMABENCH-VM-RESULT: $status ($passed passed, $failed failed, up $(cut -d" " -f1 /proc/uptime)s)"
poweroff -f
