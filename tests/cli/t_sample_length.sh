#!/bin/bash
# tests/cli/t_sample_length.sh - every repetition of alloc, sync, pipeline and coherency times at
# least the run's floor (metadata min_sample_ns), or its rows' note says why not: read back from
# samples.csv duration_ns and results.csv min_sample_ns and note, as a user would check a run.
# (cpu has its own in its own file.) Sourced by run.sh (functions named test_*).

# sample_floor_check DIR WHY_RE: checks every ok row of the run in DIR; prints what is wrong, one
# line each, nothing when all is well:
# - each sample has a positive duration_ns, and the case's min_sample_ns is the least of them;
# - a case whose min_sample_ns is under the floor has a note matching WHY_RE (extended regex).
# Also prints "reached N short M": ok cases at or above the floor, and noted ones below it.
sample_floor_check() {
    local dir=$1 why_re=$2 floor
    floor=$(csv_columns "$dir/metadata.csv" key value | awk -F, '$1 == "min_sample_ns" {print $2}')
    if ! [ "${floor:-0}" -gt 0 ] 2>/dev/null; then
        echo "metadata min_sample_ns '$floor' is not a positive number"
        return
    fi
    csv_columns "$dir/samples.csv" case_id duration_ns >"$work/floor-durations" || return
    csv_columns "$dir/results.csv" case_id status min_sample_ns note >"$work/floor-rows" || return
    awk -F, -v floor="$floor" -v why="$why_re" '
        FNR == NR {
            if (!($2 > 0)) print "case " $1 ": a sample with duration_ns \"" $2 "\""
            if (!($1 in least) || $2 + 0 < least[$1]) least[$1] = $2 + 0
            next
        }
        $2 != "ok" || seen[$1]++ { next }
        {
            note = $0
            sub(/^[^,]*,[^,]*,[^,]*,/, "", note)
            if (note ~ /^".*"$/) { # RFC 4180 quoting, undone
                note = substr(note, 2, length(note) - 2)
                gsub(/""/, "\"", note)
            }
            m = $3 + 0
            if (!($1 in least)) { print "case " $1 ": no samples"; next }
            if (m < least[$1] * 0.999999 || m > least[$1] * 1.000001)
                print "case " $1 ": min_sample_ns " $3 " is not its least duration_ns " least[$1]
            if (m >= floor) { reached++; next }
            if (note ~ why) { short++; next }
            print "case " $1 ": min_sample_ns " $3 " under the floor " floor ", note: " note
        }
        END { print "reached " reached + 0 " short " short + 0 }' \
        "$work/floor-durations" "$work/floor-rows"
}

# expect_floor DIR WHY_RE MIN_REACHED: no complaint, and at least MIN_REACHED cases at the floor.
expect_floor() {
    local report reached
    report=$(sample_floor_check "$1" "$2")
    if grep -qv '^reached ' <<<"$report"; then
        fail "sample lengths: $(grep -v '^reached ' <<<"$report" | head -3)"
    fi
    reached=$(sed -n 's/^reached \([0-9]*\) short .*/\1/p' <<<"$report")
    [ "${reached:-0}" -ge "$3" ] || fail "only ${reached:-0} cases reached the floor ($report)"
}

# A repetition the machine happened to run faster than the sizing: noted, the next made longer.
SPEED_VARIED='under the 10 ms floor \(speed varied\); more'

test_sample_length_sync() {
    run run sync --heap host --size 4M --region 4K,4M --strategy none,full-user --direction write \
        --reps 3 --counters none -q -o "$work/len-sync"
    expect_rc 0
    "$VALIDATE" "$work/len-sync" >/dev/null || fail "validate_results"
    # none over a 4 MiB region: begin + end are a sliver of each window, capped by wall time.
    expect_floor "$work/len-sync" "sync: (begin \+ end are .* short of the 10 ms floor|a repetition timed .* $SPEED_VARIED windows after it)" 1
    local rows
    rows=$(csv_columns "$work/len-sync/results.csv" strategy region_bytes metric status implementation note |
        grep ',sync_cost,ok,')
    grep -Eq '^none,4194304,sync_cost,ok,none,"sync: begin \+ end are [0-9.e+-]+% of a window \(the rest is the CPU.s own accesses\), so a repetition, capped at 30 ms, times about [0-9.e+-]+ ms, short of the 10 ms floor' <<<"$rows" ||
        fail "none over 4 MiB: the cap's note, $rows"
    grep -q '^none,4096,sync_cost,ok,none,' <<<"$rows" || fail "none over 4 KiB: implementation none"
    # full-user left its instructions to this CPU: the row names those that ran.
    if grep -q '^full-user,' <<<"$rows"; then
        grep -Eq '^full-user,4096,sync_cost,ok,full-user:(clwb|clflushopt|clflush|dc-cvac),' <<<"$rows" ||
            fail "full-user's implementation: $(grep '^full-user,4096' <<<"$rows")"
    fi
}

