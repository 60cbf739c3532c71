#!/bin/bash
# tests/cli/t_peers.sh - tests/perf/peers.sh against stand-in peers: each fake tool prints what the
# real one prints, with known figures, so that the test checks how peers.sh reads and counts
# them (MiB vs MB, likwid's 2x copy, sysbench's reads per event), which variants it refuses to
# compare (mbw 1.2.2's mcblock, sysbench rnd), and that perf's zero-source memcpy is compared
# with dmabench copying zeros. dmabench itself runs for real at 1 MiB.
# Sourced by run.sh (functions named test_*).

# make_fake_peers DIR: mbw 1.2.2 (per dpkg-query), perf, likwid-bench and sysbench in DIR.
make_fake_peers() {
    local bin=$1
    mkdir -p "$bin"
    cat >"$bin/mbw" <<'EOF'
#!/bin/bash
# mbw -q -n N -tT MiB: N lines "i<TAB>Method: ... Copy: X MiB/s" and an AVG line.
n=10 test=0
while [ $# -gt 1 ]; do
    case $1 in -n) n=$2; shift 2 ;; -t*) test=${1#-t}; shift ;; *) shift ;; esac
done
if [ "$test" = 2 ]; then method=MCBLOCK speed=9000.000; else method=MEMCPY speed=800.000; fi
for ((i = 0; i < n; i++)); do
    printf '%d\tMethod: %s\tElapsed: 0.00100\tMiB: %s.00000\tCopy: %s MiB/s\n' $i $method "$1" $speed
done
printf 'AVG\tMethod: %s\tElapsed: 0.00100\tMiB: %s.00000\tCopy: %s MiB/s\n' $method "$1" $speed
EOF
    cat >"$bin/dpkg-query" <<'EOF'
#!/bin/bash
[ "${*: -1}" = mbw ] && { printf '1.2.2-1.1'; exit 0; }
exit 1
EOF
    cat >"$bin/perf" <<'EOF'
#!/bin/bash
# perf bench --format=simple mem memcpy|memset ... -f FUNCTION: bytes/s after the headers.
fn=${*: -1}
echo "# Running 'mem/$4' benchmark:"
echo "# function '$fn' (stand-in)"
case $4/$fn in
memcpy/x86-64-movsb) echo 6000000000.000000 ;;
memcpy/*) echo 5000000000.000000 ;;
*) echo 4000000000.000000 ;;
esac
EOF
    cat >"$bin/likwid-bench" <<'EOF'
#!/bin/bash
# likwid-bench -s S -t KERNEL -w ...: MByte/s (1e6 bytes; copy counts load and store).
case $4 in copy*) v=3000.00 ;; load*) v=2500.00 ;; *) v=2000.00 ;; esac
printf 'Cycles:\t\t\t1000\nMByte/s:\t\t%s\n' $v
EOF
    cat >"$bin/sysbench" <<'EOF'
#!/bin/bash
# sysbench memory ... run: seq modes print MiB/sec, rnd mode the total time.
case "$*" in
*access-mode=rnd*) echo "    total time:                          0.5000s" ;;
*) echo "1024.00 MiB transferred (2000.00 MiB/sec)" ;;
esac
EOF
    chmod +x "$bin"/*
}

# run_peers ARGS...: tests/perf/peers.sh with the fake peers first on PATH.
run_peers() {
    make_fake_peers "$work/peers-bin"
    run_program env PATH="$work/peers-bin:$PATH" DMABENCH="$DMABENCH" tests/perf/peers.sh "$@"
}

test_peers_counts_and_refuses_unlike_variants() {
    local dir=$work/peers-out
    rm -rf "$dir"
    run_peers --size 1M --threads 1 --survey 1 --rounds 6 --side run -o "$dir"
    expect_rc 0
    local csv=$dir/peers.csv raw=$dir/peers_raw.csv
    [ -s "$csv" ] || { fail "no $csv"; return; }
    row() { awk -F, -v op="$1" -v tool="$2" '$1 == op && $2 == 1 && $4 == tool' "$csv"; }
    # MiB/s to bytes/s; likwid's MByte/s is 1e6 and its copy counts both streams: halved.
    [ "$(row copy mbw | cut -d, -f5,6)" = "memcpy,8.38861e+08" ] ||
        fail "mbw memcpy: $(row copy mbw)"
    [ "$(row copy likwid | cut -d, -f6)" = 1.5e+09 ] || fail "likwid copy: $(row copy likwid)"
    [ "$(row read likwid | cut -d, -f6)" = 2.5e+09 ] || fail "likwid load: $(row read likwid)"
    [ "$(row read sysbench | cut -d, -f6)" = 2.09715e+09 ] || fail "sysbench: $(row read sysbench)"
    # sysbench 1.0 loads one 8-byte size_t per access: 0.5 s over 1 MiB / 8 reads.
    [ "$(row latency sysbench | cut -d, -f5,6)" = "rnd-read*,3814.7" ] ||
        fail "sysbench rnd-read: $(row latency sysbench)"
    # mbw 1.2.2's mcblock never advances its source: surveyed, marked, never in the duel.
    grep -q '^survey,1,mbw,mcblock\*\*,copy,1,' "$raw" || fail "mcblock** not surveyed"
    ! grep -q '^duel,.*,mbw,mcblock' "$raw" || fail "mcblock** was duelled"
    # perf memcpy copies zeros: it is copy0, against dmabench on a zero source, never copy.
    [ "$(row copy0 perf | cut -d, -f5,6)" = "memcpy-x86-64-movsb,6e+09" ] ||
        fail "perf copy0: $(row copy0 perf)"
    [ -n "$(row copy0 dmabench)" ] || fail "no dmabench copy0 row"
    [ -z "$(row copy perf)" ] || fail "perf memcpy compared with a nonzero source"
    [ -n "$(row copy0 perf | cut -d, -f10)" ] || fail "no copy0 ratio: $(row copy0 perf)"
    # 6 rounds: the 95% interval of the median ratio is [min, max] (96.9%); dmabench is far
    # faster than the stand-ins, so the 0.95 bar is met.
    [ "$(row copy likwid | cut -d, -f11,12)" = "$(row copy likwid | cut -d, -f13,14)" ] ||
        fail "copy CI is not [min, max]: $(row copy likwid)"
    [ "$(row copy likwid | cut -d, -f15,16)" = 0.95,met ] || fail "bar: $(row copy likwid)"
    # The table: the best like-for-like peer per row, none for latency.
    expect_out '^copy +1 .* met vs likwid copy_'
    expect_out '^copy0 +1 .* vs perf memcpy-x86-64-movsb$'
    expect_out '^read +1 .* vs likwid load'
    expect_out '^latency +1 .*rnd-read\* .*- \(no like-for-like peer\)$'
    expect_out '^\*\* mbw mcblock \(mbw < 1\.4\) copies one 256 KiB source block'
}

test_peers_bad_options() {
    run_peers --side sideways -o "$work/peers-bad"
    expect_rc 2
    expect_err 'side must be auto, run or driver'
    run_peers --frobnicate
    expect_rc 2
    expect_err 'unknown option --frobnicate'
    run_peers --rounds 0
    expect_rc 2
    expect_err 'take a count >= 1'
    run_peers --bar high
    expect_rc 2
    expect_err "--bar takes a ratio such as 0.95, not 'high'"
}
