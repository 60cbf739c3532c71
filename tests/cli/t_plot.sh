#!/bin/bash
# tests/cli/t_plot.sh - `dmabench plot` and `dmabench report` on the fixed sample sets: every
# plot type renders to non-empty PNG and SVG with gnuplot silent on stderr, titles name board and
# kernel, bad input fails with file:line and exit 2, a gnuplot warning fails the plot; and a
# fresh run of this dmabench goes through compare, plot, report and export.
# Sourced by run.sh (functions named test_*).

plot_scripts=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../../plot")
plot_sample=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../data/plot-sample")

# run with the scripts of this tree (the sanitizer build lives far from plot/).
plot_run() {
    DMABENCH_PLOT_DIR=$plot_scripts run "$@"
}

# A real PNG and a real SVG, not just files.
expect_png_svg() {
    local f
    for f in "$@"; do
        [ -s "$f.png" ] && [ "$(head -c 8 "$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
            fail "$f.png is not a PNG"
        [ -s "$f.svg" ] && grep -q '<svg' "$f.svg" && grep -q '</svg>' "$f.svg" ||
            fail "$f.svg is not an SVG"
    done
}

test_plot_sample_set_is_a_valid_run() {
    "$VALIDATE" "$plot_sample/host" --expect-ok host >/dev/null || fail "host/ does not validate"
}

test_plot_every_type_renders() {
    plot_run plot "$plot_sample/host" "$plot_sample/board-b" -o "$work/plots"
    expect_rc 0
    expect_out "^plots: 10 made, 3 skipped, 0 failed, in $work/plots\$"
    local d=$work/plots
    expect_png_svg "$d/20261205T194554Z-bandwidth" "$d/20261205T194554Z-latency" "$d/20261205T194554Z-alloc" "$d/20261120T090000Z-bandwidth" \
        "$d/20261120T090000Z-latency" "$d/20261120T090000Z-alloc" "$d/20261120T090000Z-sync" "$d/20261120T090000Z-pipeline" "$d/20261120T090000Z-c2c" \
        "$d/versus"
    # gnuplot said nothing: the only lines on stderr are the three skip notes for host/.
    ! grep -q gnuplot <<<"$err" || fail "gnuplot wrote to stderr"
    [ "$(grep -c . <<<"$err")" -eq 3 ] || fail "expected 3 skip notes"
    expect_err "^dmabench: plot: 20261205T194554Z-sync skipped: no rows for it in $plot_sample/host \(needs sync rows"
    expect_err '^dmabench: plot: 20261205T194554Z-c2c skipped: .*dmabench run coherency\)$'
    # What the .dat files hold, and that the scripts accept them as they are.
    grep -q '^"full" x median ci_low ci_high p90 p99$' "$d/20261120T090000Z-sync.dat" || fail "sync.dat blocks"
    grep -q '^# from .*/board-b/results.csv: metric sync_cost (ns) against region_bytes$' \
        "$d/20261120T090000Z-sync.dat" || fail "sync.dat header"
}

test_plot_titles_name_board_and_kernel() {
    plot_run plot "$plot_sample/host" "$plot_sample/board-b" -o "$work/plots" -q
    expect_rc 0
    local f
    for f in 20261120T090000Z-bandwidth 20261120T090000Z-sync 20261120T090000Z-pipeline 20261120T090000Z-c2c 20261120T090000Z-alloc; do
        grep -q 'Synthetic Arm board B (Cortex-A55 (synthetic)), Linux 6.6.0-synthetic' \
            "$work/plots/$f.svg" || fail "$f.svg: no board and kernel in the title"
    done
    grep -q 'vm (Intel(R) Xeon(R) Processor), Linux 6.18.44-fc-v1252' "$work/plots/20261205T194554Z-latency.svg" ||
        fail "20261205T194554Z-latency.svg title"
    grep -q 'Board vs board' "$work/plots/versus.svg" || fail "versus.svg: board vs board"
    grep -q 'vm, Linux 6.18.44-fc-v1252 vs Synthetic Arm board B, Linux 6.6.0-synthetic' \
        "$work/plots/versus.svg" || fail "versus.svg: both boards and kernels"
    # The caches from the metadata, marked where they fall inside the sizes plotted.
    grep -q 'L1d 48 KiB' "$work/plots/20261205T194554Z-bandwidth.svg" || fail "L1d mark"
    grep -q 'L2 2 MiB' "$work/plots/20261205T194554Z-latency.svg" || fail "L2 mark"
    grep -q 'L2 128 KiB' "$work/plots/20261120T090000Z-bandwidth.svg" || fail "board-b L2 mark"
}

test_plot_one_set_default_dir() {
    cp -r "$plot_sample/host" "$work/h"
    plot_run plot "$work/h" --type bandwidth,alloc,versus
    expect_rc 0
    expect_png_svg "$work/h/plots/bandwidth" "$work/h/plots/alloc"
    [ ! -e "$work/h/plots/latency.png" ] || fail "--type: latency was made"
    expect_err 'versus skipped: one result set: needs two or more result sets'
    expect_one_line_err
    # The results.csv of a set names the set too.
    plot_run plot "$work/h/results.csv" -o "$work/h2" --type latency -q
    expect_rc 0
    expect_png_svg "$work/h2/latency"
}

test_plot_interrupted_run() {
    mkdir -p "$work/cut"
    cp "$plot_sample/host/metadata.csv" "$work/cut/"
    head -c -20 "$plot_sample/host/results.csv" >"$work/cut/results.csv"
    plot_run plot "$work/cut" -o "$work/cut/p" --type bandwidth -q
    expect_rc 0
    expect_err "results.csv:45: the last row is cut \(the run was interrupted\); using the rows before it"
    expect_png_svg "$work/cut/p/bandwidth"
}

test_plot_bad_input() {
    plot_run plot
    expect_rc 2
    expect_err 'plot: no result sets'
    plot_run plot "$work/nonexistent" -o "$work/x"
    expect_rc 2
    expect_err "^dmabench: plot: $work/nonexistent: No such file or directory\$"
    expect_one_line_err
    plot_run plot "$plot_sample/host" "$plot_sample/board-b"
    expect_rc 2
    expect_err 'plot: 2 result sets: say where the plots go with -o DIR'
    plot_run plot "$plot_sample/host" --type bandwith -o "$work/x"
    expect_rc 2
    expect_err "--type 'bandwith': not a plot type \(bandwidth, latency, alloc, sync, pipeline, c2c, versus\)"

    mkdir -p "$work/bad"
    { head -3 "$plot_sample/host/results.csv"; printf '1,x,"a"b,cpu\n'; } >"$work/bad/results.csv"
    plot_run plot "$work/bad" -o "$work/x"
    expect_rc 2
    expect_err "^dmabench: plot: $work/bad/results.csv:4: malformed quoting"
    expect_one_line_err
    sed '3s/,6,[0-9.]*,/,6,fast,/' "$plot_sample/host/results.csv" >"$work/bad/results.csv"
    plot_run plot "$work/bad" -o "$work/x"
    expect_rc 2
    expect_err "^dmabench: plot: $work/bad/results.csv:3: median 'fast' is not a number\$"
    printf 'a,b\n1,2\n' >"$work/bad/results.csv"
    plot_run plot "$work/bad" -o "$work/x"
    expect_rc 2
    expect_err "results.csv:1: no 'case_id' column: not a dmabench results.csv"
    [ ! -e "$work/x" ] || fail "an output directory was made for bad input"
}

test_plot_gnuplot_warning_fails() {
    # A gnuplot that makes its files but warns: the plot is a failure, and its words are shown.
    cat >"$work/fake-gnuplot" <<'EOF'
#!/bin/sh
echo 'line 3: warning: Skipping data file with no valid points' >&2
# argv: -c SCRIPT DATA OUT TITLE UNIT XCOL EXTRA
echo x >"$4.png"
echo '<svg></svg>' >"$4.svg"
EOF
    chmod +x "$work/fake-gnuplot"
    DMABENCH_GNUPLOT=$work/fake-gnuplot plot_run plot "$plot_sample/host" -o "$work/w" --type alloc
    expect_rc 1
    expect_err '^dmabench: plot: alloc failed: gnuplot warned \(a warning fails the plot\)$'
    expect_err '^dmabench: plot: alloc: gnuplot: line 3: warning: Skipping data file with no valid points$'
    expect_out 'plots: 0 made, 0 skipped, 1 failed'
    printf '#!/bin/sh\nexit 3\n' >"$work/fake-gnuplot"
    DMABENCH_GNUPLOT=$work/fake-gnuplot plot_run plot "$plot_sample/host" -o "$work/w" --type alloc
    expect_rc 1
    expect_err 'alloc failed: gnuplot exited with status 3'
    DMABENCH_GNUPLOT=$work/no-such-gnuplot plot_run plot "$plot_sample/host" -o "$work/w"
    expect_rc 1
    expect_err "no-such-gnuplot not found: install gnuplot \(Debian: gnuplot-nox\)"
}

test_plot_help() {
    run plot --help
    expect_rc 0
    expect_out '^usage: dmabench plot RESULTS'
    expect_out '^  c2c +Core-to-core'
    expect_out '^  versus +board vs board'
    DMABENCH_PLOT_DIR=$work/nowhere run plot "$plot_sample/host"
    expect_rc 1
    expect_err "DMABENCH_PLOT_DIR=$work/nowhere: no gnuplot scripts there"
}

test_report_sections_and_plots() {
    plot_run report "$plot_sample/host" "$plot_sample/board-b" -o "$work/rep" -q
    expect_rc 0
    expect_out "^report: $work/rep/report.md\$"
    local md=$work/rep/report.md
    [ -s "$md" ] || fail "no report.md"
    [ ! -e "$md.tmp" ] || fail "report.md.tmp left behind"
    local h
    for h in '^# dmabench report$' '^## Result sets$' '^## Recommendations$' \
        '^### Set 1: vm \(Intel\(R\) Xeon\(R\) Processor\)' '^## Set 2: Synthetic Arm board B' '^### Plots$' \
        '^### Cached vs uncached CPU bandwidth$' '^### Sync cost per MiB$' \
        '^### Allocation latency \(p50, p90, p99\)$' '^### Coherency verdicts$' \
        '^## The sets side by side$'; do
        grep -Eq "$h" "$md" || fail "report.md lacks /$h/"
    done
    grep -q 'below 64KiB, use `system-uncached`' "$md" || fail "write-once recommendation"
    # Every image the report shows was made.
    local img
    for img in $(grep -o '([a-z0-9-]*\.png)' "$md" | tr -d '()'); do
        [ -s "$work/rep/$img" ] || fail "report.md shows $img, which is missing"
    done
    [ "$(grep -c '\.png)' "$md")" -eq 10 ] || fail "expected 10 plots in the report"
}

test_report_without_plots() {
    cp -r "$plot_sample/host" "$work/h3"
    DMABENCH_GNUPLOT=$work/no-such-gnuplot plot_run report "$work/h3" --no-plots
    expect_rc 0
    grep -q '^No plots: made with --no-plots\.$' "$work/h3/report/report.md" || fail "no-plots note"
    [ -z "$(ls "$work/h3/report"/*.png 2>/dev/null)" ] || fail "plots made with --no-plots"
    # Without gnuplot the report is still written, and says why it has no plots.
    DMABENCH_GNUPLOT=$work/no-such-gnuplot plot_run report "$work/h3" -o "$work/r2"
    expect_rc 1
    expect_err 'not found: install gnuplot'
    grep -q 'No plots: gnuplot was not found' "$work/r2/report.md" || fail "no-gnuplot note"
}

test_report_bad_input() {
    mkdir -p "$work/bad"
    # Row 5 gets one field more than the header.
    sed '5s/$/,extra/' "$plot_sample/host/results.csv" >"$work/bad/results.csv"
    plot_run report "$work/bad" -o "$work/r"
    expect_rc 2
    expect_err "^dmabench: report: $work/bad/results.csv:5: 56 fields, the header has 55\$"
    expect_one_line_err
    [ ! -e "$work/r/report.md" ] || fail "report written for bad input"
}

# What this dmabench writes, its readers read: a fresh run through compare, plot, report and
# export (a schema bump that left a reader behind fails here), and the shipped sample sets
# have the header it writes.
test_readers_take_a_fresh_run() {
    local fresh=$work/fresh
    run run cpu --heap host --size 64K --kernel read --reps 9 --counters none -q -o "$fresh"
    expect_rc 0
    "$VALIDATE" "$fresh" --expect-ok host >/dev/null || fail "the fresh run does not validate"
    local header f
    header=$(head -1 "$fresh/results.csv")
    for f in "$plot_sample/host/results.csv" "$plot_sample/board-b/results.csv" \
        tests/data/compare/base/results.csv; do
        [ "$(head -1 "$f")" = "$header" ] || fail "$f: not the header dmabench writes"
    done

    run compare "$fresh" "$fresh"
    expect_rc 0
    expect_out '^cpu:heap=host;size=64KiB;.*kernel=read;node=any +bandwidth +bytes/s +[0-9.]+[kMGT]? +[0-9.]+[kMGT]? +\+0\.0% +1\.000 +same$'
    expect_out '^verdicts: 1 same$'
    # Only the note a disturbed machine may cause (the fresh run's rows flagged disturbed).
    [ -z "$(grep -v '^dmabench: compare: note: .* flagged disturbed' <<<"$err")" ] ||
        fail "compare wrote to stderr"
    run compare "$fresh" tests/data/compare/base
    expect_rc 0
    expect_out '^verdicts: 1 base-only, 6 new-only$'

    plot_run plot "$fresh" -o "$work/fresh-plots" --type bandwidth
    expect_rc 0
    expect_out "^plots: 1 made, 0 skipped, 0 failed, in $work/fresh-plots\$"
    expect_png_svg "$work/fresh-plots/bandwidth"
    plot_run report "$fresh" -o "$work/fresh-report" --no-plots
    expect_rc 0
    grep -q '^# dmabench report$' "$work/fresh-report/report.md" || fail "no report.md"

    run export "$fresh" --format lava
    expect_rc 0
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.host\.64KiB\.0B\.base\.1\.read\.any\.bandwidth RESULT=pass UNITS=bytes/s MEASUREMENT=[0-9.e+]+>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-run RESULT=pass>$'
    run export "$fresh" --format junit
    expect_rc 0
    expect_out '<testsuite name="dmabench run [0-9TZ]+ on [^"]*" tests="1" failures="0" errors="0" skipped="0"'
    run export "$fresh" --format kcidb
    expect_rc 0
    python3 -c 'import json, sys; t = json.load(sys.stdin)["tests"]; assert len(t) == 2, t' \
        <<<"$out" || fail "kcidb: not JSON with the case and the run"
}
