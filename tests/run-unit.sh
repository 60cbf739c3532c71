#!/bin/sh
# tests/run-unit.sh - run every cmocka unit-test binary and add up their results.
#
# Each binary prints cmocka's own summary; this prints one closing line for the whole set
# ("unit: N passed, M failed") and fails when any test or binary failed.
set -u
passed=0 failed=0 broken=0
for bin in "$@"; do
    out=$("$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "unit: $bin exited with status $rc" >&2
        broken=$((broken + 1))
    fi
done
echo "unit: $passed passed, $((failed + broken)) failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
