/* bench/run_tables.h - the tables `dmabench run` prints after sync, coherency and pipeline runs.
 *
 * The per-heap summary (bench/run_summary.c) has one line per heap; these benchmarks answer
 * questions that need a grid: sync cost against region size per strategy, the stale-line
 * verdicts, the core-to-core latency matrix, frame latency per pool depth. Case results are
 * copied in as they complete (the cases themselves are freed after each job) and printed at
 * the end. Nothing here measures; a case that did not run shows "-", never a number.
 */
#ifndef DMABENCH_RUN_TABLES_H
#define DMABENCH_RUN_TABLES_H

#include <stdio.h>

#include "runner.h"
#include "sweep.h"

struct run_tables;

/* Keep what the tables need of c and r (only for benchmarks that print a table); *t is
 * created on first use. Returns 0 or -ENOMEM. */
int run_tables_add(struct run_tables **t, const struct bench_case *c, const struct case_result *r);
/* Every table that has rows, one benchmark after the other; nothing when t is NULL. */
void run_tables_print(const struct run_tables *t, FILE *out);
void run_tables_free(struct run_tables *t);

#endif
