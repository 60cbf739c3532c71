#!/bin/bash
# tests/cli/t_history.sh - `dmabench history` on histories made from one real run (an alloc run
# made here, copied by tests/data/history/make-series.py with seeded noise and known steps):
# steps found at their run with p < 0.01, improvements never regressions, the gate's exit
# codes, disturbed runs inconclusive, missing cases, late boards and single runs named, trees
# walked safely, -o never writes through a planted link, a FIFO in a set is skipped at once,
# every format, bad input exit 2; the false-positive rate over ~100 seeded series without a step.
# Sourced by run.sh (functions named test_*).

# The real run every history here is made from: two cases of alloc (a higher-is-better
# throughput, lower-is-better latencies), made once.
history_src() {
    [ -f "$work/hist-src/results.csv" ] && return
    run run alloc --heap host --size 4K,64K --batch 1 --kernel alloc --reps 5 --counters none -q \
        -o "$work/hist-src"
    expect_rc 0
}

# history_series NAME ARGS...: a fresh tree $work/hist-NAME with make-series.py's ARGS.
history_series() {
    local name=$1
    shift
    history_src
    rm -rf "$work/hist-$name"
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-$name" "$@" ||
        fail "make-series.py $*"
}

# change_rows FILE: metric,point,p_value,direction,regression per change point of history.csv.
change_rows() { csv_columns "$1" metric point p_value direction regression; }

# expect_step FILE AT [REGRESSION]: every series has a change point within one run of AT with
# p < 0.01, worse for the latencies (lower is better, and the step made them larger), better
# and never a regression for the throughput; with REGRESSION (yes or no), the latencies' verdict.
expect_step() {
    local file=$1 at=$2 regression=${3:-}
    awk -F, -v at="$at" -v want="$regression" '
        { d = $2 - at; near = d >= -1 && d <= 1 && $3 < 0.01 }
        near { found[$1]++ }
        near && $1 ~ /latency/ && ($4 != "worse" || (want != "" && $5 != want)) { bad = bad " " $0 }
        near && $1 !~ /latency/ && ($4 != "better" || $5 != "no") { bad = bad " " $0 }
        END {
            if (found["alloc_latency"] != 2 || found["free_latency"] != 2 ||
                found["alloc_throughput"] != 2) { print "steps found: " length(found); exit 1 }
            if (bad != "") { print "wrong verdicts:" bad; exit 1 }
        }' <(change_rows "$file") || fail "the step at run $at: $(change_rows "$file" | tr '\n' ' ')"
}

test_history_help() {
    run history --help
    expect_rc 0
    expect_out '^usage: dmabench history DIR\.\.\. \[--order time\|kernel\|git\]'
    # Every long option is in the usage lines.
    local usage opt
    usage=$(sed -n '/^usage:/,/^$/p' <<<"$out")
    for opt in $(grep -Eo -- '^ +--[a-z-]+' <<<"$out" | tr -d ' '); do
        grep -q -- "\[$opt\b" <<<"$usage" || fail "history's usage lacks $opt"
    done
    expect_out 'table \(default\), md, csv, junit, lava-signal, json'
    expect_out -- '--threshold PCT +a regression is larger than this, in percent \(default 5\)'
    expect_out -- '--alpha P +significance level of a change point \(default 0\.01\)'
    run help
    expect_out '^  history +many runs as series'
}

