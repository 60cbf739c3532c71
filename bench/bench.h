/* bench/bench.h - what a benchmark is to the harness: an ops table, like fio's ioengine_ops.
 *
 * A benchmark declares the axes it uses, its defaults and its metrics, prepares one case
 * (setup), takes one repetition at a time (sample) and cleans up (teardown). The harness owns
 * repetitions, statistics, counters totals and output; a benchmark never prints or writes CSV
 * while it measures. It also owns its rules, asked through the same table: its memory estimate,
 * defaults worked out on the machine, job checks, plausibility figures and its part of the
 * summary after a run, so that no code outside bench_NAME.c knows a benchmark by its name.
 */
#ifndef DMABENCH_BENCH_H
#define DMABENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bench_list.h"
#include "counters.h"
#include "heap.h"
#include "pinning.h"
#include "stats.h"
#include "sweep.h"

enum metric_better {
    BETTER_HIGHER, /* bandwidth, throughput */
    BETTER_LOWER,  /* latency, cost */
};

struct metric_def {
    const char *name; /* "bandwidth", "alloc_latency" */
    const char *unit; /* base units: "bytes/s", "ns", "buffers/s" */
    enum metric_better better;
};

#define BENCH_MAX_METRICS 6

/* One repetition's results: samples per metric (a latency metric may give one sample per
 * buffer of a batch), and how much work the repetition did so counters can be normalised. */
struct sample_out {
    size_t n[BENCH_MAX_METRICS];
    double *values[BENCH_MAX_METRICS]; /* n[i] values each, owned by the benchmark's state */
    double work;     /* units of the benchmark's work_unit done while the counters ran */
    double timed_ns; /* how long the repetition's timed work lasted; 0: the runner's own clock
                      * around the sample call is kept instead (samples.csv duration_ns) */
};

/* What a case really ran on, as the benchmark found it (in setup or in its samples), beside
 * what the sweep asked for: the rows say both, so that no row claims more than was measured. */
struct case_facts {
    char implementation[48]; /* the code that ran ("read:avx512", "chase"), or "" */
    size_t page_size;        /* the page size the kernel granted, read back; 0: not read */
    double huge_fraction;    /* the buffer's bytes on huge pages, read back; NAN: not read */
    char note[512];          /* what else qualifies the rows (short samples and why), or "" */
};

/* Add one sentence to facts->note, after "; " when it already says something (what several
 * findings of one case need), cut to fit. facts NULL (a unit test calling a benchmark directly)
 * is fine: nothing is kept. */
__attribute__((format(printf, 2, 3))) void case_facts_note(struct case_facts *facts,
                                                           const char *fmt, ...);

struct mem_limit;

/* What a benchmark gets from the harness for one case. */
struct bench_env {
    struct heap_registry *registry;
    const struct counter_spec *counters; /* events to count (n may be 0) */
    struct counter_totals *totals;       /* add each thread's counts here */
    const struct pinning *pins;          /* CPUs to pin threads to, in order */
    double min_sample_ns;                /* a sample should last at least this long */
    struct case_facts *facts;            /* the runner's, for this case: filled by the bench */
    const char *proc_root; /* prefix of the /proc and /sys files a benchmark reads; NULL: the
                            * real ones (tests plant a tree) */
    /* --max-mem, what a case may hold at once (bench/mem_limit.h); NULL: the default share. The
     * guard checks each case's buffers_held against it before a run; a case that holds what
     * the heap will give (alloc-pressure) bounds itself by it as it runs. */
    const struct mem_limit *mem_limit;
};

struct case_result;
struct heap_summary;
struct plausibility_case;
struct run_table;

