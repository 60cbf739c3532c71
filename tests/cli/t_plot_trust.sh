#!/bin/bash
# tests/cli/t_plot_trust.sh - plots a reader can trust: the versus chart names the size it shows
# and cuts error bars that would flatten the other bars (saying so), the c2c heatmap marks pairs
# not measured in a colour no value has, and every chart with error bars says what they are.
# Sourced by run.sh; uses t_plot.sh's plot_run and the sample sets.

# trust_set NAME FILTER: a copy of the host sample set whose results.csv keeps the header and
# the rows awk's FILTER selects ($C[name] is a column by name), then edits them with EDIT.
trust_set() {
    local dir=$work/trust/$1
    mkdir -p "$dir"
    cp "$plot_sample/host/metadata.csv" "$plot_sample/host/samples.csv" "$dir/"
    awk -F, -v OFS=, "NR == 1 { for (i = 1; i <= NF; i++) C[\$i] = i; print; next } $2" \
        "$plot_sample/host/results.csv" >"$dir/results.csv"
    echo "$dir"
}

test_plot_versus_names_its_size() {
    local a b
    a=$(trust_set one-size-a '$C["size_bytes"] == 67108864 { print }')
    b=$(trust_set one-size-b '$C["size_bytes"] == 67108864 { $C["median"] *= 0.9; print }')
    plot_run plot "$a" "$b" -o "$work/trust/p1" --type versus
    expect_rc 0
    grep -q 'relative to set 1, every case at 64MiB' "$work/trust/p1/versus.svg" ||
        fail "the versus title does not name the one size it shows"
    # Sizes that differ are in each bar's label instead.
    plot_run plot "$plot_sample/host" "$plot_sample/board-b" -o "$work/trust/p2" --type versus
    expect_rc 0
    ! grep -q 'every case at' "$work/trust/p2/versus.svg" || fail "one size claimed for many"
    grep -q 'size=64MiB' "$work/trust/p2/versus.svg" || fail "bar labels lack their size"
}

test_plot_versus_cuts_wide_error_bars() {
    local a b
    a=$(trust_set wide-a '$C["size_bytes"] == 67108864 { print }')
    # One case of the second set with a CI a hundred times its median.
    b=$(trust_set wide-b '$C["size_bytes"] == 67108864 { if ($C["kernel"] == "chase") $C["ci_low"] = $C["median"] / 100; print }')
    plot_run plot "$a" "$b" -o "$work/trust/p3" --type versus
    expect_rc 0
    grep -q 'error bars cut at 2.2 (the widest reaches 1' "$work/trust/p3/versus.svg" ||
        fail "a wide error bar is not cut, or the chart does not say so"
    # The bars' axis stops at 2.2 (ticks up to 2), not at the widest interval.
    ! grep -Eq '>(10|20|50|100)<' "$work/trust/p3/versus.svg" || fail "the axis follows the widest CI"
    grep -q 'error bars cut' "$work/trust/p2/versus.svg" 2>/dev/null && fail "cut note without a cut"
    return 0
}

test_plot_c2c_marks_pairs_not_measured() {
    plot_run plot "$plot_sample/board-b" -o "$work/trust/p4" --type c2c
    expect_rc 0
    grep -q 'hatched grey: not measured' "$work/trust/p4/c2c.svg" || fail "no legend for unmeasured pairs"
}

test_plot_error_bars_say_what_they_are() {
    plot_run plot "$plot_sample/host" -o "$work/trust/p5" --type bandwidth,latency
    expect_rc 0
    local f
    for f in bandwidth latency; do
        grep -q 'error bars: 95% confidence interval of the median' "$work/trust/p5/$f.svg" ||
            fail "$f.svg does not say what its error bars are"
    done
}

test_plot_files_are_named_by_run_id() {
    plot_run plot "$plot_sample/host" "$plot_sample/board-b" -o "$work/trust/p6" --type bandwidth
    expect_rc 0
    expect_png_svg "$work/trust/p6/20261205T194554Z-bandwidth" "$work/trust/p6/20261120T090000Z-bandwidth"
    # The same run twice, and a run id no file should be named by: the set's place instead.
    local odd=$work/trust/odd-id
    mkdir -p "$odd"
    cp "$plot_sample/host/results.csv" "$plot_sample/host/samples.csv" "$odd/"
    sed 's|^\(3,run_id,\).*|\1../../etc/x|' "$plot_sample/host/metadata.csv" >"$odd/metadata.csv"
    plot_run plot "$plot_sample/host" "$plot_sample/host" "$odd" -o "$work/trust/p7" --type bandwidth
    expect_rc 0
    expect_png_svg "$work/trust/p7/set1-bandwidth" "$work/trust/p7/set2-bandwidth" \
        "$work/trust/p7/set3-bandwidth"
}
