#!/bin/sh
# lava/collect.sh - take the result files of a LAVA job out of its log, for `dmabench compare`.
#
#   lava/collect.sh JOB_LOG DIR     (JOB_LOG: `lavacli jobs logs ID > job.log`, or the log file
#                                    downloaded from the job page; "-" reads stdin)
# lava/run.sh prints results.tar.gz in base64 between DMABENCH-RESULTS-BEGIN and -END; this
# decodes it into DIR/<board>/<run id>/, named from the run's own metadata.csv.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 JOB_LOG DIR" >&2; exit 2; }
log=$1 dest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LAVA's plain log prints each console line as is; its YAML log wraps them as msg: '...'.
sed -n '/DMABENCH-RESULTS-BEGIN/,/DMABENCH-RESULTS-END/p' "$log" |
    sed -e "s/^.*msg: '//" -e "s/'}\$//" -e 's/\r$//' |
    grep -v 'DMABENCH-RESULTS' | base64 -d >"$tmp/results.tar.gz" ||
    { echo "$0: no dmabench results in $log" >&2; exit 1; }
mkdir "$tmp/run"
tar -C "$tmp/run" -xzf "$tmp/results.tar.gz"
value() { awk -F, -v k="$1" '$2 == k { sub(/^[^,]*,[^,]*,/, ""); gsub(/"/, ""); print; exit }' \
    "$tmp/run/metadata.csv"; }
board=$(value board | tr -c 'A-Za-z0-9._\n-' '_')
run=$(value run_id)
mkdir -p "$dest/${board:-unknown}"
[ ! -e "$dest/${board:-unknown}/$run" ] || { echo "$0: $dest/$board/$run exists" >&2; exit 1; }
mv "$tmp/run" "$dest/${board:-unknown}/$run"
echo "$dest/${board:-unknown}/$run"