struct bench_def {
    const char *name;
    const char *description;
    unsigned axes;                      /* bit (1u << AXIS_x) per axis used */
    const char *defaults[N_SWEEP_AXES]; /* default value list per axis, or NULL */
    /* What sample_out.work counts ("byte", "buffer", "sync", "frame", "probe"): counter rows
     * are per one of it ("events/byte", "ns/buffer"). */
    const char *work_unit;
    /* Is this kernel-axis value one of ours? Returns 0 or -EINVAL with a reason. */
    int (*check_kernel)(const char *kernel, char *err, size_t err_len);
    /* Optional, for benchmarks whose kernels are different probes: the axes a case of this
     * kernel uses (a subset of axes; heap and kernel always). The sweep expands each kernel
     * over its own axes, and a case's id names only those. NULL: every kernel uses all axes. */
    unsigned (*kernel_axes)(const char *kernel);
    /* Optional, with kernel_axes: a kernel's own default list for an axis its cases use, when
     * the job left that axis at the benchmark's default (which covers every kernel), or NULL
     * for the benchmark's. So each probe gets the values that apply to it (coherency: copy
     * engines for stale, fence sources for fence) rather than a product of skipped cases; an
     * axis the user set is taken as given. */
    const char *(*kernel_default)(const char *kernel, enum sweep_axis axis);
    /* Optional: the axes of case c (bits of c->axes) that its other values leave without a
     * meaning (sync: the importer's engine when no importer is attached). The sweep keeps one
     * case for them, the one at each such axis's first value, without those axes: its id and
     * its row leave them out, as they do an axis the benchmark does not use. NULL: none. */
    unsigned (*idle_axes)(const struct bench_case *c);
    /* Optional: a verdict on a metric's statistics over every repetition ("coherent",
     * "needs-sync", "pass", "fail", "sync-ineffective"; a check may judge its worst repetition,
     * stats->max, not the median), or NULL when the metric is a measurement, not a check. */
    const char *(*verdict)(const struct bench_case *c, const char *metric,
                           const struct stats_summary *stats);
    /* The metrics a case produces; the first one has exactly one sample per repetition and
     * decides when repetitions stop. Returns how many. */
    size_t (*metrics)(const struct bench_case *c, const struct metric_def *const **defs);
    /* Prepare a case. 0, or -errno with reason filled; -EOPNOTSUPP means "skipped" (the case
     * does not apply here, e.g. a kernel this CPU lacks), anything else is an error. */
    int (*setup)(const struct bench_case *c, const struct bench_env *env, void **state,
                 char *reason, size_t reason_len);
    /* One repetition (warm-up is the benchmark's business). 0 or -errno with reason. */
    int (*sample)(void *state, struct sample_out *out, char *reason, size_t reason_len);
    void (*teardown)(void *state);

    /* --- the benchmark's rules, which the harness asks before and after the cases --- */
    /* Optional: a default list for an axis whose defaults entry is NULL, worked out on this
     * machine (cpu: sizes from its caches), written to out. Returns out, or NULL for none. */
    const char *(*machine_default)(enum sweep_axis axis, char *out, size_t out_len);
    /* Optional: what the job asks that no case could do, beyond check_kernel (alloc: an align
     * that is no power of two): 0, or -EINVAL with the reason ("align: ...") in err, said once
     * before anything runs. */
    int (*check_job)(const struct job *job, char *err, size_t err_len);
    /* Optional, for the memory guard (bench/mem_guard.h): how many buffers of the case's size
     * (or frame) it holds at once; the bytes each needs beyond that in *extra (cpu: its start
     * offset); what they are after the size of one in how (" x batch 16"). NULL: the guard
     * assumes batch x threads x 2, an over-estimate on purpose. */
    size_t (*buffers_held)(const struct bench_case *c, size_t *extra, char *how, size_t how_len);
    /* The options that make a case hold less, for the guard's refusal ("--format or --pool");
     * NULL: "--size or --batch". */
    const char *smaller_with;
    /* Optional: which figure of a case the physical rules (bench/measure/plausibility.h) check: its
     * kind in out->kind and, for a CPU figure, the bytes each thread touches in out->working_set.
     * Returns the metric whose median is the figure, or NULL when no rule is about the case. */
    const char *(*plausibility)(const struct bench_case *c, struct plausibility_case *out);
    /* Optional: adds a case that succeeded to its heap's line of the run summary
     * (bench/run_summary.h); the heap table is for the benchmarks that have this. */
    void (*heap_summary)(struct heap_summary *h, const struct bench_case *c,
                         const struct case_result *r);
    /* Optional: the benchmark's grids after a run (bench/run_tables.h), drawn from its own cases
     * in run order; the run keeps cases for the benchmarks that have this. */
    void (*print_tables)(const struct run_table *t, FILE *out);
};

/* Every benchmark of BENCHES (bench_list.h), in its order. */
const struct bench_def *bench_find(const char *name);
size_t bench_count(void);
const struct bench_def *bench_at(size_t i);
/* Whether a benchmark uses an axis (its id and CSV rows say "-" for those it does not). */
static inline bool bench_uses_axis(const struct bench_def *b, enum sweep_axis axis)
{
    return b->axes & (1u << axis);
}

#define BENCH_DECLARE(name) extern const struct bench_def bench_##name;
BENCHES(BENCH_DECLARE)
#undef BENCH_DECLARE

/* cpu's default sizes as an axis list ("16384,524288,16777216,268435456"): inside L1, L2 and
 * the LLC, then well beyond it (256 MiB or 8x the LLC), from topo's caches (NULL or a cache
 * without a size: typical sizes), rounded down to powers of two, increasing, no repeats. Its
 * machine_default for the size axis, from this machine's topology; apart, for its unit test. */
struct topology_summary;
void bench_cpu_default_sizes(const struct topology_summary *topo, char *out, size_t out_len);

/* The verdict of a case's metric from its benchmark's rules, or "" (no verdict, or the
 * metric did not produce samples: ok false, stats not read). */
const char *bench_verdict(const struct bench_case *c, const char *metric, bool ok,
                          const struct stats_summary *stats);

#endif
