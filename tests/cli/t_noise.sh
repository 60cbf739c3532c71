#!/bin/bash
# tests/cli/t_noise.sh - compare's noise guard on copies of one real run: a run whose metadata
# shows it disturbed makes its regression inconclusive (a warning, exit 0), the same regression
# between quiet runs still exits 1, and counter rows never decide the exit status.
# Sourced by run.sh (functions named test_*).

# noise_run: a real quick cpu run, made once, then made to look quiet whatever this machine was
# doing (no load, no steal, no disturbed rows), so that only what a test plants judges it.
noise_run() {
    local dir=$work/noise-run
    if [ ! -d "$dir" ]; then
        run run cpu --heap host --size 16K,64K --kernel read,copy --reps 9 -q -o "$dir"
        expect_rc 0
        noise_edit "$dir" quiet
    fi
    echo "$dir"
}

# noise_copy NAME EDIT...: a copy of noise_run, edited (see noise_edit); prints its path.
noise_copy() {
    local src dst=$work/$1
    shift
    src=$(noise_run)
    rm -rf "$dst"
    cp -r "$src" "$dst"
    noise_edit "$dst" "$@"
    echo "$dst"
}

# noise_edit DIR EDIT...: quiet (loads 0.05 on cpus_used = cpu_pus, no steal, disturbed column
# empty); scale:METRIC_PREFIX:FACTOR (medians, statistics and raw samples of the metrics whose
# name starts so); meta:KEY=VALUE.
noise_edit() {
    python3 - "$@" <<'PY' || fail "noise_edit $*"
import csv, sys
d, edits = sys.argv[1], sys.argv[2:]
def rw(name, change):
    with open(f"{d}/{name}", newline="") as f:
        rows = list(csv.reader(f))
    rows = change(rows)
    with open(f"{d}/{name}", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
def meta(sets):
    def change(rows):
        keys = [r[1] for r in rows]
        for k, v in sets.items():
            if k in keys:
                rows[keys.index(k)][2] = v
            else:
                rows.append([rows[1][0], k, v])
        return rows
    rw("metadata.csv", change)
STATS = ["median", "mean", "min", "max", "stddev", "mad", "p90", "p99", "ci_low", "ci_high"]
for e in edits:
    if e == "quiet":
        with open(f"{d}/metadata.csv", newline="") as f:
            pus = {r[1]: r[2] for r in csv.reader(f)}.get("cpu_pus", "2")
        quiet = {"cpus_used": pus, "steal_percent": "0.00"}
        for when in ("before", "after"):
            for avg in ("1", "5", "15"):
                quiet[f"{when}_loadavg_{avg}"] = "0.05"
            quiet[f"{when}_cpu_steal"] = "0"
        meta(quiet)
        def clear(rows):
            c = rows[0].index("disturbed")
            for r in rows[1:]:
                r[c] = ""
            return rows
        rw("results.csv", clear)
    elif e.startswith("meta:"):
        k, v = e[5:].split("=", 1)
        meta({k: v})
    elif e.startswith("scale:"):
        prefix, factor = e[6:].rsplit(":", 1)
        factor = float(factor)
        def scale_results(rows):
            h = rows[0]
            for r in rows[1:]:
                if r[h.index("metric")].startswith(prefix):
                    for s in STATS:
                        if r[h.index(s)]:
                            r[h.index(s)] = "%.10g" % (float(r[h.index(s)]) * factor)
            return rows
        def scale_samples(rows):
            h = rows[0]
            for r in rows[1:]:
                if r[h.index("metric")].startswith(prefix):
                    r[h.index("value")] = "%.10g" % (float(r[h.index("value")]) * factor)
            return rows
        rw("results.csv", scale_results)
        rw("samples.csv", scale_samples)
    else:
        sys.exit(f"unknown edit {e}")
PY
}

# The new run's bandwidth at a quarter of the base's: whatever the noise of the real samples,
# no sample of one side reaches the other, a regression of the plainest kind.
test_noise_quiet_regression_exits_1() {
    local base new
    base=$(noise_copy nq-base)
    new=$(noise_copy nq-new scale:bandwidth:0.25)
    run compare "$base" "$new"
    expect_rc 1
    expect_out 'kernel=read;.* bandwidth +bytes/s .* -75\.0% .* regression$'
    ! grep -q 'inconclusive' <<<"$out$err" || fail "a quiet run called inconclusive"
}

test_noise_disturbed_run_is_inconclusive() {
    local base new
    base=$(noise_copy nd-base)
    new=$(noise_copy nd-new scale:bandwidth:0.25 meta:after_loadavg_1=3.50 meta:cpus_used=2)
    run compare "$base" "$new"
    expect_rc 0
    expect_err '^dmabench: compare: warning: inconclusive: new: load 3\.50 on 2 CPUs'
    expect_out 'kernel=read;.* bandwidth +bytes/s .* -75\.0% .* inconclusive$'
    expect_out '^  note: the new run was disturbed: load 3\.50 on 2 CPUs'
    ! grep -q 'regression$' <<<"$out" || fail "a disturbed run's change called a regression"
    # Every format exits 0 for it; JUnit skips the case with the reason.
    run compare "$base" "$new" --format junit
    expect_rc 0
    expect_out '<skipped message="inconclusive: new: load 3\.50 on 2 CPUs; regression: median'
    # The disturbed side may be BASE as well: a faster NEW is no evidence either way.
    run compare "$new" "$base"
    expect_rc 0
    # Steal time disturbs a run as load does.
    new=$(noise_copy nd-steal scale:bandwidth:0.25 meta:steal_percent=4.20)
    run compare "$base" "$new" --format csv
    expect_rc 0
    expect_err '^dmabench: compare: warning: inconclusive: new: steal 4\.2%'
    expect_out ',inconclusive$'
}

test_noise_counters_never_fail() {
    local base new
    base=$(noise_copy nc-base)
    new=$(noise_copy nc-new scale:perf:::4)
    grep -q 'perf::task-clock,ns/byte,lower,9,' "$new/results.csv" ||
        fail "the run has no task-clock counter rows to compare"
    run compare "$base" "$new"
    expect_rc 0
    expect_out 'perf::task-clock +ns/byte .* \+300\.0% .* worse$'
    ! grep -q 'regression$' <<<"$out" || fail "a counter row called a regression"
    expect_out '^verdicts: .*[0-9]+ worse'
}

# The CPUs a run's load is held to: its --cpus, else every CPU it may use.
test_noise_run_records_cpus_used() {
    local dir=$work/noise-cpus all
    run run cpu --heap host --size 16K --kernel read --reps 3 --counters none -q --cpus 0 \
        -o "$dir-one"
    expect_rc 0
    [ "$(csv_columns "$dir-one/metadata.csv" key value | sed -n 's/^cpus_used,//p')" = 1 ] ||
        fail "--cpus 0: cpus_used is not 1"
    run run cpu --heap host --size 16K --kernel read --reps 3 --counters none -q -o "$dir-all"
    expect_rc 0
    all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status | tr , '\n' |
        awk -F- '{n += NF == 2 ? $2 - $1 + 1 : 1} END {print n}')
    [ "$(csv_columns "$dir-all/metadata.csv" key value | sed -n 's/^cpus_used,//p')" = "$all" ] ||
        fail "cpus_used is not the $all CPUs this process may use"
}
