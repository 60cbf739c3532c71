#!/usr/bin/env bash
# scripts/vm/run.sh - boot KERNEL with the dmabench test INITRD under QEMU, show and save the
# console, and pass only when tests/vm/init.sh reported that every check passed.
#
#   usage: scripts/vm/run.sh KERNEL INITRD CONSOLE_LOG
#   DMABENCH_ACCEL=tcg|kvm     force an accelerator (default: KVM when a probe boot works)
#   DMABENCH_VM_TIMEOUT=180    seconds before the VM is killed and the test fails
#   DMABENCH_VM_APPEND=...     extra kernel command line
#   DMABENCH_VM_ARCH=aarch64   boot an arm64 kernel (qemu-system-aarch64 -M virt -cpu max)
#   DMABENCH_VM_NAME=lab       name this VM in the summary lines (vmcheck[lab]: PASS ...)
#   DMABENCH_VM_EDU=BITS       QEMU's edu DMA device (the lab kernel's kernel/dmabench_edu.c)
#                              reaching BITS bits of address (28 to 64), and the driver told the
#                              same: both sides from this one setting, never one without the other
#   DMABENCH_VM_VGA=std        QEMU's -vga (x86_64): std is the Bochs VGA that the lab kernel's
#                              bochs-drm drives (a second DRM card); unset: QEMU's default
#   DMABENCH_VM_ICOUNT=SHIFT   under TCG, -icount shift=SHIFT,sleep=off: the guest's clocks count
#                              instructions (2^SHIFT ns each) and jump over idle time, so that
#                              edu's 100 ms transfers cost no wall time; right for coherency and
#                              correctness, wrong for timings (every duration the guest measures
#                              is an instruction count). Unset or `off`: real-time clocks
set -euo pipefail

[[ $# == 3 ]] || { echo "usage: $0 KERNEL INITRD CONSOLE_LOG" >&2; exit 2; }
kernel=$1 initrd=$2 log=$3
timeout_s=${DMABENCH_VM_TIMEOUT:-180}
cache=${DMABENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabench}
name=vmcheck${DMABENCH_VM_NAME:+[$DMABENCH_VM_NAME]}
# The guest's console, QEMU binary and CPU per architecture: the PC's 8250 UART, the virt
# board's PL011. pauth-impdef: QEMU's own pointer-authentication hash instead of emulating
# QARMA, which costs TCG much of its speed.
case ${DMABENCH_VM_ARCH:-x86_64} in
x86_64) console=ttyS0 qemu_bin=qemu-system-x86_64 board=() cpu=max ;;
aarch64) console=ttyAMA0 qemu_bin=qemu-system-aarch64 board=(-M virt) cpu=max,pauth-impdef=on ;;
*) echo "$0: DMABENCH_VM_ARCH must be x86_64 or aarch64" >&2; exit 2 ;;
esac
append="console=$console panic=-1 quiet ${DMABENCH_VM_APPEND:-}"
# Two NUMA nodes of 512 MiB for the placement tests, each with its own CPU, socket and LLC, as
# on a two-socket machine. Not numa=fake=2: that puts every CPU in both nodes, and hwloc then
# reports a single node. One core per socket: cores that share an LLC across nodes make the
# kernel WARN (topology_sane). 16 hugepages (32 MiB) and the initramfs fit easily.
machine=(-m 1024 -smp "2,sockets=2,cores=1,threads=1"
    -object "memory-backend-ram,id=mem0,size=512M" -numa "node,nodeid=0,cpus=0,memdev=mem0"
    -object "memory-backend-ram,id=mem1,size=512M" -numa "node,nodeid=1,cpus=1,memdev=mem1")

die() { echo "$name: $*" >&2; exit 1; }
[[ -f $kernel ]] || die "no kernel at $kernel"

# The device's DMA mask and the mask its driver claims, together: a device that clamps an
# address the driver believes it can reach writes into the wrong memory without a word.
devices=()
if [[ -n ${DMABENCH_VM_EDU:-} ]]; then
    bits=$DMABENCH_VM_EDU
    [[ $bits =~ ^[0-9]+$ ]] && ((bits >= 28 && bits <= 64)) || die "DMABENCH_VM_EDU must be 28 to 64, not '$bits'"
    mask=0xffffffffffffffff
    ((bits == 64)) || mask=$(printf '0x%x' $(((1 << bits) - 1)))
    devices=(-device "edu,dma_mask=$mask")
    append+=" dmabench_edu.dma_bits=$bits"
fi
if [[ -n ${DMABENCH_VM_VGA:-} ]]; then
    [[ $DMABENCH_VM_VGA =~ ^(std|none)$ ]] || die "DMABENCH_VM_VGA must be std or none, not '$DMABENCH_VM_VGA'"
    devices+=(-vga "$DMABENCH_VM_VGA")
fi
[[ -f $initrd ]] || die "no initramfs at $initrd"
[[ ${DMABENCH_VM_ICOUNT:-off} =~ ^(off|[0-9]|10)$ ]] ||
    die "DMABENCH_VM_ICOUNT must be off or a shift of 0 to 10, not '$DMABENCH_VM_ICOUNT'"

