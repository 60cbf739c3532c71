#!/usr/bin/env python3
# tests/data/compare/make-sets.py - writes the small result sets tests/cli/t_compare.sh compares.
#
# Their answers are known by construction: samples are evenly spaced around a median ("noise"
# of +-1% or +-20%), so medians and ratios are exact and the rank tests deterministic. The sets
# follow results/README.md; tests/cli/t_compare.sh checks each with the validator the VM tests
# use, so they cannot drift from what `dmabench run` writes. All are schema version 3, but
# v1-base: base as schema version 1 wrote it (without the columns versions 2 and 3 added), which
# the readers still take. Every repetition is a synthetic 10 ms one (duration_ns, min_sample_ns). Run from the repository root:
#   python3 tests/data/compare/make-sets.py [DIR]
# DIR (default: beside this script) is where the sets go; tests/cli/t_compare.sh writes them
# aside and compares them with the shipped ones.
import csv, math, os, sys

HERE = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
# RESULTS_COLUMNS in bench/results/results_columns.h, in its order (the sweep parameters' from
# bench/job/sweep_axes.h): the validator checks the header of every set written from it.
RESULTS = ["schema_version", "run_id", "case_id", "bench", "job", "heap", "backend", "heap_class",
           "size_bytes", "align_bytes", "page_kind", "page_size_bytes", "threads", "batch",
           "kernel", "node", "strategy", "direction", "region_bytes", "region_offset_bytes",
           "regions", "lines", "importers", "pool_depth", "frame_format", "engine", "cpu", "peer",
           "metric", "unit", "better", "n", "median", "mean", "min", "max", "stddev", "mad", "cv",
           "p90", "p99", "ci_low", "ci_high", "reps", "reps_stop", "mux_ratio", "status", "error",
           "verdict", "implementation", "huge_fraction", "min_sample_ns", "note", "disturbed",
           "implausible"]
# What version 3 added: what ran and how long, the flags; version 2: the sweep parameters after
# node, and verdict.
V3_ONLY = set(RESULTS[RESULTS.index("implementation"):])
V2_ONLY = set(RESULTS[RESULTS.index("strategy"):RESULTS.index("metric")] + ["verdict"])
COLUMNS = {"3": RESULTS, "1": [c for c in RESULTS if c not in V2_ONLY | V3_ONLY]}
SAMPLES = {"3": ["schema_version", "run_id", "case_id", "metric", "unit", "rep", "value",
                 "duration_ns"]}
SAMPLES["1"] = SAMPLES["3"][:-1]
REP_NS = 10e6
N = 12


def cpu(size, kernel):
    return ("cpu:heap=system;size=%s;align=0B;page-size=base;threads=1;kernel=%s;node=any"
            % (size, kernel), "cpu", {"size_bytes": {"4KiB": 4096, "64KiB": 65536,
                                                     "1MiB": 1048576}[size],
                                       "threads": "1", "kernel": kernel})


def alloc(size):
    return ("alloc:heap=system;size=%s;align=0B;page-size=base;batch=1;kernel=alloc;node=any"
            % size, "alloc", {"size_bytes": {"4KiB": 4096, "1MiB": 1048576}[size],
                              "batch": "1", "kernel": "alloc"})


BW4K, BW1M, BW64K, AVX512 = cpu("4KiB", "read:c"), cpu("1MiB", "read:c"), cpu("64KiB", "read:c"), \
    cpu("4KiB", "read:avx512")
LAT4K, LAT1M = alloc("4KiB"), alloc("1MiB")


def spread(median, noise, offset=0.0):
    """N samples evenly spaced over median * (1 +- noise), shifted by offset of a step."""
    return [float("%.10g" % (median * (1 + noise * (2 * (i + 0.5 + offset) / N - 1))))
            for i in range(N)]


def pct(s, q):
    h = (len(s) - 1) * q / 100
    lo = math.floor(h)
    return s[-1] if lo >= len(s) - 1 else s[lo] + (h - lo) * (s[lo + 1] - s[lo])


def ci_ranks(n):
    j, term, cdf, i = 0, 2.0 ** -n, 2.0 ** -n, 0
    while cdf <= 0.025:
        j = i + 1
        term *= (n - i) / (i + 1)
        cdf += term
        i += 1
    return j, n + 1 - j


def g(v):
    return "%.10g" % v


def stats(x):
    s = sorted(x)
    n = len(s)
    med = pct(s, 50)
    mean = sum(s) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in s) / (n - 1))
    mad = pct(sorted(abs(v - med) for v in s), 50)
    lo, hi = ci_ranks(n) if n >= 6 else (None, None)
    return dict(n=str(n), median=g(med), mean=g(mean), min=g(s[0]), max=g(s[-1]), stddev=g(sd),
                mad=g(mad), cv=g(sd / mean), p90=g(pct(s, 90)), p99=g(pct(s, 99)),
                ci_low=g(s[lo - 1]) if lo else "", ci_high=g(s[hi - 1]) if hi else "",
                reps=str(n), reps_stop="fixed", min_sample_ns=g(REP_NS))