test_history_step_10pct_in_3pct_noise() {
    history_series step10 --board boarda --runs 30 --noise 3 --step-at 15 --step 1.10 --seed 101
    run history --format csv -o "$work/hist-step10-out" "$work/hist-step10"
    expect_rc 0 # no --gate: a report
    expect_step "$work/hist-step10-out/history.csv" 15 yes
    [ "$out" = "$(cat "$work/hist-step10-out/history.csv")" ] || fail "-o history.csv differs"
    # The raw samples around each change were tested (every run has samples.csv).
    csv_columns "$work/hist-step10-out/history.csv" samples_p samples_confirmed |
        awk -F, '!($1 > 0 && $1 <= 1 && ($2 == "yes" || $2 == "no")) { bad = 1 } END { exit bad }' ||
        fail "samples untested: $(csv_columns "$work/hist-step10-out/history.csv" samples_p)"
    run history --gate "$work/hist-step10"
    expect_rc 1
    expect_out '^board boarda: 30 runs in time order, 20270101T000000Z \.\. 20270101T002900Z'
    expect_err 'gate: board boarda: the newest run 20270101T002900Z is after a regression change point in:'
    expect_err 'regression alloc:heap=host;size=64KiB;.* free_latency: \+[0-9.]+% since run 20270101T00(14|15|16)00Z'
    [ "$(grep -c '^dmabench: history:   regression' <<<"$err")" -eq 4 ] || fail "want 4 regressions named"
    ! grep -q 'regression.*alloc_throughput' <<<"$err" || fail "a faster throughput called a regression"
    # A threshold above the step lets it pass.
    run history --gate --threshold 20 "$work/hist-step10"
    expect_rc 0
}

test_history_step_5pct_in_1pct_noise() {
    history_series step5 --board boarda --runs 30 --noise 1 --step-at 12 --step 1.05 --seed 202
    run history --format csv "$work/hist-step5"
    expect_rc 0
    printf '%s\n' "$out" >"$work/hist-step5.csv"
    expect_step "$work/hist-step5.csv" 12
    # 5% is not above the default threshold of 5%... unless the noise made it so: at 4%, it is.
    run history --gate --threshold 4 "$work/hist-step5"
    expect_rc 1
}

# No step in 5% noise: of about 100 seeded series made from real result files (17 boards of 30
# runs, 6 series each), at least 95% show no change point; the measured rate is printed.
test_history_no_step_false_positives() {
    local b
    history_src
    rm -rf "$work/hist-fp"
    for b in $(seq 1 17); do
        python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-fp" \
            --board "fp$b" --runs 30 --noise 5 --seed $((500 + b)) || fail "make-series.py"
    done
    run history --format csv "$work/hist-fp"
    expect_rc 0
    local series changed
    # A series per measured row of the source run (it has no counters), on each board.
    series=$(($(csv_columns "$work/hist-src/results.csv" status | grep -c '^ok$') * 17))
    changed=$(csv_columns <(printf '%s\n' "$out") board case_id metric | sort -u | grep -c . || true)
    echo "  history: no step in 5% noise: $changed of $series series with a change point" \
        "($((100 * changed / series))% false positives)"
    [ "$series" -ge 100 ] || fail "only $series series"
    [ $((100 * changed)) -le $((5 * series)) ] || fail "$changed of $series series changed"
}

test_history_improvement_never_fails() {
    # Every metric better from run 10: latencies down 10%, throughput up 10%.
    history_src
    rm -rf "$work/hist-better"
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-better" --board b \
        --runs 20 --noise 1 --step-at 10 --step 0.90 --step-metrics alloc_latency,free_latency
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-better2" --board b2 \
        --runs 20 --noise 1 --step-at 10 --step 1.10 --step-metrics alloc_throughput
    run history --gate --format csv "$work/hist-better" "$work/hist-better2"
    expect_rc 0
    printf '%s\n' "$out" >"$work/hist-better.csv"
    [ "$(change_rows "$work/hist-better.csv" | grep -c '^[a-z_]*,1[01],.*,better,no$')" -eq 6 ] ||
        fail "want 6 improvements at run 10: $(change_rows "$work/hist-better.csv" | tr '\n' ' ')"
    ! change_rows "$work/hist-better.csv" | grep -q ',yes$' || fail "an improvement is a regression"
    run history --gate "$work/hist-better" "$work/hist-better2"
    expect_rc 0
    expect_out '^gate: pass: no regression at the newest run$'
}

