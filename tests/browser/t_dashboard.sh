#!/bin/bash
# tests/browser/t_dashboard.sh - the sample history's dashboard as Chromium renders it: the
# tables with their rows, every image loaded, every link resolving, a board's hostile name shown
# as text and run as nothing; and that the check itself notices a missing image or run.
# Sourced by tests/browser/run.sh (functions named test_*).

page_check=$(realpath "$(dirname "${BASH_SOURCE[0]}")/page_check.html")

# The sample's page in $work/dash/out, its runs' directories in $work/dash/runs.
make_dashboard() {
    rm -rf "$work/dash"
    run_program "$DASHBOARD_SAMPLE" "$work/dash/out" "$work/dash/runs"
    expect_rc 0
    [ -s "$work/dash/out/index.html" ] || fail "no index.html"
}

# render DIR: a copy of DIR/index.html with page_check.html before </body>, loaded in
# Chromium; $rendered gets the check's lines, entities decoded.
render() {
    local dir=$1
    awk 'FNR == NR { js = js $0 "\n"; next } /<\/body>/ { printf "%s", js } { print }' \
        "$page_check" "$dir/index.html" >"$dir/check.html"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
        --virtual-time-budget=10000 --dump-dom "file://$dir/check.html" >"$work/dom" \
        2>"$work/chromium.log" || fail "chromium failed: $(tail -3 "$work/chromium.log")"
    rm -f "$dir/check.html"
    rendered=$(sed -n '/<pre id="dmabench-check">/,/<\/pre>/p' "$work/dom" |
        sed 's/^.*<pre id="dmabench-check">//; s/<\/pre>.*$//; s/&lt;/</g; s/&gt;/>/g' |
        sed 's/&quot;/"/g; s/&amp;/\&/g')
    [ -n "$rendered" ] || fail "the check wrote nothing into the rendered page"
    ! grep -vqE '^(img|table|anchor|link|scripts|h2) ' <<<"$rendered" ||
        fail "lines other than the check's: $(grep -vE '^(img|table|anchor|link|scripts|h2) ' <<<"$rendered" | head -3)"
}

expect_rendered() {
    grep -qxF -- "$1" <<<"$rendered" || fail "rendered page lacks the line: $1"
}

# The links of $rendered (file:// URLs) whose target does not exist, one a line.
missing_links() {
    local url path
    sed -n 's/^link //p' <<<"$rendered" | while read -r url; do
        path=${url#file://}
        path=$(printf '%b' "${path//%/\\x}")
        [ -e "$path" ] || echo "$url"
    done
}

test_dashboard_tables_rendered() {
    make_dashboard
    render "$work/dash/out"
    # board-1 is vm: its newest run, the one series that moved, three change points (each
    # table counts its header row); board-2 the hostile board.
    expect_rendered "table board-1 newest-run 2"
    expect_rendered "table board-1 moved 2"
    expect_rendered "table board-1 changes 4"
    expect_rendered "table board-2 newest-run 2"
    expect_rendered "table board-2 moved 2"
    expect_rendered "table board-2 changes 2"
    [ "$(grep -c '^table ' <<<"$rendered")" -eq 6 ] || fail "expected 6 tables"
}

test_dashboard_images_load() {
    make_dashboard
    render "$work/dash/out"
    # Five series are worth a plot (plot_trend_pick): all five shown, all loaded at gnuplot's
    # 1100 pixels.
    [ "$(grep -c '^img loaded 1100 trend-.*\.png$' <<<"$rendered")" -eq 5 ] ||
        fail "expected 5 images loaded: $(grep '^img' <<<"$rendered")"
    ! grep -q '^img broken' <<<"$rendered" || fail "an image did not load"
}

test_dashboard_links_resolve() {
    make_dashboard
    render "$work/dash/out"
    local missing
    missing=$(missing_links)
    [ -z "$missing" ] || fail "broken links: $missing"
    # The runs that exist are linked (r8 newest, r6, r5, r3 in the change points), each plot
    # links its SVG, the board list links the sections.
    [ "$(grep -c '^link file://.*/dash/runs/vm/r[0-9]/$' <<<"$rendered")" -eq 4 ] ||
        fail "expected 4 run links"
    [ "$(grep -c '^link file://.*/dash/out/trend-.*\.svg$' <<<"$rendered")" -eq 5 ] ||
        fail "expected 5 SVG links"
    expect_rendered "anchor ok #board-1"
    expect_rendered "anchor ok #board-2"
    ! grep -q '^anchor broken' <<<"$rendered" || fail "a broken anchor"
    # The hostile board's runs have no directory: no link to them at all.
    ! grep -q 'gone' <<<"$rendered" || fail "a link to a run that does not exist"
}

test_dashboard_hostile_text_stays_text() {
    make_dashboard
    render "$work/dash/out"
    # The only script is the check's: the case id's <script> is text. The board's name shows
    # as it is written, its byte 0xff and control character as U+FFFD.
    expect_rendered "scripts 1"
    expect_rendered $'h2 Board <b>evil & "board"</b>\xef\xbf\xbd\xef\xbf\xbd (3 runs)'
}

test_dashboard_check_catches_breakage() {
    make_dashboard
    # Take away one plot and one run after the page was written: the check must see both.
    rm "$work/dash/out"/trend-vm-bandwidth-cpu-host-4KiB-copy-*.png
    rm -r "$work/dash/runs/vm/r5"
    render "$work/dash/out"
    [ "$(grep -c '^img broken 0 trend-vm-bandwidth-cpu-host-4KiB-copy-' <<<"$rendered")" -eq 1 ] ||
        fail "the missing image was not seen"
    [ "$(missing_links)" = "file://$work/dash/runs/vm/r5/" ] || fail "the missing run was not seen"
}

test_dashboard_screenshot() {
    make_dashboard
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$work/chromium" --window-size=1280,3000 \
        --screenshot="$work/dashboard.png" "file://$work/dash/out/index.html" \
        >/dev/null 2>"$work/chromium.log" || fail "chromium --screenshot failed"
    [ "$(head -c 8 "$work/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "no PNG screenshot"
    # The page with its plots: far more than a blank page's few kilobytes.
    [ "$(stat -c %s "$work/dashboard.png")" -gt 50000 ] || fail "the screenshot is nearly empty"
}
