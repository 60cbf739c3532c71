#!/bin/bash
# bench/peers.sh - dmabench's CPU kernels side by side with the tools a user would reach for.
#
# Installs (Debian, as root, only what is missing) perf bench mem (linux-perf), mbw, likwid-bench
# (likwid) and sysbench, runs them and dmabench on this machine at one buffer size with 1 and 2
# threads, in rounds that interleave the tools (the machine is noisy), and prints read, write and
# copy bandwidth and random-read latency: dmabench's best kernel against each peer's best
# variant, with the ratio's median and spread over the rounds. Writes the same table as CSV.
#
#   bench/peers.sh [--size 256M] [--threads 1,2] [--rounds 5] [--side auto|run|driver] [-o DIR]
#   DMABENCH=path/to/dmabench bench/peers.sh         (default ./dmabench)
#
# --side run     `dmabench run cpu --heap host ...` and its results.csv
# --side driver  tests/perf/kernel_bench.c, built here from the same workloads/ sources with the
#                native build's flags, for trees where `dmabench run` does not exist yet
# --side auto    run when `dmabench help` lists it, else driver (the default)
#
# How bytes are counted, the same for every tool (bytes/s; GB = 1e9 bytes on screen):
#   read   bytes loaded once.              likwid load*: its data volume; sysbench: MiB read
#   write  bytes stored once (no write-allocate traffic counted). likwid store*; perf memset
#   copy   bytes copied once, i.e. the destination's size, as mbw and perf bench mem count it;
#          likwid-bench copy* counts the load and the store (2x): halved here
#   latency ns per load. dmabench: a dependent random pointer chase over every cache line of
#          the buffer. No Debian peer measures dependent-load latency (lmbench and tinymembench
#          are not in Debian 12; perf bench mem, mbw and likwid-bench have no chase): the only
#          random-read figure is sysbench's rnd mode, whose loads are independent and overlap,
#          so it gives time per random read, not latency, and its ratio is not a like-for-like
#          comparison. It is printed, marked, so that no one mistakes one for the other.
# Data: perf bench mem memcpy copies a zeroed source and memset writes the loop index (zero in
# the first pass); some hosts take a faster path for full lines of zeros, which flatters perf,
# never dmabench: its write pattern and fill byte are not zero.
set -euo pipefail

size_text=256M
threads_list=1,2
rounds=5
side=auto
out=
DMABENCH=${DMABENCH:-./dmabench}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --size) size_text=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --side) side=$2; shift 2 ;;
    -o | --output) out=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "peers.sh: unknown option $1" >&2; usage ;;
    esac
done

cd "$(dirname "$0")/.."
out=${out:-results/peers-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"

# Sizes as bytes: 256M, 256MiB, 1G, 4096.
to_bytes() {
    local v=${1%B}
    v=${v%i}
    case "$v" in
    *K) echo $((${v%K} << 10)) ;;
    *M) echo $((${v%M} << 20)) ;;
    *G) echo $((${v%G} << 30)) ;;
    *) echo "$v" ;;
    esac
}
size=$(to_bytes "$size_text")
IFS=, read -r -a threads <<<"$threads_list"

