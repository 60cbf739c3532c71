/* bench/run_tables.h - the grids `dmabench run` prints after the benchmarks that draw one.
 *
 * The per-heap summary (bench/run_summary.c) has one line per heap; some benchmarks answer
 * questions that need a grid: sync cost against region size per strategy, the stale-line
 * verdicts, the core-to-core latency matrix, frame latency per pool depth. Case results are
 * copied in as they complete (the cases themselves are freed after each job), each benchmark's
 * apart, and each benchmark draws its own (bench_def.print_tables) with bench/run_grid.h.
 * Nothing here measures; a case that did not run shows "-", never a number.
 */
#ifndef DMABENCH_RUN_TABLES_H
#define DMABENCH_RUN_TABLES_H

#include <stdbool.h>
#include <stdio.h>

#include "run_grid.h"
#include "runner.h"

struct run_tables;

/* Keep what the grids need of c and r (only for benchmarks that draw one); *t is created on
 * first use. Returns 0 or -ENOMEM. */
int run_tables_add(struct run_tables **t, const struct bench_case *c, const struct case_result *r);
/* Every benchmark's grids, in the order of BENCHES; nothing when t is NULL. */
void run_tables_print(const struct run_tables *t, FILE *out);
void run_tables_free(struct run_tables *t);

#endif