test_history_missing_case_late_board_single_run() {
    # boarda: 12 runs, the newest lacks the 64KiB case; boardb starts at run 8 of boarda's time;
    # boardc has one run; in boarda, run 3 alone has no 4KiB case.
    history_series gaps --board boarda --runs 12 --noise 1 --drop 11:size=64KiB --drop 3:size=4KiB
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-gaps" --board boardb \
        --runs 4 --first-minute 8 --noise 1 --seed 3
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-gaps" --board boardc \
        --runs 1 --first-minute 5 --drop 0:size=64KiB
    run history --gate "$work/hist-gaps"
    expect_rc 0
    expect_out '^history: 17 runs of 3 boards, 15 series'
    expect_out '^board boarda: 12 runs in time order'
    expect_out '^  note: 3 series not in the newest run 20270101T001100Z \(not judged\), e\.g\. alloc:heap=host;size=64KiB'
    expect_out '^board boardb: 4 runs in time order, 20270101T000800Z \.\. 20270101T001100Z'
    expect_out '^  note: 4 runs: a change point needs at least 6$'
    expect_out '^board boardc: 1 run in time order'
    expect_out '^  note: one run \(20270101T000500Z\): nothing to compare it with yet$'
    run history --format junit "$work/hist-gaps"
    expect_rc 0
    printf '%s\n' "$out" >"$work/hist-gaps.xml"
    python3 - "$work/hist-gaps.xml" <<'PY' || fail "junit: not the XML expected"
import sys, xml.etree.ElementTree as ET
suites = {s.get("name"): s for s in ET.parse(sys.argv[1]).getroot()}
a, c = suites["dmabench-history.boarda"], suites["dmabench-history.boardc"]
assert a.get("tests") == "6" and a.get("skipped") == "3" and a.get("failures") == "0", a.attrib
skipped = [t for t in a if t.find("skipped") is not None]
assert all("size=64KiB" in t.get("name") for t in skipped), [t.get("name") for t in skipped]
assert skipped[0].find("skipped").get("message") == "not in the board's newest run"
assert c.get("tests") == "3" and c.get("skipped") == "3", c.attrib
assert c.find("testcase/skipped").get("message") == "one run only: nothing to compare it with"
props = {p.get("name"): p.get("value") for p in a.find("properties")}
assert props["board"] == "boarda" and props["runs"] == "12", props
assert props["newest_run"] == "20270101T001100Z" and props["order"] == "time", props
PY
    xmllint --noout --schema tests/data/schemas/junit-10.xsd "$work/hist-gaps.xml" \
        2>"$work/xmllint.err" || fail "history junit against junit-10.xsd: $(head -3 "$work/xmllint.err")"
    # Only one board.
    run history --board boardb --format json "$work/hist-gaps"
    expect_rc 0
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [b["name"] for b in d["boards"]] == ["boardb"] and len(d["runs"]) == 4, d["boards"]' <<<"$out" ||
        fail "--board boardb: $(head -c 300 <<<"$out")"
    run history --board nosuch --board boardc "$work/hist-gaps"
    expect_rc 0
    expect_err "warning: board 'nosuch': no run of it was found"
}

test_history_disturbed_newest_is_inconclusive() {
    # Two identical runs (no noise), the newest disturbed by its metadata.
    history_series twins --board boarda --runs 2 --disturb 1
    run history --gate "$work/hist-twins"
    expect_rc 0
    expect_err 'warning: board boarda: inconclusive: the newest run 20270101T000100Z is disturbed \(load [0-9.]+ on [0-9]+ CPUs'
    expect_out '^gate: inconclusive: the newest run 20270101T000100Z is disturbed'
    expect_out '^  note: 1 run disturbed, left out of the baseline:$'
    run history --gate --format junit "$work/hist-twins"
    expect_rc 0
    expect_err 'inconclusive'
}

