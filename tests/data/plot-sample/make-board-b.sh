#!/bin/sh
# tests/data/plot-sample/make-board-b.sh - writes board-b/, the synthetic second result set.
#
# A made-up Arm board with what this build machine cannot measure: a cached and an uncached
# heap, sync cost by region size (full vs partial), pipeline throughput by pool depth, stale-
# line verdicts and a core-to-core matrix, in the schema 2 columns the sync, pipeline and
# coherency benchmarks fill (strategy, direction, region_bytes ... cpu, peer, verdict). Its host
# rows are host/'s, scaled, so that the two sets join for the board-vs-board plot. No
# samples.csv: plots and reports read results.csv and metadata.csv only. Deterministic: run it
# again only when the schema changes. Usage: tests/data/plot-sample/make-board-b.sh
set -eu
here=$(dirname "$0")
out=$here/board-b
run=20261120T090000Z
mkdir -p "$out"

cat >"$out/metadata.csv" <<META
schema_version,key,value
3,dmabench_version,0.1.0
3,git_sha,synthetic
3,hostname,board-b
3,board,Synthetic Arm board B
3,dt_compatible,"synthetic,board-b"
3,cpu_model,Cortex-A55 (synthetic)
3,cpu_packages,1
3,cpu_cores,4
3,cpu_pus,4
3,cache_l1d,"32 KiB x4, line 64 B"
3,cache_l2,"128 KiB x4, line 64 B"
3,cache_l3,"2 MiB x1, line 64 B"
3,numa_nodes,1
3,kernel_release,6.6.0-synthetic
3,kernel_arch,aarch64
3,page_size,4096
3,run_id,$run
3,start_time,2026-11-20T09:00:00.000Z
3,heaps,"system:dma-heap(cached);system-uncached:dma-heap(uncached);host:host(cached)"
3,end_time,2026-11-20T09:05:00.000Z
META

