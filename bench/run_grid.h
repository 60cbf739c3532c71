/* bench/run_grid.h - what a benchmark's summary grid reads: the cases kept for it, and how to
 * find a group, a row, a column and a cell among them.
 *
 * Apart from bench/run_tables.c, which keeps the cases and asks each benchmark to draw, so that a
 * benchmark drawing its grid (bench_def.print_tables) depends on these queries only, and the
 * run's tables, the registry and the benchmarks do not call each other in a loop.
 */
#ifndef DMABENCH_RUN_GRID_H
#define DMABENCH_RUN_GRID_H

#include <stdbool.h>
#include <stdio.h>

#include "runner.h"
#include "sweep.h"

#define TABLE_COLS_MAX  16
#define TABLE_ROWS_MAX  64
#define TABLE_BIT(axis) (1u << (axis))

struct table_metric {
    char name[COUNTER_NAME_MAX];
    bool ok;
    double median, p99, max;
    char verdict[24]; /* the longest: "sync-ineffective" */
};

/* What a grid needs of one case: its axis texts, and its own metrics (not the counters). */
struct table_case {
    char text[N_SWEEP_AXES][SWEEP_TEXT_MAX]; /* "" for axes the case does not use */
    size_t bytes[N_SWEEP_AXES];
    long number[N_SWEEP_AXES];
    enum case_status status;
    char reason[192];
    size_t n_metrics;
    struct table_metric metrics[BENCH_MAX_METRICS];
};

/* One benchmark's cases, in run order. */
struct run_table {
    size_t n, cap;
    struct table_case *cases;
};

/* For a benchmark's print_tables. A grid is a group of cases that share every parameter but
 * the axes it is drawn over (strategy down, region size across, say), so a sweep of several
 * buffer sizes prints one grid per size. */

/* A case's metric called name, or NULL. */
const struct table_metric *table_metric(const struct table_case *k, const char *name);
/* The median of a metric, NAN when the case did not produce it. */
double table_median(const struct table_case *k, const char *name);
/* Whether two cases belong to one grid: equal on every axis but those in `except`. */
bool table_same_group(const struct table_case *a, const struct table_case *b, unsigned except);
/* Whether case i is the first of its group (so each group prints once). */
bool table_first_of_group(const struct run_table *t, size_t i, unsigned except);
/* The distinct values of `axes` among the cases of group's group, in first-seen order: one case
 * for each, at most max. */
size_t table_distinct(const struct run_table *t, const struct table_case *group, unsigned except,
                      unsigned axes, const struct table_case **out, size_t max);
/* The case of a group at (row, col), or NULL. */
const struct table_case *table_cell_case(const struct run_table *t, const struct table_case *row,
                                         const struct table_case *col, unsigned row_axes,
                                         unsigned col_axes);
/* A number in a fixed width with three significant digits, or "-" for NAN. */
void table_number_cell(FILE *out, double v, int width);

#endif
