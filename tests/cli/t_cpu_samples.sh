#!/bin/bash
# tests/cli/t_cpu_samples.sh - what a cpu row promises: samples as long as the floor, and the
# code that ran. The README says every sample lasts at least 10 ms; an L1-sized read was sized
# from one cold pass and lasted 0.5 ms. Each sample's own duration is in samples.csv, the floor
# in metadata.csv and each row's shortest repetition in results.csv (min_sample_ns).
# Sourced by run.sh (functions named test_*).

# expected_read_kernel: the read kernel dispatch picks on this CPU (cpu_kernels.c's auto_order:
# the widest plain SIMD), from the kernel's view of the CPU flags.
expected_read_kernel() {
    local flags
    flags=" $(grep -m1 -E '^(flags|Features)' /proc/cpuinfo | cut -d: -f2) "
    case "$(uname -m):$flags" in
    x86_64:*" avx512f "*) echo read:avx512 ;;
    x86_64:*" avx2 "*) echo read:avx2 ;;
    x86_64:*" sse2 "*) echo read:sse2 ;;
    aarch64:*" asimd "*) echo read:neon ;;
    *) echo read:c ;;
    esac
}

# An L1-sized, a cache-sized and a DRAM-sized buffer (on most machines), read and chased.
test_cpu_samples_last_the_floor() {
    local dir=$work/cpu-floor floor short
    run run cpu --heap host --size 16K,4M,128M --kernel read,chase --reps 3 --counters none -q \
        -o "$dir"
    expect_rc 0
    floor=$(csv_columns "$dir/metadata.csv" key value | awk -F, '$1 == "min_sample_ns" {print $2}')
    [ "$floor" = 10000000 ] || fail "metadata min_sample_ns is '$floor', the README says 10 ms"
    [ "$(tail -n +2 "$dir/samples.csv" | wc -l)" -eq 18 ] || fail "samples.csv: want 6 cases x 3"
    short=$(csv_columns "$dir/samples.csv" case_id rep duration_ns |
        awk -F, -v floor="$floor" '!($3 >= floor)')
    [ -z "$short" ] || fail "samples shorter than $floor ns: $short"
    short=$(csv_columns "$dir/results.csv" case_id min_sample_ns note |
        awk -F, -v floor="$floor" '!($2 >= floor) || $3 != ""')
    [ -z "$short" ] || fail "rows with a repetition under the floor, or a note: $short"
}

# The row names the code that ran, also when the kernel axis names only the operation.
test_cpu_rows_name_the_dispatched_kernel() {
    local dir=$work/cpu-impl want got
    run run cpu --heap host --size 64K --kernel read,read:c,chase --reps 1 --counters none -q \
        -o "$dir"
    expect_rc 0
    want=$(expected_read_kernel)
    got=$(csv_columns "$dir/results.csv" kernel implementation | paste -sd' ')
    [ "$got" = "read,$want read:c,read:c chase,chase" ] ||
        fail "kernel,implementation: $got (want read,$want first)"
}