# --- peers: install what is missing ---------------------------------------------------------
# tool -> Debian package that ships it.
declare -A package=([perf]=linux-perf [mbw]=mbw [likwid-bench]=likwid [sysbench]=sysbench)
missing=()
for tool in perf mbw likwid-bench sysbench; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${package[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "peers: installing ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >&2
    else
        echo "peers: not root; without ${missing[*]} their columns stay empty" \
            "(sudo apt-get install ${missing[*]})" >&2
    fi
fi
have() { command -v "$1" >/dev/null 2>&1; }

# --- the dmabench side ----------------------------------------------------------------------
dmabench_kernels=read:sse2,read:avx2,read:avx512,read:neon,read:ntload
dmabench_kernels+=,write:sse2,write:avx2,write:avx512,write:neon,write:nt,fill:libc,fill:nt
dmabench_kernels+=,copy:libc,copy:sse2,copy:avx2,copy:avx512,copy:neon,copy:nt,copy:ntload,chase

if [ "$side" = auto ]; then
    if [ -x "$DMABENCH" ] && "$DMABENCH" help 2>&1 | grep -qE '^[[:space:]]*dmabench run'; then
        side=run
    else
        side=driver
    fi
fi
case "$side" in
run) echo "peers: dmabench side: $DMABENCH run cpu" >&2 ;;
driver)
    driver=$out/kernel_bench
    # Same flags as the native build's objects (Makefile: -std=gnu11 -O2 -fopenmp).
    ${CC:-cc} -std=gnu11 -O2 -g -fopenmp -D_GNU_SOURCE -Iworkloads \
        tests/perf/kernel_bench.c workloads/*.c -o "$driver"
    echo "peers: dmabench side: tests/perf/kernel_bench (standalone driver)" >&2
    ;;
*) echo "peers.sh: --side must be auto, run or driver" >&2; exit 2 ;;
esac

raw=$out/peers_raw.csv
echo "round,tool,variant,op,threads,metric,unit,value" >"$raw"
emit() { # round tool variant op threads metric unit value
    local IFS=,
    echo "$*" >>"$raw"
}

# Reads a tidy CSV (header names: kernel, threads, metric, unit, median) from stdin and emits
# one row per kernel; quoted fields are honoured.
emit_dmabench_csv() {
    local round=$1
    awk -v round="$round" '
    function split_csv(line, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (q) {
                if (c == "\"" && substr(line, i + 1, 1) == "\"") { cur = cur c; i++ }
                else if (c == "\"") q = 0
                else cur = cur c
            } else if (c == "\"") q = 1
            else if (c == ",") { f[++n] = cur; cur = "" }
            else cur = cur c
        }
        f[++n] = cur
        return n
    }
    NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
    {
        split_csv($0, f)
        k = f[col["kernel"]]; m = f[col["metric"]]
        if (m == "bandwidth") { op = k; sub(/:.*/, "", op); if (op == "fill") op = "write" }
        else if (m == "latency") op = "latency"
        else next
        printf "%s,dmabench,%s,%s,%s,%s,%s,%s\n", round, k, op, f[col["threads"]], m,
            f[col["unit"]], f[col["median"]]
    }'
}

run_dmabench() {
    local round=$1
    if [ "$side" = driver ]; then
        "$driver" --size "$size" --threads "$threads_list" --kernels "$dmabench_kernels" \
            --reps 15 --chase-steps 1000000 2>/dev/null | emit_dmabench_csv "$round" >>"$raw" || true
    else
        local dir=$out/dmabench-round$round
        "$DMABENCH" run cpu --heap host --size "$size" --threads "$threads_list" \
            --kernel "$dmabench_kernels" -o "$dir" >&2
        emit_dmabench_csv "$round" <"$dir/results.csv" >>"$raw"
    fi
}

median_of_lines() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

# mbw: single-threaded; one line per iteration ("Copy: 8853.5 MiB/s"), the median of them.
run_mbw() {
    local round=$1 method test
    have mbw || return 0
    for test in 0 2; do
        method=$([ $test = 0 ] && echo memcpy || echo mcblock)
        mbw -q -n 10 -t$test $((size >> 20)) 2>/dev/null |
            awk '$1 ~ /^[0-9]+$/ {for (i = 1; i <= NF; i++) if ($i == "Copy:") print $(i + 1) * 1048576}' |
            median_of_lines | while read -r v; do emit "$round" mbw "$method" copy 1 bandwidth bytes/s "$v"; done ||
            true
    done
}

# perf bench mem: single-threaded; --format=simple prints bytes/s after each "# function" line.
run_perf() {
    local round=$1 what op
    have perf || return 0
    for what in memcpy memset; do
        op=$([ $what = memcpy ] && echo copy || echo write)
        perf bench --format=simple mem $what -s "${size}B" -l 10 -f all 2>/dev/null |
            awk '/^# function/ {f = $3; gsub(/\047/, "", f); next} /^[0-9.]+$/ && f != "" {print f, $1}' |
            while read -r f v; do emit "$round" perf "$what-$f" "$op" 1 bandwidth bytes/s "$v"; done ||
            true
    done
}