test_history_regression_only_in_disturbed_runs() {
    # 16 runs; the last four are disturbed and 30% slower: no baseline shows it.
    history_series noisy --board boarda --runs 16 --noise 1 --step-at 12 --step 1.30 \
        --disturb 12,13,14,15 --seed 7
    run history --gate --format csv "$work/hist-noisy"
    expect_rc 0
    expect_err 'warning: board boarda: inconclusive: the newest run 20270101T001500Z is disturbed'
    printf '%s\n' "$out" >"$work/hist-noisy.csv"
    csv_columns "$work/hist-noisy.csv" metric regression inconclusive reason |
        grep -q '^alloc_latency,yes,yes,run 20270101T001200Z disturbed: load' ||
        fail "no inconclusive regression: $(cat "$work/hist-noisy.csv")"
    # The same slowdown in undisturbed runs fails the gate.
    history_series clean --board boarda --runs 16 --noise 1 --step-at 12 --step 1.30 --seed 7
    run history --gate "$work/hist-clean"
    expect_rc 1
}

test_history_orders() {
    # Kernels 6.10 for runs 0-5, then 6.9: kernel order puts 6.9's runs first (version order,
    # not text order). git: the sha of runs 0-2 comes back at run 6, and keeps its first place.
    history_series order --board boarda --runs 9 --kernels 0:6.10.1,6:6.9.3 \
        --gits 0:aaaa,3:bbbb,6:aaaa
    run history --order kernel "$work/hist-order"
    expect_rc 0
    expect_out '^board boarda: 9 runs in kernel order, 20270101T000600Z \.\. 20270101T000500Z; newest 20270101T000500Z \(kernel 6\.10\.1, git bbbb\)'
    run history --order git "$work/hist-order"
    expect_rc 0
    expect_out '^board boarda: 9 runs in git order, 20270101T000000Z \.\. 20270101T000500Z; newest 20270101T000500Z \(kernel 6\.10\.1, git bbbb\)'
    # Time order, whatever order the sets are found in: the later tree named first.
    python3 tests/data/history/make-series.py "$work/hist-src" "$work/hist-order-late" \
        --board boarda --runs 4 --first-minute 5
    rm -rf "$work/hist-order/boarda/20270101T00050"?Z "$work/hist-order/boarda/20270101T00060"?Z \
        "$work/hist-order/boarda/20270101T00070"?Z "$work/hist-order/boarda/20270101T00080"?Z
    run history --order time --format json "$work/hist-order-late" "$work/hist-order"
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["options"]["order"] == "time" and [d["runs"][i]["run_id"][11:13] for i in d["boards"][0]["runs"]] == ["%02d" % m for m in range(9)], d["boards"]' <<<"$out" ||
        fail "time order: $(head -c 300 <<<"$out")"
}

