/* bench/analysis/history_newest.h - a series' newest run against its baseline: the median of
 * the undisturbed runs before it in its segment (since the last change point).
 *
 * What the dashboard lists per board and what picks the trend plots worth drawing. When the
 * newest run itself starts a segment (a change point at it), its baseline is the segment
 * before. Reads the model only; never prints.
 */
#ifndef DMABENCH_HISTORY_NEWEST_H
#define DMABENCH_HISTORY_NEWEST_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

struct history_newest {
    size_t point;       /* the newest run's point in the series */
    double median;      /* its median */
    double baseline;    /* the median of the baseline points' medians */
    size_t first, last; /* the baseline's points: [first, last] (disturbed ones left out) */
    size_t n_baseline;  /* how many of them are undisturbed, and so counted */
    double change;      /* median / baseline - 1 */
    bool worse;         /* in the metric's worse direction */
    bool after_change;  /* a change point sits at the newest run */
};

/* The board of a series in h, NULL when h has none of that name. */
const struct history_board *history_board_of(const struct history *h,
                                             const struct history_series *s);

/* 0 and *out; -ENOENT when the series has no point of its board's newest run, or no undisturbed
 * point before it to compare with; -ENOMEM. */
int history_newest_judge(const struct history *h, const struct history_series *s,
                         struct history_newest *out);

#endif
