#!/bin/sh
# lava/run.sh - what lava/dmabench.yaml runs on the board: get dmabench, run, report, hand back.
#
#   lava/run.sh JOB DMABENCH_URL OUTPUT UPLOAD_URL [dmabench run options...]
# POSIX sh and busybox only, for Yocto and Android boards. The run's own failures are LAVA test
# cases (fail); this script fails (lava-test-raise) only when dmabench cannot be had at all.
set -u
job=${1:-quick} url=${2:-} out=${3:-/tmp/dmabench-results} upload=${4:-}
shift 4 2>/dev/null || shift $#

raise() {
    echo "dmabench: $*" >&2
    command -v lava-test-raise >/dev/null && lava-test-raise "dmabench: $*"
    exit 1
}

bin=""
if [ -n "$url" ]; then
    bin=/tmp/dmabench
    if command -v curl >/dev/null; then
        curl -fsSL -o "$bin" "$url" || raise "cannot download $url"
    else
        wget -q -O "$bin" "$url" || raise "cannot download $url"
    fi
    chmod +x "$bin"
elif command -v dmabench >/dev/null; then
    bin=$(command -v dmabench)
elif [ -f Makefile ] && command -v make >/dev/null; then
    # A Debian-like board with a compiler: scripts/deps.sh installs what the build needs.
    make static >build.log 2>&1 || { tail -20 build.log; raise "build failed"; }
    bin=$(ls build/static-*/dmabench | head -1)
else
    raise "no dmabench: set DMABENCH_URL, put dmabench on PATH, or run where it can be built"
fi

"$bin" list
# Each run in its own directory: dmabench never overwrites one.
dir="$out/$(date -u +%Y%m%dT%H%M%SZ)"
"$bin" run -j "$job" -o "$dir" "$@"
rc=$?
[ -f "$dir/results.csv" ] || raise "dmabench run wrote no results (exit $rc)"
"$bin" export "$dir" --format lava || raise "reporting the results failed"

# Results back to the lab: uploaded, or on the console for lava/collect.sh.
tar -C "$dir" -czf /tmp/dmabench-results.tar.gz results.csv samples.csv metadata.csv
if [ -n "$upload" ]; then
    curl -fsS -T /tmp/dmabench-results.tar.gz "$upload" || raise "cannot upload to $upload"
else
    echo "DMABENCH-RESULTS-BEGIN"
    base64 /tmp/dmabench-results.tar.gz
    echo "DMABENCH-RESULTS-END"
fi
exit 0