# likwid-bench: -w S0:<bytes>B:<threads>, its size is the total of all streams (so copy gets
# twice the buffer to move one buffer's worth); MByte/s is 1e6 bytes, copy counts 2x.
run_likwid() {
    local round=$1 t k op ws scale v
    have likwid-bench || return 0
    for t in "${threads[@]}"; do
        # The variants that can be its best here (scalar and SSE loads beat the AVX ones on
        # some cores); -s 0.3: at least 0.3 s and 10 passes each, instead of its 1 s default.
        for k in load load_sse load_avx load_avx512 load_mem \
            store_avx512 store_mem_sse store_mem_avx store_mem_avx512 \
            copy_avx512 copy_mem_sse copy_mem_avx copy_mem_avx512; do
            case $k in
            load*) op=read ws=$size scale=1 ;;
            store*) op=write ws=$size scale=1 ;;
            copy*) op=copy ws=$((2 * size)) scale=0.5 ;;
            esac
            v=$(likwid-bench -s 0.3 -t "$k" -w "S0:${ws}B:$t" 2>/dev/null |
                awk -v s=$scale '/^MByte\/s:/ {print $2 * 1e6 * s}') || true
            [ -n "$v" ] && emit "$round" likwid "$k" "$op" "$t" bandwidth bytes/s "$v"
        done
    done
}

# sysbench memory: seq read/write (scalar int loops) as bandwidth; rnd read as ns per read:
# total time x threads / reads, with reads = total size / 4 (it reads one int per access).
run_sysbench() {
    local round=$1 t oper total v
    have sysbench || return 0
    for t in "${threads[@]}"; do
        for oper in read write; do
            total=$((size * 4 * t))
            v=$(sysbench memory --threads="$t" --memory-block-size="$size" \
                --memory-total-size="$total" --memory-oper=$oper --memory-access-mode=seq run \
                2>/dev/null | sed -n 's/.*transferred (\([0-9.]*\) MiB\/sec).*/\1/p') || true
            [ -n "$v" ] && emit "$round" sysbench "seq-$oper" "$oper" "$t" bandwidth bytes/s \
                "$(awk -v v="$v" 'BEGIN {printf "%.0f", v * 1048576}')"
        done
        total=$((size * t))
        v=$(sysbench memory --threads="$t" --memory-block-size="$size" \
            --memory-total-size="$total" --memory-oper=read --memory-access-mode=rnd run \
            2>/dev/null | sed -n 's/^ *total time: *\([0-9.]*\)s.*/\1/p') || true
        [ -n "$v" ] && emit "$round" sysbench "rnd-read*" latency "$t" latency ns \
            "$(awk -v v="$v" -v s="$size" -v t="$t" 'BEGIN {printf "%.3f", v * 1e9 * t / (s * t / 4)}')"
    done
}