# host/results.csv is schema 3 (results/README.md): its header is this file's too. Columns by
# number: 2 run_id, 16 node, 17-28 strategy .. peer (the sweep axes after node: empty in host/,
# given here only where a row uses one), 29 metric, 33-43 median .. ci_high, 39 cv, 49 verdict,
# 50-55 implementation .. implausible (min_sample_ns: 8 synthetic repetitions of 10 ms).
awk -F, -v run="$run" '
function kib(b) {
    if (b >= 1048576 && b % 1048576 == 0) return (b / 1048576) "MiB"
    if (b >= 1024 && b % 1024 == 0) return (b / 1024) "KiB"
    return b "B"
}
function g(x) { return sprintf("%.10g", x) }
# The new columns: only the ones a row uses are given.
function x(strategy, direction, region, importers, pool, engine, cpu, peer) {
    return strategy "," direction "," region "," (region != "" ? 0 : "") "," \
        (region != "" ? 1 : "") "," (region != "" ? "dirty" : "") "," importers "," pool "," \
        (pool != "" ? "nv12:1920x1080" : "") "," engine "," cpu "," peer
}
# One row: the parameters, then the statistics of 8 samples around median with a relative
# spread, then status, error (none), verdict and the facts of schema 3.
function row(id, bench, heap, class, size, threads, batch, kernel, extra, metric, unit, better,
             m, s, verdict) {
    print "3," run "," id "," bench "," bench "," heap "," (heap == "host" ? "host" : "dma-heap") \
        "," class "," size ",0,base,4096," threads "," batch "," kernel ",any," extra "," \
        metric "," unit "," better ",8," g(m) "," g(m * 1.01) "," g(m * (1 - s)) "," \
        g(m * (1 + 2 * s)) "," g(m * s / 2) "," g(m * s / 3) "," g(s / 2) "," g(m * (1 + s)) \
        "," g(m * (1 + 1.8 * s)) "," g(m * (1 - s / 3)) "," g(m * (1 + s / 3)) ",8,fixed,,ok,," \
        verdict ",,,10000000,,,"
}
NR == 1 {
    print
    next
}
# host/s rows, as this slower board would measure them.
$29 == "bandwidth" || $29 == "latency" || $29 == "alloc_latency" {
    f = $29 == "bandwidth" ? 0.35 : $29 == "latency" ? 1.6 : 2.2
    $2 = run
    for (i = 33; i <= 43; i++) if ($i != "" && i != 39) $i = g($i * f)
    out = $1
    for (i = 2; i <= NF; i++) out = out "," $i
    print out
}
END {
    split("4096 16384 65536 262144 1048576 4194304", sizes, " ")
    none = x("", "", "", "", "", "", "", "")
    for (k = 1; k <= 6; k++) {
        b = sizes[k]
        # CPU writes and reads through a cached and an uncached (write-combined) mapping.
        for (h = 0; h < 2; h++) {
            heap = h ? "system-uncached" : "system"
            class = h ? "uncached" : "cached"
            w = h ? 2e9 : (b <= 32768 ? 8e9 : b <= 131072 ? 6e9 : 3.5e9)
            r = h ? 1.5e8 : (b <= 32768 ? 1.2e10 : b <= 131072 ? 9e9 : 4e9)
            base = "cpu:heap=" heap ";size=" kib(b) ";align=0B;page-size=base;threads=1;kernel="
            row(base "write;node=any", "cpu", heap, class, b, 1, "", "write", none, "bandwidth",
                "bytes/s", "higher", w, 0.04, "")
            row(base "read;node=any", "cpu", heap, class, b, 1, "", "read", none, "bandwidth",
                "bytes/s", "higher", r, 0.04, "")
        }
        for (h = 0; h < 2; h++) {
            heap = h ? "system-uncached" : "system"
            class = h ? "uncached" : "cached"
            a = (h ? 9000 : 6000) + b / 4096 * (h ? 900 : 250)
            row("alloc:heap=" heap ";size=" kib(b) ";align=0B;page-size=base;batch=1;kernel=alloc;node=any",
                "alloc", heap, class, b, "", 1, "alloc", none, "alloc_latency", "ns", "lower", a,
                0.3, "")
        }
        # Cache maintenance of one region of a 4 MiB cached buffer, written (dirty) by the CPU,
        # one vgem importer attached: full cleans all 4 MiB whatever the region, a partial sync
        # the region only; none is the floor. Per MiB maintained: the buffer, or the region.
        for (st = 0; st < 3; st++) {
            strategy = st == 2 ? "none" : st ? "partial-user" : "full"
            c = st == 2 ? 900 : st ? 8000 + b / 10 : 8000 + 4194304 / 10
            id = "sync:heap=system;size=4MiB;align=0B;page-size=base;node=any;strategy=" \
                 strategy ";direction=write;region=" kib(b) ";region-offset=0B;regions=1;" \
                 "lines=dirty;importers=1"
            e = x(strategy, "write", b, 1, "", "", "", "")
            row(id, "sync", "system", "cached", 4194304, "", "", "", e, "sync_cost", "ns",
                "lower", c, 0.05, "")
            row(id, "sync", "system", "cached", 4194304, "", "", "", e, "sync_cost_per_mib",
                "ns/MiB", "lower", c * 1048576 / (st == 1 ? b : 4194304), 0.05, "")
        }
    }
    # Frames through CPU -> sync -> engine copy -> sync -> CPU, by buffers in flight.
    split("1 2 3 4 6 8", depths, " ")
    for (k = 1; k <= 6; k++) {
        d = depths[k]
        for (h = 0; h < 2; h++) {
            heap = h ? "system-uncached" : "system"
            class = h ? "uncached" : "cached"
            top = h ? 95 : 140
            row("pipeline:heap=" heap ";size=3MiB;align=0B;page-size=base;node=any;" \
                "strategy=full;pool=" d ";format=nv12:1920x1080;engine=cpu", "pipeline", heap,
                class, 3145728, "", "", "", x("full", "", "", "", d, "cpu", "", ""),
                "throughput", "frames/s", "higher", top * d / (d + 0.8), 0.03, "")
        }
    }
    # Stale lines left by each strategy: the cached heap needs its sync, the uncached one not.
    split("system:cached:none:37 system:cached:full:0 system-uncached:uncached:none:0", probes, " ")
    for (k = 1; k <= 3; k++) {
        split(probes[k], p, ":")
        row("coherency:heap=" p[1] ";size=64KiB;align=0B;page-size=base;kernel=stale-lines;" \
            "node=any;strategy=" p[3], "coherency", p[1], p[2], 65536, "", "", "stale-lines",
            x(p[3], "", "", "", "", "", "", ""), "stale_lines", "lines", "lower", p[4], 0,
            p[4] > 0 ? "needs-sync" : "coherent")
    }
    # Cache-line transfer between CPUs 0-3: two clusters of two sharing an L2.
    for (s = 0; s < 4; s++) for (d = 0; d < 4; d++) if (s != d) {
        ns = int(s / 2) == int(d / 2) ? 48 + s + d : 112 + 2 * s + d
        row("coherency:heap=host;size=64B;align=0B;page-size=base;kernel=c2c;node=any;cpu=" s \
            ";peer=" d, "coherency", "host", "cached", 64, "", "", "c2c",
            x("", "", "", "", "", "", s, d), "c2c_latency", "ns", "lower", ns, 0.05, "")
    }
}' "$here/host/results.csv" >"$out/results.csv"
echo "wrote $out/results.csv ($(($(wc -l <"$out/results.csv") - 1)) rows) and metadata.csv"