test_sample_length_pipeline() {
    run run pipeline --heap host --frame nv12:640x480 --pool 1,3 --strategy none --reps 3 \
        --counters none -q -o "$work/len-pipe"
    expect_rc 0
    "$VALIDATE" "$work/len-pipe" >/dev/null || fail "validate_results"
    expect_floor "$work/len-pipe" "pipeline: a repetition (timed .* $SPEED_VARIED frames after it|is capped at)" 1
    # Every row says that frame_latency is per frame, and how many frames a repetition's
    # throughput is over.
    local rows
    rows=$(csv_columns "$work/len-pipe/results.csv" metric status implementation note | grep ',ok,')
    [ "$(grep -c . <<<"$rows")" -eq 6 ] || fail "pipeline rows: $rows"
    if grep -Ev '^[a-z_]+,ok,none,"?pipeline: frame_latency is per frame; throughput is over a repetition.s [0-9]+ frames' <<<"$rows"; then
        fail "a pipeline row without the frame note"
    fi
}

test_sample_length_coherency() {
    run run coherency --heap host --kernel stale,c2c,false-sharing --size 64K --strategy none \
        --engine cpu --reps 3 --counters none -q -o "$work/len-coh"
    expect_rc 0
    "$VALIDATE" "$work/len-coh" >/dev/null || fail "validate_results"
    local stale="stale: a repetition is one probe round; it counts lines and times nothing, so no floor applies"
    # c2c both ways and false-sharing are sized to the floor: one at least reaches it, even on a
    # busy machine (a repetition it runs faster than at sizing is noted).
    local reached=0
    [ "$(nproc)" -ge 2 ] && reached=1
    expect_floor "$work/len-coh" "^($stale|(c2c|false-sharing): a repetition (timed .* $SPEED_VARIED (round trips|increments) after it|is capped at))" "$reached"
    csv_columns "$work/len-coh/results.csv" kernel status implementation note |
        grep -q "^stale,ok,none,\"$stale\"$" || fail "stale's note and implementation"
}

test_sample_length_alloc() {
    run run alloc --heap host --size 4K,1M --batch 1,8 --kernel alloc,alloc-touch --reps 3 \
        --counters none -q -o "$work/len-alloc"
    expect_rc 0
    "$VALIDATE" "$work/len-alloc" >/dev/null || fail "validate_results"
    # Then the heap's memory before and after the case (results/README.md).
    expect_floor "$work/len-alloc" '^alloc: each latency sample is one buffer; a repetition is one batch of [0-9]+, timed buffer by buffer; memory before/after the case: [^;]*; buddyinfo [^;]*; heap page pools [^;]*$' 0
    # The note names each case's own batch.
    if csv_columns "$work/len-alloc/results.csv" batch status note | grep ',ok,' |
        grep -Ev '^([0-9]+),ok,"alloc: .*one batch of \1, timed buffer by buffer; memory before/after the case: [^"]*"$'; then
        fail "an alloc note that does not name its batch"
    fi
    # A repetition's duration is its timed part: the sum of its buffers' alloc and free times.
    local bad
    bad=$(csv_columns "$work/len-alloc/samples.csv" case_id metric rep value duration_ns | awk -F, '
        $2 == "alloc_latency" || $2 == "free_latency" { sum[$1 "/" $3] += $4; dur[$1 "/" $3] = $5 }
        END {
            for (k in sum) {
                n++
                if (dur[k] < sum[k] * 0.999999 || dur[k] > sum[k] * 1.000001)
                    print k ": duration_ns " dur[k] ", allocs and frees " sum[k]
            }
            if (n != 8 * 3) print n " repetitions, expected 24"
        }')
    [ -z "$bad" ] || fail "alloc durations: $bad"
}
