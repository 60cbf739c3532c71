/* bench/run_summary.h - the few numbers per heap a person reads after `make run`.
 *
 * Peak read/write/copy bandwidth, DRAM latency (the chase at the largest size) and allocation
 * latency percentiles at 4 KiB and 1 MiB, gathered from case results as they complete: each
 * benchmark with a heap_summary (bench.h: cpu, alloc) fills its columns.
 */
#ifndef DMABENCH_RUN_SUMMARY_H
#define DMABENCH_RUN_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "flag_tally.h"
#include "runner.h"
#include "sweep.h"

#define SUMMARY_MAX_HEAPS 32

struct heap_summary {
    char heap[HEAP_NAME_MAX];
    double read, write, copy; /* bytes/s, best median over sizes and kernels; 0 = none */
    double latency_ns;        /* chase median at the largest size measured */
    size_t latency_size;
    double alloc_p50[2], alloc_p99[2]; /* ns, kernel alloc, batch 1: [0] 4 KiB, [1] 1 MiB */
};

struct run_tables;

/* Cases whose repetitions stopped before their rule was met: the first few ids are named. */
#define SUMMARY_SHORT_IDS 3
struct short_cases {
    unsigned n;
    char id[SUMMARY_SHORT_IDS][320];
};

struct run_summary {
    size_t n;
    struct heap_summary heaps[SUMMARY_MAX_HEAPS];
    unsigned cases, ok, skipped, errors;
    struct flag_tally disturbed, implausible; /* of the cases measured */
    bool any_heap_figure;      /* a case with heap columns succeeded: the table has a number */
    struct short_cases capped; /* --reps auto reached its cap before the CI target (max) */
    struct short_cases budget; /* the time budget ran out first (budget) */
    struct run_tables *tables; /* sync, coherency, pipeline grids (bench/run_tables.h) */
};

void run_summary_add(struct run_summary *s, const struct bench_case *c,
                     const struct case_result *r);
/* The per-heap table (when a benchmark with heap columns ran), the benchmarks' grids, the case
 * counts, how many cases were flagged disturbed or implausible and why, and the cases whose
 * repetitions stopped short (reps_stop max or budget). */
void run_summary_print(const struct run_summary *s, FILE *out);
void run_summary_free(struct run_summary *s);

#endif
