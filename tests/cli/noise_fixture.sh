# tests/cli/noise_fixture.sh - copies of one real quick run, made to look quiet or disturbed as
# a test asks: compare's and history's noise guards are tested on them (t_noise.sh, t_json.sh).
# Sourced by tests/cli/lib.sh, so that any t_*.sh runs alone too.

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
