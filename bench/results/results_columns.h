/* bench/results/results_columns.h - the columns of results.csv, declared once: name, type and
 * role, in the order of the header.
 *
 * The writer (results_csv.c) builds each row column by column from this list, the validator
 * (results_validate.c) checks each cell by its type and flags, and the result-set reader
 * (result_set.c) takes its required and numeric columns from it, so the three cannot drift
 * apart. The columns the sweep parameters fill are declared with their axes, in
 * bench/job/sweep_axes.h. The schema document is results/README.md.
 */
#ifndef DMABENCH_RESULTS_COLUMNS_H
#define DMABENCH_RESULTS_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "sweep_axes.h"

/* What a cell holds; the validator and the reader check the numbers. */
enum results_column_type {
    RESULTS_TEXT,   /* text (the validator knows the words some of them may say) */
    RESULTS_COUNT,  /* empty or a non-negative integer */
    RESULTS_NUMBER, /* empty or a finite number */
    RESULTS_STAT,   /* a statistic of the samples: a finite number when n > 0, else empty */
    /* The same, but it may be empty with samples too: cv of a zero mean, the confidence
     * interval of fewer than 6 samples. */
    RESULTS_STAT_OPTIONAL,
};

enum results_column_flag {
    /* It names what a case was (bench, heap, the sweep parameters, metric), not its
     * measurement or the run: plot and compare tell cases apart by these. */
    RESULTS_PARAMETER = 1u << 0,
    /* A file without this column is not a results.csv at all (the reader refuses it). */
    RESULTS_KEY = 1u << 1,
    /* Every row fills it (the validator checks). */
    RESULTS_NOT_EMPTY = 1u << 2,
};

/* X(name, type, flags) for the run's and the measurement's columns; AXIS_COLUMN(name, type,
 * flags, axis, cell) for those of the sweep axes (bench/job/sweep_axes.h). type is
 * RESULTS_type. Columns are only ever added, at the end of their part (results/README.md,
 * "Versions"): readers find them by name, so older files still read. */
#define RESULTS_COLUMNS(X, AXIS_COLUMN)                                                            \
    X(schema_version, TEXT, 0)                                                                     \
    X(run_id, TEXT, 0)                                                                             \
    X(case_id, TEXT, RESULTS_KEY | RESULTS_NOT_EMPTY)                                              \
    X(bench, TEXT, RESULTS_PARAMETER | RESULTS_KEY | RESULTS_NOT_EMPTY)                            \
    X(job, TEXT, 0)                                                                                \
    SWEEP_AXES(SWEEP_AXES_SKIP, AXIS_COLUMN)                                                       \
    X(metric, TEXT, RESULTS_PARAMETER | RESULTS_KEY | RESULTS_NOT_EMPTY)                           \
    X(unit, TEXT, RESULTS_KEY)                                                                     \
    X(better, TEXT, 0)                                                                             \
    X(n, COUNT, 0)                                                                                 \
    X(median, STAT, RESULTS_KEY)                                                                   \
    X(mean, STAT, 0)                                                                               \
    X(min, STAT, 0)                                                                                \
    X(max, STAT, 0)                                                                                \
    X(stddev, STAT, 0)                                                                             \
    X(mad, STAT, 0)                                                                                \
    X(cv, STAT_OPTIONAL, 0)                                                                        \
    X(p90, STAT, 0)                                                                                \
    X(p99, STAT, 0)                                                                                \
    X(ci_low, STAT_OPTIONAL, 0)                                                                    \
    X(ci_high, STAT_OPTIONAL, 0)                                                                   \
    X(reps, COUNT, 0)                                                                              \
    X(reps_stop, TEXT, 0)                                                                          \
    X(mux_ratio, NUMBER, 0)                                                                        \
    X(status, TEXT, RESULTS_KEY)                                                                   \
    X(error, TEXT, 0)                                                                              \
    X(verdict, TEXT, 0)                                                                            \
    X(implementation, TEXT, 0)                                                                     \
    X(huge_fraction, NUMBER, 0)                                                                    \
    X(min_sample_ns, NUMBER, 0)                                                                    \
    X(note, TEXT, 0)                                                                               \
    X(disturbed, TEXT, 0)                                                                          \
    X(implausible, TEXT, 0)

/* RESULTS_COL_median ...: a column's position in the header. */
enum results_column {
#define RESULTS_COLUMN_ENUM(name, ...) RESULTS_COL_##name,
    RESULTS_COLUMNS(RESULTS_COLUMN_ENUM, RESULTS_COLUMN_ENUM)
#undef RESULTS_COLUMN_ENUM
            N_RESULTS_COLUMNS
};

struct results_column_def {
    const char *name;
    enum results_column_type type;
    unsigned flags; /* enum results_column_flag */
};

extern const struct results_column_def results_column_defs[N_RESULTS_COLUMNS];
/* The header row: the names, in order (also used by tests). */
extern const char *const results_columns[N_RESULTS_COLUMNS];
extern const size_t n_results_columns;

/* The column called name, or -1 when this version does not know it. */
int results_column_find(const char *name);
/* Whether a results.csv column names what a case was (RESULTS_PARAMETER). A column this
 * version does not know counts as a parameter, so that it never merges cases. */
bool results_column_is_parameter(const char *name);

#endif