for ((r = 1; r <= rounds; r++)); do
    echo "peers: round $r of $rounds" >&2
    # A different order each round, so that no tool always runs right after the same one.
    order=(dmabench mbw perf likwid sysbench)
    shift_by=$(((r - 1) % ${#order[@]}))
    for ((i = 0; i < ${#order[@]}; i++)); do
        "run_${order[(i + shift_by) % ${#order[@]}]}" "$r"
    done
done

# --- summary: per op and thread count, dmabench's best kernel against each peer ---------------
# A variant's figure is its median over rounds; each tool is represented by its best variant;
# a ratio is taken round by round (dmabench / peer for bandwidth, peer / dmabench for latency,
# so >= 1 means dmabench is at least as good) and summarised as median [min, max].
summary=$out/peers.csv
awk -F, -v csv="$summary" '
function median(arr, n,    i, j, t) {
    for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
function better(a, b, lat) { return lat ? a < b : a > b }
NR == 1 { next }
{
    round = $1; tool = $2; var = $3; op = $4; thr = $5
    key = op SUBSEP thr SUBSEP tool SUBSEP var
    val[key, round] = $8; keys[key] = 1; nr[key]++
    if (!(op SUBSEP thr in seen)) { seen[op SUBSEP thr] = 1; ot[++not] = op SUBSEP thr }
    unit[op] = $7; if (round > maxround) maxround = round
    tools[tool] = 1
}
END {
    ntools = split("dmabench mbw perf likwid sysbench", tl, " ")
    print "op,threads,unit,tool,variant,median,min,max,rounds,ratio_median,ratio_min,ratio_max" > csv
    printf "%-8s %-3s  %-24s %-24s %-24s %-24s %-24s  %s\n", "op", "thr", "dmabench", "mbw", "perf bench mem", "likwid-bench", "sysbench", "dmabench / best peer: median [min, max]"
    for (o = 1; o <= not; o++) {
        split(ot[o], p, SUBSEP); op = p[1]; thr = p[2]; lat = op == "latency"
        # each tool: its best variant by median over rounds
        for (t = 1; t <= ntools; t++) {
            tool = tl[t]; bestv[tool] = ""; bestm[tool] = ""
            for (key in keys) {
                split(key, k, SUBSEP)
                if (k[1] != op || k[2] != thr || k[3] != tool) continue
                n = 0; for (r = 1; r <= maxround; r++) if ((key, r) in val) a[++n] = val[key, r] + 0
                m = median(a, n); mn = a[1]; mx = a[n]
                if (bestv[tool] == "" || better(m, bestm[tool], lat)) {
                    bestv[tool] = k[4]; bestm[tool] = m; bestmin[tool] = mn; bestmax[tool] = mx; bestn[tool] = n
                }
            }
        }
        # best peer, and the ratio round by round against each peer
        peer = ""
        for (t = 2; t <= ntools; t++) if (bestv[tl[t]] != "" && (peer == "" || better(bestm[tl[t]], bestm[peer], lat))) peer = tl[t]
        for (t = 1; t <= ntools; t++) {
            tool = tl[t]; rmed[tool] = ""; if (bestv[tool] == "") continue
            n = 0
            if (bestv["dmabench"] != "" && tool != "dmabench")
                for (r = 1; r <= maxround; r++) {
                    dk = op SUBSEP thr SUBSEP "dmabench" SUBSEP bestv["dmabench"]; pk = op SUBSEP thr SUBSEP tool SUBSEP bestv[tool]
                    if (((dk, r) in val) && ((pk, r) in val) && val[dk, r] > 0 && val[pk, r] > 0)
                        a[++n] = lat ? val[pk, r] / val[dk, r] : val[dk, r] / val[pk, r]
                }
            if (n) { rmed[tool] = median(a, n); rmin[tool] = a[1]; rmax[tool] = a[n] }
            printf "%s,%s,%s,%s,%s,%.6g,%.6g,%.6g,%d,%s,%s,%s\n", op, thr, unit[op], tool, bestv[tool], bestm[tool], bestmin[tool], bestmax[tool], bestn[tool], n ? sprintf("%.3f", rmed[tool]) : "", n ? sprintf("%.3f", rmin[tool]) : "", n ? sprintf("%.3f", rmax[tool]) : "" >> csv
        }
        line = sprintf("%-8s %-3s ", op, thr)
        for (t = 1; t <= ntools; t++) {
            tool = tl[t]
            if (bestv[tool] == "") cell = "-"
            else if (lat) cell = sprintf("%.1f ns %s", bestm[tool], bestv[tool])
            else cell = sprintf("%.2f GB/s %s", bestm[tool] / 1e9, bestv[tool])
            line = line sprintf(" %-24s", cell)
        }
        if (peer != "" && rmed[peer] != "")
            line = line sprintf("  %.2f [%.2f, %.2f] vs %s %s", rmed[peer], rmin[peer], rmax[peer], peer, bestv[peer])
        print line
    }
    print ""
    print "GB/s = 1e9 bytes/s; copy counts bytes copied once (likwid-bench copy halved); write includes fill (memset)."
    print "* sysbench rnd-read is time per independent random 4-byte read (loads overlap): not a latency;"
    print "  dmabench chase is dependent-load latency. No Debian peer measures the latter."
    printf "%d rounds; raw figures in %s, this table in %s\n", maxround, FILENAME, csv
}' "$raw"
