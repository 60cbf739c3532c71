/* bench/analysis/history.h - many result sets as series over time: one per board x case x
 * metric, with the runs' noise marks and the change points found in each.
 *
 * `dmabench history` reads result sets (history_read.c), orders each board's runs, builds the
 * series, finds change points in each (change_points.c) and judges the newest run (the gate).
 * The renderers (tables, CSV, JSON, JUnit, LAVA signals, trend plots, the HTML page) only read
 * this model. Strings are owned by the history and live until history_free. Never prints.
 */
#ifndef DMABENCH_HISTORY_H
#define DMABENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#define HISTORY_REASON_MAX 160

/* How a board's runs are ordered along the series. */
#define HISTORY_ORDERS(X)                                                                          \
    X(TIME, "time")     /* metadata start_time (the default) */                                    \
    X(KERNEL, "kernel") /* kernel_release, version order; then time */                             \
    X(GIT, "git")       /* the order the git_sha values first appear in time; then time */

enum history_order {
#define HISTORY_ORDER_ENUM(id, name) HISTORY_ORDER_##id,
    HISTORY_ORDERS(HISTORY_ORDER_ENUM)
#undef HISTORY_ORDER_ENUM
            N_HISTORY_ORDERS
};

/* One result set: a run of one board. */
struct history_run {
    char *dir;        /* as found (DIR or a tree's BOARD/RUN_ID) */
    char *board;      /* result_set_board */
    char *run_id;     /* metadata run_id, else the directory's name */
    char *start_time; /* ISO-8601 UTC, "" when unknown */
    char *kernel;     /* kernel_release, "unknown" */
    char *git_sha;    /* dmabench's git_sha, "unknown" */
    /* Metadata shows the run was disturbed (load above the CPUs it used, steal time, another
     * governor or frequency than its peers, far longer than its peers): left out of baselines,
     * and a regression seen only in such runs is inconclusive. */
    bool disturbed;
    char reason[HISTORY_REASON_MAX]; /* why, "" when not disturbed */
};

/* One run's value of a series. */
struct history_point {
    size_t run;             /* index into history.runs */
    double median;          /* results.csv median, in the series' unit */
    double ci_low, ci_high; /* 95% CI of the median; NAN when unknown */
    const double *samples;  /* raw samples (samples.csv), NULL when none */
    size_t n_samples;
};

/* A change point: the series' level moved between points index - 1 and index. */
struct history_change {
    size_t index;                    /* first point after the change */
    double before, after;            /* medians of the points of the segments either side */
    double change;                   /* after / before - 1 (0.10: 10% up) */
    double p_value;                  /* of the permutation test */
    bool worse;                      /* in the metric's worse direction */
    bool regression;                 /* worse, and |change| above the threshold */
    bool inconclusive;               /* a regression seen only in disturbed runs */
    char reason[HISTORY_REASON_MAX]; /* why inconclusive, "" otherwise */
    /* The raw samples of the runs either side (change_points_confirm): their Mann-Whitney p,
     * NAN when a side had none; confirmed: p < alpha and they moved as the medians did. */
    double samples_p;
    bool samples_confirmed;
};

struct history_series {
    const char *board, *case_id, *bench, *heap, *metric, *unit;
    bool higher_better;
    struct history_point *points; /* in the board's run order */
    size_t n_points;
    struct history_change *changes; /* in index order */
    size_t n_changes;
};

struct history_board {
    const char *name;
    size_t *runs; /* indices into history.runs, in order; the last is the newest */
    size_t n_runs;
};

struct history {
    struct history_run *runs;
    size_t n_runs;
    struct history_board *boards;
    size_t n_boards;
    struct history_series *series; /* sorted by board, case_id, metric */
    size_t n_series;
    enum history_order order;
};

/* The orders' names, by enum history_order: "time", "kernel", "git". */
extern const char *const history_order_names[N_HISTORY_ORDERS];
const char *history_order_name(enum history_order o);
/* One of history_order_names: 0 and *out, or -EINVAL for an unknown name. */
int history_order_parse(const char *name, enum history_order *out);

#endif