test_history_formats() {
    history_series fmt --board boarda --runs 20 --noise 1 --step-at 10 --step 1.2 \
        --step-metrics alloc_latency
    run history --format md "$work/hist-fmt"
    expect_rc 0
    expect_out '^# history: 20 runs of 1 board, 6 series, order time, threshold 5%, alpha 0\.01$'
    expect_out '^\| case \| metric \| unit \| run \| kernel \| git \| before \| after \| change \| p \| change point \|$'
    expect_out '^\| alloc:heap=host;size=4KiB;.* \| alloc_latency \| ns \| 20270101T00(09|10|11)00Z \|.* \| regression \|$'
    run history --format csv "$work/hist-fmt"
    [ "$(head -1 <<<"$out")" = "board,case_id,bench,heap,metric,unit,better,run_id,run_dir,start_time,kernel,git_sha,point,before,after,change_pct,p_value,samples_p,samples_confirmed,direction,regression,inconclusive,reason,at_newest" ] ||
        fail "csv header: $(head -1 <<<"$out")"
    expect_out '^boarda,alloc:heap=host;size=64KiB;.*,alloc,host,alloc_latency,ns,lower,20270101T00(09|10|11)00Z,.*/hist-fmt/boarda/20270101T00(09|10|11)00Z,2027-01-01T00:(09|10|11):00\.000Z,.*,[0-9.e-]+,(yes|no),worse,yes,no,,yes$'
    run history --format lava-signal "$work/hist-fmt"
    expect_rc 0
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=history-boarda\.alloc\.host\.64KiB\.0B\.base\.1\.alloc\.any\.alloc_latency RESULT=fail UNITS=% MEASUREMENT=[0-9.]+>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=history-boarda\.alloc\.host\.64KiB\.0B\.base\.1\.alloc\.any\.free_latency RESULT=pass>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-history RESULT=fail>$'
    [ "$(grep -c '^<LAVA_SIGNAL_TESTCASE' <<<"$out")" -eq 7 ] || fail "want 6 series and the gate"
    # Names fit LAVA's 100 characters, as export's do.
    ! grep -o 'TEST_CASE_ID=[^ ]*' <<<"$out" | awk 'length($0) > 13 + 100' | grep -q . ||
        fail "a LAVA name over 100 characters"
    run history --format json -o "$work/hist-fmt-out" "$work/hist-fmt"
    expect_rc 0
    cmp -s "$work/hist-fmt-out/history.json" <(printf '%s\n' "$out") || fail "-o history.json differs"
    json_validate "$work/hist-fmt-out/history.json" # the schema (t_json.sh)
    python3 - "$work/hist-fmt-out/history.json" <<'PY' || fail "json: not the document expected"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "history" and d["options"] == {"order": "time", "threshold_pct": 5, "alpha": 0.01}
assert len(d["runs"]) == 20
s = [s for s in d["series"] if s["metric"] == "alloc_latency"]
assert len(s) == 2 and all(x["verdict"] == "regression" for x in s), s
c = s[0]["changes"][-1]
assert abs(c["point"] - 10) <= 1 and c["regression"] and c["direction"] == "worse", c
assert len(s[0]["points"]) == 20 and s[0]["points"][0]["n_samples"] == 5, s[0]["points"][0]
assert d["boards"][0]["verdict"] == "regression"
PY
}

test_history_tree_is_walked_safely() {
    history_series tree --board boarda --runs 6 --noise 1
    local t=$work/hist-tree/boarda
    # A set elsewhere, linked into the tree: not followed.
    history_series outside --board boardz --runs 1
    ln -s "$work/hist-outside/boardz/20270101T000000Z" "$t/linked"
    # A FIFO as results.csv, a malformed results.csv, an empty directory: skipped, named.
    mkdir "$t/fifo" "$t/bad" "$t/empty"
    mkfifo "$t/fifo/results.csv"
    printf 'schema_version,case_id\n3,x\n' >"$t/bad/results.csv"
    run history "$work/hist-tree"
    expect_rc 0
    expect_out '^history: 6 runs of 1 board'
    expect_err "warning: $t/linked: a symbolic link to a directory, not followed"
    expect_err "warning: $t/fifo/results.csv: not a regular file \(a link, FIFO or device\): skipped"
    expect_err "warning: $t/bad/results.csv:1: no 'bench' column: not a dmabench results.csv: skipped"
    # A set named twice is read once; a set's results.csv names it.
    run history "$work/hist-tree" "$t/20270101T000000Z/results.csv"
    expect_rc 0
    expect_out '^history: 6 runs of 1 board'
    expect_err 'named twice: read once'
}

test_history_bad_input_exits_2() {
    run history
    expect_rc 2
    expect_err 'history: no result sets'
    run history "$work/nonexistent-history"
    expect_rc 2
    expect_err "history: $work/nonexistent-history: No such file or directory"
    mkdir -p "$work/hist-none/sub"
    run history "$work/hist-none"
    expect_rc 2
    expect_err "history: no usable result set in $work/hist-none"
    run history tests/cli/t_history.sh
    expect_rc 2
    expect_err 'not a result set'
    history_src
    run history --format xml "$work/hist-src"
    expect_rc 2
    expect_err "history: --format 'xml': expected table, md, csv, junit, lava-signal or json"
    run history --order random "$work/hist-src"
    expect_rc 2
    run history --threshold ten "$work/hist-src"
    expect_rc 2
    run history --html "$work/hist-src"
    expect_rc 2
    expect_err 'history: --html needs -o DIR'
    run history --gate --gate "$work/hist-src"
    expect_rc 2
    expect_err 'given twice'
}

