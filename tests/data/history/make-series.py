#!/usr/bin/env python3
# tests/data/history/make-series.py - a board's history made from one real run: N copies of a
# result set that `dmabench run` wrote, laid out as it lays runs out (OUT/BOARD/RUN_ID/), with
# known answers: each copy's medians (and samples, and CIs) scaled by a seeded Gaussian noise
# and, from run --step-at on, by --step. tests/cli/t_history.sh checks that `dmabench history`
# finds what was put in.
#
#   make-series.py SRC OUT --board NAME --runs N [--first-minute M] [--noise PCT] [--seed S]
#       [--step-at K --step FACTOR [--step-metrics M1,M2]] [--disturb I,J...]
#       [--drop I:TEXT] [--kernels I:RELEASE,...] [--gits I:SHA,...]
# --step 1.10 multiplies the medians by 1.10: a regression for a lower-is-better metric, an
#   improvement for a higher-is-better one; --step-metrics limits it to those metrics.
# --disturb: those runs' metadata shows a load of 4x their CPUs (bench/analysis/run_noise.h).
# --drop I:TEXT: run I lacks the cases whose case_id contains TEXT.
# --kernels / --gits: kernel_release / git_sha from run I on (until the next one given).
# Every copy is otherwise an undisturbed run: load 0.05, no steal, 8 s long, no row flagged.
import argparse, csv, os, random

p = argparse.ArgumentParser()
p.add_argument("src")
p.add_argument("out")
p.add_argument("--board", required=True)
p.add_argument("--runs", type=int, required=True)
p.add_argument("--first-minute", type=int, default=0)
p.add_argument("--noise", type=float, default=0.0, help="Gaussian sd, percent")
p.add_argument("--seed", type=int, default=14)
p.add_argument("--step-at", type=int, default=-1)
p.add_argument("--step", type=float, default=1.0)
p.add_argument("--step-metrics", default="")
p.add_argument("--disturb", default="")
p.add_argument("--drop", action="append", default=[])
p.add_argument("--kernels", default="")
p.add_argument("--gits", default="")
a = p.parse_args()
rng = random.Random(a.seed)


def read(name):
    with open(os.path.join(a.src, name), newline="") as f:
        return list(csv.reader(f))


def from_run(spec):
    """I:VALUE,... as a function of the run index (None before the first)."""
    pairs = sorted((int(i), v) for i, v in (x.split(":", 1) for x in spec.split(",") if x))
    return lambda run: ([v for i, v in pairs if i <= run] or [None])[-1]


results, samples, metadata = read("results.csv"), read("samples.csv"), read("metadata.csv")
rh, sh = results[0], samples[0]
col = {n: i for i, n in enumerate(rh)}
step_metrics = set(filter(None, a.step_metrics.split(",")))
disturbed = {int(x) for x in a.disturb.split(",") if x}
drops = [(int(i), t) for i, t in (d.split(":", 1) for d in a.drop)]
kernel_of, git_of = from_run(a.kernels), from_run(a.gits)
meta = {row[1]: row[2] for row in metadata[1:]}
cpus = float(meta.get("cpus_used", meta.get("cpu_pus", "1")))

for run in range(a.runs):
    minute = a.first_minute + run
    start = "2027-01-01T%02d:%02d:00.000Z" % (minute // 60, minute % 60)
    end = "2027-01-01T%02d:%02d:08.000Z" % (minute // 60, minute % 60)
    run_id = "20270101T%02d%02d00Z" % (minute // 60, minute % 60)
    d = os.path.join(a.out, a.board, run_id)
    os.makedirs(d)
    dropped = lambda case: any(i == run and t in case for i, t in drops)
    factor = {}
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rh)
        for row in results[1:]:
            row = list(row)
            case, metric = row[col["case_id"]], row[col["metric"]]
            if dropped(case):
                continue
            k = 1 + rng.gauss(0, a.noise / 100)
            if run >= a.step_at >= 0 and (not step_metrics or metric in step_metrics):
                k *= a.step
            factor[case, metric] = k
            for c in ("median", "ci_low", "ci_high"):
                if row[col[c]]:
                    row[col[c]] = "%.10g" % (float(row[col[c]]) * k)
            row[col["run_id"]] = run_id
            row[col["disturbed"]] = ""
            w.writerow(row)
    with open(os.path.join(d, "samples.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(sh)
        for row in samples[1:]:
            row = list(row)
            key = (row[sh.index("case_id")], row[sh.index("metric")])
            if dropped(key[0]):
                continue
            row[sh.index("value")] = "%.10g" % (float(row[sh.index("value")]) * factor.get(key, 1))
            row[sh.index("run_id")] = run_id
            w.writerow(row)
    load = "%.2f" % (4 * cpus) if run in disturbed else "0.05"
    values = {"run_id": run_id, "start_time": start, "end_time": end, "board": a.board,
              "before_loadavg_1": load, "after_loadavg_1": load, "steal_percent": "0.00",
              "after_cpu_steal": meta.get("before_cpu_steal", "0"),
              "flagged_cases": "0 disturbed, 0 implausible"}
    if kernel_of(run):
        values["kernel_release"] = kernel_of(run)
    if git_of(run):
        values["git_sha"] = git_of(run)
    with open(os.path.join(d, "metadata.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(metadata[0])
        for row in metadata[1:]:
            w.writerow([row[0], row[1], values.get(row[1], row[2])])
