#!/bin/bash
# tests/host/run.sh - timing checks on this host that dmabench's figures mean what they say.
#
# The native build ($DMABENCH), since ASan instruments every load, against reference programs
# ($CHASE_LAP). The host may be shared and noisy: a check compares figures taken seconds apart,
# as medians, and passes when one of three attempts meets its bound; each attempt's figures are
# printed. Defines test_* functions like the CLI tests; ends with "host: N passed, M failed, K
# skipped" (a check this host cannot run, e.g. a cache too large for its memory, says why).
set -u
here=$(dirname "$0")
# shellcheck source=tests/cli/lib.sh
. "$here/../cli/lib.sh"
CHASE_LAP=$(realpath "${CHASE_LAP:?tests/host/chase_lap, built (make hostcheck)}")
DMABENCH=$(realpath "$DMABENCH")

# llc_kib: the largest data or unified cache of CPU 0 in KiB, from sysfs (what hwloc reads).
llc_kib() {
    local d size kib best=0
    for d in /sys/devices/system/cpu/cpu0/cache/index*; do
        if [ ! -r "$d/size" ] || [ "$(cat "$d/type")" = Instruction ]; then
            continue
        fi
        size=$(cat "$d/size")
        case $size in
        *K) kib=${size%K} ;;
        *M) kib=$((${size%M} * 1024)) ;;
        *G) kib=$((${size%G} * 1024 * 1024)) ;;
        *) kib=$((size / 1024)) ;;
        esac
        [ "$kib" -gt "$best" ] && best=$kib
    done
    [ "$best" -gt 0 ] && echo "$best"
}

# skip REASON: the test cannot run here; it counts as neither passed nor failed.
skip() {
    echo "SKIP $current: $*"
    skipped=$((skipped + 1))
    ok=0
}
skipped=0

# chase_median DIR KIB: the median chase latency (ns) of size KIB in the run in DIR.
chase_median() {
    csv_columns "$1/results.csv" size_bytes median | awk -F, -v b=$(($2 * 1024)) '$1 == b {print $2}'
}

# The chase must reach what its size names. Every sample used to restart at the cycle's first
# line and reload the same ~2 MiB, which stayed cached: 1 GiB read about half its DRAM latency.
# So: the latency at 64x the last-level cache is at least the latency at 4x (within 5%), and
# the samples' median at >= 1 GiB is within 10% of one whole lap of a fresh buffer (its median
# stretch), measured just before and just after: within 10% of the range the two laps span,
# since a neighbour's load can move both figures between them.
test_chase_misses_the_cache_beyond_it() {
    local llc small large lap avail sizes attempt dir ref1 ref2 figures verdict
    llc=$(llc_kib) || {
        fail "no cache size for CPU 0 under /sys/devices/system/cpu/cpu0/cache"
        return
    }
    avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    small=$((4 * llc))
    large=$((64 * llc))
    # At most 2 GiB, and a quarter of the free memory: the buffer is built and walked in seconds.
    [ "$large" -gt $((2 << 20)) ] && large=$((2 << 20))
    [ "$large" -gt $((avail / 4)) ] && large=$((avail / 4 / 1024 * 1024))
    if [ "$small" -ge "$large" ]; then
        skip "4x a cache of $llc KiB is more than the $large KiB this host can spare"
        return
    fi
    lap=$((1 << 20))
    [ "$lap" -lt "$small" ] && lap=$small
    [ "$lap" -gt "$large" ] && lap=$large
    sizes=$(printf '%sK\n' "$small" "$lap" "$large" | uniq | paste -sd,)
    for attempt in 1 2 3; do
        dir=$work/chase$attempt
        ref1=$("$CHASE_LAP" $((lap * 1024)) | awk '{print $4}')
        run run cpu --heap host --kernel chase --size "$sizes" --reps 9 --counters none -q -o "$dir"
        ref2=$("$CHASE_LAP" $((lap * 1024)) | awk '{print $4}')
        if [ "$rc" -ne 0 ] || [ -z "$ref1" ] || [ -z "$ref2" ]; then
            fail "dmabench exit $rc, or no reference lap ($ref1, $ref2)"
            return
        fi
        figures=$(printf '%s %s %s %s %s' "$(chase_median "$dir" "$small")" \
            "$(chase_median "$dir" "$large")" "$(chase_median "$dir" "$lap")" "$ref1" "$ref2")
        verdict=$(awk -v llc="$llc" -v small="$small" -v large="$large" -v lap="$lap" '{
            lo = $4 < $5 ? $4 : $5
            hi = $4 < $5 ? $5 : $4
            printf "LLC %d KiB: %d KiB %.1f ns, %d KiB %.1f ns (%.2fx); %d KiB: samples %.1f ns, laps %.1f and %.1f ns",
                llc, small, $1, large, $2, $2 / $1, lap, $3, $4, $5
            print ($1 > 0 && $2 >= 0.95 * $1 && $3 >= 0.9 * lo && $3 <= 1.1 * hi) ? ": ok" : ": missed"
        }' <<<"$figures")
        echo "  chase attempt $attempt: $verdict"
        [[ $verdict == *": ok" ]] && return
    done
    fail "the chase's latency beyond the cache is not what a whole lap measures (figures above)"
}

for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "host: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