def write_set(name, board, run_id, cases, version="3"):
    columns = COLUMNS[version]
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "metadata.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["schema_version", "key", "value"])
        for k, v in [("board", board), ("hostname", name), ("cpu_model", "Test CPU x4"),
                     ("dt_compatible", "test,board;test,soc"), ("kernel_release", "6.12.9-test"),
                     ("kernel_version", "#1 SMP PREEMPT"), ("kernel_arch", "aarch64"),
                     ("dmabench_version", "0.1"), ("git_sha", "0123456789ab"),
                     ("run_id", run_id), ("start_time", "2026-01-01T00:00:00.000Z"),
                     ("end_time", "2026-01-01T00:01:40.500Z")]:
            w.writerow([version, k, v])
    with open(os.path.join(d, "results.csv"), "w", newline="") as fr, \
            open(os.path.join(d, "samples.csv"), "w", newline="") as fs:
        wr, ws = csv.writer(fr, lineterminator="\n"), csv.writer(fs, lineterminator="\n")
        wr.writerow(columns)
        ws.writerow(SAMPLES[version])
        for (case_id, bench, params), metric, status, samples in cases:
            unit, better = {"bandwidth": ("bytes/s", "higher"),
                            "alloc_latency": ("ns", "lower")}[metric]
            row = dict(schema_version=version, run_id=run_id, case_id=case_id, bench=bench, job=bench,
                       heap="system", backend="dma-heap", heap_class="cached", align_bytes="0",
                       page_kind="base", page_size_bytes="4096", node="any", metric=metric,
                       unit=unit, better=better, status=status, error="")
            row.update(params)
            if samples:
                row.update(stats(samples))
            elif status == "skipped":
                row["error"] = "Operation not supported: this CPU has no AVX-512"
            if status == "error":
                row["error"] = "Cannot allocate memory: the heap has no room, try --batch 1"
            wr.writerow([row.get(c, "") for c in columns])
            for i, v in enumerate(samples or []):
                ws.writerow([version, run_id, case_id, metric, unit, str(i), g(v),
                             g(REP_NS)][:len(SAMPLES[version])])


A, B = "Test Board A", "Test Board B"
base = [(BW4K, "bandwidth", "ok", spread(10e9, 0.01)),
        (BW1M, "bandwidth", "ok", spread(8e9, 0.20)),
        (LAT4K, "alloc_latency", "ok", spread(3000, 0.01)),
        (AVX512, "bandwidth", "skipped", None),
        (BW64K, "bandwidth", "ok", spread(12e9, 0.01)),
        (LAT1M, "alloc_latency", "ok", spread(90000, 0.01))]
write_set("base", A, "20260101T000000Z", base)
write_set("v1-base", A, "20260101T000000Z", base, version="1")
# The same medians measured again, the samples shifted by half a step (+1.7% on the median with
# 20% noise, +0.1% with 1%): nothing that matters changed.
same = [(BW4K, "bandwidth", "ok", spread(10e9, 0.01, 0.5)),
        (BW1M, "bandwidth", "ok", spread(8e9, 0.20, 0.5)),
        (LAT4K, "alloc_latency", "ok", spread(3000, 0.01, 0.5)),
        (AVX512, "bandwidth", "skipped", None),
        (BW64K, "bandwidth", "ok", spread(12e9, 0.01, 0.5)),
        (LAT1M, "alloc_latency", "ok", spread(90000, 0.01, 0.5))]
write_set("same", A, "20260102T000000Z", same)
# 10% slower with 1% noise: a regression. 64KiB is gone, copy:c is only in this set.
slower = [(BW4K, "bandwidth", "ok", spread(9e9, 0.01)),
          (BW1M, "bandwidth", "ok", spread(8e9, 0.20, 0.5)),
          (LAT4K, "alloc_latency", "ok", spread(3000, 0.01, 0.5)),
          (AVX512, "bandwidth", "skipped", None),
          (LAT1M, "alloc_latency", "ok", spread(90000, 0.01, 0.5)),
          (cpu("4KiB", "copy:c"), "bandwidth", "ok", spread(5e9, 0.01))]
write_set("slower", A, "20260103T000000Z", slower)
# 10% less bandwidth inside 20% noise: not significant, not a regression.
noisy = list(same)
noisy[1] = (BW1M, "bandwidth", "ok", spread(7.2e9, 0.20))
write_set("noisy", A, "20260104T000000Z", noisy)
# 10% more bandwidth and 10% less latency: improvements, never regressions.
faster = list(same)
faster[0] = (BW4K, "bandwidth", "ok", spread(11e9, 0.01))
faster[2] = (LAT4K, "alloc_latency", "ok", spread(2700, 0.01))
write_set("faster", A, "20260105T000000Z", faster)
# The 1 MiB allocation fails in the new run.
failing = list(same)
failing[5] = (LAT1M, "alloc_latency", "error", None)
write_set("failing", A, "20260106T000000Z", failing)
# Another board, 10% slower: a difference between boards, not a regression.
boardb = list(slower[:5])
write_set("boardb", B, "20260107T000000Z", boardb)
# Only 4 samples a side: the warning.
few = [(BW4K, "bandwidth", "ok", spread(9e9, 0.01)[:4])]
write_set("few", A, "20260108T000000Z", few)
