/* plot/plot_select.h - which rows of a result set a plot or table shows, grouped into series.
 *
 * A query names a benchmark (of BENCHES, bench/bench_list.h), the metric (or, for benchmarks newer
 * than this code, the unit) and the column on the x axis; the rows that match are grouped by every
 * parameter that varies among them (heap, kernel, threads, a strategy column ...), so a new sweep
 * axis gets its own lines without any change here. Never prints.
 */
#ifndef DMABENCH_PLOT_SELECT_H
#define DMABENCH_PLOT_SELECT_H

#include <stddef.h>

#include "bench_list.h"
#include "result_set.h"

struct plot_query {
    enum bench_id bench; /* rows of this benchmark only; BENCH_NONE: every benchmark's */
    /* The metric: the first of these names that has rows. When none has (or the list is NULL),
     * every metric measured in the first of units that has rows. */
    const char *const *metrics;
    const char *const *units;
    /* The x axis: the first of these columns the set has (NULL-terminated). */
    const char *const *x_cols;
    /* A second axis (heatmaps): the first of these pairs the set has, x then y; NULL for none. */
    const char *const (*xy_cols)[2];
};

struct plot_point {
    double x, y;                     /* y: the second axis of a heatmap, else 0 */
    double median, lo, hi, p90, p99; /* lo/hi: the CI of the median, or the median without one */
    const struct result_row *row;
};

struct plot_series {
    char *label; /* the values of the parameters that tell series apart, "" for a lone series */
    struct plot_point *pts;
    size_t n;
};

struct plot_selection {
    int x_col, y_col; /* y_col -1 without a second axis */
    char metric[64];  /* the metric when there is one, else "" */
    char unit[32];
    char common[160]; /* heap, kernel and strategy when one value for all: "heap host" */
    struct plot_series *series;
    size_t n_series, n_points;
};

/* Select and group; points sorted by x (then y). 0 with n_points 0 when nothing matches, or
 * -EBADMSG with "FILE:LINE: ..." in err when a row's axis value is not a number, or -ENOMEM. */
int plot_select(const struct result_set *s, const struct plot_query *q, struct plot_selection *out,
                char *err, size_t err_len);
void plot_selection_free(struct plot_selection *sel);

/* Labels for a group of rows of one set: the parameters that vary among them, "heap kernel
 * metric name=value ...", with skip_col (an axis, or -1) left out. Fills labels[i] (malloc'd)
 * for rows[i]. 0 or -ENOMEM. */
int plot_label_rows(const struct result_set *s, const struct result_row *const *rows, size_t n,
                    const int *skip_cols, size_t n_skip, char **labels);

/* Every parameter of row but skip_col (-1: none), joined: rows that differ only in skip_col
 * share it (malloc'd; NULL without memory). */
char *plot_param_key(const struct result_set *s, const struct result_row *r, int skip_col);

#endif
