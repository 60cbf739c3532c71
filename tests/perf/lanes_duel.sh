#!/bin/bash
# tests/perf/lanes_duel.sh - measure how the SIMD kernels' loop is built, side by side.
#
# Builds this architecture's kernel file once per set of flags (each copy's table renamed) and
# tests/perf/lanes_duel.c on top, then runs them pass by pass in one process: the ratio of each
# build to the default one is what the comments on CK_STREAMS and CK_PREFETCH_AHEAD in
# workloads/cpu_kernels_impl.h quote. Not part of make check.
#
#   tests/perf/lanes_duel.sh [--kernel copy:nt] [--size 256M] [--rounds 40 (>= 6)] [FLAGS ...]
# FLAGS: one quoted set of -D options per build to compare with the default; without any,
#   "-DCK_COPY_PREFETCH=1" "-DCK_PREFETCH_AHEAD=0" "-DCK_STREAMS=2" "-DCK_STREAMS=1".
set -euo pipefail
cd "$(dirname "$0")/../.."

args=()
flags=()
while [ $# -gt 0 ]; do
    case "$1" in
    --kernel | --size | --rounds) args+=("$1" "$2"); shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -D*) flags+=("$1"); shift ;;
    *) echo "lanes_duel.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ ${#flags[@]} -gt 0 ] ||
    flags=("-DCK_COPY_PREFETCH=1" "-DCK_PREFETCH_AHEAD=0" "-DCK_STREAMS=2" "-DCK_STREAMS=1")

case "$(uname -m)" in
x86_64) arch_file=workloads/cpu_kernels_x86.c ;;
aarch64) arch_file=workloads/cpu_kernels_arm64.c ;;
*) echo "lanes_duel.sh: no SIMD kernels on $(uname -m)" >&2; exit 1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc_flags=(-std=gnu11 -O2 -D_GNU_SOURCE -Iworkloads -Ibench/job -Ibench/measure)
objects=()
: >"$tmp/variants.h"
for i in "${!flags[@]}"; do
    name=lanes_build$i
    # shellcheck disable=SC2086 # one build's -D options, split on purpose
    ${CC:-cc} "${cc_flags[@]}" ${flags[$i]} -Dcpu_kernel_arch_variants=${name}_variants \
        -Dcpu_kernel_arch_count=${name}_count -c "$arch_file" -o "$tmp/$name.o"
    objects+=("$tmp/$name.o")
    printf 'LANES_VARIANT(%s, "%s")\n' "$name" "${flags[$i]}" >>"$tmp/variants.h"
done
${CC:-cc} "${cc_flags[@]}" -DLANES_VARIANTS_H="\"$tmp/variants.h\"" tests/perf/lanes_duel.c \
    workloads/cpu_kernels.c workloads/cpu_kernels_portable.c workloads/cpu_features.c "$arch_file" \
    bench/job/size_units.c bench/measure/stats.c "${objects[@]}" -lm -o "$tmp/lanes_duel"
"$tmp/lanes_duel" "${args[@]}"
