#!/bin/bash
# tests/perf/history_bench.sh - how long `dmabench history` takes over 1,000 runs of the quick
# job, on one core (issue 14 asks for under 10 s; README.md, "dmabench history", has the figure).
#
# Lays out a tree as `dmabench run` does (TREE/BOARD/RUN_ID/) of N copies of one real quick run:
# each run's medians perturbed by seeded 2% noise (awk), with a 10% step from run 0.7 N on in
# every K-th results row (--step-every K; 1, the default, is the worst case: a change point in
# every series, each costing the search its full permutations), its own run_id and start_time one minute apart (each 8 s long), and the run's
# samples.csv.
# Then times `taskset -c 0 dmabench history --format csv TREE` (best of --repeat) and checks
# that it read every run and found the step.
#
#   tests/perf/history_bench.sh [--runs N] [--repeat R] [--step-every K] [--keep] [RUN_DIR]
#   DMABENCH=path/to/dmabench tests/perf/history_bench.sh    (default ./dmabench, the -O2 build)
# RUN_DIR: a quick run to copy (default: the newest results/*/*/ holding results.csv, else a
# fresh `dmabench run -j quick` into the scratch directory, about ten seconds).
# `make history-bench` runs it with the native build.
set -eu
DMABENCH=$(realpath "${DMABENCH:-./dmabench}")
runs=1000 repeat=3 keep=0 src="" every=1
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --step-every) every=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "history_bench: unknown option $1" >&2; exit 2 ;;
    *) src=$1; shift ;;
    esac
done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/history-bench.XXXXXX")
[ "$keep" -eq 1 ] || trap 'rm -rf "$scratch"' EXIT

if [ -z "$src" ]; then
    src=$(ls -t results/*/*/results.csv 2>/dev/null | head -1 | xargs -r dirname)
fi
if [ -z "$src" ]; then
    echo "history_bench: no run under results/: making one (dmabench run -j quick)"
    "$DMABENCH" run -j quick -q -o "$scratch/src" >/dev/null
    src=$scratch/src
fi
for f in results.csv samples.csv metadata.csv; do
    [ -f "$src/$f" ] || { echo "history_bench: $src/$f: missing" >&2; exit 2; }
done

tree=$scratch/tree
board=benchboard
echo "history_bench: $runs copies of $src ($(du -sh "$src" | cut -f1) each) in $tree/$board/"
start=$(date +%s.%N)
# One awk writes every copy's results.csv and metadata.csv: run i is one minute after i - 1.
awk -v runs="$runs" -v every="$every" -v tree="$tree/$board" -v board="$board" -v res="$src/results.csv" \
    -v meta="$src/metadata.csv" '
function stamp(i,   m, h, d) { m = i % 60; h = int(i / 60) % 24; d = int(i / 1440) + 1
    return sprintf("2027-01-%02dT%02d:%02d:00.000Z", d, h, m) }
function runid(i) { s = stamp(i); gsub(/[-:]/, "", s); sub(/\.000/, "", s); return s }
BEGIN {
    FS = ","; OFS = ","; srand(14)
    while ((getline line < res) > 0) rows[nr++] = line
    while ((getline line < meta) > 0) mrows[nm++] = line
    split(rows[0], head, ",")
    for (c in head) if (head[c] == "median") mcol = c
    for (i = 0; i < runs; i++) {
        dir = tree "/" runid(i)
        system("mkdir -p " dir)
        step = i >= int(0.7 * runs) ? 1.10 : 1.0
        print rows[0] > (dir "/results.csv")
        for (r = 1; r < nr; r++) {
            $0 = rows[r]
            k = r % every == 0 ? step : 1
            if ($mcol != "") $mcol = sprintf("%.10g", $mcol * k * (1 + 0.02 * (rand() - 0.5)))
            print > (dir "/results.csv")
        }
        close(dir "/results.csv")
        for (r = 0; r < nm; r++) {
            $0 = mrows[r]
            if ($2 == "run_id") $3 = runid(i)
            else if ($2 == "start_time") $3 = stamp(i)
            else if ($2 == "end_time") { $3 = stamp(i); sub(/:00\.000Z$/, ":08.000Z", $3) }
            else if ($2 == "board") $3 = board
            print > (dir "/metadata.csv")
        }
        close(dir "/metadata.csv")
    }
}'
for d in "$tree/$board"/*/; do cp "$src/samples.csv" "$d"; done
made=$(date +%s.%N)
echo "history_bench: made in $(awk -v a="$start" -v b="$made" 'BEGIN{printf "%.1f", b - a}') s," \
    "$(du -sh "$tree" | cut -f1) on disk"

# The first run reads the files into the page cache (its table says what was read); the best of
# the rest is the figure.
taskset -c 0 "$DMABENCH" history "$tree" >"$scratch/history.txt" 2>/dev/null
best="" best_cpu=""
for _ in $(seq "$repeat"); do
    # bash's time: wall and CPU (user + system) seconds; CPU is what a busy host does not inflate.
    TIMEFORMAT='%R %U %S'
    t=$( { time taskset -c 0 "$DMABENCH" history --format csv "$tree" >"$scratch/history.csv" \
        2>/dev/null; } 2>&1)
    wall=${t%% *}
    cpu=$(awk -v u="$(cut -d' ' -f2 <<<"$t")" -v s="$(cut -d' ' -f3 <<<"$t")" 'BEGIN{printf "%.2f", u + s}')
    echo "history_bench: dmabench history over $runs runs on CPU 0: $wall s ($cpu s CPU)"
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a < b)}'; then
        best=$wall best_cpu=$cpu
    fi
done
read_runs=$(sed -n 's/^history: \([0-9]*\) runs.*/\1/p' "$scratch/history.txt")
steps=$(awk -F, -v at="$(( runs * 7 / 10 ))" 'NR > 1 && ($13 == at || $13 == at - 1 || $13 == at + 1)' \
    "$scratch/history.csv" | wc -l)
series=$(sed -n 's/.* \([0-9]*\) series,.*/\1/p' "$scratch/history.txt")
echo "history_bench: read $read_runs runs; the 10% step (every $every-th row) found within one" \
    "run in $steps of $series series"
echo "history_bench: best $best s ($best_cpu s CPU) for $runs runs ($(nproc) CPUs here, pinned" \
    "to CPU 0; load average $(cut -d' ' -f1 /proc/loadavg))"
[ "$read_runs" -eq "$runs" ] || { echo "history_bench: FAIL: read $read_runs runs" >&2; exit 1; }
[ "$keep" -eq 0 ] || echo "history_bench: kept $scratch"