test_history_files_safe() {
    history_series safe --board boarda --runs 3
    # -o replaces a link planted in place of history.csv, never writes through it.
    mkdir -p "$work/hist-safe-out"
    echo precious >"$work/hist-safe-victim"
    ln -s "$work/hist-safe-victim" "$work/hist-safe-out/history.csv"
    run history -o "$work/hist-safe-out" "$work/hist-safe"
    expect_rc 0
    [ "$(cat "$work/hist-safe-victim")" = precious ] || fail "written through the planted link"
    [ -f "$work/hist-safe-out/history.csv" ] && [ ! -L "$work/hist-safe-out/history.csv" ] ||
        fail "history.csv is not a file of its own"
    head -1 "$work/hist-safe-out/history.csv" | grep -q '^board,case_id,' || fail "history.csv"
    # A FIFO in place of a set's samples.csv or metadata.csv: that set is skipped at once.
    local f d=$work/hist-safe/boarda/20270101T000100Z
    for f in samples.csv metadata.csv; do
        mv "$d/$f" "$d/$f.kept"
        mkfifo "$d/$f"
        run_program timeout 10 "$DMABENCH" history "$work/hist-safe"
        [ "$rc" -ne 124 ] || fail "history hangs on a FIFO $f"
        expect_rc 0
        expect_err "warning: $d/$f: is a FIFO, not a regular file: refusing to read it: skipped"
        expect_out '^history: 2 runs of 1 board'
        rm "$d/$f"
        mv "$d/$f.kept" "$d/$f"
    done
}

test_history_output_dir_plots_and_page() {
    history_series page --board boarda --runs 12 --noise 1 --step-at 6 --step 1.3 \
        --step-metrics alloc_latency
    run history -o "$work/hist-page-out" --html "$work/hist-page"
    expect_rc 0
    local d=$work/hist-page-out n
    for n in history.csv history.json index.html; do
        [ -s "$d/$n" ] || fail "-o --html: no $n"
    done
    # The two regressed series are drawn, PNG and SVG (expect_png_svg: t_plot.sh), and the page
    # shows them.
    [ "$(find "$d" -name 'trend-boarda-alloc-latency-*.png' | wc -l)" -eq 2 ] ||
        fail "trend plots: $(ls "$d")"
    expect_png_svg "$(find "$d" -name 'trend-boarda-alloc-latency-*.png' | head -1 | sed 's/\.png$//')"
    grep -q 'src="trend-boarda-alloc-latency-' "$d/index.html" || fail "the page lacks the plots"
    # --no-plots: no gnuplot, no trend files.
    run history -o "$work/hist-page-bare" --no-plots "$work/hist-page"
    expect_rc 0
    [ -z "$(find "$work/hist-page-bare" -name 'trend-*')" ] || fail "--no-plots drew plots"
    [ -s "$work/hist-page-bare/history.csv" ] || fail "--no-plots: no history.csv"
    # Without gnuplot on PATH the plots fail with a message; the files and the page are there.
    mkdir -p "$work/hist-nognuplot"
    ln -sf "$(command -v cat)" "$work/hist-nognuplot/cat" # what run itself needs
    PATH=$work/hist-nognuplot run history -o "$work/hist-page-nognuplot" --html "$work/hist-page"
    expect_rc 1
    expect_err 'history: trend plots: .*gnuplot.*\(install gnuplot-nox, or use --no-plots\)'
    [ -s "$work/hist-page-nognuplot/index.html" ] || fail "no page without gnuplot"
}
