#!/bin/bash
# tests/cli/run.sh - host integration tests of the dmabench command line.
#
# Runs the sanitizer build ($DMABENCH) as a user would. Every tests/cli/t_*.sh defines test_*
# functions (one topic per file); this sources them all with tests/cli/lib.sh and runs each,
# ending with "cli: N passed, M failed".
set -u
here=$(dirname "$0")
# shellcheck source=tests/cli/lib.sh
. "$here/lib.sh"
for file in "$here"/t_*.sh; do
    # shellcheck disable=SC1090
    . "$file"
done

DMABENCH=$(realpath "$DMABENCH")
VALIDATE=$(realpath "$VALIDATE")
WITHOUT_THP=$(realpath "$WITHOUT_THP")
for test in $(declare -F | awk '$3 ~ /^test_/ {print $3}'); do
    t "$test"
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