qemu() {
    local accel=$1 limit=$2
    shift 2
    # x86 guests under multi-threaded TCG: the kernel patches its own text (jump labels, e.g.
    # the perf hooks in __schedule when dmabench opens a counter) with int3 + IPI, and MTTCG
    # can let the other vCPU run the half-patched code: "Oops: int3" in __schedule, seen in
    # the cpu run. One TCG thread for both vCPUs rules the race out; the tests lose little,
    # since two vCPUs on a 2-core host were already sharing it with everything else.
    [[ $accel == tcg && $qemu_bin == qemu-system-x86_64 ]] && accel=tcg,thread=single
    local icount=()
    [[ ${accel%%,*} == tcg && ${DMABENCH_VM_ICOUNT:-off} != off ]] &&
        icount=(-icount "shift=$DMABENCH_VM_ICOUNT,sleep=off")
    # No NIC: the tests need no network and iPXE's option ROM costs boot time under TCG.
    # stdin from /dev/null: QEMU must not put the terminal into raw mode or read keystrokes.
    timeout -k 5 "$limit" "$qemu_bin" "${board[@]}" -accel "$accel" -cpu "$cpu" "${machine[@]}" \
        "${icount[@]}" "${devices[@]}" -nographic -no-reboot -nic none -kernel "$kernel" \
        -initrd "$initrd" "$@" </dev/null 2>&1 |
        # Serial output ends lines in CRLF and SeaBIOS clears the screen: keep plain text.
        sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'
}

# /dev/kvm is present on nested cloud VMs where KVM still fails (QEMU aborts setting MSRs, or
# the guest hangs), so only a real boot proves it works. The verdict holds until the host
# reboots or QEMU changes; it is kept so that a broken KVM costs one probe, not one per run.
# Sets accel and why.
choose_accel() {
    case ${DMABENCH_ACCEL:-auto} in
    tcg | kvm) accel=$DMABENCH_ACCEL why="DMABENCH_ACCEL"; return ;;
    auto) ;;
    *) die "DMABENCH_ACCEL must be tcg or kvm, not '$DMABENCH_ACCEL'" ;;
    esac
    if [[ $qemu_bin != qemu-system-$(uname -m) ]]; then
        accel=tcg why="KVM cannot run a ${DMABENCH_VM_ARCH} guest on this $(uname -m) host"
        return
    fi
    if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
        accel=tcg why="no usable /dev/kvm"
        return
    fi
    local key verdict_file=$cache/accel-verdict out
    key="$(cat /proc/sys/kernel/random/boot_id) $("$qemu_bin" --version | head -n1)"
    if [[ -f $verdict_file && $(head -n1 "$verdict_file") == "$key" ]]; then
        accel=$(sed -n 2p "$verdict_file") why="KVM probe verdict cached in $verdict_file"
        return
    fi
    # Captured whole, not piped into grep -q: an early grep exit would SIGPIPE the pipeline.
    out=$(qemu kvm 20 -append "console=$console panic=-1 quiet dmabench.probe" || true)
    if [[ $out == *"DMABENCH-VM-PROBE: ok"* ]]; then
        accel=kvm why="KVM probe boot worked"
    else
        accel=tcg why="KVM probe boot failed: $(grep -m1 -i -E 'error|fail' <<<"$out" || echo no boot)"
    fi
    mkdir -p "$cache"
    printf '%s\n%s\n' "$key" "$accel" >"$verdict_file"
}

choose_accel
mkdir -p "$(dirname "$log")"
clocks=""
[[ $accel == tcg && ${DMABENCH_VM_ICOUNT:-off} != off ]] && clocks=", -icount shift=$DMABENCH_VM_ICOUNT,sleep=off"
echo "$name: booting $kernel under $accel ($why)$clocks${devices[*]:+, ${devices[*]}}, timeout ${timeout_s}s, console in $log"
start=$SECONDS
set +e
qemu "$accel" "$timeout_s" -append "$append" | tee "$log"
rc=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - start))

# Judge from the console: init.sh prints START, one CHECK line per check, then RESULT.
reason=""
result=$(grep -o 'DMABENCH-VM-RESULT: .*' "$log" | tail -n1 || true)
if [[ $rc == 124 || $rc == 137 ]]; then
    last=$(grep -o 'DMABENCH-VM-RUN: .*' "$log" | tail -n1 | cut -d' ' -f2 || true)
    reason="timed out after ${timeout_s}s"
    [[ -z $last ]] || reason+=" during check $last"
elif ! grep -q 'DMABENCH-VM-START:' "$log"; then
    reason="the VM did not boot to /init (qemu exit $rc, no start marker)"
elif [[ -z $result ]]; then
    reason="no result marker: /init died or the kernel panicked (qemu exit $rc)"
elif [[ $result != "DMABENCH-VM-RESULT: pass"* ]]; then
    reason="failed checks: $(grep -o 'DMABENCH-VM-CHECK: fail .*' "$log" | cut -d' ' -f3 | paste -sd' ')"
elif [[ $rc != 0 ]]; then
    reason="qemu exited with $rc after a passing run"
fi

passed=$(grep -c 'DMABENCH-VM-CHECK: pass' "$log" || true)
failed=$(grep -c 'DMABENCH-VM-CHECK: fail' "$log" || true)
# Checks of code that has not landed yet (init.sh's not_run_yet): named, so none passes unseen.
not_run=$(grep -o 'DMABENCH-VM-CHECK: not-run .*' "$log" | cut -d' ' -f3 | paste -sd' ' || true)
echo
if [[ -z $reason ]]; then
    echo "$name: PASS in ${elapsed}s under $accel"
    echo "$name: $passed passed, 0 failed${not_run:+, not run yet: $not_run}"
    exit 0
fi
# The console may have scrolled far away: repeat what failed and how the VM ended.
echo "$name: ---- last 40 console lines ----"
tail -n 40 "$log"
echo "$name: ---- failed ----"
grep -E 'DMABENCH-VM-CHECK: fail|^FAIL ' "$log" || true
echo "$name: FAIL in ${elapsed}s under $accel: $reason (console: $log)"
# A run that never reached its checks still counts as one failure.
echo "$name: $passed passed, $((failed > 0 ? failed : 1)) failed"
exit 1
