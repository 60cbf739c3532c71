#!/bin/bash
# tests/browser/run.sh - the dashboard page of `dmabench history` rendered in a real browser.
#
# Headless Chromium (Debian's chromium; $CHROMIUM to use another) loads pages written by
# $DASHBOARD_SAMPLE (tests/browser/dashboard_sample.c: the trend plots and index.html of the
# sample history in tests/unit/history_fixture.c), and the tests check what it rendered, not the
# HTML text: tables and their rows, images loaded, links that resolve. Every tests/browser/t_*.sh
# defines test_* functions; helpers come from tests/cli/lib.sh. Ends with "browser: N passed,
# M failed". `make browsercheck` runs it (part of `make check`).
set -u
here=$(dirname "$0")
# shellcheck source=tests/cli/lib.sh
. "$here/../cli/lib.sh"
for file in "$here"/t_*.sh; do
    # shellcheck disable=SC1090
    . "$file"
done

CHROMIUM=${CHROMIUM:-chromium}
if ! command -v "$CHROMIUM" >/dev/null; then
    echo "browser: $CHROMIUM not found: install it with scripts/deps.sh check (Debian: chromium)" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
DASHBOARD_SAMPLE=$(realpath "$DASHBOARD_SAMPLE")
export DMABENCH_PLOT_DIR=${DMABENCH_PLOT_DIR:-$(realpath "$here/../../plot")}
for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
