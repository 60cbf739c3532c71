#!/bin/bash
# tests/valgrind/run.sh - short `dmabench` runs under valgrind memcheck: no error, no leak.
#
# The native binary (ASan and valgrind do not mix): list, alloc, a run of alloc and cpu with
# threads and counters, one of sync, pipeline and coherency, runs with injected faults (every
# error path frees what it took), and a resume of a run cut short. Suppressions (dmabench.supp) cover only libgomp's thread pool.
# Ends with "reliability: N passed, M failed".
set -u
DMABENCH=${DMABENCH:?the native dmabench}
VALIDATE=${VALIDATE:?validate_results}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

vg() {
    valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --suppressions="$here/dmabench.supp" \
        --log-file="$work/vg.log" "$DMABENCH" "$@" >"$work/out" 2>"$work/err"
}

# check NAME EXPECTED-RC ARGS...: one valgrind run; the exit code must be EXPECTED-RC (99 is
# valgrind's own: an error or a leak).
check() {
    local name=$1 want=$2
    shift 2
    vg "$@"
    local rc=$?
    if [ "$rc" -eq "$want" ] && ! grep -q . "$work/vg.log"; then
        echo "PASS valgrind $name"
        passed=$((passed + 1))
    else
        echo "FAIL valgrind $name: exit $rc, expected $want"
        head -60 "$work/vg.log" "$work/err"
        failed=$((failed + 1))
    fi
}

# Both benchmarks, every kernel kind, two threads, the default counters (skipped rows where
# there is no PMU): the paths a real run takes.
cat >"$work/job.ini" <<'INI'
[global]
heap = host
size = 64K
reps = 2
time-budget = 1

[alloc]
bench = alloc
batch = 2
kernel = alloc,alloc-touch

[cpu]
bench = cpu
threads = 1,2
kernel = read,copy,chase
INI
# The cache-maintenance benchmarks, with their own thread pairs and the cpu engine's thread:
# small, since valgrind runs threads one at a time.
cat >"$work/job2.ini" <<'INI'
[global]
heap = host
reps = 2
time-budget = 1

[sync]
bench = sync
size = 64K
strategy = none,partial-user,full-user
direction = write,read
region = 4K

[pipeline]
bench = pipeline
format = rgb24:64x64
pool = 1,2
strategy = none,full-user
engine = cpu

[coherency]
bench = coherency
kernel = stale,false-sharing,fence
size = 4K
strategy = none,full-user
engine = cpu,vgem
INI
check list 0 list
check alloc 0 alloc --heap host --size 64K --count 2
check run 0 run -j "$work/job.ini" -q -o "$work/run"
"$VALIDATE" "$work/run" >/dev/null || { echo "FAIL valgrind run: output invalid"; failed=$((failed + 1)); }
check run-sync-pipeline-coherency 0 run -j "$work/job2.ini" -q -o "$work/run2"
"$VALIDATE" "$work/run2" >/dev/null ||
    { echo "FAIL valgrind run-sync-pipeline-coherency: output invalid"; failed=$((failed + 1)); }
DMABENCH_FAULT=submit:3:EIO,sync:2:EINTR \
    check faults-engine-sync 1 run -j "$work/job2.ini" --counters none -q -o "$work/faults2"
DMABENCH_FAULT=alloc:2:ENOMEM,mmap:2:EBUSY,sync:1:EINTR \
    check faults 1 run -j "$work/job.ini" --counters none -q -o "$work/faults"
# A run cut inside a row (power loss), resumed.
cp -r "$work/run" "$work/cut"
rm -f "$work/cut/.dmabench.lock"
grep -v '^[0-9]*,end_time,' "$work/run/metadata.csv" >"$work/cut/metadata.csv"
truncate -s $(($(stat -c %s "$work/cut/results.csv") / 2)) "$work/cut/results.csv"
check resume 0 run --resume "$work/cut" -q
"$VALIDATE" "$work/cut" >/dev/null || { echo "FAIL valgrind resume: output invalid"; failed=$((failed + 1)); }

echo "reliability: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
